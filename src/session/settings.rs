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
    /// A share of 1/L, rounded down to 1, 2 or 5 × 10ᵏ: 1/(2L) unless the
    /// start is so near the stop that a round bowl would converge in fewer
    /// than [`VISIBLE_STEPS`] steps, where 1/L is Newton's step and would
    /// land on the minimum at once. Never above 1/L.
    Visible,
    /// 1/L: the largest rate that always descends.
    OneOverL,
}

/// Fewest steps the page's default rate takes to converge, even on a round
/// bowl (one standardized feature), where every step shrinks the gradient
/// by the same factor 1 − αL.
pub const VISIBLE_STEPS: i32 = 20;

/// What a default learning rate is chosen from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RateBasis {
    /// L, the largest curvature of the loss, when known.
    pub lipschitz: Option<f64>,
    /// ‖∇L(θ₀)‖, the gradient's norm at the start; infinite when the round
    /// bowl says nothing about the steps (the logistic loss flattens as it
    /// learns, so its runs take far more than the bowl's count).
    pub start_gradient_norm: f64,
    /// The run's convergence tolerance on the gradient norm (0: no stop).
    pub tolerance: f64,
}

impl RateBasis {
    /// L alone, with no stop to reach.
    pub fn curvature(lipschitz: Option<f64>) -> Self {
        Self {
            lipschitz,
            start_gradient_norm: f64::INFINITY,
            tolerance: 0.0,
        }
    }

    fn lipschitz(&self) -> Option<f64> {
        self.lipschitz.filter(|l| *l > 0.0 && l.is_finite())
    }

    /// The share s of 1/L that the visible rule takes: the largest of ½,
    /// ⅕, 1/10, 1/20, … (down to 10⁻³) for which (1 − s)^20 ≥ tolerance /
    /// ‖∇L(θ₀)‖, so that even a round bowl takes [`VISIBLE_STEPS`] steps.
    /// Powers by repeated products (no libm): the same on every platform.
    fn visible_share(&self) -> f64 {
        let ratio = self.tolerance / self.start_gradient_norm;
        if !(ratio.is_finite() && ratio > 0.0 && ratio < 1.0) {
            return 0.5;
        }
        let mut share = 0.5;
        while share > 1e-3 {
            let mut power = 1.0;
            for _ in 0..VISIBLE_STEPS {
                power *= 1.0 - share;
            }
            if power >= ratio {
                break;
            }
            share = nice_floor(share * 0.99).unwrap_or(1e-3);
        }
        share.max(1e-3)
    }
}

/// The default α for `kind`: PyTorch's default for the adaptive optimizers
/// (AdaGrad, RMSProp: 0.01; Adam: 0.001); for gradient descent, momentum
/// and Nesterov the rule's share of 1/L (0.01 when L is unknown).
pub fn default_learning_rate(kind: OptimizerKind, basis: RateBasis, rule: RateRule) -> f64 {
    if let Some(rate) = kind.default_learning_rate() {
        return rate;
    }
    let Some(l) = basis.lipschitz() else {
        return 0.01;
    };
    let rate = match rule {
        RateRule::OneOverL => 1.0 / l,
        RateRule::Visible => {
            let share = basis.visible_share();
            nice_floor(share / l).unwrap_or(share / l)
        }
    };
    if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        0.01
    }
}

/// Why the page's default rate for `kind` is what it is, in words.
fn default_rate_reason(kind: OptimizerKind, basis: RateBasis) -> String {
    if kind.default_learning_rate().is_some() {
        return "PyTorch's default".into();
    }
    if basis.lipschitz().is_none() {
        return "a small fixed rate (the curvature L is unknown)".into();
    }
    let share = basis.visible_share();
    if share >= 0.5 {
        "about half of 1/L, so that you can watch it walk down".into()
    } else {
        format!(
            "{} × 1/L: the start is already near the stop, and a larger step would converge in fewer than {VISIBLE_STEPS} steps",
            crate::format::number(share, 2)
        )
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
    /// Why the default is what it is ("about half of 1/L, …").
    pub default_reason: String,
}

/// The slider of [`RateRange`] for `kind`.
pub fn rate_range(kind: OptimizerKind, basis: RateBasis, momentum: f64) -> RateRange {
    use crate::format::number;
    let default = default_learning_rate(kind, basis, RateRule::Visible);
    let default_reason = default_rate_reason(kind, basis);
    let l = basis.lipschitz();
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
                default_reason,
            }
        }
        _ => RateRange {
            min: 1e-5,
            max: 10.0,
            marks: Vec::new(),
            default,
            default_reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_rate_is_half_of_one_over_l_rounded_down() {
        let far = RateBasis::curvature(Some(2.0));
        let r = default_learning_rate(OptimizerKind::Gd, far, RateRule::Visible);
        assert_eq!(r, 0.2);
        assert_eq!(
            default_learning_rate(OptimizerKind::Gd, far, RateRule::OneOverL),
            0.5
        );
        assert_eq!(
            default_learning_rate(OptimizerKind::Adam, far, RateRule::Visible),
            0.001
        );
        assert_eq!(
            default_learning_rate(
                OptimizerKind::Gd,
                RateBasis::curvature(None),
                RateRule::Visible
            ),
            0.01
        );
    }

    #[test]
    fn visible_rate_shrinks_when_the_start_is_near_the_stop() {
        // On a round bowl each step multiplies ‖g‖ by 1 − αL: count the
        // steps until it is below the tolerance.
        let steps = |basis: RateBasis| {
            let l = basis.lipschitz.unwrap();
            let rate = default_learning_rate(OptimizerKind::Gd, basis, RateRule::Visible);
            assert!(rate <= 1.0 / l);
            let mut g = basis.start_gradient_norm;
            let mut k = 0;
            while g >= basis.tolerance {
                g *= 1.0 - rate * l;
                k += 1;
            }
            (rate, k)
        };
        for l in [1e-9, 2.0, 3e7] {
            for g0 in [2e-6, 1e-5, 1e-3, 1.0, 1e12] {
                let basis = RateBasis {
                    lipschitz: Some(l),
                    start_gradient_norm: g0,
                    tolerance: 1e-6,
                };
                let (rate, k) = steps(basis);
                assert!(
                    k >= VISIBLE_STEPS as usize,
                    "L {l}, ‖g₀‖ {g0}: {k} steps at α {rate}"
                );
                let reason = rate_range(OptimizerKind::Gd, basis, 0.9).default_reason;
                assert!(reason.contains("1/L"), "{reason}");
            }
        }
        // Far from the stop it stays 1/(2L) rounded down.
        let far = RateBasis {
            lipschitz: Some(2.0),
            start_gradient_norm: 1e6,
            tolerance: 1e-6,
        };
        assert_eq!(
            default_learning_rate(OptimizerKind::Gd, far, RateRule::Visible),
            0.2
        );
    }

    #[test]
    fn the_marks_are_always_on_the_slider() {
        for l in [1e-12, 1e-3, 1.0, 7.3, 1e9, 1e300] {
            let basis = RateBasis {
                lipschitz: Some(l),
                start_gradient_norm: 1.000_001e-6,
                tolerance: 1e-6,
            };
            let r = rate_range(OptimizerKind::Gd, basis, 0.9);
            for m in &r.marks {
                assert!(r.min < m.value && m.value < r.max, "L = {l}");
            }
            assert!(r.min < r.default && r.default < r.max);
        }
    }
}
