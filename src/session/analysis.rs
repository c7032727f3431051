//! The curvature that explains a run: predicted convergence rates, the
//! Newton step, the error along each eigendirection, and the α-sweep.

use nalgebra::{DMatrix, DVector};

use super::view::{EigenView, Sweep};
use super::{Loaded, RunSettings};
use crate::model::{ModelKind, Objective, Problem, RowSet};
use crate::optim::OptimizerKind;
use crate::optimum::{hessian_at, Curvature};
use crate::train::{Init, RunConfig, Status, Trainer};

/// Eigenvalues below this share of the largest are flat directions (they
/// hold no loss gap), not slow ones.
const FLAT: f64 = 1e-12;

/// The factor by which L − L* shrinks per step, predicted from the
/// Hessian's eigenvalues for a run of `config` on a quadratic: for gradient
/// descent ρ² with ρ = maxᵢ |1 − αλᵢ|; for momentum and Nesterov the square
/// of the largest spectral radius of each eigendirection's 2 × 2 iteration.
/// `None` for the adaptive optimizers, a schedule or mini-batches, which
/// have no single linear rate.
pub fn predicted_rate(config: &RunConfig, eigenvalues: &[f64], rows: usize) -> Option<f64> {
    let factors = direction_factors(config, eigenvalues, rows)?;
    let top = eigenvalues.iter().copied().fold(0.0, f64::max);
    let rho = eigenvalues
        .iter()
        .zip(&factors)
        .filter(|(&l, _)| l > FLAT * top)
        .map(|(_, &f)| f)
        .fold(0.0, f64::max);
    (rho.is_finite()).then_some(rho * rho)
}

/// The factor ρᵢ by which the error along each eigendirection shrinks per
/// step for a run of `config` on a quadratic: |1 − αλᵢ| for gradient
/// descent, the spectral radius of the direction's 2 × 2 iteration for
/// momentum and Nesterov. `None` where [`predicted_rate`] is.
pub fn direction_factors(config: &RunConfig, eigenvalues: &[f64], rows: usize) -> Option<Vec<f64>> {
    if config.schedule != crate::optim::Schedule::Constant
        || (config.batch_size > 0 && config.batch_size < rows)
    {
        return None;
    }
    let top = eigenvalues.iter().copied().fold(0.0, f64::max);
    if !(top > 0.0 && top.is_finite()) {
        return None;
    }
    let a = config.learning_rate;
    let mu = config.optimizer.momentum;
    let radius = |lambda: f64| -> Option<f64> {
        match config.optimizer.kind {
            OptimizerKind::Gd => Some((1.0 - a * lambda).abs()),
            // v ← μv + λe, e ← e − αv: [[1 − αλ, −αμ], [λ, μ]].
            OptimizerKind::Momentum => Some(spectral_radius(1.0 - a * lambda, -a * mu, lambda, mu)),
            // v ← μv + λe, e ← e − α(λe + μv'):
            // [[1 − αλ(1 + μ), −αμ²], [λ, μ]].
            OptimizerKind::Nesterov => Some(spectral_radius(
                1.0 - a * lambda * (1.0 + mu),
                -a * mu * mu,
                lambda,
                mu,
            )),
            _ => None,
        }
    };
    eigenvalues.iter().map(|&l| radius(l)).collect()
}

/// What [`direction_factors`] and the predicted rate are, in words, for
/// `kind` (empty for the optimizers without a linear rate).
pub fn factor_formula(kind: OptimizerKind) -> &'static str {
    match kind {
        OptimizerKind::Gd => "|1 − αλᵢ|",
        OptimizerKind::Momentum => "ρᵢ, the spectral radius of [[1 − αλᵢ, −αμ], [λᵢ, μ]]",
        OptimizerKind::Nesterov => "ρᵢ, the spectral radius of [[1 − αλᵢ(1 + μ), −αμ²], [λᵢ, μ]]",
        _ => "",
    }
}

/// The first step at which L − L* is predicted to fall below `gap` × its
/// value at `start`. The start's error along each eigendirection, eᵢ,
/// shrinks by ρᵢ per step ([`direction_factors`]), and L − L* = ½Σλᵢeᵢ²,
/// so after k steps it is ½Σλᵢeᵢ²ρᵢ²ᵏ. Exact for gradient descent on a
/// quadratic; for momentum ρᵢᵏ is the envelope, and for the logistic loss
/// the curvature is the optimum's.
pub fn predicted_reach(
    config: &RunConfig,
    hessian: &Curvature,
    optimum: &[f64],
    start: &[f64],
    rows: usize,
    gap: f64,
) -> Option<u64> {
    let p = optimum.len();
    if hessian.eigenvectors.len() != p * p || start.len() != p || !(gap > 0.0 && gap < 1.0) {
        return None;
    }
    let factors = direction_factors(config, &hessian.eigenvalues, rows)?;
    let top = hessian.eigenvalues.iter().copied().fold(0.0, f64::max);
    // (λᵢeᵢ², ρᵢ²) for the directions that hold part of the gap.
    let mut parts = Vec::with_capacity(p);
    for (i, (&lambda, &rho)) in hessian.eigenvalues.iter().zip(&factors).enumerate() {
        let e: f64 = (0..p)
            .map(|r| hessian.eigenvectors[r * p + i] * (start[r] - optimum[r]))
            .sum();
        let weight = lambda * e * e;
        if lambda > FLAT * top && weight > 0.0 {
            parts.push((weight, rho * rho));
        }
    }
    let total: f64 = parts.iter().map(|(w, _)| w).sum();
    if parts.is_empty() || !total.is_finite() || parts.iter().any(|&(_, r)| r.is_nan() || r >= 1.0)
    {
        return None;
    }
    let share = |k: i32| parts.iter().map(|&(w, r)| w * r.powi(k)).sum::<f64>() / total;
    // The share falls with k: bisect on whole steps (up to 2³⁰ of them).
    let (mut lo, mut hi) = (0_i32, 1_i32);
    while share(hi) > gap {
        if hi >= 1 << 30 {
            return None;
        }
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if share(mid) > gap {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(if share(lo) <= gap { lo } else { hi } as u64)
}

/// The spectral radius of [[a, b], [c, d]].
fn spectral_radius(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let tr = a + d;
    let det = a * d - b * c;
    let disc = tr * tr / 4.0 - det;
    if disc >= 0.0 {
        let s = disc.sqrt();
        (tr / 2.0 + s).abs().max((tr / 2.0 - s).abs())
    } else {
        det.abs().sqrt()
    }
}

/// The best momentum for a quadratic with condition number κ (Distill,
/// "Why Momentum Really Works"): α* = (2/(√λmax + √λmin))²,
/// μ* = ((√κ − 1)/(√κ + 1))², and the error then shrinks by
/// (√κ − 1)/(√κ + 1) per step; gradient descent at its best α = 2/(λmax +
/// λmin) manages (κ − 1)/(κ + 1).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MomentumOptimum {
    /// κ = λmax/λmin over the non-flat directions.
    pub condition_number: f64,
    /// α*.
    pub learning_rate: f64,
    /// μ*.
    pub momentum: f64,
    /// Error factor per step with (α*, μ*).
    pub rate: f64,
    /// Error factor per step of gradient descent at its best α.
    pub gd_rate: f64,
    /// Gradient descent's best α.
    pub gd_learning_rate: f64,
}

/// [`MomentumOptimum`] for these eigenvalues, when there are two non-flat
/// ones.
pub fn momentum_optimum(eigenvalues: &[f64]) -> Option<MomentumOptimum> {
    let top = eigenvalues.iter().copied().fold(0.0, f64::max);
    let low = eigenvalues
        .iter()
        .copied()
        .filter(|&l| l > FLAT * top)
        .fold(f64::INFINITY, f64::min);
    if !(top > 0.0 && low.is_finite() && low > 0.0) {
        return None;
    }
    let kappa = top / low;
    let sk = kappa.sqrt();
    let rate = (sk - 1.0) / (sk + 1.0);
    Some(MomentumOptimum {
        condition_number: kappa,
        learning_rate: (2.0 / (top.sqrt() + low.sqrt())).powi(2),
        momentum: rate * rate,
        rate,
        gd_rate: (kappa - 1.0) / (kappa + 1.0),
        gd_learning_rate: 2.0 / (top + low),
    })
}

/// θ − H⁻¹g: where one Newton step from θ lands (training units). `None`
/// when H is singular.
pub fn newton_step(
    problem: &Problem,
    theta: &[f64],
    hessian: Option<&Curvature>,
) -> Option<Vec<f64>> {
    let p = theta.len();
    let mut g = vec![0.0; p];
    problem.evaluate(theta, RowSet::All, Some(&mut g));
    let h = match (problem.model(), hessian) {
        (ModelKind::Linear, Some(h)) if !h.eigenvectors.is_empty() => hessian_matrix(h, p),
        _ => hessian_matrix(&hessian_at(problem, theta), p),
    }?;
    let chol = h.cholesky()?;
    let delta = chol.solve(&DVector::from_vec(g));
    let out: Vec<f64> = theta.iter().zip(delta.iter()).map(|(t, d)| t - d).collect();
    out.iter().all(|v| v.is_finite()).then_some(out)
}

/// The Hessian rebuilt from its eigendecomposition.
fn hessian_matrix(c: &Curvature, p: usize) -> Option<DMatrix<f64>> {
    if c.eigenvalues.len() != p || c.eigenvectors.len() != p * p {
        return None;
    }
    let v = DMatrix::from_row_slice(p, p, &c.eigenvectors);
    let l = DMatrix::from_diagonal(&DVector::from_column_slice(&c.eigenvalues));
    Some(&v * l * v.transpose())
}

/// |vᵢᵀ(θₖ − θ*)| along each eigendirection for the points of a path.
pub fn eigen_errors(
    hessian: &Curvature,
    optimum: &[f64],
    path: impl Iterator<Item = (u64, Vec<f64>)>,
) -> Option<EigenView> {
    let p = optimum.len();
    if hessian.eigenvalues.len() != p || hessian.eigenvectors.len() != p * p {
        return None;
    }
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for (step, theta) in path {
        steps.push(step as f64);
        for i in 0..p {
            let e: f64 = (0..p)
                .map(|r| hessian.eigenvectors[r * p + i] * (theta[r] - optimum[r]))
                .sum();
            errors.push(e.abs());
        }
    }
    Some(EigenView {
        eigenvalues: hessian.eigenvalues.clone(),
        steps,
        errors,
    })
}

/// Points of an α-sweep.
pub const SWEEP_POINTS: usize = 25;
/// Steps per try of an α-sweep.
pub const SWEEP_STEPS: u32 = 50;
/// Rows × passes a sweep may cost on all rows; bigger data is sampled.
const SWEEP_BUDGET: usize = 50_000_000;

/// An α-sweep being computed, or its result.
#[derive(Debug, Clone, Default)]
pub struct SweepState {
    job: Option<SweepJob>,
    result: Option<Sweep>,
    /// The run settings (α left out: the sweep varies it) and start the
    /// result was computed for.
    made_for: Option<(RunSettings, Vec<f64>)>,
}

#[derive(Debug, Clone)]
struct SweepJob {
    problem: Problem,
    target_sst: f64,
    settings: RunSettings,
    start: Vec<f64>,
    rates: Vec<f64>,
    losses: Vec<f64>,
    steps: u32,
    sampled: Option<u32>,
    marks: Vec<(String, f64)>,
}

impl SweepState {
    /// Whether a sweep is being computed.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The last finished sweep, while it still describes `settings` from
    /// `start` (a sweep of gradient descent says nothing about Adam).
    pub fn result_for(&self, settings: &RunSettings, start: &[f64]) -> Option<&Sweep> {
        let (made, from) = self.made_for.as_ref()?;
        let settings = RunSettings {
            learning_rate: None,
            ..*settings
        };
        (*made == settings && from.as_slice() == start)
            .then_some(self.result.as_ref())
            .flatten()
    }

    /// Whether there is a finished sweep that no longer describes
    /// `settings` from `start`.
    pub fn is_stale(&self, settings: &RunSettings, start: &[f64]) -> bool {
        self.result.is_some() && self.result_for(settings, start).is_none()
    }

    /// The fraction done.
    pub fn progress(&self) -> f64 {
        self.job
            .as_ref()
            .map_or(1.0, |j| j.losses.len() as f64 / j.rates.len().max(1) as f64)
    }
}

/// Starts a sweep of the active run's optimizer over a log grid of α.
pub fn start_sweep(d: &mut Loaded, steps: u32) {
    let run = &d.runs[d.active];
    let settings = run.settings;
    let kind = settings.optimizer.kind;
    let l = d.lipschitz();
    let (lo, hi) = match (kind, l) {
        (OptimizerKind::Gd | OptimizerKind::Momentum | OptimizerKind::Nesterov, Some(l)) => {
            (1e-3 / l, 4.0 / l)
        }
        _ => (1e-5, 1.0),
    };
    let rates: Vec<f64> = (0..SWEEP_POINTS)
        .map(|k| lo * (hi / lo).powf(k as f64 / (SWEEP_POINTS - 1) as f64))
        .collect();
    let n = d.problem.rows();
    let passes = SWEEP_POINTS * (steps as usize + 1);
    let (problem, sampled) = if n.saturating_mul(passes) > SWEEP_BUDGET {
        let m = (SWEEP_BUDGET / passes).max(100).min(n);
        let rows = crate::plot::model_view::subsample(n, m);
        (
            Problem::new(d.problem.model(), d.problem.design().sample(&rows))
                .with_l2(d.problem.l2()),
            Some(m as u32),
        )
    } else {
        (d.problem.clone(), None)
    };
    let marks = match (kind, l) {
        (OptimizerKind::Gd | OptimizerKind::Momentum | OptimizerKind::Nesterov, Some(l)) => {
            vec![("1/L".to_string(), 1.0 / l), ("2/L".to_string(), 2.0 / l)]
        }
        _ => Vec::new(),
    };
    d.sweep.job = Some(SweepJob {
        problem,
        target_sst: d.dataset.target_sst,
        settings,
        start: run.trainer.start().to_vec(),
        rates,
        losses: Vec::new(),
        steps,
        sampled,
        marks,
    });
}

/// One rate's worth of the sweep (or more, within `max_rows`); true when
/// the sweep is done.
pub(super) fn advance_sweep(d: &mut Loaded, max_rows: usize) -> bool {
    let Some(job) = d.sweep.job.as_mut() else {
        return false;
    };
    let mut budget = max_rows;
    loop {
        let k = job.losses.len();
        if k >= job.rates.len() {
            break;
        }
        let config = RunConfig {
            learning_rate: job.rates[k],
            tolerance: 0.0,
            init: Init::Zeros,
            ..job.settings.config(job.rates[k], Init::Zeros)
        };
        let loss = match Trainer::new(job.problem.clone(), job.target_sst, None, config) {
            Ok(mut t) => {
                if t.set_start(&job.start).is_ok() {
                    t.run(u64::from(job.steps));
                }
                if t.status() == Status::Diverged || !t.loss().is_finite() {
                    f64::NAN
                } else {
                    t.loss()
                }
            }
            Err(_) => f64::NAN,
        };
        job.losses.push(loss);
        let cost = job.problem.rows() * (job.steps as usize + 1);
        if cost >= budget {
            break;
        }
        budget -= cost;
    }
    if job.losses.len() < job.rates.len() {
        return false;
    }
    let job = d.sweep.job.take().expect("checked above");
    d.sweep.made_for = Some((
        RunSettings {
            learning_rate: None,
            ..job.settings
        },
        job.start.clone(),
    ));
    d.sweep.result = Some(Sweep {
        steps: job.steps,
        rates: job.rates,
        losses: job.losses,
        marks: job.marks,
        sampled_rows: job.sampled,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn momentum_rate_matches_distill_at_the_optimum() {
        let eig = [1.0, 100.0];
        let m = momentum_optimum(&eig).unwrap();
        let config = RunConfig {
            learning_rate: m.learning_rate,
            optimizer: crate::optim::OptimizerConfig {
                kind: OptimizerKind::Momentum,
                momentum: m.momentum,
                ..Default::default()
            },
            ..Default::default()
        };
        let r = predicted_rate(&config, &eig, 10).unwrap().sqrt();
        assert!((r - m.rate).abs() < 1e-6, "{r} vs {}", m.rate);
        let gd = RunConfig {
            learning_rate: m.gd_learning_rate,
            ..Default::default()
        };
        let rg = predicted_rate(&gd, &eig, 10).unwrap().sqrt();
        assert!((rg - m.gd_rate).abs() < 1e-12);
    }
}
