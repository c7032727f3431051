//! Plain gradient descent.

use super::{
    check_new_config, named, names, Memory, Optimizer, OptimizerConfig, UpdateDescription,
};
use crate::Result;

/// Gradient descent: θ ← θ − α·g, no memory.
///
/// PyTorch's `torch.optim.SGD` with momentum 0, weight decay 0:
/// <https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html>
/// (algorithm box as read at
/// <https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html>).
#[derive(Debug, Clone)]
pub struct GradientDescent {
    config: OptimizerConfig,
    steps: u64,
}

impl GradientDescent {
    /// A fresh optimizer (only the step count is kept).
    pub fn new(config: OptimizerConfig) -> Self {
        Self { config, steps: 0 }
    }
}

impl Optimizer for GradientDescent {
    plain_accessors!();

    fn set_config(&mut self, config: OptimizerConfig) -> Result<()> {
        check_new_config(&self.config, &config)?;
        self.config = config;
        Ok(())
    }

    fn reset(&mut self) {
        self.steps = 0;
    }

    fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        for (t, &g) in theta.iter_mut().zip(grad) {
            *t -= lr * g;
        }
        self.steps += 1;
    }

    fn memory(&self) -> Memory {
        Memory {
            vectors: Vec::new(),
            scalars: named(&[("t", self.steps as f64)]),
        }
    }

    fn describe(&self, theta: &[f64], grad: &[f64], lr: f64) -> UpdateDescription {
        let rows = theta
            .iter()
            .zip(grad)
            .map(|(&t, &g)| {
                let step = lr * g;
                vec![t, g, step, t - step]
            })
            .collect();
        UpdateDescription {
            equations: names(&["θ ← θ − α·g"]),
            columns: names(&["θ", "g", "step", "θ next"]),
            rows,
            scalars: named(&[("α", lr), ("t", (self.steps + 1) as f64)]),
        }
    }
}
