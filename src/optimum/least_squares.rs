//! Ordinary (optionally ridge) least squares through a QR factorization of
//! the column-scaled problem.

use nalgebra::{DMatrix, DVector};

use super::{too_large, Optimum};
use crate::data::column::CHUNK_ROWS;
use crate::model::{Objective, Problem, RowSet};

/// A direction whose |Rᵢᵢ| is below this share of the largest is collinear.
const RANK_TOLERANCE: f64 = 1e-11;

/// The minimum-norm θ minimizing ‖Rθ − c‖ for a square R of rank k < p,
/// by a complete orthogonal decomposition: QR with column pivoting
/// (R P = Q₁ [B; 0], B of k rows, the rank read off its falling diagonal),
/// then a QR of Bᵀ = Q₂ R₂, so that θ = P Q₂ R₂⁻ᵀ (Q₁ᵀc)₁..ₖ. Householder
/// throughout: nothing squares the condition number, and no iteration can
/// stop short (an SVD's could, and did, on exactly collinear columns).
fn min_norm_solution(r: &DMatrix<f64>, c: &DVector<f64>, tolerance: f64) -> Option<DVector<f64>> {
    let p = r.ncols();
    let pivoted = r.clone().col_piv_qr();
    let mut qc = c.clone();
    pivoted.q_tr_mul(&mut qc);
    let top_r = pivoted.r();
    let top = (0..p).map(|i| top_r[(i, i)].abs()).fold(0.0, f64::max);
    let k = (0..p)
        .take_while(|&i| top_r[(i, i)].abs() > tolerance * top)
        .count();
    let mut z = if k == 0 {
        DVector::zeros(p)
    } else {
        let b = top_r.rows(0, k).transpose().qr();
        let y = b
            .r()
            .transpose()
            .solve_lower_triangular(&qc.rows(0, k).into_owned())?;
        b.q() * y
    };
    pivoted.p().inv_permute_rows(&mut z);
    z.iter().all(|v| v.is_finite()).then_some(z)
}

/// Minimizes (1/n)‖Aθ − t‖² + (λ/2)‖w‖² with A = [Z 1] (training units).
///
/// Every column of [A t] is first divided by its largest |value|, so that
/// all entries lie in [−1, 1]: nothing can overflow, and deciding the rank
/// (|Rᵢᵢ| > 10⁻¹¹·max|Rⱼⱼ|) no longer depends on the units of the columns,
/// so a feature on a scale of 1e−8 next to one of 1e8 keeps its weight.
/// Householder QR of the scaled [A t], block by block (TSQR: the
/// triangular factor so far is stacked on the next chunk of rows and
/// factored again), never the normal equations, whose condition number is
/// the square of A's. A rank-deficient A (collinear columns) gets the
/// minimum-norm solution ([`min_norm_solution`]).
#[derive(Debug, Clone)]
pub(crate) struct ScaledQr {
    stage: Stage,
    /// Largest |value| of each column of [A t] (p + 1 of them).
    scales: Vec<f64>,
    r: DMatrix<f64>,
    next_chunk: usize,
    /// Chunks of rows in the problem.
    total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Scales,
    Absorb,
}

impl ScaledQr {
    pub(crate) fn new(problem: &Problem) -> Self {
        let p = problem.design().dim() + 1;
        Self {
            stage: Stage::Scales,
            scales: vec![0.0; p + 1],
            r: DMatrix::zeros(0, p + 1),
            next_chunk: 0,
            total: problem.design().rows().div_ceil(CHUNK_ROWS).max(1),
        }
    }

    pub(crate) fn progress(&self) -> f64 {
        // The scan for the scales is quick next to the factorization.
        let done = self.next_chunk as f64 / self.total as f64;
        match self.stage {
            Stage::Scales => 0.05 * done,
            Stage::Absorb => 0.05 + 0.95 * done,
        }
    }

    /// Works through up to `chunks` chunks of rows; the answer when done.
    pub(crate) fn advance(&mut self, problem: &Problem, chunks: usize) -> Option<Optimum> {
        let x = problem.design();
        let (n, d) = (x.rows(), x.dim());
        let total = n.div_ceil(CHUNK_ROWS);
        if n == 0 {
            return Some(Optimum::NoFiniteOptimum {
                reason: "there are no rows to fit".into(),
            });
        }
        let mut budget = chunks.max(1);
        while budget > 0 {
            budget -= 1;
            let k = self.next_chunk;
            match self.stage {
                Stage::Scales => {
                    for j in 0..d {
                        let (m, s) = (x.shift()[j], x.scale()[j]);
                        let chunk = x.feature(j).chunk(k);
                        let big = chunk
                            .iter()
                            .map(|&v| {
                                if x.is_standardized() {
                                    ((v - m) * s).abs()
                                } else {
                                    v.abs()
                                }
                            })
                            .fold(0.0, f64::max);
                        self.scales[j] = self.scales[j].max(big);
                    }
                    self.scales[d] = 1.0;
                    let big = x
                        .target()
                        .chunk(k)
                        .iter()
                        .map(|v| v.abs())
                        .fold(0.0, f64::max);
                    self.scales[d + 1] = self.scales[d + 1].max(big);
                    self.next_chunk += 1;
                    if self.next_chunk == total {
                        if !self.scales.iter().all(|s| s.is_finite()) {
                            return Some(Optimum::NoFiniteOptimum {
                                reason: too_large(problem),
                            });
                        }
                        // A zero column (possible only in training units of a
                        // constant feature, which datasets refuse) is left as it is.
                        for s in &mut self.scales {
                            if *s == 0.0 {
                                *s = 1.0;
                            }
                        }
                        self.stage = Stage::Absorb;
                        self.next_chunk = 0;
                    }
                }
                Stage::Absorb => {
                    self.absorb(problem, k);
                    self.next_chunk += 1;
                    if self.next_chunk == total {
                        return Some(self.finish(problem));
                    }
                }
            }
        }
        None
    }

    /// Stacks chunk `k` (scaled) under R and factors again.
    fn absorb(&mut self, problem: &Problem, k: usize) {
        let x = problem.design();
        let d = x.dim();
        let q = d + 2;
        let t = x.target().chunk(k);
        let m = t.len();
        let top = self.r.nrows();
        let mut a = DMatrix::<f64>::zeros(top + m, q);
        a.view_mut((0, 0), (top, q)).copy_from(&self.r);
        for j in 0..d {
            let (sh, sc, c) = (x.shift()[j], x.scale()[j], self.scales[j]);
            let std = x.is_standardized();
            for (i, &v) in x.feature(j).chunk(k).iter().enumerate() {
                let z = if std { (v - sh) * sc } else { v };
                a[(top + i, j)] = z / c;
            }
        }
        let ct = self.scales[d + 1];
        for (i, &v) in t.iter().enumerate() {
            a[(top + i, d)] = 1.0;
            a[(top + i, d + 1)] = v / ct;
        }
        self.r = a.qr().r();
    }

    fn finish(&self, problem: &Problem) -> Optimum {
        let x = problem.design();
        let (n, d) = (x.rows(), x.dim());
        let p = d + 1;
        let mut r = self.r.clone();
        if !r.iter().all(|v| v.is_finite()) {
            return Optimum::NoFiniteOptimum {
                reason: too_large(problem),
            };
        }
        let lambda = problem.l2();
        if lambda > 0.0 {
            // (nλ/2)‖w‖² in scaled units: rows √(nλ/2)/cⱼ on the diagonal.
            // An entry too large to represent is a penalty that pins wⱼ at 0.
            let top = r.nrows();
            let mut m = DMatrix::<f64>::zeros(top + d, p + 1);
            m.view_mut((0, 0), (top, p + 1)).copy_from(&r);
            let root = (n as f64 / 2.0).sqrt() * lambda.sqrt();
            for j in 0..d {
                let e = root / self.scales[j];
                m[(top + j, j)] = if e.is_finite() { e.min(1e150) } else { 1e150 };
            }
            r = m.qr().r();
        }
        // Fewer rows than parameters leave r short: pad it to square.
        let r = r.resize_vertically(p + 1, 0.0);
        let rp = r.view((0, 0), (p, p)).into_owned();
        let rhs = DVector::from_iterator(p, (0..p).map(|i| r[(i, p)]));
        let largest = (0..p).map(|i| rp[(i, i)].abs()).fold(0.0, f64::max);
        let full_rank =
            largest > 0.0 && (0..p).all(|i| rp[(i, i)].abs() > RANK_TOLERANCE * largest);
        let scaled = if full_rank {
            rp.solve_upper_triangular(&rhs)
        } else {
            None
        };
        let scaled = match scaled {
            Some(theta) => theta,
            // ‖Aθ − t‖² = ‖Rθ − Qᵀt‖² + const, so the minimum-norm solution
            // of the small triangular system is that of the whole problem.
            None => match min_norm_solution(&rp, &rhs, RANK_TOLERANCE) {
                Some(theta) => theta,
                None => {
                    return Optimum::NoFiniteOptimum {
                        reason: "least squares did not converge on this data (the columns are almost collinear)"
                            .into(),
                    }
                }
            },
        };
        let ct = self.scales[d + 1];
        let theta: Vec<f64> = (0..p).map(|j| scaled[j] * ct / self.scales[j]).collect();
        if !theta.iter().all(|v| v.is_finite()) {
            return Optimum::NoFiniteOptimum {
                reason: too_large(problem),
            };
        }
        let loss = problem.evaluate(&theta, RowSet::All, None).loss;
        if !loss.is_finite() {
            return Optimum::NoFiniteOptimum {
                reason: too_large(problem),
            };
        }
        Optimum::Found { theta, loss }
    }
}
