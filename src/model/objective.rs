//! The loss as optimizers see it: a function of one parameter vector θ with
//! a layout, evaluated over all rows or a mini-batch, with its gradient.

use serde::Serialize;

use super::design::Design;
use super::kernel::{self, RowSet};
use super::ModelKind;

/// How θ is laid out: the d weights, then the bias.
///
/// One output for now; a multi-output model (softmax) would add an output
/// count here and keep the rest of the code unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Number of weights d (one per feature).
    pub features: usize,
}

impl Layout {
    /// Entries of θ: d + 1.
    pub fn len(&self) -> usize {
        self.features + 1
    }

    /// Always false: there is at least the bias.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Index of the bias in θ.
    pub fn bias(&self) -> usize {
        self.features
    }

    /// Whether entry `i` of θ is a weight (the L2 penalty applies to weights only).
    pub fn is_weight(&self, i: usize) -> bool {
        i < self.features
    }
}

/// The loss at θ over some rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evaluation {
    /// Mean loss over the rows plus the L2 penalty: what is minimized.
    pub loss: f64,
    /// Mean loss over the rows without the penalty (MSE or log-loss).
    pub data_loss: f64,
    /// Rows whose predicted class is right (logistic; 0 for linear).
    pub correct: u64,
    /// Rows evaluated.
    pub rows: usize,
}

/// What an optimizer needs: the loss and its gradient at θ.
pub trait Objective {
    /// The layout of θ.
    fn layout(&self) -> Layout;
    /// Number of rows of data.
    fn rows(&self) -> usize;
    /// The loss at θ over `rows`; with `grad` (length `layout().len()`),
    /// also writes ∂L/∂θ there.
    fn evaluate(&self, theta: &[f64], rows: RowSet<'_>, grad: Option<&mut [f64]>) -> Evaluation;
}

/// Linear or logistic regression on a design, with an optional L2 penalty
/// (λ/2)‖w‖² on the weights (not the bias).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    model: ModelKind,
    design: Design,
    l2: f64,
}

impl Problem {
    /// A problem without a penalty.
    pub fn new(model: ModelKind, design: Design) -> Self {
        Self {
            model,
            design,
            l2: 0.0,
        }
    }

    /// The same problem with an L2 penalty of strength λ.
    pub fn with_l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// The model.
    pub fn model(&self) -> ModelKind {
        self.model
    }

    /// The data.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// λ.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// The penalty (λ/2)‖w‖² at θ.
    pub fn penalty(&self, theta: &[f64]) -> f64 {
        if self.l2 == 0.0 {
            return 0.0;
        }
        let d = self.design.dim();
        0.5 * self.l2 * theta[..d].iter().map(|w| w * w).sum::<f64>()
    }

    /// The model's output for one row in training units: the prediction
    /// (linear) or the probability of the positive class (logistic).
    pub fn predict_training(&self, row: &[f64], theta: &[f64]) -> f64 {
        let d = self.design.dim();
        let z = theta[d] + row.iter().zip(theta).map(|(x, w)| x * w).sum::<f64>();
        match self.model {
            ModelKind::Linear => z,
            ModelKind::Logistic => kernel::sigmoid(z),
        }
    }

    /// The model's output for one row given in original units.
    pub fn predict_original(&self, features: &[f64], theta: &[f64]) -> f64 {
        let mut row = features.to_vec();
        row.resize(self.design.dim(), 0.0);
        self.design.to_training(&mut row);
        self.predict_training(&row, theta)
    }
}

impl Objective for Problem {
    fn layout(&self) -> Layout {
        Layout {
            features: self.design.dim(),
        }
    }

    fn rows(&self) -> usize {
        self.design.rows()
    }

    fn evaluate(&self, theta: &[f64], rows: RowSet<'_>, grad: Option<&mut [f64]>) -> Evaluation {
        let d = self.design.dim();
        let has_grad = grad.is_some();
        let mut grad = grad;
        let sums = kernel::pass(self.model, &self.design, theta, rows, grad.as_deref_mut());
        let n = sums.rows.max(1) as f64;
        if let Some(g) = grad {
            if has_grad {
                for (j, gj) in g.iter_mut().enumerate() {
                    *gj /= n;
                    if j < d {
                        *gj += self.l2 * theta[j];
                    }
                }
            }
        }
        let data_loss = sums.loss / n;
        Evaluation {
            loss: data_loss + self.penalty(theta),
            data_loss,
            correct: sums.correct,
            rows: sums.rows,
        }
    }
}
