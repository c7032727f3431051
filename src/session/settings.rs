//! The settings a session takes, and the defaults derived from the data:
//! one place for the rules the command line and the page share.

use serde::{Deserialize, Serialize};

use crate::data::{FeatureTransform, MissingPolicy};
use crate::format::nice_floor;
use crate::model::ModelKind;
use crate::optim::{OptimizerConfig, OptimizerKind, Schedule};
use crate::train::{Init, RunConfig};

/// What data to train on and how the problem is posed. Changing any of
/// these rebuilds the problem and restarts every run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSettings {
    /// Target column by name; `None` picks the default.
    pub target: Option<String>,
    /// Feature columns by name; `None` picks the default for the target.
    pub features: Option<Vec<String>>,
    /// The model; `None` picks logistic for a two-valued target, else linear.
    pub model: Option<ModelKind>,
    /// Train on z-scored features (results are shown in original units).
    pub standardize: bool,
    /// Problem cells: error, drop the rows, or fill with the mean.
    pub missing: MissingPolicy,
    /// L2 penalty λ in (λ/2)‖w‖².
    pub l2: f64,
    /// Feature columns made by transforms (powers, one-hot), after the
    /// chosen features.
    pub transforms: Vec<FeatureTransform>,
}

impl Default for DataSettings {
    fn default() -> Self {
        Self {
            target: None,
            features: None,
            model: None,
            standardize: true,
            missing: MissingPolicy::Error,
            l2: 0.0,
            transforms: Vec::new(),
        }
    }
}

/// How one run trains. Changing these takes effect on the next step,
/// without a restart (except `init`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunSettings {
    /// The update rule and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// α; `None` takes the default rule for the optimizer and the data.
    pub learning_rate: Option<f64>,
    /// How α changes over the updates.
    pub schedule: Schedule,
    /// Rows per mini-batch; 0 is the full batch.
    pub batch_size: usize,
    /// Seed of the mini-batch shuffle.
    pub seed: u64,
    /// Convergence tolerance on the gradient norm (0: never stop).
    pub tolerance: f64,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            optimizer: OptimizerConfig::default(),
            learning_rate: None,
            schedule: Schedule::Constant,
            batch_size: 0,
            seed: 0,
            tolerance: 1e-6,
        }
    }
}

impl RunSettings {
    /// The run configuration with `rate` as α (when none is set) and the
    /// session's starting point.
    pub fn config(&self, default_rate: f64, init: Init) -> RunConfig {
        RunConfig {
            optimizer: self.optimizer,
            learning_rate: self.learning_rate.unwrap_or(default_rate),
            schedule: self.schedule,
            batch_size: self.batch_size,
            seed: self.seed,
            init,
            tolerance: self.tolerance,
        }
    }
}

/// Which default learning rate: the page's, which takes visible steps, or
/// the command line's `--lr auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RateRule {
    /// 1/(2L), rounded down to 1, 2 or 5 × 10ᵏ: never above 1/L, and at
    /// least about 20 steps even on a round bowl, where 1/L is Newton's step
    /// and would land on the minimum at once.
    Visible,
    /// 1/L: the largest rate that always descends.
    OneOverL,
}

/// The default α for `kind` on a problem of curvature L: PyTorch's default
/// for the adaptive optimizers (AdaGrad, RMSProp: 0.01; Adam: 0.001); for
/// gradient descent, momentum and Nesterov the rule's share of 1/L (0.01
/// when L is unknown).
pub fn default_learning_rate(kind: OptimizerKind, lipschitz: Option<f64>, rule: RateRule) -> f64 {
    if let Some(rate) = kind.default_learning_rate() {
        return rate;
    }
    let Some(l) = lipschitz.filter(|l| *l > 0.0 && l.is_finite()) else {
        return 0.01;
    };
    let rate = match rule {
        RateRule::OneOverL => 1.0 / l,
        RateRule::Visible => nice_floor(0.5 / l).unwrap_or(0.5 / l),
    };
    if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        0.01
    }
}

/// A mark on the learning-rate slider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateMark {
    /// "1/L", "2/L", "default".
    pub label: String,
    /// The rate.
    pub value: f64,
    /// What it means.
    pub hint: String,
}

/// The learning-rate slider's range and marks for `kind` on a problem of
/// curvature L: from 10⁻⁴/L to 10/L for the rules whose speed limit is L,
/// so that 1/L and 2/L are always on it; 10⁻⁵ to 10 for adaptive ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRange {
    /// Smallest rate on the slider.
    pub min: f64,
    /// Largest rate on the slider.
    pub max: f64,
    /// Marks inside the range.
    pub marks: Vec<RateMark>,
    /// The default rate for this optimizer.
    pub default: f64,
}

/// The slider of [`RateRange`] for `kind`.
pub fn rate_range(kind: OptimizerKind, lipschitz: Option<f64>, momentum: f64) -> RateRange {
    use crate::format::number;
    let default = default_learning_rate(kind, lipschitz, RateRule::Visible);
    let l = lipschitz.filter(|l| *l > 0.0 && l.is_finite());
    match (kind, l) {
        (OptimizerKind::Gd | OptimizerKind::Momentum | OptimizerKind::Nesterov, Some(l)) => {
            let mut marks = vec![
                RateMark {
                    label: "1/L".into(),
                    value: 1.0 / l,
                    hint: format!(
                        "α = 1/L = {}: gradient descent always descends",
                        number(1.0 / l, 4)
                    ),
                },
                RateMark {
                    label: "2/L".into(),
                    value: 2.0 / l,
                    hint: format!(
                        "α = 2/L = {}: above this plain gradient descent overshoots and diverges",
                        number(2.0 / l, 4)
                    ),
                },
            ];
            if kind == OptimizerKind::Momentum && momentum > 0.0 && momentum < 1.0 {
                let top = 2.0 * (1.0 + momentum) / l;
                marks.push(RateMark {
                    label: "2(1+μ)/L".into(),
                    value: top,
                    hint: format!(
                        "α = 2(1 + μ)/L = {}: above this momentum diverges",
                        number(top, 4)
                    ),
                });
            }
            RateRange {
                min: 1e-4 / l,
                max: 10.0 / l,
                marks,
                default,
            }
        }
        _ => RateRange {
            min: 1e-5,
            max: 10.0,
            marks: Vec::new(),
            default,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_rate_is_half_of_one_over_l_rounded_down() {
        let r = default_learning_rate(OptimizerKind::Gd, Some(2.0), RateRule::Visible);
        assert_eq!(r, 0.2);
        assert!(r <= 0.5);
        assert_eq!(
            default_learning_rate(OptimizerKind::Gd, Some(2.0), RateRule::OneOverL),
            0.5
        );
        assert_eq!(
            default_learning_rate(OptimizerKind::Adam, Some(2.0), RateRule::Visible),
            0.001
        );
        assert_eq!(
            default_learning_rate(OptimizerKind::Gd, None, RateRule::Visible),
            0.01
        );
    }

    #[test]
    fn the_marks_are_always_on_the_slider() {
        for l in [1e-12, 1e-3, 1.0, 7.3, 1e9, 1e300] {
            let r = rate_range(OptimizerKind::Gd, Some(l), 0.9);
            for m in &r.marks {
                assert!(r.min < m.value && m.value < r.max, "L = {l}");
            }
            assert!(r.min < r.default && r.default < r.max);
        }
    }
}
