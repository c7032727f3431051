//! Maximum-likelihood logistic regression by Newton's method (IRLS).

use nalgebra::{DMatrix, DVector};

use super::{too_large, Optimum};
use crate::data::column::CHUNK_ROWS;
use crate::model::kernel::{self, Curvature as Sums};
use crate::model::{Objective, Problem, RowSet};

/// Newton iterations before giving up: the weights keep growing.
const MAX_ITERATIONS: usize = 200;

/// Newton's method on the mean cross-entropy (+ (λ/2)‖w‖²):
/// θ ← θ − s·H⁻¹g with g = Aᵀ(p − t)/n + λw and H = Aᵀdiag(p(1 − p))A/n + λI,
/// and s from a backtracking (Armijo) line search, for safety far from the
/// optimum. H, g and L come from one pass over the rows
/// (`kernel::gram_chunks`), spread over calls a chunk at a time.
///
/// Without a penalty, perfectly separable classes have no finite optimum:
/// the loss keeps falling as ‖w‖ grows. An iterate that classifies every row
/// correctly proves the classes separable, and is reported as such.
#[derive(Debug, Clone)]
pub(crate) struct Newton {
    theta: Vec<f64>,
    loss: f64,
    iteration: usize,
    stage: Stage,
    total: usize,
}

#[derive(Debug, Clone)]
enum Stage {
    /// The loss at the start, θ = 0.
    Start,
    /// Summing H, g and L at θ.
    Derivatives { sums: Box<Sums>, next_chunk: usize },
    /// Trying θ − step·δ.
    LineSearch {
        delta: Vec<f64>,
        decrement: f64,
        step: f64,
    },
}

impl Newton {
    pub(crate) fn new(problem: &Problem) -> Self {
        let p = problem.design().dim() + 1;
        Self {
            theta: vec![0.0; p],
            loss: f64::INFINITY,
            iteration: 0,
            stage: Stage::Start,
            total: problem.design().rows().div_ceil(CHUNK_ROWS).max(1),
        }
    }

    pub(crate) fn progress(&self) -> f64 {
        // Newton usually needs under 15 iterations; say so on the bar.
        let part = match &self.stage {
            Stage::Derivatives { next_chunk, .. } => *next_chunk as f64 / self.total as f64,
            _ => 0.0,
        };
        ((self.iteration as f64 + part) / 15.0).min(0.95)
    }

    /// Works through up to `chunks` chunks' worth of rows (a whole loss pass
    /// counts as all of them); the answer when done.
    pub(crate) fn advance(&mut self, problem: &Problem, chunks: usize) -> Option<Optimum> {
        let x = problem.design();
        let (n, d) = (x.rows(), x.dim());
        let p = d + 1;
        if n == 0 {
            return Some(Optimum::NoFiniteOptimum {
                reason: "there are no rows to fit".into(),
            });
        }
        let mut budget = chunks.max(1);
        while budget > 0 {
            match &mut self.stage {
                Stage::Start => {
                    budget = budget.saturating_sub(self.total);
                    self.loss = problem.evaluate(&self.theta, RowSet::All, None).loss;
                    if !self.loss.is_finite() {
                        return Some(Optimum::NoFiniteOptimum {
                            reason: too_large(problem),
                        });
                    }
                    self.stage = derivatives(p);
                }
                Stage::Derivatives { sums, next_chunk } => {
                    let to = (*next_chunk + budget).min(self.total);
                    budget -= to - *next_chunk;
                    kernel::gram_chunks(x, Some(&self.theta), *next_chunk, to, sums);
                    *next_chunk = to;
                    if to < self.total {
                        continue;
                    }
                    let mut sums = std::mem::replace(sums, Box::new(Sums::zeros(p)));
                    sums.mirror();
                    if let Some(done) = self.newton_direction(problem, &sums) {
                        return Some(done);
                    }
                }
                Stage::LineSearch {
                    delta,
                    decrement,
                    step,
                } => {
                    budget = budget.saturating_sub(self.total);
                    let probe: Vec<f64> = self
                        .theta
                        .iter()
                        .zip(delta.iter())
                        .map(|(t, d)| t - *step * d)
                        .collect();
                    let loss = problem.evaluate(&probe, RowSet::All, None).loss;
                    let accepted =
                        loss.is_finite() && loss <= self.loss - 1e-4 * *step * *decrement;
                    if !accepted && *step > 1e-10 {
                        *step *= 0.5;
                        continue;
                    }
                    let largest_theta = self.theta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                    let largest_delta = delta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                    let small = *step * largest_delta <= 1e-13 * (1.0 + largest_theta);
                    if accepted {
                        self.theta = probe;
                        self.loss = loss;
                    }
                    self.iteration += 1;
                    if small || !accepted {
                        return Some(self.found());
                    }
                    if self.iteration >= MAX_ITERATIONS {
                        return Some(Optimum::NoFiniteOptimum {
                            reason: format!(
                                "Newton's method did not converge in {MAX_ITERATIONS} iterations and the weights keep \
                                 growing (largest |θ| = {}): the classes are almost separable (quasi-complete \
                                 separation), so there is no finite optimum; add L2 regularization",
                                crate::format::number(largest_theta, 4)
                            ),
                        });
                    }
                    self.stage = derivatives(p);
                }
            }
        }
        None
    }

    /// After the derivative pass: the Newton direction, or the answer.
    fn newton_direction(&mut self, problem: &Problem, sums: &Sums) -> Option<Optimum> {
        let x = problem.design();
        let (n, d) = (x.rows() as f64, x.dim());
        let p = d + 1;
        let lambda = problem.l2();
        if sums.sums.correct as usize == x.rows() && lambda == 0.0 {
            return Some(separable(d));
        }
        let g = DVector::from_iterator(
            p,
            (0..p).map(|a| sums.gradient[a] / n + if a < d { lambda * self.theta[a] } else { 0.0 }),
        );
        let h = DMatrix::from_fn(p, p, |a, b| {
            sums.matrix[a * p + b] / n + if a == b && a < d { lambda } else { 0.0 }
        });
        if !(g.iter().all(|v| v.is_finite()) && h.iter().all(|v| v.is_finite())) {
            return Some(Optimum::NoFiniteOptimum {
                reason: too_large(problem),
            });
        }
        let Some(chol) = h.cholesky() else {
            return Some(Optimum::NoFiniteOptimum {
                reason: "the Hessian became singular: the predicted probabilities are all 0 or 1, \
                         so the classes are (nearly) separable and the weights grow without bound"
                    .into(),
            });
        };
        let delta = chol.solve(&g);
        let decrement = g.dot(&delta);
        if !decrement.is_finite() || decrement <= 1e-28 {
            return Some(self.found());
        }
        self.stage = Stage::LineSearch {
            delta: delta.iter().copied().collect(),
            decrement,
            step: 1.0,
        };
        None
    }

    fn found(&self) -> Optimum {
        Optimum::Found {
            theta: self.theta.clone(),
            loss: self.loss,
        }
    }
}

fn derivatives(p: usize) -> Stage {
    Stage::Derivatives {
        sums: Box::new(Sums::zeros(p)),
        next_chunk: 0,
    }
}

fn separable(d: usize) -> Optimum {
    Optimum::NoFiniteOptimum {
        reason: format!(
            "{} a {} separates them, so the loss keeps falling \
             towards 0 as the weights grow without bound and there is no finite optimum; \
             add L2 regularization to get one",
            super::SEPARABLE,
            match d {
                1 => "threshold on the single feature",
                2 => "straight line",
                _ => "hyperplane",
            }
        ),
    }
}
