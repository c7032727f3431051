//! The two models: their design matrix, losses, analytic gradients and the
//! data passes behind them, fit metrics, and a numerical gradient check.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub mod design;
pub mod gradcheck;
pub(crate) mod kernel;
pub mod linear;
pub mod logistic;
pub mod metrics;
pub mod objective;

pub use design::Design;
pub use gradcheck::{gradient_check, GradientCheck, GradientCheckRow};
pub use kernel::RowSet;
pub use metrics::Metrics;
pub use objective::{Evaluation, Layout, Objective, Problem};

/// Which model is trained: the prediction function and its loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// y = w·x + b with mean squared error.
    Linear,
    /// p = σ(w·x + b) with mean binary cross-entropy.
    Logistic,
}

impl ModelKind {
    /// The lowercase name, as used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Logistic => "logistic",
        }
    }

    /// What one unit of a training parameter is: a weight is per standard
    /// deviation of its feature when standardized (per unit otherwise), the
    /// bias (`feature` = `None`) is in the output's units. Training never
    /// standardizes the target.
    pub fn parameter_unit(self, target: &str, feature: Option<&str>, standardized: bool) -> String {
        let output = match self {
            Self::Linear => format!("{target} units"),
            Self::Logistic => "log-odds".to_string(),
        };
        match feature {
            Some(feature) if standardized => format!("{output} per SD of {feature}"),
            Some(feature) => format!("{output} per unit of {feature}"),
            None => output,
        }
    }

    /// The loss, written out.
    pub fn loss_formula(self) -> &'static str {
        match self {
            Self::Linear => "L = (1/n) Σ (t − y)²",
            Self::Logistic => "L = −(1/n) Σ [t ln p + (1 − t) ln(1 − p)]",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = crate::GradstepError;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "linear" => Ok(Self::Linear),
            "logistic" => Ok(Self::Logistic),
            _ => Err(crate::GradstepError::InvalidSetting {
                name: "model".into(),
                value: crate::limits::quote(s),
                reason: "expected 'linear' or 'logistic'".into(),
            }),
        }
    }
}

/// σ(z) = 1 / (1 + e^(−z)), the same bits on every platform.
pub fn sigmoid(z: f64) -> f64 {
    kernel::sigmoid(z)
}
