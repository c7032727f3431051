//! RMSProp: per-parameter rates from a moving average of squared gradients.

use super::{
    apply_rule, check_new_config, named, names, rule_rows, Memory, Optimizer, OptimizerConfig,
    UpdateDescription,
};
use crate::Result;

/// RMSProp with PyTorch's defaults (alpha a = 0.99, ε = 1e-8, not
/// centered, no momentum):
///
/// - s ← a·s + (1 − a)·g², s starting at 0;
/// - θ ← θ − α·g/(√s + ε) (ε added after the square root, as PyTorch does).
///
/// `torch.optim.RMSprop`:
/// <https://docs.pytorch.org/docs/stable/generated/torch.optim.RMSprop.html>
/// (algorithm box as read at
/// <https://pytorch.org/docs/1.13/generated/torch.optim.RMSprop.html>).
#[derive(Debug, Clone)]
pub struct RmsProp {
    config: OptimizerConfig,
    square_avg: Vec<f64>,
    steps: u64,
}

impl RmsProp {
    /// A fresh optimizer for `dim` parameters, s at zero.
    pub fn new(config: OptimizerConfig, dim: usize) -> Self {
        Self {
            config,
            square_avg: vec![0.0; dim],
            steps: 0,
        }
    }
}

/// (new s, step) for one parameter, with smoothing `a`.
fn rule(a: f64, eps: f64, g: f64, s: f64, lr: f64) -> (f64, f64) {
    let s = a * s + (1.0 - a) * (g * g);
    (s, lr * (g / (s.sqrt() + eps)))
}

impl Optimizer for RmsProp {
    plain_accessors!();

    fn set_config(&mut self, config: OptimizerConfig) -> Result<()> {
        check_new_config(&self.config, &config)?;
        self.config = config;
        Ok(())
    }

    fn reset(&mut self) {
        self.square_avg.fill(0.0);
        self.steps = 0;
    }

    fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        let (a, eps) = (self.config.decay, self.config.eps_value());
        apply_rule(theta, grad, &mut self.square_avg, |g, s| {
            rule(a, eps, g, s, lr)
        });
        self.steps += 1;
    }

    fn memory(&self) -> Memory {
        Memory {
            vectors: vec![("s".to_string(), self.square_avg.clone())],
            scalars: named(&[("t", self.steps as f64)]),
        }
    }

    fn describe(&self, theta: &[f64], grad: &[f64], lr: f64) -> UpdateDescription {
        let (a, eps) = (self.config.decay, self.config.eps_value());
        UpdateDescription {
            equations: names(&["s ← a·s + (1 − a)·g²", "θ ← θ − α·g/(√s + ε)"]),
            columns: names(&["θ", "g", "s", "step", "θ next"]),
            rows: rule_rows(theta, grad, &self.square_avg, |g, s| rule(a, eps, g, s, lr)),
            scalars: named(&[
                ("α", lr),
                ("a", a),
                ("ε", eps),
                ("t", (self.steps + 1) as f64),
            ]),
        }
    }
}
