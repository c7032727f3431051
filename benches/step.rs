//! Time of one full-batch gradient-descent step (loss, gradient and update in
//! one pass) at N = 100k and 1M rows, d = 10, for both models. Criterion
//! prints the time per step and, from the bytes read per step (X and T), the
//! effective bandwidth in GB/s (10⁹ bytes); a one-line summary per case
//! follows at the end. Targets: linear ≤ ~6 ms at 1M rows (1.5× the memory
//! floor of ~4 ms at ~22 GB/s), logistic ≤ 2× linear.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use gradstep::data::Matrix;
use gradstep::model::{ModelKind, Problem};
use gradstep::optim::{GradientDescent, IterState, Optimizer};
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const D: usize = 10;

/// Deterministic pseudo-random data: features in [-1, 1), targets from a
/// fixed linear rule (thresholded for logistic).
fn data(n: usize, model: ModelKind) -> (Matrix, Vec<f64>) {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let x: Vec<f64> = (0..n * D).map(|_| next()).collect();
    let t = x
        .chunks_exact(D)
        .map(|r| {
            let z: f64 = r
                .iter()
                .enumerate()
                .map(|(j, v)| v * (j as f64 - 4.5))
                .sum::<f64>()
                + 0.3 * next();
            match model {
                ModelKind::Linear => z,
                ModelKind::Logistic => f64::from(z > 0.0),
            }
        })
        .collect();
    (Matrix::from_row_major(n, D, x).expect("shape"), t)
}

/// Per case: (name, bytes per step, seconds per step of each sample).
type Samples = Vec<(String, u64, Vec<f64>)>;

static SAMPLES: Mutex<Samples> = Mutex::new(Vec::new());

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("gd_step");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    for n in [100_000usize, 1_000_000] {
        for model in [ModelKind::Linear, ModelKind::Logistic] {
            let (x, t) = data(n, model);
            let problem = Problem::new(model, &x, &t);
            let mut state = IterState::start(&problem, vec![0.0; D], 0.0, 0.05);
            // `()` for plain gradient descent; kept to use the Optimizer API as is.
            #[allow(clippy::let_unit_value)]
            let mut memory = GradientDescent.init_memory(D);
            let bytes = ((D + 1) * n * 8) as u64;
            let mut per_step = Vec::new();
            group.throughput(Throughput::BytesDecimal(bytes));
            group.bench_with_input(BenchmarkId::new(model.name(), n), &n, |bench, _| {
                bench.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        GradientDescent.next_iter(&problem, &mut state, &mut memory);
                        black_box(state.loss);
                    }
                    let elapsed = start.elapsed();
                    per_step.push(elapsed.as_secs_f64() / iters as f64);
                    elapsed
                })
            });
            if !per_step.is_empty() {
                SAMPLES
                    .lock()
                    .unwrap()
                    .push((format!("{}/{n}", model.name()), bytes, per_step));
            }
        }
    }
    group.finish();
}

/// One line per case that ran: median and best time per step over
/// criterion's samples (warm-up included), and the bandwidth they mean.
fn summary() {
    let samples = SAMPLES.lock().unwrap();
    if samples.is_empty() {
        return;
    }
    println!("\nsummary (d = {D}; bytes = (d + 1)·n·8 per step)");
    for (name, bytes, times) in samples.iter() {
        let mut t = times.clone();
        t.sort_by(f64::total_cmp);
        let (median, best) = (t[t.len() / 2], t[0]);
        println!(
            "  {name:17} {:8.3} ms/step  {:5.1} GB/s   (best {:.3} ms, {:.1} GB/s; {} samples)",
            median * 1e3,
            *bytes as f64 / median / 1e9,
            best * 1e3,
            *bytes as f64 / best / 1e9,
            t.len()
        );
    }
}

criterion_group!(benches, step);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
