//! Adam: bias-corrected moving averages of the gradient and its square.

use super::{
    check_new_config, named, names, Memory, Optimizer, OptimizerConfig, UpdateDescription,
};
use crate::det::pow_u64;
use crate::Result;

/// Adam with PyTorch's defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, amsgrad
/// off), for t = 1, 2, …:
///
/// - m ← β₁·m + (1 − β₁)·g;
/// - v ← β₂·v + (1 − β₂)·g²;
/// - c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ;
/// - θ ← θ − (α/c₁)·m/(√v/√c₂ + ε), which is α·m̂/(√v̂ + ε) with
///   m̂ = m/c₁, v̂ = v/c₂, computed in the order PyTorch's code uses.
///
/// `torch.optim.Adam`:
/// <https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html>
/// (algorithm box as read at
/// <https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html>).
///
/// β₁ᵗ and β₂ᵗ are running products, one multiplication per step. When
/// `set_config` changes a β, its power is recomputed as β_newᵗ with
/// `pow_u64`, as PyTorch recomputes βᵗ from the group's current β.
#[derive(Debug, Clone)]
pub struct Adam {
    config: OptimizerConfig,
    m: Vec<f64>,
    v: Vec<f64>,
    steps: u64,
    /// β₁ᵗ after `steps` updates.
    beta1_pow: f64,
    /// β₂ᵗ after `steps` updates.
    beta2_pow: f64,
}

/// The scalars of one Adam update.
#[derive(Debug, Clone, Copy)]
struct Corrections {
    beta1_pow: f64,
    beta2_pow: f64,
    /// 1 − β₁ᵗ.
    c1: f64,
    /// 1 − β₂ᵗ.
    c2: f64,
}

/// What one Adam update gives for one parameter.
#[derive(Debug, Clone, Copy)]
struct Next {
    m: f64,
    v: f64,
    step: f64,
}

impl Adam {
    /// A fresh optimizer for `dim` parameters, moments at zero.
    pub fn new(config: OptimizerConfig, dim: usize) -> Self {
        Self {
            config,
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            steps: 0,
            beta1_pow: 1.0,
            beta2_pow: 1.0,
        }
    }

    /// The corrections of the next update, t = steps + 1.
    fn corrections(&self) -> Corrections {
        let beta1_pow = self.beta1_pow * self.config.beta1;
        let beta2_pow = self.beta2_pow * self.config.beta2;
        Corrections {
            beta1_pow,
            beta2_pow,
            c1: 1.0 - beta1_pow,
            c2: 1.0 - beta2_pow,
        }
    }

    /// The next update of one parameter.
    fn next(&self, c: Corrections, g: f64, m: f64, v: f64, lr: f64) -> Next {
        let (b1, b2) = (self.config.beta1, self.config.beta2);
        let m = b1 * m + (1.0 - b1) * g;
        let v = b2 * v + (1.0 - b2) * (g * g);
        let denom = v.sqrt() / c.c2.sqrt() + self.config.eps_value();
        Next {
            m,
            v,
            step: (lr / c.c1) * (m / denom),
        }
    }
}

impl Optimizer for Adam {
    plain_accessors!();

    fn set_config(&mut self, config: OptimizerConfig) -> Result<()> {
        check_new_config(&self.config, &config)?;
        if config.beta1 != self.config.beta1 {
            self.beta1_pow = pow_u64(config.beta1, self.steps);
        }
        if config.beta2 != self.config.beta2 {
            self.beta2_pow = pow_u64(config.beta2, self.steps);
        }
        self.config = config;
        Ok(())
    }

    fn reset(&mut self) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.steps = 0;
        self.beta1_pow = 1.0;
        self.beta2_pow = 1.0;
    }

    fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        let c = self.corrections();
        let mut m = std::mem::take(&mut self.m);
        let mut v = std::mem::take(&mut self.v);
        for (((t, &g), m), v) in theta.iter_mut().zip(grad).zip(&mut m).zip(&mut v) {
            let next = self.next(c, g, *m, *v, lr);
            *m = next.m;
            *v = next.v;
            *t -= next.step;
        }
        self.m = m;
        self.v = v;
        self.beta1_pow = c.beta1_pow;
        self.beta2_pow = c.beta2_pow;
        self.steps += 1;
    }

    fn memory(&self) -> Memory {
        Memory {
            vectors: vec![
                ("m".to_string(), self.m.clone()),
                ("v".to_string(), self.v.clone()),
            ],
            scalars: named(&[
                ("t", self.steps as f64),
                ("β₁ᵗ", self.beta1_pow),
                ("β₂ᵗ", self.beta2_pow),
                ("1 − β₁ᵗ", 1.0 - self.beta1_pow),
                ("1 − β₂ᵗ", 1.0 - self.beta2_pow),
            ]),
        }
    }

    fn describe(&self, theta: &[f64], grad: &[f64], lr: f64) -> UpdateDescription {
        let c = self.corrections();
        let rows = theta
            .iter()
            .zip(grad)
            .zip(&self.m)
            .zip(&self.v)
            .map(|(((&t, &g), &m), &v)| {
                let n = self.next(c, g, m, v, lr);
                vec![t, g, n.m, n.v, n.m / c.c1, n.v / c.c2, n.step, t - n.step]
            })
            .collect();
        UpdateDescription {
            equations: names(&[
                "m ← β₁·m + (1 − β₁)·g",
                "v ← β₂·v + (1 − β₂)·g²",
                "m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)",
                "θ ← θ − α·m̂/(√v̂ + ε)",
            ]),
            columns: names(&["θ", "g", "m", "v", "m̂", "v̂", "step", "θ next"]),
            rows,
            scalars: named(&[
                ("α", lr),
                ("β₁", self.config.beta1),
                ("β₂", self.config.beta2),
                ("ε", self.config.eps_value()),
                ("t", (self.steps + 1) as f64),
                ("β₁ᵗ", c.beta1_pow),
                ("β₂ᵗ", c.beta2_pow),
                ("1 − β₁ᵗ", c.c1),
                ("1 − β₂ᵗ", c.c2),
            ]),
        }
    }
}
