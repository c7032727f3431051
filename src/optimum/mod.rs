//! The exact answer gradient descent is walking towards: least squares for
//! linear regression, Newton's method for logistic regression. Also the
//! curvature of the loss, which sets the largest safe learning rate.

mod curvature;
mod least_squares;
mod newton;

pub use curvature::{Curvature, GramAccumulator};
pub use least_squares::least_squares;
pub use newton::newton_logistic;

use least_squares::BlockedQr;
use newton::Newton;

use crate::model::{ModelKind, Problem};
use serde::Serialize;

/// The minimum of the loss, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Optimum {
    /// The unique minimizer and its loss.
    Found {
        /// Optimal weights.
        weights: Vec<f64>,
        /// Optimal bias.
        bias: f64,
        /// Loss at the optimum.
        loss: f64,
    },
    /// The loss has no finite minimizer (e.g. perfectly separable classes).
    NoFiniteOptimum {
        /// Why, in words a person can act on.
        reason: String,
    },
}

impl Optimum {
    /// The minimizer's (weights, bias, loss), when there is one.
    pub fn found(&self) -> Option<(&[f64], f64, f64)> {
        match self {
            Self::Found {
                weights,
                bias,
                loss,
            } => Some((weights, *bias, *loss)),
            Self::NoFiniteOptimum { .. } => None,
        }
    }
}

/// The exact optimum of `problem`.
pub fn exact_optimum(problem: &Problem<'_>) -> Optimum {
    match problem.model() {
        ModelKind::Linear => least_squares(problem),
        ModelKind::Logistic => newton_logistic(problem),
    }
}

/// The exact optimum computed a slice at a time, for callers that must stay
/// responsive (the browser on a million rows): each [`advance`] visits about
/// a given number of rows.
///
/// [`advance`]: OptimumSolver::advance
#[derive(Debug, Clone)]
pub struct OptimumSolver {
    method: Method,
    passes: usize,
}

#[derive(Debug, Clone)]
enum Method {
    LeastSquares(BlockedQr),
    Newton(Newton),
    Done(Optimum),
}

impl OptimumSolver {
    /// A solver for `problem`, with nothing done yet.
    pub fn new(problem: &Problem<'_>) -> Self {
        let method = match problem.model() {
            ModelKind::Linear => Method::LeastSquares(BlockedQr::new(problem)),
            ModelKind::Logistic => Method::Newton(Newton::new(problem)),
        };
        Self { method, passes: 0 }
    }

    /// Does about `max_rows` rows of work; the optimum once it is known.
    /// `problem` must be the one the solver was made for.
    pub fn advance(&mut self, problem: &Problem<'_>, max_rows: usize) -> Option<&Optimum> {
        self.passes += 1;
        let done = match &mut self.method {
            Method::LeastSquares(qr) => qr
                .absorb(problem, max_rows)
                .then(|| qr.clone().finish(problem)),
            Method::Newton(newton) => newton.advance(problem, max_rows),
            Method::Done(_) => None,
        };
        if let Some(optimum) = done {
            self.method = Method::Done(optimum);
        }
        self.result()
    }

    /// The optimum, once known.
    pub fn result(&self) -> Option<&Optimum> {
        match &self.method {
            Method::Done(optimum) => Some(optimum),
            _ => None,
        }
    }

    /// How many `advance` calls it took so far.
    pub fn calls(&self) -> usize {
        self.passes
    }
}
