//! Ordinary (optionally ridge) least squares through a QR factorization.

use super::Optimum;
use crate::model::{Objective, Problem};
use nalgebra::{DMatrix, DVector};

/// Rows per block of the blocked QR.
const BLOCK_ROWS: usize = 2048;

/// Minimizes (1/n)‖Aθ − t‖² + (λ/2)‖w‖² with A = [X 1], θ = (w, b).
///
/// Solved by Householder QR of [A t] (with √(nλ/2)·I rows appended for the
/// penalty), never by the normal equations, whose condition number is the
/// square of A's. Rank-deficient A (collinear columns) falls back to the
/// minimum-norm SVD solution.
pub fn least_squares(problem: &Problem<'_>) -> Optimum {
    let mut qr = BlockedQr::new(problem);
    while !qr.absorb(problem, usize::MAX) {}
    qr.finish(problem)
}

/// The QR of [A t] built block by block (TSQR): the triangular factor of
/// the rows so far is stacked on the next block and factored again, so
/// memory stays O(block × d) and the work can be split into slices.
#[derive(Debug, Clone)]
pub(crate) struct BlockedQr {
    r: DMatrix<f64>,
    next_row: usize,
}

impl BlockedQr {
    /// Nothing absorbed yet.
    pub(crate) fn new(problem: &Problem<'_>) -> Self {
        Self {
            r: DMatrix::zeros(0, problem.dim() + 2),
            next_row: 0,
        }
    }

    /// Absorbs up to `max_rows` more rows (at least one);
    /// true when every row is in.
    pub(crate) fn absorb(&mut self, problem: &Problem<'_>, max_rows: usize) -> bool {
        let x = problem.features();
        let t = problem.targets();
        let d = problem.dim();
        let limit = self.next_row.saturating_add(max_rows.max(1)).min(t.len());
        while self.next_row < limit {
            let (start, end) = (self.next_row, (self.next_row + BLOCK_ROWS).min(limit));
            let top = self.r.nrows();
            let mut m = DMatrix::<f64>::zeros(top + end - start, d + 2);
            m.view_mut((0, 0), (top, d + 2)).copy_from(&self.r);
            for (k, i) in (start..end).enumerate() {
                for (j, v) in x.row(i).iter().enumerate() {
                    m[(top + k, j)] = *v;
                }
                m[(top + k, d)] = 1.0;
                m[(top + k, d + 1)] = t[i];
            }
            self.r = m.qr().r();
            self.next_row = end;
        }
        self.next_row >= t.len()
    }

    /// Solves for θ from the factor of all rows.
    pub(crate) fn finish(self, problem: &Problem<'_>) -> Optimum {
        let d = problem.dim();
        let p = d + 1;
        let n = problem.targets().len();
        if n == 0 {
            return Optimum::NoFiniteOptimum {
                reason: "there are no rows to fit".into(),
            };
        }
        let mut r = self.r;
        if problem.l2() > 0.0 {
            let s = (n as f64 * problem.l2() / 2.0).sqrt();
            let top = r.nrows();
            let mut m = DMatrix::<f64>::zeros(top + d, p + 1);
            m.view_mut((0, 0), (top, p + 1)).copy_from(&r);
            for j in 0..d {
                m[(top + j, j)] = s;
            }
            r = m.qr().r();
        }
        // Fewer rows than parameters leave r short: pad it to square.
        let r = r.resize_vertically(p + 1, 0.0);
        let rp = r.view((0, 0), (p, p)).into_owned();
        let rhs = DVector::from_iterator(p, (0..p).map(|i| r[(i, p)]));
        let largest = (0..p).map(|i| rp[(i, i)].abs()).fold(0.0, f64::max);
        let full_rank = (0..p).all(|i| rp[(i, i)].abs() > 1e-11 * largest);
        let theta = if full_rank {
            rp.solve_upper_triangular(&rhs)
        } else {
            None
        };
        let theta = match theta {
            Some(theta) => theta,
            // ‖Aθ − t‖² = ‖Rθ − Qᵀt‖² + const, so the minimum-norm solution
            // of the small triangular system is that of the whole problem.
            None => match rp
                .svd(true, true)
                .solve(&rhs, 1e-12 * largest.max(f64::MIN_POSITIVE))
            {
                Ok(theta) => theta,
                Err(e) => {
                    return Optimum::NoFiniteOptimum {
                        reason: format!("least squares failed: {e}"),
                    }
                }
            },
        };
        let (w, b) = (theta.as_slice()[..d].to_vec(), theta[d]);
        let loss = problem.loss(&w, b);
        if !loss.is_finite() {
            return Optimum::NoFiniteOptimum {
                reason: "least squares gave a non-finite answer".into(),
            };
        }
        Optimum::Found {
            weights: w,
            bias: b,
            loss,
        }
    }
}
