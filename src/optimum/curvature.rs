//! The curvature of the loss: the Hessian's eigenvalues λᵢ. The largest, L,
//! sets the learning rates that work (gradient descent descends for
//! α < 2/L and always for α ≤ 1/L); their ratio, the condition number, says
//! how slowly plain gradient descent crawls; each eigendirection's error
//! shrinks by |1 − αλᵢ| per step.

use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

use crate::data::column::CHUNK_ROWS;
use crate::model::kernel::{self, Curvature as Sums};
use crate::model::{ModelKind, Problem};

/// Parameters up to which the full eigendecomposition is computed; above,
/// only L, by power iteration (the decomposition costs p³).
const FULL_EIGEN_MAX: usize = 400;

/// Eigenvalue facts about the loss Hessian over θ = (w, b).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curvature {
    /// L: the largest Hessian eigenvalue (linear: exact, (2/n)AᵀA + λI;
    /// logistic: the bound (1/4n)AᵀA + λI, since σ' ≤ 1/4; at a given θ:
    /// exact there).
    pub lipschitz: f64,
    /// The smallest eigenvalue (0 when columns are collinear); `None` when
    /// only L was computed.
    pub smallest: Option<f64>,
    /// largest / smallest (`None` when singular or not computed).
    pub condition_number: Option<f64>,
    /// Every eigenvalue, ascending (empty when only L was computed).
    pub eigenvalues: Vec<f64>,
    /// Eigenvectors, p × p row-major: column k belongs to `eigenvalues[k]`.
    #[serde(skip)]
    pub eigenvectors: Vec<f64>,
    /// The diagonal of the Hessian (each parameter's own curvature).
    pub diagonal: Vec<f64>,
    /// The Hessian itself, p × p row-major.
    #[serde(skip)]
    pub hessian: Vec<f64>,
    /// The condition number on standardized features (what "Standardize"
    /// would make of it), from the same sums.
    pub standardized_condition_number: Option<f64>,
    /// Pearson correlations between features, d × d row-major.
    #[serde(skip)]
    pub correlations: Vec<f64>,
}

impl Curvature {
    /// The curvature of `problem` (one pass over the rows).
    pub fn of(problem: &Problem) -> Self {
        let mut acc = CurvatureAccumulator::new(problem);
        while !acc.advance(problem, usize::MAX) {}
        acc.finish(problem)
    }

    /// The curvature from the Gram matrix AᵀA (p × p, training units) of n
    /// rows.
    fn from_gram(gram: &[f64], n: usize, model: ModelKind, l2: f64) -> Self {
        let p = (gram.len() as f64).sqrt() as usize;
        let d = p - 1;
        let nf = n.max(1) as f64;
        let scale = match model {
            ModelKind::Linear => 2.0 / nf,
            ModelKind::Logistic => 0.25 / nf,
        };
        let hessian: Vec<f64> = (0..p * p)
            .map(|k| {
                let (a, b) = (k / p, k % p);
                gram[k] * scale + if a == b && a < d { l2 } else { 0.0 }
            })
            .collect();
        let mut out = Self::from_hessian(&hessian, p);
        // Means, covariances and correlations from the same sums: the last
        // column of A = [Z 1] is all ones, so G[a][d] = Σ zₐ and G[d][d] = n.
        let g = |a: usize, b: usize| gram[a * p + b] / nf;
        let cov = |a: usize, b: usize| g(a, b) - g(a, d) * g(b, d);
        let sd: Vec<f64> = (0..d).map(|a| cov(a, a).max(0.0).sqrt()).collect();
        out.correlations = (0..d * d)
            .map(|k| {
                let (a, b) = (k / d, k % d);
                if sd[a] > 0.0 && sd[b] > 0.0 {
                    (cov(a, b) / (sd[a] * sd[b])).clamp(-1.0, 1.0)
                } else {
                    f64::from(a == b)
                }
            })
            .collect();
        // Standardized: Σ zₐ = 0 and Σ zₐz_b / n = corr(a, b).
        if p <= FULL_EIGEN_MAX {
            let standardized = DMatrix::from_fn(p, p, |a, b| {
                let v = if a < d && b < d {
                    out.correlations[a * d + b]
                } else {
                    f64::from(a == b)
                };
                v * scale * nf + if a == b && a < d { l2 } else { 0.0 }
            });
            out.standardized_condition_number =
                eigen(standardized).and_then(|(vals, _)| ratio(&vals));
        }
        out
    }

    /// The eigenvalue facts of a symmetric p × p Hessian (row-major).
    pub fn from_hessian(hessian: &[f64], p: usize) -> Self {
        let diagonal: Vec<f64> = (0..p).map(|k| hessian[k * p + k]).collect();
        let finite = hessian.iter().all(|v| v.is_finite());
        let mut out = Self {
            lipschitz: f64::NAN,
            smallest: None,
            condition_number: None,
            eigenvalues: Vec::new(),
            eigenvectors: Vec::new(),
            diagonal,
            hessian: hessian.to_vec(),
            standardized_condition_number: None,
            correlations: Vec::new(),
        };
        if !finite {
            return out;
        }
        let m = DMatrix::from_fn(p, p, |a, b| hessian[a * p + b]);
        if p <= FULL_EIGEN_MAX {
            if let Some((vals, vecs)) = eigen(m.clone()) {
                out.lipschitz = vals.last().copied().unwrap_or(0.0).max(0.0);
                out.smallest = vals.first().map(|v| v.max(0.0));
                out.condition_number = ratio(&vals);
                out.eigenvalues = vals;
                out.eigenvectors = vecs;
                return out;
            }
        }
        out.lipschitz = power_iteration(&m);
        out
    }

    /// 1/L, when L is positive and finite.
    pub fn one_over_l(&self) -> Option<f64> {
        (self.lipschitz > 0.0 && self.lipschitz.is_finite())
            .then(|| 1.0 / self.lipschitz)
            .filter(|v| v.is_finite())
    }
}

/// Ascending eigenvalues and the matching eigenvectors (p × p row-major,
/// column k for value k), or `None` if the iteration does not converge.
fn eigen(m: DMatrix<f64>) -> Option<(Vec<f64>, Vec<f64>)> {
    let p = m.nrows();
    let eig = SymmetricEigen::try_new(m, f64::EPSILON, 10_000)?;
    let mut order: Vec<usize> = (0..p).collect();
    crate::order::sort_small_by(&mut order, |&a, &b| {
        eig.eigenvalues[a].total_cmp(&eig.eigenvalues[b])
    });
    let vals: Vec<f64> = order.iter().map(|&k| eig.eigenvalues[k]).collect();
    let mut vecs = vec![0.0; p * p];
    for (c, &k) in order.iter().enumerate() {
        for r in 0..p {
            vecs[r * p + c] = eig.eigenvectors[(r, k)];
        }
    }
    vals.iter().all(|v| v.is_finite()).then_some((vals, vecs))
}

/// largest / smallest, when the smallest is clearly positive.
fn ratio(vals: &[f64]) -> Option<f64> {
    let (lo, hi) = (*vals.first()?, *vals.last()?);
    (lo > hi * 1e-15 && lo > 0.0)
        .then(|| hi / lo)
        .filter(|v| v.is_finite())
}

/// λmax of a symmetric positive semi-definite matrix by power iteration
/// (bounded: 500 iterations).
fn power_iteration(m: &DMatrix<f64>) -> f64 {
    let p = m.nrows();
    let mut v = nalgebra::DVector::from_element(p, 1.0 / (p as f64).sqrt());
    let mut lambda = 0.0;
    for _ in 0..500 {
        let w = m * &v;
        let norm = w.norm();
        if !(norm > 0.0 && norm.is_finite()) {
            return norm.max(0.0);
        }
        let next = v.dot(&w);
        v = w / norm;
        if (next - lambda).abs() <= 1e-12 * next.abs() {
            return next;
        }
        lambda = next;
    }
    lambda
}

/// The Gram pass behind [`Curvature::of`], a slice of chunks at a time:
/// the same bits however it is sliced.
#[derive(Debug, Clone)]
pub struct CurvatureAccumulator {
    sums: Sums,
    next_chunk: usize,
    total: usize,
}

impl CurvatureAccumulator {
    /// Nothing summed yet.
    pub fn new(problem: &Problem) -> Self {
        Self {
            sums: Sums::zeros(problem.design().dim() + 1),
            next_chunk: 0,
            total: problem.design().rows().div_ceil(CHUNK_ROWS),
        }
    }

    /// Sums up to about `max_rows` more rows; true when every row is in.
    pub fn advance(&mut self, problem: &Problem, max_rows: usize) -> bool {
        let chunks = max_rows.div_ceil(CHUNK_ROWS).max(1);
        let to = self.next_chunk.saturating_add(chunks).min(self.total);
        kernel::gram_chunks(problem.design(), None, self.next_chunk, to, &mut self.sums);
        self.next_chunk = to;
        self.next_chunk >= self.total
    }

    /// The fraction of rows summed.
    pub fn progress(&self) -> f64 {
        self.next_chunk as f64 / self.total.max(1) as f64
    }

    /// The curvature once every row is in.
    pub fn finish(&self, problem: &Problem) -> Curvature {
        let mut sums = self.sums.clone();
        sums.mirror();
        Curvature::from_gram(
            &sums.matrix,
            problem.design().rows(),
            problem.model(),
            problem.l2(),
        )
    }
}

/// The exact Hessian of the loss at θ and its eigenvalues (one pass over
/// the rows for logistic regression; for linear regression the Hessian does
/// not depend on θ).
pub fn hessian_at(problem: &Problem, theta: &[f64]) -> Curvature {
    let x = problem.design();
    let (n, d) = (x.rows().max(1) as f64, x.dim());
    let p = d + 1;
    let (weights, scale) = match problem.model() {
        ModelKind::Linear => (None, 2.0 / n),
        ModelKind::Logistic => (Some(theta), 1.0 / n),
    };
    let sums = kernel::weighted_gram(x, weights);
    let l2 = problem.l2();
    let hessian: Vec<f64> = (0..p * p)
        .map(|k| {
            let (a, b) = (k / p, k % p);
            sums.matrix[k] * scale + if a == b && a < d { l2 } else { 0.0 }
        })
        .collect();
    Curvature::from_hessian(&hessian, p)
}
