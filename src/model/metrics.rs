//! How good a fit is, in the terms people use for each model.

use super::{logistic, problem::dot, ModelKind};
use crate::data::Matrix;
use serde::Serialize;

/// Fit quality on the training data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Metrics {
    /// Regression metrics.
    Linear {
        /// Mean squared error.
        mse: f64,
        /// Root mean squared error, in the target's units.
        rmse: f64,
        /// Coefficient of determination, 1 − SSE/SST.
        r2: f64,
    },
    /// Classification metrics.
    Logistic {
        /// Mean cross-entropy (natural log).
        log_loss: f64,
        /// Share of rows whose predicted class (p ≥ 0.5) is right.
        accuracy: f64,
    },
}

impl Metrics {
    /// Computes the metrics of (w, b) on `x`, `t`.
    pub fn compute(model: ModelKind, x: &Matrix, t: &[f64], w: &[f64], b: f64) -> Self {
        let n = t.len().max(1) as f64;
        let z = |i: usize| b + if w.is_empty() { 0.0 } else { dot(x.row(i), w) };
        match model {
            ModelKind::Linear => {
                let mean = t.iter().sum::<f64>() / n;
                let (mut sse, mut sst) = (0.0, 0.0);
                for (i, &ti) in t.iter().enumerate() {
                    sse += (ti - z(i)).powi(2);
                    sst += (ti - mean).powi(2);
                }
                let mse = sse / n;
                let r2 = if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN };
                Self::Linear {
                    mse,
                    rmse: mse.sqrt(),
                    r2,
                }
            }
            ModelKind::Logistic => {
                let (mut loss, mut right) = (0.0, 0usize);
                for (i, &ti) in t.iter().enumerate() {
                    let zi = z(i);
                    loss += logistic::cross_entropy(zi, ti).0;
                    right += usize::from((zi >= 0.0) == (ti >= 0.5));
                }
                Self::Logistic {
                    log_loss: loss / n,
                    accuracy: right as f64 / n,
                }
            }
        }
    }
}
