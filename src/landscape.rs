//! The loss over a plane through parameter space: two chosen parameters vary
//! on a grid, the others stay at their current values.

use crate::model::{ModelKind, Objective, Problem};
use serde::Serialize;

/// Index of a parameter: weights 0..d, then the bias at d.
pub type ParamIndex = usize;

/// A grid of loss values over parameters `a` (x axis) and `b` (y axis).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landscape {
    /// Parameter on the x axis.
    pub a: ParamIndex,
    /// Parameter on the y axis.
    pub b: ParamIndex,
    /// x-axis range [min, max].
    pub a_range: (f64, f64),
    /// y-axis range [min, max].
    pub b_range: (f64, f64),
    /// Grid points per axis.
    pub resolution: usize,
    /// Loss values, row-major with y (parameter `b`) as the row:
    /// `values[iy * resolution + ix]`.
    pub values: Vec<f64>,
}

impl Landscape {
    /// Evaluates the loss on a `resolution²` grid over the two parameters,
    /// with every other parameter taken from `(w, bias)`.
    ///
    /// Linear loss is quadratic in the parameters, so its slice is computed
    /// exactly from one pass of sums (the Gram matrix rows for `a` and `b`)
    /// instead of one data pass per grid point; logistic needs the passes.
    #[allow(clippy::too_many_arguments)]
    pub fn compute(
        problem: &Problem<'_>,
        w: &[f64],
        bias: f64,
        a: ParamIndex,
        b: ParamIndex,
        a_range: (f64, f64),
        b_range: (f64, f64),
        resolution: usize,
    ) -> Self {
        let d = problem.dim();
        let res = resolution.clamp(2, 400);
        let (a, b) = (a.min(d), b.min(d));
        let at = |k: usize, lo: f64, hi: f64| lo + (hi - lo) * k as f64 / (res - 1) as f64;
        let mut values = Vec::with_capacity(res * res);
        if problem.model() == ModelKind::Linear && problem.l2() == 0.0 {
            let q = Quadratic::along(problem, w, bias, a, b);
            let (a0, b0) = (param(w, bias, a), param(w, bias, b));
            for iy in 0..res {
                for ix in 0..res {
                    values.push(q.eval(
                        at(ix, a_range.0, a_range.1) - a0,
                        at(iy, b_range.0, b_range.1) - b0,
                    ));
                }
            }
        } else {
            let mut probe = w.to_vec();
            probe.push(bias);
            for iy in 0..res {
                for ix in 0..res {
                    probe[a] = at(ix, a_range.0, a_range.1);
                    probe[b] = at(iy, b_range.0, b_range.1);
                    values.push(problem.loss(&probe[..d], probe[d]));
                }
            }
        }
        Self {
            a,
            b,
            a_range,
            b_range,
            resolution: res,
            values,
        }
    }

    /// The smallest and largest finite values.
    pub fn value_range(&self) -> (f64, f64) {
        self.values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }
}

fn param(w: &[f64], bias: f64, k: ParamIndex) -> f64 {
    w.get(k).copied().unwrap_or(bias)
}

/// L(θ + s·eₐ + u·e_b) = L₀ + gₐ s + g_b u + ½(Hₐₐ s² + 2Hₐ_b s u + H_bb u²),
/// exact for the mean squared error.
struct Quadratic {
    l0: f64,
    ga: f64,
    gb: f64,
    haa: f64,
    hab: f64,
    hbb: f64,
}

impl Quadratic {
    fn along(problem: &Problem<'_>, w: &[f64], bias: f64, a: ParamIndex, b: ParamIndex) -> Self {
        let x = problem.features();
        let t = problem.targets();
        let d = problem.dim();
        let n = t.len().max(1) as f64;
        let feature = |row: &[f64], k: usize| if k < d { row[k] } else { 1.0 };
        let (mut l0, mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for (i, &ti) in t.iter().enumerate() {
            let row = x.row(i);
            let r = bias + row.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() - ti;
            let (xa, xb) = (feature(row, a), feature(row, b));
            l0 += r * r;
            ga += r * xa;
            gb += r * xb;
            haa += xa * xa;
            hab += xa * xb;
            hbb += xb * xb;
        }
        let s = 2.0 / n;
        Self {
            l0: l0 / n,
            ga: ga * s,
            gb: gb * s,
            haa: haa * s,
            hab: hab * s,
            hbb: hbb * s,
        }
    }

    fn eval(&self, s: f64, u: f64) -> f64 {
        self.l0
            + self.ga * s
            + self.gb * u
            + 0.5 * (self.haa * s * s + 2.0 * self.hab * s * u + self.hbb * u * u)
    }
}
