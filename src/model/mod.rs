//! The two models, their losses and analytic gradients, and a numerical
//! gradient check.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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
                value: s.into(),
                reason: "expected 'linear' or 'logistic'".into(),
            }),
        }
    }
}

pub mod gradcheck;
mod kernel;
pub mod linear;
pub mod logistic;
pub mod metrics;
pub mod problem;

pub use gradcheck::{gradient_check, GradientCheck};
pub use metrics::Metrics;
pub use problem::{Objective, Problem};
