//! Everything a trained model is, as one serializable value: what the CLI
//! prints with `--json` and what the app exports as the model file.

use crate::data::ClassMapping;
use crate::model::{Metrics, ModelKind};
use crate::optim::Status;
use crate::optimum::Optimum;
use crate::trainer::Trainer;
use serde::Serialize;

/// A trainer's result, parameters in the original units of the data.
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
    /// Training loss at the current parameters.
    pub loss: f64,
    /// Gradient steps taken.
    pub steps: u64,
    /// running, converged or diverged.
    pub status: Status,
    /// Why the status is what it is.
    pub message: Option<String>,
    /// ∂L/∂w, ∂L/∂b in original units and the gradient norm (training units).
    pub gradient: GradientReport,
    /// Fit quality.
    pub metrics: Metrics,
    /// The exact optimum in original units, or null.
    pub optimum: Option<OptimumReport>,
    /// Why there is no optimum, or null.
    pub reason: Option<String>,
    /// The learning rate in use.
    pub learning_rate: f64,
    /// L: largest Hessian eigenvalue (bound for logistic).
    pub lipschitz: f64,
    /// Hessian condition number (null when infinite).
    pub condition_number: Option<f64>,
    /// Whether training used standardized features.
    pub standardized: bool,
    /// Rows used.
    pub rows: usize,
    /// Rows dropped for missing values.
    pub dropped_rows: usize,
    /// Class labels for logistic.
    pub classes: Option<ClassMapping>,
    /// Data warnings.
    pub warnings: Vec<String>,
    /// The training-units parameters and the scaler, when standardized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standardized_parameters: Option<StandardizedReport>,
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
    /// The report of `trainer` as it stands.
    pub fn of(trainer: &Trainer) -> Self {
        Self::with_optimum(trainer, Some(trainer.optimum()))
    }

    /// [`FitReport::of`] without computing the exact optimum: `optimum` and
    /// `reason` stay null until it is known (`Trainer::optimum_if_ready`).
    pub fn of_available(trainer: &Trainer) -> Self {
        Self::with_optimum(trainer, trainer.optimum_if_ready())
    }

    fn with_optimum(trainer: &Trainer, optimum: Option<&Optimum>) -> Self {
        let s = trainer.state();
        let d = trainer.dataset();
        let (weights, bias) = trainer.original_parameters();
        let (gw, gb) = trainer.original_gradient();
        let (optimum, reason) = match optimum {
            Some(Optimum::Found {
                weights,
                bias,
                loss,
            }) => {
                let (weights, bias) = trainer.scaler().to_original(weights, *bias);
                (
                    Some(OptimumReport {
                        weights,
                        bias,
                        loss: *loss,
                    }),
                    None,
                )
            }
            Some(Optimum::NoFiniteOptimum { reason }) => (None, Some(reason.clone())),
            None => (None, None),
        };
        let curvature = trainer.curvature();
        Self {
            model: d.model,
            features: d.feature_names.clone(),
            target: d.target_name.clone(),
            weights,
            bias,
            loss: s.loss,
            steps: s.step,
            status: s.status,
            message: s.message.clone(),
            gradient: GradientReport {
                weights: gw,
                bias: gb,
                norm: s.gradient_norm,
            },
            metrics: trainer.metrics(),
            optimum,
            reason,
            learning_rate: trainer.learning_rate(),
            lipschitz: curvature.lipschitz,
            condition_number: curvature
                .condition_number
                .is_finite()
                .then_some(curvature.condition_number),
            standardized: trainer.standardized(),
            rows: d.target.len(),
            dropped_rows: d.dropped_rows,
            classes: d.classes.clone(),
            warnings: d.warnings.clone(),
            standardized_parameters: trainer.standardized().then(|| StandardizedReport {
                weights: s.weights.clone(),
                bias: s.bias,
                mean: trainer.scaler().mean().to_vec(),
                std: trainer.scaler().std().to_vec(),
            }),
        }
    }
}
