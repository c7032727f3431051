//! The loss-and-gradient kernel behind `Problem`: agreement with a naive
//! row-by-row implementation written here, for both models, many shapes and
//! extreme predictions; bit-for-bit determinism; and no heap allocation in a
//! gradient-descent step.
//!
//! This file is its own test binary with a counting global allocator, so
//! every test takes `serial()`: while the allocation test counts, nothing
//! else in this binary runs.

use gradstep::data::Matrix;
use gradstep::model::{ModelKind, Objective, Problem};
use gradstep::optim::{GradientDescent, IterState, Optimizer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// xorshift64*, uniform in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

struct Case {
    x: Matrix,
    t: Vec<f64>,
    w: Vec<f64>,
    b: f64,
}

/// Random features in [−1, 1), weights of size `scale`, targets from the
/// model (with noise; 0/1 labels for logistic, with some soft labels). With
/// `far`, one row in eight is pushed so far out that |z| is in the hundreds
/// to 10⁴.
fn case_with(model: ModelKind, n: usize, d: usize, scale: f64, seed: u64, far: bool) -> Case {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let w: Vec<f64> = (0..d).map(|_| rng.uniform(-scale, scale)).collect();
    let b = rng.uniform(-1.0, 1.0);
    let mut x = Vec::with_capacity(n * d);
    let mut t = Vec::with_capacity(n);
    for i in 0..n {
        let far = if far && i % 8 == 3 {
            [1e2, 8e2, -7.5e2, 1e4, -1e4][i % 5]
        } else {
            1.0
        };
        let row: Vec<f64> = (0..d).map(|_| rng.uniform(-1.0, 1.0)).collect();
        let z = b + row.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>();
        // Scale the row so that its z lands near `far`·sign, when it can.
        let k = if far != 1.0 && z.abs() > 1e-3 {
            far / z
        } else {
            1.0
        };
        x.extend(row.iter().map(|v| v * k));
        let z = b + row.iter().zip(&w).map(|(a, c)| a * k * c).sum::<f64>();
        t.push(match model {
            ModelKind::Linear => z + rng.uniform(-0.5, 0.5),
            ModelKind::Logistic => match i % 7 {
                0 => rng.next(),
                1 => f64::from(z < 0.0), // confidently wrong
                _ => f64::from(z + rng.uniform(-0.5, 0.5) > 0.0),
            },
        });
    }
    Case {
        x: Matrix::from_row_major(n, d, x).expect("shape"),
        t,
        w,
        b,
    }
}

fn case(model: ModelKind, n: usize, d: usize, scale: f64, seed: u64) -> Case {
    case_with(model, n, d, scale, seed, true)
}

/// A sum with Neumaier's compensation, so that the reference's own rounding
/// (a plain running sum over 10⁵ rows is off by up to ~10⁻¹¹) does not count
/// against the kernel.
#[derive(Default, Clone, Copy)]
struct Sum {
    s: f64,
    c: f64,
}

impl Sum {
    fn add(&mut self, v: f64) {
        let t = self.s + v;
        self.c += if self.s.abs() >= v.abs() {
            (self.s - t) + v
        } else {
            (v - t) + self.s
        };
        self.s = t;
    }

    fn get(self) -> f64 {
        self.s + self.c
    }
}

/// The naive reference: sums of ℓ, ∂ℓ/∂z and (∂ℓ/∂z)·x, row by row in one
/// (compensated) running sum each, plus the magnitudes that bound their rounding errors.
struct Naive {
    loss: f64,
    gb: f64,
    grad: Vec<f64>,
    loss_scale: f64,
    gb_scale: f64,
    grad_scale: Vec<f64>,
}

fn naive(model: ModelKind, c: &Case) -> Naive {
    let d = c.w.len();
    let (mut loss, mut gb, mut grad) = (Sum::default(), Sum::default(), vec![Sum::default(); d]);
    let (mut loss_scale, mut gb_scale, mut grad_scale) = (0.0, 0.0, vec![0.0; d]);
    for (i, &t) in c.t.iter().enumerate() {
        let row = &c.x.as_slice()[i * d..(i + 1) * d];
        let mut z = c.b;
        let mut zmag = c.b.abs();
        for (xv, wv) in row.iter().zip(&c.w) {
            z += xv * wv;
            zmag += (xv * wv).abs();
        }
        // (ℓ, ∂ℓ/∂z, and how large the numbers are that ℓ and ∂ℓ/∂z are
        // computed from: z itself carries rounding of order ε·zmag.)
        let (l, dz, lmag, dzmag) = match model {
            ModelKind::Linear => {
                let r = z - t;
                let m = r.abs() + zmag + t.abs();
                (r * r, 2.0 * r, m * m, 2.0 * m)
            }
            ModelKind::Logistic => {
                let p = if z >= 0.0 {
                    1.0 / (1.0 + (-z).exp())
                } else {
                    z.exp() / (1.0 + z.exp())
                };
                let softplus = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                let l = softplus - t * z;
                (
                    l,
                    p - t,
                    l.abs() + (softplus + (t * z).abs()) + zmag * (1.0 + t.abs()),
                    1.0 + t.abs() + zmag,
                )
            }
        };
        loss.add(l);
        gb.add(dz);
        loss_scale += lmag;
        gb_scale += dzmag;
        for j in 0..d {
            grad[j].add(dz * row[j]);
            grad_scale[j] += dzmag * row[j].abs();
        }
    }
    Naive {
        loss: loss.get(),
        gb: gb.get(),
        grad: grad.into_iter().map(Sum::get).collect(),
        loss_scale,
        gb_scale,
        grad_scale,
    }
}

/// |got − want| ≤ tol·scale: relative error measured against the size of the
/// terms summed (plain relative error is meaningless for a sum that cancels,
/// such as a gradient near the optimum).
fn close(what: &str, got: f64, want: f64, scale: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * scale + 1e-300,
        "{what}: got {got:e}, want {want:e} (difference {:e}, scale {scale:e})",
        (got - want).abs()
    );
}

fn check(model: ModelKind, n: usize, d: usize, scale: f64, seed: u64) {
    let c = case(model, n, d, scale, seed);
    let want = naive(model, &c);
    let problem = Problem::new(model, &c.x, &c.t);
    let nf = n.max(1) as f64;
    let mut grad = vec![f64::NAN; d];
    let (loss, gb) = problem.loss_and_gradient(&c.w, c.b, &mut grad);
    let tag = format!("{model} n={n} d={d} scale={scale}");
    let tol = 1e-12;
    close(
        &format!("{tag} loss"),
        loss * nf,
        want.loss,
        want.loss_scale,
        tol,
    );
    close(&format!("{tag} ∂/∂b"), gb * nf, want.gb, want.gb_scale, tol);
    for (j, g) in grad.iter().enumerate() {
        close(
            &format!("{tag} ∂/∂w{j}"),
            g * nf,
            want.grad[j],
            want.grad_scale[j],
            tol,
        );
    }
    // Where the loss does not cancel (every ℓ ≥ 0 and not all tiny), it also
    // agrees in the plain relative sense.
    if want.loss > 1e-3 * want.loss_scale {
        close(
            &format!("{tag} loss (relative)"),
            loss * nf,
            want.loss,
            want.loss,
            tol,
        );
    }
    // The loss-only path gives the very same number.
    assert_eq!(
        problem.loss(&c.w, c.b).to_bits(),
        loss.to_bits(),
        "{tag}: loss() differs"
    );
}

#[test]
fn matches_naive_for_both_models_and_many_shapes() {
    let _s = serial();
    for model in [ModelKind::Linear, ModelKind::Logistic] {
        for d in [1, 2, 3, 7, 10, 17] {
            for n in [1, 5, 1000, 100_003] {
                for (k, scale) in [1.0, 300.0].into_iter().enumerate() {
                    check(model, n, d, scale, (n * 131 + d * 7 + k) as u64);
                }
            }
        }
    }
}

#[test]
fn matches_naive_for_other_widths() {
    let _s = serial();
    for model in [ModelKind::Linear, ModelKind::Logistic] {
        // Every monomorphized width, the generic path (d > 16), a problem
        // large enough to be split, and a width past the on-stack buffer.
        for d in 4..=16 {
            check(model, 777, d, 2.0, d as u64);
        }
        check(model, 40_000, 11, 2.0, 1);
        check(model, 5_000, 70, 0.5, 2);
        check(model, 9_001, 33, 0.5, 3);
    }
}

#[test]
fn no_rows_and_no_features() {
    let _s = serial();
    for model in [ModelKind::Linear, ModelKind::Logistic] {
        // n = 0: zero loss and gradient (the mean of nothing is taken as 0).
        let x = Matrix::from_row_major(0, 3, Vec::new()).expect("shape");
        let problem = Problem::new(model, &x, &[]);
        let mut grad = vec![f64::NAN; 3];
        assert_eq!(
            problem.loss_and_gradient(&[1.0, 2.0, 3.0], 0.5, &mut grad),
            (0.0, 0.0)
        );
        assert_eq!(grad, vec![0.0; 3]);
        assert_eq!(problem.loss(&[1.0, 2.0, 3.0], 0.5), 0.0);
        // d = 0: the bias alone.
        for n in [1, 5, 300_000] {
            check(model, n, 0, 1.0, 9);
        }
    }
}

#[test]
fn extreme_predictions_are_finite_and_exact() {
    let _s = serial();
    let x =
        Matrix::from_row_major(6, 1, vec![-1e4, -800.0, -745.5, 745.5, 800.0, 1e4]).expect("shape");
    let t = [1.0, 1.0, 0.0, 1.0, 0.0, 0.0];
    let problem = Problem::new(ModelKind::Logistic, &x, &t);
    let mut grad = [0.0];
    let (loss, gb) = problem.loss_and_gradient(&[1.0], 0.0, &mut grad);
    // ℓ: 1e4, 800, ~0, ~0, 800, 1e4; ∂ℓ/∂z: −1, −1, ~0, ~0, 1, 1.
    close("loss", loss * 6.0, 1e4 + 800.0 + 800.0 + 1e4, 1e4, 1e-15);
    close("∂/∂b", gb * 6.0, 0.0, 1.0, 1e-15);
    close("∂/∂w", grad[0] * 6.0, 1e4 + 800.0 + 800.0 + 1e4, 1e4, 1e-15);
}

#[test]
fn results_are_bit_identical_across_runs_and_threads() {
    let _s = serial();
    for model in [ModelKind::Linear, ModelKind::Logistic] {
        let c = case(model, 150_001, 10, 1.0, 42);
        let problem = Problem::new(model, &c.x, &c.t);
        let run = || {
            let mut g = vec![0.0; 10];
            let (l, gb) = problem.loss_and_gradient(&c.w, c.b, &mut g);
            let mut bits: Vec<u64> = g.iter().map(|v| v.to_bits()).collect();
            bits.extend([l.to_bits(), gb.to_bits()]);
            bits
        };
        let first = run();
        assert_eq!(run(), first);
        // Several callers at once: some get the helper thread, some compute
        // both halves themselves; all must agree to the bit.
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..5).map(|_| run()).collect::<Vec<_>>()))
                .collect();
            for h in handles {
                for r in h.join().expect("thread") {
                    assert_eq!(r, first);
                }
            }
        });
    }
}

#[test]
fn a_gradient_descent_step_does_not_allocate() {
    let _s = serial();
    for model in [ModelKind::Linear, ModelKind::Logistic] {
        for d in [10, 70] {
            let c = case_with(model, 200_000, d, 0.1, 5, false);
            let problem = Problem::new(model, &c.x, &c.t);
            let mut state = IterState::start(&problem, vec![0.0; d], 0.0, 0.01);
            // `()` for plain gradient descent; kept to use the Optimizer API as is.
            #[allow(clippy::let_unit_value)]
            let mut memory = GradientDescent.init_memory(d);
            for _ in 0..3 {
                GradientDescent.next_iter(&problem, &mut state, &mut memory);
            }
            // The counter counts.
            COUNTING.store(true, Ordering::SeqCst);
            drop(std::hint::black_box(vec![0u8; 16]));
            COUNTING.store(false, Ordering::SeqCst);
            assert!(ALLOCATIONS.load(Ordering::SeqCst) > 0);
            ALLOCATIONS.store(0, Ordering::SeqCst);
            COUNTING.store(true, Ordering::SeqCst);
            for _ in 0..100 {
                GradientDescent.next_iter(&problem, &mut state, &mut memory);
            }
            COUNTING.store(false, Ordering::SeqCst);
            let count = ALLOCATIONS.load(Ordering::SeqCst);
            assert_eq!(count, 0, "{model} d={d}: {count} allocations in 100 steps");
            assert!(state.loss.is_finite());
        }
    }
}
