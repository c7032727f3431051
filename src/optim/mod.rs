//! Optimizers, learning-rate schedules and mini-batches.
//!
//! Parameters are one flat vector θ = [w₁, …, w_d, b] (weights, then the
//! bias) and every optimizer treats every entry alike, as PyTorch does. The
//! L2 penalty is not the optimizer's business: the objective already adds λw
//! to the weight gradient.
//!
//! Update rules follow PyTorch's documented algorithms with its defaults
//! (`torch.optim.SGD`, `Adagrad`, `RMSprop`, `Adam`; each type cites its
//! page). Everything is bit-for-bit deterministic across platforms (x86_64
//! and wasm32): only `+ − × ÷ sqrt` in a fixed order, β^t as a running
//! product, and the helpers of [`det`] for powers and the cosine.

/// The trait methods that every optimizer writes the same way: it has
/// `config` and `steps` fields and is `Clone`.
macro_rules! plain_accessors {
    () => {
        fn config(&self) -> OptimizerConfig {
            self.config
        }

        fn steps(&self) -> u64 {
            self.steps
        }

        fn clone_box(&self) -> Box<dyn Optimizer> {
            Box::new(self.clone())
        }
    };
}

mod adagrad;
mod adam;
mod batches;

mod gd;
mod momentum;
pub mod noise;
mod rmsprop;
mod schedule;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use batches::Batches;
pub use gd::GradientDescent;
pub use momentum::Momentum;
pub use rmsprop::RmsProp;
pub use schedule::Schedule;

use crate::{GradstepError, Result};
use serde::{Deserialize, Serialize};

/// Which update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// θ ← θ − α·g.
    Gd,
    /// Heavy ball: v ← μ·v + g; θ ← θ − α·v.
    Momentum,
    /// Nesterov: v ← μ·v + g; θ ← θ − α·(g + μ·v).
    Nesterov,
    /// G ← G + g²; θ ← θ − α·g/(√G + ε).
    Adagrad,
    /// s ← a·s + (1 − a)·g²; θ ← θ − α·g/(√s + ε).
    Rmsprop,
    /// Bias-corrected first and second moments.
    Adam,
}

impl OptimizerKind {
    /// Every kind, in menu order.
    pub const ALL: [OptimizerKind; 6] = [
        Self::Gd,
        Self::Momentum,
        Self::Nesterov,
        Self::Adagrad,
        Self::Rmsprop,
        Self::Adam,
    ];

    /// The CLI / URL spelling: "gd", "momentum", "nesterov", "adagrad",
    /// "rmsprop", "adam".
    pub fn name(self) -> &'static str {
        match self {
            Self::Gd => "gd",
            Self::Momentum => "momentum",
            Self::Nesterov => "nesterov",
            Self::Adagrad => "adagrad",
            Self::Rmsprop => "rmsprop",
            Self::Adam => "adam",
        }
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Gd => "Gradient descent",
            Self::Momentum => "Momentum",
            Self::Nesterov => "Nesterov momentum",
            Self::Adagrad => "AdaGrad",
            Self::Rmsprop => "RMSProp",
            Self::Adam => "Adam",
        }
    }

    /// PyTorch's default learning rate where it has one (AdaGrad 0.01,
    /// RMSProp 0.01, Adam 0.001); None for GD, momentum and Nesterov, whose
    /// default comes from the curvature (the 1/L rule, elsewhere).
    pub fn default_learning_rate(self) -> Option<f64> {
        match self {
            Self::Gd | Self::Momentum | Self::Nesterov => None,
            Self::Adagrad | Self::Rmsprop => Some(0.01),
            Self::Adam => Some(0.001),
        }
    }

    /// The rule's hyperparameters besides α, by their setting names
    /// (`momentum`, `beta1`, `beta2`, `eps`, `decay`): the command line
    /// refuses the others, and the page shows only these.
    pub fn hyperparameters(self) -> &'static [&'static str] {
        match self {
            Self::Gd => &[],
            Self::Momentum | Self::Nesterov => &["momentum"],
            Self::Adagrad => &["eps"],
            Self::Rmsprop => &["decay", "eps"],
            Self::Adam => &["beta1", "beta2", "eps"],
        }
    }

    /// PyTorch's default ε where the rule has one (AdaGrad 1e-10, RMSProp
    /// 1e-8, Adam 1e-8).
    pub fn default_eps(self) -> Option<f64> {
        match self {
            Self::Gd | Self::Momentum | Self::Nesterov => None,
            Self::Adagrad => Some(1e-10),
            Self::Rmsprop | Self::Adam => Some(1e-8),
        }
    }
}

impl std::fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for OptimizerKind {
    type Err = GradstepError;

    /// Accepts `name()`, case-insensitive, surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim();
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| GradstepError::InvalidSetting {
                name: "optimizer".into(),
                value: s.to_string(),
                reason: "expected one of gd, momentum, nesterov, adagrad, rmsprop, adam".into(),
            })
    }
}

/// Every hyperparameter, with PyTorch's defaults. Fields a rule does not use
/// are kept (and validated) so that switching rules keeps the settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    /// The update rule (default GD).
    pub kind: OptimizerKind,
    /// μ, momentum and Nesterov (0.9).
    pub momentum: f64,
    /// β₁, Adam's first-moment decay (0.9).
    pub beta1: f64,
    /// β₂, Adam's second-moment decay (0.999).
    pub beta2: f64,
    /// ε: when left at None each optimizer uses PyTorch's (AdaGrad 1e-10,
    /// RMSProp 1e-8, Adam 1e-8).
    pub eps: Option<f64>,
    /// a, RMSProp's smoothing constant, PyTorch's `alpha` (0.99).
    pub decay: f64,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Gd,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            eps: None,
            decay: 0.99,
        }
    }
}

impl OptimizerConfig {
    /// PyTorch's defaults for `kind`.
    pub fn new(kind: OptimizerKind) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    /// The learning rate above which this rule diverges on a quadratic
    /// whose largest curvature is `l`, with its formula: 2/L for gradient
    /// descent, 2(1 + μ)/L for heavy ball, 2(1 + μ)/((1 + 2μ)L) for
    /// Nesterov; `None` for the adaptive rules, whose steps L does not bound.
    pub fn stability_bound(&self, l: f64) -> Option<(f64, &'static str)> {
        if !(l > 0.0 && l.is_finite()) {
            return None;
        }
        let mu = self.momentum;
        match self.kind {
            OptimizerKind::Gd => Some((2.0 / l, "2/L")),
            OptimizerKind::Momentum => Some((2.0 * (1.0 + mu) / l, "2(1 + μ)/L")),
            OptimizerKind::Nesterov => Some((
                (2.0 + 2.0 * mu) / ((1.0 + 2.0 * mu) * l),
                "2(1 + μ)/((1 + 2μ)L)",
            )),
            _ => None,
        }
    }

    /// The ε in use: `eps`, or the kind's PyTorch default (1e-8 for the
    /// rules that have no ε, where it is unused).
    pub fn eps_value(&self) -> f64 {
        self.eps
            .or(self.kind.default_eps())
            .unwrap_or(DEFAULT_UNUSED_EPS)
    }

    /// Checks ranges: μ ∈ [0, 1), β₁, β₂ ∈ [0, 1), decay ∈ [0, 1), ε > 0 and
    /// finite. The error names the setting, the value and the range.
    pub fn validate(&self) -> Result<()> {
        check_fraction("momentum (μ)", self.momentum)?;
        check_fraction("beta1 (β₁)", self.beta1)?;
        check_fraction("beta2 (β₂)", self.beta2)?;
        check_fraction("decay (RMSProp a)", self.decay)?;
        if let Some(eps) = self.eps {
            if !(eps.is_finite() && eps > 0.0) {
                return Err(GradstepError::InvalidSetting {
                    name: "eps (ε)".into(),
                    value: crate::format::typed(eps),
                    reason: "must be a finite number > 0".into(),
                });
            }
        }
        Ok(())
    }

    /// A fresh optimizer of this kind for `dim` parameters (weights and
    /// bias). Validate first: an invalid config is not checked here (it does
    /// not panic, but its updates are meaningless).
    pub fn build(&self, dim: usize) -> Box<dyn Optimizer> {
        match self.kind {
            OptimizerKind::Gd => Box::new(GradientDescent::new(*self)),
            OptimizerKind::Momentum | OptimizerKind::Nesterov => {
                Box::new(Momentum::new(*self, dim))
            }
            OptimizerKind::Adagrad => Box::new(Adagrad::new(*self, dim)),
            OptimizerKind::Rmsprop => Box::new(RmsProp::new(*self, dim)),
            OptimizerKind::Adam => Box::new(Adam::new(*self, dim)),
        }
    }
}

/// ε reported for rules that do not use one.
const DEFAULT_UNUSED_EPS: f64 = 1e-8;

/// μ, β₁, β₂ and the RMSProp decay: in [0, 1), as PyTorch requires.
fn check_fraction(name: &str, value: f64) -> Result<()> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err(GradstepError::InvalidSetting {
            name: name.into(),
            value: crate::format::typed(value),
            reason: "must be in [0, 1)".into(),
        })
    }
}

/// The check shared by every `set_config`: a valid config of the same kind.
fn check_new_config(current: &OptimizerConfig, new: &OptimizerConfig) -> Result<()> {
    new.validate()?;
    if new.kind != current.kind {
        return Err(GradstepError::InvalidSetting {
            name: "optimizer".into(),
            value: new.kind.name().into(),
            reason: format!(
                "this optimizer is {}; build a new one to switch rules",
                current.kind.name()
            ),
        });
    }
    Ok(())
}

/// One update rule with its memory.
pub trait Optimizer: std::fmt::Debug + Send + Sync {
    /// The hyperparameters in use.
    fn config(&self) -> OptimizerConfig;

    /// Changes hyperparameters; the memory (velocity, moments, step count) is
    /// kept, so the change takes effect on the next step without a reset.
    /// Fails, leaving the optimizer unchanged, on an invalid config or a
    /// different `kind`.
    fn set_config(&mut self, config: OptimizerConfig) -> Result<()>;

    /// Forgets velocity, moments and the step count.
    fn reset(&mut self);

    /// Applies one update in place: θ ← θ − (step built from g and the
    /// memory), with learning rate `lr` (already scheduled). `grad` is ∂L/∂θ
    /// at θ. Both have length `dim`; extra entries of either are ignored.
    fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64);

    /// Updates applied since the last reset (PyTorch's `t` / `step`).
    fn steps(&self) -> u64;

    /// The memory, for display: named vectors (("v", velocity), ("G", …),
    /// ("s", …), ("m", …), ("v", …)) and named scalars (("t", 3.0),
    /// ("1 − β₁ᵗ", …)).
    fn memory(&self) -> Memory;

    /// The next update written out with the current numbers, without
    /// changing anything. Its "θ next" column is bit for bit what `update`
    /// would produce with the same arguments.
    fn describe(&self, theta: &[f64], grad: &[f64], lr: f64) -> UpdateDescription;

    /// A boxed copy, memory included.
    fn clone_box(&self) -> Box<dyn Optimizer>;
}

impl Clone for Box<dyn Optimizer> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// What an optimizer remembers between updates, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memory {
    /// Per-parameter vectors, each of length `dim`, with their names.
    pub vectors: Vec<(String, Vec<f64>)>,
    /// Scalars with their names, e.g. ("t", 3.0).
    pub scalars: Vec<(String, f64)>,
}

/// The update as a person reads it: the equations in general form, then one
/// row per parameter with the quantities named in `columns` (e.g.
/// ["θ", "g", "v", "step", "θ next"], or for Adam
/// ["θ", "g", "m", "v", "m̂", "v̂", "step", "θ next"]), and the scalars
/// (α, μ, β₁ᵗ …). Memory columns hold the values after this update, the ones
/// its step uses; "step" is what is subtracted from θ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateDescription {
    /// The rule, e.g. "v ← μ·v + g", "θ ← θ − α·v" (Unicode, no LaTeX).
    pub equations: Vec<String>,
    /// The name of each column of `rows`.
    pub columns: Vec<String>,
    /// rows[i][c]: parameter i, column c. "θ next" equals what `update`
    /// gives, bit for bit.
    pub rows: Vec<Vec<f64>>,
    /// Named scalars of this update.
    pub scalars: Vec<(String, f64)>,
}

/// Names as owned strings, for the display types.
fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Named scalars as owned pairs.
fn named(list: &[(&str, f64)]) -> Vec<(String, f64)> {
    list.iter().map(|&(n, v)| (n.to_string(), v)).collect()
}

/// Applies a rule with one memory vector: `rule(g, m)` gives (new m, step)
/// and θ ← θ − step. `describe` calls the same rule, so the two agree bit for
/// bit.
fn apply_rule(
    theta: &mut [f64],
    grad: &[f64],
    memory: &mut [f64],
    rule: impl Fn(f64, f64) -> (f64, f64),
) {
    for ((t, &g), m) in theta.iter_mut().zip(grad).zip(memory.iter_mut()) {
        let (m_next, step) = rule(g, *m);
        *m = m_next;
        *t -= step;
    }
}

/// Rows [θ, g, new m, step, θ next] of a rule with one memory vector.
fn rule_rows(
    theta: &[f64],
    grad: &[f64],
    memory: &[f64],
    rule: impl Fn(f64, f64) -> (f64, f64),
) -> Vec<Vec<f64>> {
    theta
        .iter()
        .zip(grad)
        .zip(memory)
        .map(|((&t, &g), &m)| {
            let (m_next, step) = rule(g, m);
            vec![t, g, m_next, step, t - step]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{OptimizerConfig, OptimizerKind};

    #[test]
    fn stability_bounds_follow_each_rule() {
        let bound = |kind| OptimizerConfig::new(kind).stability_bound(2.0).map(|b| b.0);
        assert_eq!(bound(OptimizerKind::Gd), Some(1.0));
        // μ = 0.9: 2(1.9)/2 and 3.8/(2.8 · 2).
        assert!((bound(OptimizerKind::Momentum).unwrap() - 1.9).abs() < 1e-15);
        assert!((bound(OptimizerKind::Nesterov).unwrap() - 3.8 / 5.6).abs() < 1e-15);
        for kind in [
            OptimizerKind::Adagrad,
            OptimizerKind::Rmsprop,
            OptimizerKind::Adam,
        ] {
            assert_eq!(bound(kind), None);
        }
        assert_eq!(
            OptimizerConfig::new(OptimizerKind::Gd).stability_bound(0.0),
            None
        );
    }
}
