//! How good a fit is, in the terms people use for each model, from the sums
//! of the training pass itself (no second pass over the data).

use serde::Serialize;

use super::objective::Evaluation;
use super::ModelKind;

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
        /// Coefficient of determination 1 − SSE/SST; `None` when it is
        /// undefined (see `r2_reason`).
        r2: Option<f64>,
        /// Why R² is undefined, when it is: a constant target (SST = 0), or
        /// sums too large to represent.
        #[serde(skip_serializing_if = "Option::is_none")]
        r2_reason: Option<&'static str>,
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
    /// The metrics of an evaluation over all rows; `target_sst` is
    /// Σ (t − t̄)² of the target (a constant of the data).
    pub fn from_evaluation(model: ModelKind, eval: &Evaluation, target_sst: f64) -> Self {
        let n = eval.rows.max(1) as f64;
        match model {
            ModelKind::Linear => {
                let mse = eval.data_loss;
                let r2 = 1.0 - mse * n / target_sst;
                let r2_reason = if target_sst == 0.0 {
                    Some("the target is constant")
                } else if !target_sst.is_finite() {
                    Some("the target's spread is too large to represent")
                } else if !r2.is_finite() {
                    Some("the squared error is too large to represent")
                } else {
                    None
                };
                Self::Linear {
                    mse,
                    rmse: mse.sqrt(),
                    r2: r2_reason.is_none().then_some(r2),
                    r2_reason,
                }
            }
            ModelKind::Logistic => Self::Logistic {
                log_loss: eval.data_loss,
                accuracy: eval.correct as f64 / n,
            },
        }
    }

    /// Why R² has no value, when it has none.
    pub fn r2_reason(&self) -> Option<&'static str> {
        match self {
            Self::Linear { r2_reason, .. } => *r2_reason,
            Self::Logistic { .. } => None,
        }
    }
}
