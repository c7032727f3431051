//! The curvature of the loss: its largest Hessian eigenvalue L sets the
//! learning rates that work (α < 2/L), and the condition number says how
//! slowly plain gradient descent will crawl.

use crate::model::{ModelKind, Objective, Problem};
use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

/// Eigenvalue facts about the loss Hessian over (w, b).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
}

impl Curvature {
    /// Computes the curvature of `problem` from the Gram matrix AᵀA of
    /// A = [X 1], accumulated in one pass over the rows.
    pub fn of(problem: &Problem<'_>) -> Self {
        let x = problem.features();
        let d = problem.dim();
        let p = d + 1;
        let n = x.rows().max(1) as f64;
        let mut gram = vec![0.0; p * p];
        let mut row1 = vec![1.0; p];
        for row in x.row_iter() {
            row1[..d].copy_from_slice(row);
            for i in 0..p {
                let ri = row1[i];
                for j in i..p {
                    gram[i * p + j] += ri * row1[j];
                }
            }
        }
        let scale = match problem.model() {
            ModelKind::Linear => 2.0 / n,
            ModelKind::Logistic => 0.25 / n,
        };
        let hessian = DMatrix::from_fn(p, p, |i, j| {
            let (a, b) = if i <= j { (i, j) } else { (j, i) };
            gram[a * p + b] * scale + if i == j && i < d { problem.l2() } else { 0.0 }
        });
        let eig = SymmetricEigen::new(hessian).eigenvalues;
        let largest = eig.iter().cloned().fold(0.0, f64::max);
        let smallest = eig.iter().cloned().fold(f64::INFINITY, f64::min).max(0.0);
        let condition_number = if smallest > largest * 1e-15 {
            largest / smallest
        } else {
            f64::INFINITY
        };
        Self {
            lipschitz: largest,
            smallest,
            condition_number,
        }
    }
}
