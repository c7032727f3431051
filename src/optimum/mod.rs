//! The exact answer gradient descent is walking towards: least squares for
//! linear regression, Newton's method for logistic regression; and the
//! curvature of the loss, which sets the learning rates that work.
//!
//! Both solvers are resumable: [`OptimumSolver::advance`] does a bounded
//! amount of work (a number of storage chunks of rows) and can be called
//! again later, so that a browser worker can interleave it with training.
//! Work is done in row order, so the answer is the same however it is
//! sliced. Every routine checks its inputs and intermediates for
//! non-finite values and has an iteration bound: no input can make it
//! panic or run forever.

mod curvature;
mod least_squares;
mod newton;

pub use curvature::{hessian_at, Curvature, CurvatureAccumulator};

use serde::Serialize;

use crate::data::column::CHUNK_ROWS;
use crate::model::{ModelKind, Problem};

use least_squares::ScaledQr;
use newton::Newton;

/// The minimum of the loss, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Optimum {
    /// The unique minimizer (training units) and its loss.
    Found {
        /// θ* = (w*, b*).
        theta: Vec<f64>,
        /// L(θ*).
        loss: f64,
    },
    /// The loss has no finite minimizer (e.g. perfectly separable classes),
    /// or it cannot be represented.
    NoFiniteOptimum {
        /// Why, in words a person can act on.
        reason: String,
    },
}

/// How the reason for separable classes begins.
pub(crate) const SEPARABLE: &str = "the classes are perfectly separable:";

impl Optimum {
    /// Whether the loss has no minimum because the classes are separable
    /// (it only nears its infimum 0 as the weights grow).
    pub fn is_separable(&self) -> bool {
        matches!(self, Self::NoFiniteOptimum { reason } if reason.starts_with(SEPARABLE))
    }

    /// θ* and L*, when there is a minimizer.
    pub fn found(&self) -> Option<(&[f64], f64)> {
        match self {
            Self::Found { theta, loss } => Some((theta, *loss)),
            Self::NoFiniteOptimum { .. } => None,
        }
    }
}

/// The exact optimum computed a bounded slice at a time.
#[derive(Debug, Clone)]
pub struct OptimumSolver {
    method: Method,
}

#[derive(Debug, Clone)]
enum Method {
    LeastSquares(Box<ScaledQr>),
    Newton(Box<Newton>),
    Done(Optimum),
}

impl OptimumSolver {
    /// A solver for `problem`, nothing done yet.
    pub fn new(problem: &Problem) -> Self {
        let method = match problem.model() {
            ModelKind::Linear => Method::LeastSquares(Box::new(ScaledQr::new(problem))),
            ModelKind::Logistic => Method::Newton(Box::new(Newton::new(problem))),
        };
        Self { method }
    }

    /// Does up to about `max_rows` rows of work (at least one chunk of
    /// [`CHUNK_ROWS`] rows or one step of the method); the optimum once it is
    /// known. `problem` must be the one the solver was made for.
    pub fn advance(&mut self, problem: &Problem, max_rows: usize) -> Option<&Optimum> {
        let chunks = max_rows.div_ceil(CHUNK_ROWS).max(1);
        let done = match &mut self.method {
            Method::LeastSquares(qr) => qr.advance(problem, chunks),
            Method::Newton(newton) => newton.advance(problem, chunks),
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

    /// How far along it is, in [0, 1) (an estimate for a progress note).
    pub fn progress(&self) -> f64 {
        match &self.method {
            Method::LeastSquares(qr) => qr.progress(),
            Method::Newton(newton) => newton.progress(),
            Method::Done(_) => 1.0,
        }
    }
}

/// The exact optimum of `problem`, in one call.
pub fn exact_optimum(problem: &Problem) -> Optimum {
    let mut solver = OptimumSolver::new(problem);
    loop {
        if let Some(found) = solver.advance(problem, usize::MAX) {
            return found.clone();
        }
    }
}

/// The message for data whose size overflows a computation.
pub(crate) fn too_large(problem: &Problem) -> String {
    format!(
        "the values are too large to fit (largest |x| = {}); rescale the data or standardize the features",
        crate::format::number(largest_abs(problem), 4)
    )
}

/// The largest |value| among the features (original units) and the target.
pub(crate) fn largest_abs(problem: &Problem) -> f64 {
    let x = problem.design();
    let mut m = 0.0f64;
    for j in 0..x.dim() {
        for v in x.feature(j).iter() {
            m = m.max(v.abs());
        }
    }
    for v in x.target().iter() {
        m = m.max(v.abs());
    }
    m
}
