//! Maximum-likelihood logistic regression by Newton's method (IRLS).

use super::Optimum;
use crate::model::logistic::{cross_entropy, sigmoid};
use crate::model::problem::dot;
use crate::model::{Objective, Problem};
use nalgebra::{DMatrix, DVector};

const MAX_ITERATIONS: usize = 200;

/// Newton's method on the mean cross-entropy (+ (λ/2)‖w‖²):
/// θ ← θ − H⁻¹g with g = Aᵀ(p − t)/n + λw and H = Aᵀ diag(p(1−p)) A / n + λI,
/// with a backtracking line search for safety far from the optimum.
///
/// Without a penalty, perfectly separable classes have no finite optimum:
/// the loss keeps falling as ‖w‖ grows. Any iterate that classifies every
/// row correctly proves the classes separable, and is reported as such.
pub fn newton_logistic(problem: &Problem<'_>) -> Optimum {
    let mut newton = Newton::new(problem);
    loop {
        if let Some(done) = newton.advance(problem, usize::MAX) {
            return done;
        }
    }
}

/// What the current pass over the rows computes.
#[derive(Debug, Clone)]
enum Pass {
    /// Gradient and Hessian at θ.
    Derivatives {
        grad: Vec<f64>,
        hess: Vec<f64>,
        all_right: bool,
    },
    /// The loss at θ − step·δ (step 0 is the starting loss).
    Loss {
        delta: DVector<f64>,
        decrement: f64,
        step: f64,
        sum: f64,
    },
}

/// Newton's method as a resumable state machine: each `advance` does at most
/// a given number of row visits, so a caller can spread it across frames.
#[derive(Debug, Clone)]
pub(crate) struct Newton {
    theta: DVector<f64>,
    loss: f64,
    iteration: usize,
    row: usize,
    pass: Pass,
}

impl Newton {
    /// Starts at θ = 0, by evaluating the loss there.
    pub(crate) fn new(problem: &Problem<'_>) -> Self {
        let p = problem.dim() + 1;
        let pass = Pass::Loss {
            delta: DVector::zeros(p),
            decrement: 0.0,
            step: 0.0,
            sum: 0.0,
        };
        Self {
            theta: DVector::zeros(p),
            loss: f64::INFINITY,
            iteration: 0,
            row: 0,
            pass,
        }
    }

    /// Visits up to `max_rows` rows (at least one pass's worth of progress);
    /// the answer once there is one.
    pub(crate) fn advance(&mut self, problem: &Problem<'_>, max_rows: usize) -> Option<Optimum> {
        let t = problem.targets();
        let n = t.len();
        if n == 0 {
            return Some(Optimum::NoFiniteOptimum {
                reason: "there are no rows to fit".into(),
            });
        }
        let mut budget = max_rows.max(1);
        loop {
            let end = self.row.saturating_add(budget).min(n);
            budget -= end - self.row;
            self.visit(problem, end);
            self.row = end;
            if end == n {
                self.row = 0;
                if let Some(done) = self.end_of_pass(problem) {
                    return Some(done);
                }
            }
            if budget == 0 {
                return None;
            }
        }
    }

    /// Accumulates rows self.row..end into the current pass.
    fn visit(&mut self, problem: &Problem<'_>, end: usize) {
        let x = problem.features();
        let t = problem.targets();
        let d = problem.dim();
        let p = d + 1;
        let theta = &self.theta;
        match &mut self.pass {
            Pass::Derivatives {
                grad,
                hess,
                all_right,
            } => {
                let w = &theta.as_slice()[..d];
                let mut row1 = vec![1.0; p];
                for (i, &ti) in t.iter().enumerate().take(end).skip(self.row) {
                    let row = x.row(i);
                    let z = theta[d] + dot(row, w);
                    *all_right &= z != 0.0 && (z > 0.0) == (ti > 0.5);
                    let prob = sigmoid(z);
                    let (r, c) = (prob - ti, prob * (1.0 - prob));
                    row1[..d].copy_from_slice(row);
                    for (a, (ga, ha)) in grad.iter_mut().zip(hess.chunks_exact_mut(p)).enumerate() {
                        *ga += r * row1[a];
                        let ca = c * row1[a];
                        // The full square, not a triangle, so this vectorizes.
                        for (h, xb) in ha.iter_mut().zip(&row1) {
                            *h += ca * xb;
                        }
                    }
                }
            }
            Pass::Loss {
                delta, step, sum, ..
            } => {
                let probe = theta - *step * &*delta;
                let w = &probe.as_slice()[..d];
                for (i, &ti) in t.iter().enumerate().take(end).skip(self.row) {
                    *sum += cross_entropy(probe[d] + dot(x.row(i), w), ti).0;
                }
            }
        }
    }

    /// Finishes a pass: a Newton direction after derivatives, an Armijo
    /// decision after a loss evaluation.
    fn end_of_pass(&mut self, problem: &Problem<'_>) -> Option<Optimum> {
        let d = problem.dim();
        let p = d + 1;
        let n = problem.targets().len() as f64;
        let lambda = problem.l2();
        let penalty = |th: &DVector<f64>| 0.5 * lambda * th.rows(0, d).norm_squared();
        match std::mem::replace(&mut self.pass, derivatives_pass(p)) {
            Pass::Derivatives {
                grad,
                hess,
                all_right,
            } => {
                if all_right && lambda == 0.0 {
                    return Some(separable(problem));
                }
                let g = DVector::from_iterator(
                    p,
                    (0..p).map(|a| grad[a] / n + if a < d { lambda * self.theta[a] } else { 0.0 }),
                );
                let h = DMatrix::from_fn(p, p, |a, b| {
                    hess[a * p + b] / n + if a == b && a < d { lambda } else { 0.0 }
                });
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
                    return Some(self.found(problem));
                }
                self.pass = Pass::Loss {
                    delta,
                    decrement,
                    step: 1.0,
                    sum: 0.0,
                };
                None
            }
            Pass::Loss {
                delta,
                decrement,
                step,
                sum,
            } => {
                let probe = &self.theta - step * &delta;
                let loss = sum / n + penalty(&probe);
                if step == 0.0 {
                    // The starting loss.
                    self.loss = loss;
                    return None;
                }
                let accepted = loss.is_finite() && loss <= self.loss - 1e-4 * step * decrement;
                if !accepted && step > 1e-10 {
                    self.pass = Pass::Loss {
                        delta,
                        decrement,
                        step: step * 0.5,
                        sum: 0.0,
                    };
                    return None;
                }
                let small = step * delta.amax() <= 1e-13 * (1.0 + self.theta.amax());
                if accepted {
                    self.theta = probe;
                    self.loss = loss;
                }
                self.iteration += 1;
                if small || !accepted {
                    return Some(self.found(problem));
                }
                if self.iteration >= MAX_ITERATIONS {
                    return Some(Optimum::NoFiniteOptimum {
                        reason: format!(
                            "Newton's method did not converge in {MAX_ITERATIONS} iterations and the weights keep \
                             growing (largest |θ| = {:.3e}): the classes are almost separable (quasi-complete \
                             separation), so there is no finite optimum; add L2 regularization",
                            self.theta.amax()
                        ),
                    });
                }
                None
            }
        }
    }

    fn found(&self, problem: &Problem<'_>) -> Optimum {
        let d = problem.dim();
        Optimum::Found {
            weights: self.theta.as_slice()[..d].to_vec(),
            bias: self.theta[d],
            loss: self.loss,
        }
    }
}

fn derivatives_pass(p: usize) -> Pass {
    Pass::Derivatives {
        grad: vec![0.0; p],
        hess: vec![0.0; p * p],
        all_right: true,
    }
}

fn separable(problem: &Problem<'_>) -> Optimum {
    Optimum::NoFiniteOptimum {
        reason: format!(
            "the classes are perfectly separable: a {} separates them, so the loss keeps falling \
             towards 0 as the weights grow without bound and there is no finite optimum; \
             add L2 regularization to get one",
            match problem.dim() {
                1 => "threshold on the single feature",
                2 => "straight line",
                _ => "hyperplane",
            }
        ),
    }
}
