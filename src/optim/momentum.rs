//! Momentum: heavy ball and Nesterov, as PyTorch's SGD does them.

use super::{
    apply_rule, check_new_config, named, names, rule_rows, Memory, Optimizer, OptimizerConfig,
    OptimizerKind, UpdateDescription,
};
use crate::Result;

/// SGD with momentum μ, heavy ball (`kind` momentum) or Nesterov (`kind`
/// nesterov), dampening 0:
///
/// - v ← g on the first step, then v ← μ·v + g;
/// - heavy ball: θ ← θ − α·v;
/// - Nesterov: θ ← θ − α·(g + μ·v), with the v just updated.
///
/// This is PyTorch's form (`torch.optim.SGD(momentum=μ, nesterov=…)`), in
/// which α multiplies the velocity instead of being folded into it as in
/// Sutskever et al.:
/// <https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html>
/// (algorithm box and note as read at
/// <https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html>).
#[derive(Debug, Clone)]
pub struct Momentum {
    config: OptimizerConfig,
    velocity: Vec<f64>,
    steps: u64,
}

impl Momentum {
    /// A fresh optimizer for `dim` parameters, velocity at zero.
    pub fn new(config: OptimizerConfig, dim: usize) -> Self {
        Self {
            config,
            velocity: vec![0.0; dim],
            steps: 0,
        }
    }
}

/// (new v, step) for one parameter.
fn rule(config: &OptimizerConfig, first: bool, g: f64, v: f64, lr: f64) -> (f64, f64) {
    let mu = config.momentum;
    let v = if first { g } else { mu * v + g };
    let step = if config.kind == OptimizerKind::Nesterov {
        lr * (g + mu * v)
    } else {
        lr * v
    };
    (v, step)
}

impl Optimizer for Momentum {
    plain_accessors!();

    fn set_config(&mut self, config: OptimizerConfig) -> Result<()> {
        check_new_config(&self.config, &config)?;
        self.config = config;
        Ok(())
    }

    fn reset(&mut self) {
        self.velocity.fill(0.0);
        self.steps = 0;
    }

    fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        let (config, first) = (self.config, self.steps == 0);
        apply_rule(theta, grad, &mut self.velocity, |g, v| {
            rule(&config, first, g, v, lr)
        });
        self.steps += 1;
    }

    fn memory(&self) -> Memory {
        Memory {
            vectors: vec![("v".to_string(), self.velocity.clone())],
            scalars: named(&[("t", self.steps as f64)]),
        }
    }

    fn describe(&self, theta: &[f64], grad: &[f64], lr: f64) -> UpdateDescription {
        let first = self.steps == 0;
        let step_rule = if self.config.kind == OptimizerKind::Nesterov {
            "θ ← θ − α·(g + μ·v)"
        } else {
            "θ ← θ − α·v"
        };
        UpdateDescription {
            equations: names(&["v ← μ·v + g   (v ← g on the first step)", step_rule]),
            columns: names(&["θ", "g", "v", "step", "θ next"]),
            rows: rule_rows(theta, grad, &self.velocity, |g, v| {
                rule(&self.config, first, g, v, lr)
            }),
            scalars: named(&[
                ("α", lr),
                ("μ", self.config.momentum),
                ("t", (self.steps + 1) as f64),
            ]),
        }
    }
}
