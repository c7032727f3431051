//! Time of one full-batch gradient step (loss, gradient and update in one
//! pass) at n = 100k and 1M rows, d = 10, for both models, standardized on
//! the fly. Criterion prints the time per step and, from the bytes read per
//! step (X and T), the effective bandwidth; a one-line summary per case
//! follows at the end. `GRADSTEP_THREADS=1 cargo bench --bench step` gives
//! the one-thread figures the browser is compared with.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use gradstep::data::column::NumericColumn;
use gradstep::model::{Design, ModelKind, Objective, Problem, RowSet};
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const D: usize = 10;

/// Deterministic pseudo-random data: features in [-1, 1) (shifted and
/// scaled per column), targets from a fixed linear rule (thresholded for
/// logistic).
fn problem(n: usize, model: ModelKind) -> Problem {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut cols = vec![NumericColumn::new(); D];
    let mut t = NumericColumn::new();
    for _ in 0..n {
        let mut z = 0.0;
        for (j, c) in cols.iter_mut().enumerate() {
            let v = next();
            z += v * (j as f64 - 4.5);
            c.push(v * (j + 1) as f64 + j as f64);
        }
        z += 0.3 * next();
        t.push(match model {
            ModelKind::Linear => z,
            ModelKind::Logistic => f64::from(z > 0.0),
        });
    }
    let mean: Vec<f64> = (0..D).map(|j| j as f64).collect();
    let std: Vec<f64> = (0..D).map(|j| (j + 1) as f64 / 3f64.sqrt()).collect();
    let design = Design::new(cols.into_iter().map(Arc::new).collect(), Arc::new(t))
        .standardized(&mean, &std);
    Problem::new(model, design)
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
            let p = problem(n, model);
            let bytes = (n * (D + 1) * 8) as u64;
            group.throughput(Throughput::Bytes(bytes));
            let name = format!("{model} n={n}");
            let mut theta = vec![0.0; D + 1];
            let mut grad = vec![0.0; D + 1];
            let mut times = Vec::new();
            group.bench_function(BenchmarkId::from_parameter(&name), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let e = p.evaluate(&theta, RowSet::All, Some(&mut grad));
                        for (w, g) in theta.iter_mut().zip(&grad) {
                            *w -= 1e-3 * g;
                        }
                        black_box(e);
                    }
                    let el = start.elapsed();
                    times.push(el.as_secs_f64() / iters.max(1) as f64);
                    el
                })
            });
            SAMPLES.lock().unwrap().push((name, bytes, times));
        }
    }
    group.finish();
}

fn summary() {
    let samples = SAMPLES.lock().unwrap();
    println!("\nsummary (median of samples):");
    for (name, bytes, times) in samples.iter() {
        let mut t = times.clone();
        t.sort_by(f64::total_cmp);
        let m = t.get(t.len() / 2).copied().unwrap_or(f64::NAN);
        println!(
            "  {name:<22} {:>8.3} ms/step  {:>6.1} GB/s",
            m * 1e3,
            *bytes as f64 / m / 1e9
        );
    }
}

criterion_group!(benches, step);

fn main() {
    benches();
    summary();
}
