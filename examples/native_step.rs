//! Prints the native time of one full-batch step (loss, gradient and the
//! update) at 100k and 1M rows × 10 features, linear and logistic, in
//! milliseconds: the figure the browser is compared with. Run it with
//! `GRADSTEP_THREADS=1` for the one-thread step.
//!
//! Output, one line per case: `native_step <model> <rows> <ms>`.

use std::sync::Arc;
use std::time::Instant;

use gradstep::data::column::NumericColumn;
use gradstep::model::{Design, ModelKind, Objective, Problem, RowSet};

fn problem(n: usize, d: usize, model: ModelKind) -> Problem {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut cols = vec![NumericColumn::new(); d];
    let mut t = NumericColumn::new();
    for _ in 0..n {
        let mut z = 0.0;
        for (j, c) in cols.iter_mut().enumerate() {
            let v = next();
            z += v * (j as f64 - 4.5);
            c.push(v * (j + 1) as f64 + j as f64);
        }
        t.push(match model {
            ModelKind::Linear => z,
            ModelKind::Logistic => f64::from(z + 0.3 * next() > 0.0),
        });
    }
    let mean: Vec<f64> = (0..d).map(|j| j as f64).collect();
    let std: Vec<f64> = (0..d).map(|j| (j + 1) as f64 / 3f64.sqrt()).collect();
    let design = Design::new(cols.into_iter().map(Arc::new).collect(), Arc::new(t)).standardized(&mean, &std);
    Problem::new(model, design)
}

fn main() {
    let d = 10;
    for n in [100_000usize, 1_000_000] {
        for model in [ModelKind::Linear, ModelKind::Logistic] {
            let p = problem(n, d, model);
            let mut theta = vec![0.0; d + 1];
            let mut grad = vec![0.0; d + 1];
            let mut times = Vec::new();
            for _ in 0..40 {
                let t0 = Instant::now();
                let _ = p.evaluate(&theta, RowSet::All, Some(&mut grad));
                for (w, g) in theta.iter_mut().zip(&grad) {
                    *w -= 1e-3 * g;
                }
                times.push(t0.elapsed().as_secs_f64() * 1e3);
            }
            times.sort_by(f64::total_cmp);
            println!("native_step {} {n} {:.3}", model.name(), times[times.len() / 2]);
        }
    }
}
