//! The loss landscape's grid: the loss over two parameters, the others held
//! at the active run's values, over a range that covers every run's path
//! and the optimum. The grid is kept while only the paths move, and
//! recomputed when a held parameter moves or a path leaves the range.

use super::view::Grid;
use super::Loaded;
use crate::model::kernel::{CrossEntropy, RowLoss};
use crate::model::{ModelKind, Objective, RowSet};
use crate::plot::model_view::subsample;

/// Grid points per axis for linear regression (no data pass: the loss is an
/// exact quadratic).
pub const LINEAR_RESOLUTION: usize = 64;
/// Grid points × rows for logistic regression stays under this, so that a
/// grid takes a few milliseconds.
pub const LOGISTIC_BUDGET: usize = 600_000;
/// Fewest and most grid points per axis for logistic regression.
pub const LOGISTIC_RESOLUTION: (usize, usize) = (20, 48);
/// Logistic grids use at most this many rows (an evenly spread sample,
/// named in the caption).
pub const LOGISTIC_MAX_ROWS: usize =
    LOGISTIC_BUDGET / (LOGISTIC_RESOLUTION.0 * LOGISTIC_RESOLUTION.0);
/// A held parameter moving more than this share of its span makes the grid
/// stale.
pub const HELD_TOLERANCE: f64 = 0.02;

/// The last grid and what it was computed at.
#[derive(Debug, Clone, Default)]
pub struct LandscapeCache {
    grid: Option<Grid>,
    /// θ of the active run when it was computed.
    theta: Vec<f64>,
    /// Changes whenever the grid is recomputed.
    version: u64,
}

impl LandscapeCache {
    /// The current grid.
    pub fn grid(&self) -> Option<&Grid> {
        self.grid.as_ref()
    }

    /// Grows by one each time the grid is recomputed.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Makes the cached grid fit pair `(a, b)` and the runs' current state;
/// returns true when it was recomputed.
pub fn update(d: &mut Loaded, a: usize, b: usize) -> bool {
    let p = d.problem.layout().len();
    if a >= p || b >= p || a == b {
        return false;
    }
    let theta = d.runs[d.active].trainer.theta().to_vec();
    let optimum = d
        .optimum
        .result
        .as_ref()
        .and_then(|o| o.found())
        .map(|(t, _)| t.to_vec());
    let points = |k: usize| -> Vec<f64> {
        let mut v: Vec<f64> = Vec::new();
        for run in &d.runs {
            for (_, th) in run.trainer.path().points() {
                v.push(th[k]);
            }
            v.push(run.trainer.theta()[k]);
        }
        if let Some(o) = &optimum {
            v.push(o[k]);
        }
        v.retain(|x| x.is_finite());
        v
    };
    let (pa, pb) = (points(a), points(b));
    let need_a = bounds(&pa);
    let need_b = bounds(&pb);
    let loss = d.runs[d.active].trainer.loss();
    let h = &d.curvature.diagonal;
    let scale = |k: usize| {
        let hk = h.get(k).copied().unwrap_or(1.0);
        let s = (2.0 * loss.abs().max(1e-12) / hk.max(1e-300)).sqrt();
        if s.is_finite() && s > 0.0 {
            s
        } else {
            1.0
        }
    };
    let reusable = d.landscape.grid.as_ref().is_some_and(|g| {
        g.a as usize == a
            && g.b as usize == b
            && fits(g.a_range, need_a, scale(a))
            && fits(g.b_range, need_b, scale(b))
            && (0..p).filter(|&k| k != a && k != b).all(|k| {
                let span = bounds(&points(k))
                    .map(|(lo, hi)| hi - lo)
                    .filter(|s| *s > 0.0)
                    .unwrap_or_else(|| theta[k].abs().max(1.0));
                let moved =
                    (theta[k] - d.landscape.theta.get(k).copied().unwrap_or(f64::NAN)).abs();
                moved <= HELD_TOLERANCE * span
            })
    });
    if reusable {
        return false;
    }
    let ranges = (
        range_for(need_a, theta[a], scale(a)),
        range_for(need_b, theta[b], scale(b)),
    );
    let grid = compute(d, &theta, a, b, ranges);
    d.landscape.grid = Some(grid);
    d.landscape.theta = theta;
    d.landscape.version += 1;
    true
}

/// Forgets the grid (new data or settings).
pub fn clear(d: &mut Loaded) {
    d.landscape.grid = None;
    d.landscape.version += 1;
}

fn compute(
    d: &Loaded,
    theta: &[f64],
    a: usize,
    b: usize,
    ranges: ((f64, f64), (f64, f64)),
) -> Grid {
    let (a_range, b_range) = ranges;
    let problem = &d.problem;
    let x = problem.design();
    let (n, dim) = (x.rows(), x.dim());
    let p = dim + 1;
    match problem.model() {
        ModelKind::Linear => {
            // L(θ + s·eₐ + u·e_b) = L + gₐs + g_b u + ½(Hₐₐs² + 2Hₐ_b su + H_bb u²)
            // exactly: the loss is a quadratic.
            let res = LINEAR_RESOLUTION;
            // θ is the active run's: its trainer already holds L(θ) and ∇L(θ)
            // over every row, so the grid needs no pass over the data.
            let active = &d.runs[d.active].trainer;
            let (base, g) = if active.theta() == theta {
                (active.loss(), active.gradient().to_vec())
            } else {
                let mut g = vec![0.0; p];
                (problem.evaluate(theta, RowSet::All, Some(&mut g)).loss, g)
            };
            let hm = &d.curvature.hessian;
            let hh = |i: usize, j: usize| hm.get(i * p + j).copied().unwrap_or(0.0);
            let (haa, hab, hbb) = (hh(a, a), hh(a, b), hh(b, b));
            let mut values = Vec::with_capacity(res * res);
            for iy in 0..res {
                let u = at(b_range, iy, res) - theta[b];
                for ix in 0..res {
                    let s = at(a_range, ix, res) - theta[a];
                    values.push(
                        base + g[a] * s
                            + g[b] * u
                            + 0.5 * (haa * s * s + 2.0 * hab * s * u + hbb * u * u),
                    );
                }
            }
            Grid {
                a: a as u32,
                b: b as u32,
                a_range,
                b_range,
                resolution: res as u32,
                values,
                sampled_rows: None,
            }
        }
        ModelKind::Logistic => {
            let rows: Vec<usize> = if n > LOGISTIC_MAX_ROWS {
                subsample(n, LOGISTIC_MAX_ROWS)
            } else {
                (0..n).collect()
            };
            let m = rows.len().max(1);
            let res = ((LOGISTIC_BUDGET / m) as f64)
                .sqrt()
                .floor()
                .clamp(LOGISTIC_RESOLUTION.0 as f64, LOGISTIC_RESOLUTION.1 as f64)
                as usize;
            // z = c + s·zₐ + u·z_b per row, with c the part that does not move.
            let mut row = vec![0.0; dim];
            let coord = |row: &[f64], k: usize| if k < dim { row[k] } else { 1.0 };
            let mut c = Vec::with_capacity(m);
            let mut xa = Vec::with_capacity(m);
            let mut xb = Vec::with_capacity(m);
            let mut t = Vec::with_capacity(m);
            for &r in &rows {
                x.row_into(r, &mut row);
                let z = theta[dim] + row.iter().zip(theta).map(|(v, w)| v * w).sum::<f64>();
                let (va, vb) = (coord(&row, a), coord(&row, b));
                c.push(z - theta[a] * va - theta[b] * vb);
                xa.push(va);
                xb.push(vb);
                t.push(x.target().get(r));
            }
            let l2 = problem.l2();
            let held: f64 = (0..dim)
                .filter(|&k| k != a && k != b)
                .map(|k| theta[k] * theta[k])
                .sum();
            let pen = |k: usize, v: f64| if k < dim { v * v } else { 0.0 };
            let mut values = Vec::with_capacity(res * res);
            for iy in 0..res {
                let u = at(b_range, iy, res);
                for ix in 0..res {
                    let s = at(a_range, ix, res);
                    let mut sum = 0.0;
                    for i in 0..c.len() {
                        sum += CrossEntropy::eval(c[i] + s * xa[i] + u * xb[i], t[i]).0;
                    }
                    values.push(sum / m as f64 + 0.5 * l2 * (held + pen(a, s) + pen(b, u)));
                }
            }
            Grid {
                a: a as u32,
                b: b as u32,
                a_range,
                b_range,
                resolution: res as u32,
                values,
                sampled_rows: (rows.len() < n).then_some(rows.len() as u32),
            }
        }
    }
}

fn at((lo, hi): (f64, f64), k: usize, res: usize) -> f64 {
    lo + (hi - lo) * k as f64 / (res.max(2) - 1) as f64
}

fn bounds(values: &[f64]) -> Option<(f64, f64)> {
    let mut it = values.iter().copied().filter(|v| v.is_finite());
    let first = it.next()?;
    Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
}

/// The range shown for points spanning `need` (or around `center` with the
/// curvature scale when they do not span anything): 20% margin each side.
fn range_for(need: Option<(f64, f64)>, center: f64, scale: f64) -> (f64, f64) {
    let (lo, hi) = need.unwrap_or((center, center));
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 0.0)
    };
    let min_width = 2.0 * scale.max(1e-12 * lo.abs().max(hi.abs())).max(1e-300);
    let width = (1.4 * (hi - lo)).max(min_width);
    let mid = 0.5 * (lo + hi);
    (mid - 0.5 * width, mid + 0.5 * width)
}

/// Whether `range` still suits points spanning `need`.
fn fits(range: (f64, f64), need: Option<(f64, f64)>, scale: f64) -> bool {
    let Some((lo, hi)) = need else {
        return true;
    };
    let span = range.1 - range.0;
    let margin = 0.03 * span;
    let inside = lo >= range.0 + margin && hi <= range.1 - margin;
    let wanted = (hi - lo).max(2.0 * scale) * 1.4;
    inside && span <= 4.0 * wanted
}

/// The landscape pair shown first: (w, b) for one feature, else the two
/// weights with the largest |θ*| once the optimum is known, else the first
/// two weights.
pub fn default_pair(d: &Loaded) -> (usize, usize) {
    let dim = d.problem.design().dim();
    if dim <= 1 {
        return (0, 1);
    }
    let Some((w, _)) = d.optimum.result.as_ref().and_then(|o| o.found()) else {
        return (0, 1);
    };
    let mut order: Vec<usize> = (0..dim).collect();
    crate::order::sort_small_by(&mut order, |&i, &j| {
        w[j].abs().total_cmp(&w[i].abs()).then(i.cmp(&j))
    });
    (order[0].min(order[1]), order[0].max(order[1]))
}
