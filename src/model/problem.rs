//! The training problem: a model, its data and its loss, with the analytic
//! loss-and-gradient in one pass over the data.

use super::{kernel, logistic, ModelKind};
use crate::data::Matrix;

/// What an optimizer needs from a problem: the loss and its gradient.
/// Parameters are weights `w` (one per feature) and a bias `b`.
pub trait Objective {
    /// Number of weights (features).
    fn dim(&self) -> usize;
    /// The loss at (w, b).
    fn loss(&self, w: &[f64], b: f64) -> f64;
    /// The loss at (w, b); writes ∂L/∂w into `grad_w` and returns (L, ∂L/∂b).
    fn loss_and_gradient(&self, w: &[f64], b: f64, grad_w: &mut [f64]) -> (f64, f64);
}

/// Linear or logistic regression on a feature matrix X and targets T, with
/// an optional L2 penalty (λ/2)‖w‖² on the weights (not the bias).
#[derive(Debug, Clone, Copy)]
pub struct Problem<'a> {
    model: ModelKind,
    x: &'a Matrix,
    t: &'a [f64],
    l2: f64,
}

impl<'a> Problem<'a> {
    /// A problem over `x` (n × d) and `t` (n). Panics if the lengths differ:
    /// callers build both from one dataset.
    pub fn new(model: ModelKind, x: &'a Matrix, t: &'a [f64]) -> Self {
        assert_eq!(x.rows(), t.len(), "features and targets differ in length");
        Self {
            model,
            x,
            t,
            l2: 0.0,
        }
    }

    /// The same problem with an L2 penalty of strength `lambda`.
    pub fn with_l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// The model.
    pub fn model(&self) -> ModelKind {
        self.model
    }

    /// The feature matrix.
    pub fn features(&self) -> &'a Matrix {
        self.x
    }

    /// The targets.
    pub fn targets(&self) -> &'a [f64] {
        self.t
    }

    /// The L2 penalty strength λ.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// The model's output for one row of features: the prediction (linear)
    /// or the probability of the positive class (logistic).
    pub fn predict(&self, row: &[f64], w: &[f64], b: f64) -> f64 {
        let z = b + dot(row, w);
        match self.model {
            ModelKind::Linear => z,
            ModelKind::Logistic => logistic::sigmoid(z),
        }
    }

    fn penalty(&self, w: &[f64]) -> f64 {
        if self.l2 == 0.0 {
            0.0
        } else {
            0.5 * self.l2 * dot(w, w)
        }
    }
}

impl Objective for Problem<'_> {
    fn dim(&self) -> usize {
        self.x.cols()
    }

    fn loss(&self, w: &[f64], b: f64) -> f64 {
        let n = self.t.len().max(1) as f64;
        kernel::loss_sum(self.model, self.x, self.t, w, b) / n + self.penalty(w)
    }

    fn loss_and_gradient(&self, w: &[f64], b: f64, grad_w: &mut [f64]) -> (f64, f64) {
        let n = self.t.len().max(1) as f64;
        let (sum, gb) = kernel::loss_and_gradient_sums(self.model, self.x, self.t, w, b, grad_w);
        for (g, wj) in grad_w.iter_mut().zip(w) {
            *g = *g / n + self.l2 * wj;
        }
        (sum / n + self.penalty(w), gb / n)
    }
}

/// w·x with four independent partial sums, so the additions pipeline.
#[inline(always)]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4
        .remainder()
        .iter()
        .zip(b4.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a4.zip(b4) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}
