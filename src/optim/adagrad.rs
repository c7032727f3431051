//! AdaGrad: per-parameter rates from the sum of squared gradients.

use super::{
    apply_rule, check_new_config, named, names, rule_rows, Memory, Optimizer, OptimizerConfig,
    UpdateDescription,
};
use crate::Result;

/// AdaGrad with PyTorch's defaults (lr_decay 0, initial_accumulator_value
/// 0, ε = 1e-10):
///
/// - G ← G + g²;
/// - θ ← θ − α·g/(√G + ε).
///
/// `torch.optim.Adagrad`:
/// <https://docs.pytorch.org/docs/stable/generated/torch.optim.Adagrad.html>
/// (algorithm box as read at
/// <https://pytorch.org/docs/1.10/_modules/torch/optim/adagrad.html>).
#[derive(Debug, Clone)]
pub struct Adagrad {
    config: OptimizerConfig,
    sum_sq: Vec<f64>,
    steps: u64,
}

impl Adagrad {
    /// A fresh optimizer for `dim` parameters, G at zero.
    pub fn new(config: OptimizerConfig, dim: usize) -> Self {
        Self {
            config,
            sum_sq: vec![0.0; dim],
            steps: 0,
        }
    }
}

/// (new G, step) for one parameter.
fn rule(eps: f64, g: f64, sum_sq: f64, lr: f64) -> (f64, f64) {
    let sum_sq = sum_sq + g * g;
    (sum_sq, lr * (g / (sum_sq.sqrt() + eps)))
}

impl Optimizer for Adagrad {
    plain_accessors!();

    fn set_config(&mut self, config: OptimizerConfig) -> Result<()> {
        check_new_config(&self.config, &config)?;
        self.config = config;
        Ok(())
    }

    fn reset(&mut self) {
        self.sum_sq.fill(0.0);
        self.steps = 0;
    }

    fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        let eps = self.config.eps_value();
        apply_rule(theta, grad, &mut self.sum_sq, |g, s| rule(eps, g, s, lr));
        self.steps += 1;
    }

    fn memory(&self) -> Memory {
        Memory {
            vectors: vec![("G".to_string(), self.sum_sq.clone())],
            scalars: named(&[("t", self.steps as f64)]),
        }
    }

    fn describe(&self, theta: &[f64], grad: &[f64], lr: f64) -> UpdateDescription {
        let eps = self.config.eps_value();
        UpdateDescription {
            equations: names(&["G ← G + g²", "θ ← θ − α·g/(√G + ε)"]),
            columns: names(&["θ", "g", "G", "step", "θ next"]),
            rows: rule_rows(theta, grad, &self.sum_sq, |g, s| rule(eps, g, s, lr)),
            scalars: named(&[("α", lr), ("ε", eps), ("t", (self.steps + 1) as f64)]),
        }
    }
}
