//! Everything a trained model is, as one serializable value: what the CLI
//! prints with `--json` and what the page exports as the model file.
//!
//! Numbers are plain JSON numbers; a value that is undefined is `null` with
//! a `…_reason` field beside it that says why (JSON has no NaN).

use serde::Serialize;

use crate::data::ClassMapping;
use crate::model::{Metrics, ModelKind};
use crate::optim::{OptimizerConfig, Schedule};
use crate::optimum::Optimum;
use crate::session::Loaded;
use crate::train::Status;

/// A run's result, parameters in the original units of the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    /// linear or logistic.
    pub model: ModelKind,
    /// Feature names, in the order of `weights`.
    pub features: Vec<String>,
    /// Target column name.
    pub target: String,
    /// Weights in original units.
    pub weights: Vec<f64>,
    /// Bias in original units.
    pub bias: f64,
    /// Why some of `weights`, `bias`, `gradient` or `optimum` are null: too
    /// large to write in the data's original units (the training-units
    /// values are in `standardized_parameters`).
    pub parameters_reason: Option<String>,
    /// Training loss at the current parameters.
    pub loss: f64,
    /// Updates taken.
    pub steps: u64,
    /// ready, running, converged or diverged.
    pub status: Status,
    /// Why the status is what it is.
    pub message: Option<String>,
    /// ∂L/∂w, ∂L/∂b in original units, and ‖∇L‖ in training units.
    pub gradient: GradientReport,
    /// Fit quality.
    pub metrics: MetricsReport,
    /// The exact optimum in original units, or null.
    pub optimum: Option<OptimumReport>,
    /// Why `optimum` is null: no finite optimum, or not computed yet.
    pub optimum_reason: Option<String>,
    /// The optimizer and the hyperparameters its rule uses (ε resolved to
    /// its default): `{"kind": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}`.
    #[serde(serialize_with = "optimizer_in_use")]
    pub optimizer: OptimizerConfig,
    /// The base learning rate α.
    pub learning_rate: f64,
    /// The schedule.
    pub schedule: Schedule,
    /// Rows per mini-batch (null: the full batch).
    pub batch_size: Option<usize>,
    /// The shuffle seed.
    pub seed: u64,
    /// L: the largest Hessian eigenvalue (a bound for logistic), or null.
    pub lipschitz: Option<f64>,
    /// Why `lipschitz` is null.
    pub lipschitz_reason: Option<String>,
    /// The Hessian's condition number, or null.
    pub condition_number: Option<f64>,
    /// Why `condition_number` is null.
    pub condition_number_reason: Option<String>,
    /// Whether training used standardized features.
    pub standardized: bool,
    /// The L2 penalty λ.
    pub l2: f64,
    /// Rows used.
    pub rows: usize,
    /// Rows dropped for problem cells.
    pub dropped_rows: usize,
    /// Cells filled with the column mean.
    pub imputed_cells: usize,
    /// Class labels for logistic.
    pub classes: Option<ClassMapping>,
    /// Data warnings.
    pub warnings: Vec<String>,
    /// The training-units parameters and the standardization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standardized_parameters: Option<StandardizedReport>,
    /// The full-data loss after every step (training units), step 0 first,
    /// when asked for (`fit --history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<f64>>,
}

/// The gradient in original units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientReport {
    /// ∂L/∂w.
    pub weights: Vec<f64>,
    /// ∂L/∂b.
    pub bias: f64,
    /// ‖∇L‖ in training units (what the tolerance is compared with).
    pub norm: f64,
}

/// Fit quality, with reasons for undefined values.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum MetricsReport {
    /// Regression.
    Linear {
        /// Mean squared error.
        mse: f64,
        /// Its root, in the target's units.
        rmse: f64,
        /// 1 − SSE/SST, or null.
        r2: Option<f64>,
        /// Why `r2` is null.
        r2_reason: Option<String>,
    },
    /// Classification.
    Logistic {
        /// Mean cross-entropy.
        log_loss: f64,
        /// Share of rows classified right.
        accuracy: f64,
    },
}

/// The exact optimum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimumReport {
    /// Optimal weights (original units).
    pub weights: Vec<f64>,
    /// Optimal bias (original units).
    pub bias: f64,
    /// Loss at the optimum.
    pub loss: f64,
}

/// Parameters in standardized units and the standardization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardizedReport {
    /// Weights on z-scored features.
    pub weights: Vec<f64>,
    /// Bias on z-scored features.
    pub bias: f64,
    /// Feature means.
    pub mean: Vec<f64>,
    /// Feature population standard deviations.
    pub std: Vec<f64>,
}

impl FitReport {
    /// The report of run `index` of `d`.
    pub fn of(d: &Loaded, index: usize) -> Self {
        let run = &d.runs()[index];
        let t = &run.trainer;
        let x = d.problem().design();
        let ds = d.dataset();
        let dim = ds.dim();
        let theta = x.theta_to_original(t.theta());
        let grad = x.gradient_to_original(t.gradient());
        let (optimum, optimum_reason) = match d.optimum_result() {
            Some(Optimum::Found { theta, loss }) => {
                let o = x.theta_to_original(theta);
                (
                    Some(OptimumReport {
                        weights: o[..dim].to_vec(),
                        bias: o[dim],
                        loss: *loss,
                    }),
                    None,
                )
            }
            Some(Optimum::NoFiniteOptimum { reason }) => (None, Some(reason.clone())),
            None => (None, Some("not computed yet".to_string())),
        };
        let c = d.curvature();
        let lipschitz = d.lipschitz();
        let metrics = match t.metrics() {
            Metrics::Linear {
                mse,
                rmse,
                r2,
                r2_reason,
            } => MetricsReport::Linear {
                mse,
                rmse,
                r2,
                r2_reason: r2_reason.map(str::to_string),
            },
            Metrics::Logistic { log_loss, accuracy } => {
                MetricsReport::Logistic { log_loss, accuracy }
            }
        };
        let config = t.config();
        let overflowed = theta.iter().chain(&grad).any(|v| !v.is_finite())
            || optimum
                .as_ref()
                .is_some_and(|o| o.weights.iter().any(|v| !v.is_finite()) || !o.bias.is_finite());
        Self {
            parameters_reason: overflowed.then(|| {
                "some values are too large to write in the data's original units (they are null); the standardized parameters are exact".to_string()
            }),
            model: d.model(),
            features: ds.feature_names.clone(),
            target: ds.target_name.clone(),
            weights: theta[..dim].to_vec(),
            bias: theta[dim],
            loss: t.loss(),
            steps: t.step_count(),
            status: t.status(),
            message: crate::session::shown_message(t, d.separable()),
            gradient: GradientReport {
                weights: grad[..dim].to_vec(),
                bias: grad[dim],
                norm: t.gradient_norm(),
            },
            metrics,
            optimum,
            optimum_reason,
            optimizer: config.optimizer,
            learning_rate: config.learning_rate,
            schedule: config.schedule,
            batch_size: (config.batch_size > 0 && config.batch_size < ds.rows())
                .then_some(config.batch_size),
            seed: config.seed,
            lipschitz,
            lipschitz_reason: lipschitz.is_none().then(|| {
                "the curvature could not be computed (the values are too large)".to_string()
            }),
            condition_number: c.condition_number,
            condition_number_reason: c
                .condition_number
                .is_none()
                .then(|| "the Hessian is singular or too large to decompose".to_string()),
            standardized: x.is_standardized(),
            l2: d.problem().l2(),
            rows: ds.rows(),
            dropped_rows: ds.dropped_rows,
            imputed_cells: ds.imputed.iter().map(|i| i.cells).sum(),
            classes: ds.classes.clone(),
            warnings: ds.warnings.clone(),
            standardized_parameters: x.is_standardized().then(|| StandardizedReport {
                weights: t.theta()[..dim].to_vec(),
                bias: t.theta()[dim],
                mean: ds.mean.clone(),
                std: ds.std.clone(),
            }),
            history: t.full_history().map(<[f64]>::to_vec),
        }
    }
}

/// Writes `c` as its kind and the values of the hyperparameters its rule
/// uses ([`crate::optim::OptimizerKind::hyperparameters`]), so that a report
/// never lists settings that played no part.
fn optimizer_in_use<S: serde::Serializer>(
    c: &OptimizerConfig,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let names = c.kind.hyperparameters();
    let mut map = s.serialize_map(Some(1 + names.len()))?;
    map.serialize_entry("kind", &c.kind)?;
    for &name in names {
        let value = match name {
            "momentum" => c.momentum,
            "beta1" => c.beta1,
            "beta2" => c.beta2,
            "decay" => c.decay,
            _ => c.eps_value(),
        };
        map.serialize_entry(name, &value)?;
    }
    map.end()
}
