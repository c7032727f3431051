//! The curvature of the loss: its largest Hessian eigenvalue L sets the
//! learning rates that work (α < 2/L), and the condition number says how
//! slowly plain gradient descent will crawl.

use crate::model::{ModelKind, Objective, Problem};
use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

/// Eigenvalue facts about the loss Hessian over (w, b).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curvature {
    /// L: the largest Hessian eigenvalue (linear: exact; logistic: the bound
    /// from Aᵀ A / 4n, since σ' ≤ 1/4). Gradient descent decreases the loss
    /// for α < 2/L and is guaranteed monotone at α ≤ 1/L.
    pub lipschitz: f64,
    /// The smallest eigenvalue of the same matrix (0 when columns are collinear).
    pub smallest: f64,
    /// largest / smallest eigenvalue of the Hessian (∞ when singular); plain
    /// gradient descent needs on the order of this many steps.
    pub condition_number: f64,
    /// The condition number the same problem has on standardized features
    /// (what "Standardize" would make of it), from the same sums.
    pub standardized_condition_number: f64,
    /// Pearson correlations between features, d × d row-major, derived from
    /// the same sums (no extra pass over the data).
    #[serde(skip)]
    pub correlations: Vec<f64>,
}

impl Curvature {
    /// Computes the curvature of `problem` from the Gram matrix AᵀA of
    /// A = [X 1], accumulated in one pass over the rows.
    pub fn of(problem: &Problem<'_>) -> Self {
        let x = problem.features();
        let mut gram = GramAccumulator::new(problem.dim());
        gram.add_rows(x.row_iter());
        gram.finish(problem.model(), problem.l2())
    }
}

/// The Gram matrix AᵀA of A = [X 1] accumulated a slice of rows at a time,
/// so that a caller can spread the pass behind [`Curvature::of`] over many
/// short calls. Adding every row in order, in any slicing, then
/// [`finish`](Self::finish) gives exactly (bit for bit) `Curvature::of`.
#[derive(Debug, Clone, PartialEq)]
pub struct GramAccumulator {
    d: usize,
    rows: usize,
    /// Upper triangle of AᵀA, row-major (p × p with p = d + 1).
    gram: Vec<f64>,
    /// Scratch: the current row followed by a 1.
    row1: Vec<f64>,
}

impl GramAccumulator {
    /// An empty accumulator for rows of `d` features.
    pub fn new(d: usize) -> Self {
        let p = d + 1;
        Self {
            d,
            rows: 0,
            gram: vec![0.0; p * p],
            row1: vec![1.0; p],
        }
    }

    /// Number of rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds rows of `d` features each (in order).
    pub fn add_rows<'a>(&mut self, rows: impl IntoIterator<Item = &'a [f64]>) {
        let (d, p) = (self.d, self.d + 1);
        let (gram, row1) = (&mut self.gram, &mut self.row1);
        for row in rows {
            row1[..d].copy_from_slice(row);
            for i in 0..p {
                let ri = row1[i];
                for j in i..p {
                    gram[i * p + j] += ri * row1[j];
                }
            }
            self.rows += 1;
        }
    }

    /// The curvature of the loss of `model` with L2 strength `l2` over the
    /// rows added.
    pub fn finish(&self, model: ModelKind, l2: f64) -> Curvature {
        let (d, p) = (self.d, self.d + 1);
        let gram = &self.gram;
        let n = self.rows.max(1) as f64;
        let scale = match model {
            ModelKind::Linear => 2.0 / n,
            ModelKind::Logistic => 0.25 / n,
        };
        let hessian = DMatrix::from_fn(p, p, |i, j| {
            let (a, b) = if i <= j { (i, j) } else { (j, i) };
            gram[a * p + b] * scale + if i == j && i < d { l2 } else { 0.0 }
        });
        let (largest, smallest, condition_number) = spectrum(hessian);
        // Means, covariances and correlations from the same sums: the last
        // column of A = [X 1] is all ones, so G[i][d] = Σ xᵢ and G[d][d] = n.
        let g = |a: usize, b: usize| gram[a.min(b) * p + a.max(b)] / n;
        let cov = |a: usize, b: usize| g(a, b) - g(a, d) * g(b, d);
        let sd: Vec<f64> = (0..d).map(|a| cov(a, a).max(0.0).sqrt()).collect();
        let correlations: Vec<f64> = (0..d * d)
            .map(|k| {
                let (a, b) = (k / d, k % d);
                if sd[a] > 0.0 && sd[b] > 0.0 {
                    (cov(a, b) / (sd[a] * sd[b])).clamp(-1.0, 1.0)
                } else {
                    f64::from(a == b)
                }
            })
            .collect();
        // Standardized: Σ zₐ = 0 and Σ zₐ z_b / n = corr(a, b), so the Gram
        // matrix over n is [[corr, 0], [0, 1]].
        let standardized = DMatrix::from_fn(p, p, |a, b| {
            let v = if a < d && b < d {
                correlations[a * d + b]
            } else {
                f64::from(a == b)
            };
            v * scale * n + if a == b && a < d { l2 } else { 0.0 }
        });
        let standardized_condition_number = spectrum(standardized).2;
        Curvature {
            lipschitz: largest,
            smallest,
            condition_number,
            standardized_condition_number,
            correlations,
        }
    }
}

/// (largest eigenvalue, smallest eigenvalue ≥ 0, their ratio or ∞).
fn spectrum(m: DMatrix<f64>) -> (f64, f64, f64) {
    let eig = SymmetricEigen::new(m).eigenvalues;
    let largest = eig.iter().cloned().fold(0.0, f64::max);
    let smallest = eig.iter().cloned().fold(f64::INFINITY, f64::min).max(0.0);
    let condition = if smallest > largest * 1e-15 {
        largest / smallest
    } else {
        f64::INFINITY
    };
    (largest, smallest, condition)
}
