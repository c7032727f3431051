//! Checking the analytic gradient against central differences, with a step
//! and a tolerance chosen per parameter so that round-off on large losses
//! and near-zero gradients never raises a false alarm.
//!
//! For parameter j, with h = ∛ε · max(|θⱼ|, sⱼ) (sⱼ the parameter's natural
//! scale: how far it moves before the loss changes by its own size):
//!
//! * D₁ = (L(θ + h) − L(θ − h)) / 2h is the central difference shown;
//! * D₂ = (L(θ + 2h) − L(θ − 2h)) / 4h estimates its truncation error as
//!   |D₁ − D₂| / 3 (Richardson: the error grows as h²);
//! * its round-off error is about 8ε·(|L(θ + h)| + |L(θ − h)|) / 2h.
//!
//! The analytic value agrees when it is within 3 × (truncation + round-off)
//! of D₁, plus 10⁻⁶ of the larger of the two values and 10⁻⁸ of the whole
//! gradient's norm (a component of a near-zero gradient is only ever known
//! to that share of the rest).

use serde::Serialize;

use super::kernel::RowSet;
use super::objective::Objective;

/// One parameter's check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientCheckRow {
    /// Index in θ.
    pub index: usize,
    /// ∂L/∂θⱼ from the formula.
    pub analytic: f64,
    /// The central difference D₁.
    pub numerical: f64,
    /// The step h used.
    pub step: f64,
    /// |analytic − numerical|.
    pub difference: f64,
    /// The largest difference that counts as agreement.
    pub tolerance: f64,
    /// |analytic − numerical| / max(|analytic|, |numerical|), when either is
    /// non-zero.
    pub relative_error: Option<f64>,
    /// difference ≤ tolerance.
    pub agrees: bool,
}

/// The check of every parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientCheck {
    /// One row per entry of θ.
    pub rows: Vec<GradientCheckRow>,
    /// ‖∇L‖ at θ.
    pub gradient_norm: f64,
    /// L at θ.
    pub loss: f64,
    /// Whether every row agrees.
    pub all_agree: bool,
}

/// ∛ε for f64: the step that balances truncation (∝ h²) against round-off
/// (∝ ε/h) in a central difference.
const CBRT_EPS: f64 = 6.055_454_452_393_343e-6;

/// Checks ∂L/∂θⱼ at θ for every j. `scales[j]` is parameter j's natural
/// scale (e.g. √(|L| / Hⱼⱼ)); non-positive or non-finite entries mean 1.
pub fn gradient_check<O: Objective>(objective: &O, theta: &[f64], scales: &[f64]) -> GradientCheck {
    let p = theta.len();
    let mut grad = vec![0.0; p];
    let at = objective.evaluate(theta, RowSet::All, Some(&mut grad));
    let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
    let mut probe = theta.to_vec();
    let loss_at = |j: usize, v: f64, probe: &mut Vec<f64>| {
        probe[j] = v;
        let l = objective.evaluate(probe, RowSet::All, None).loss;
        probe[j] = theta[j];
        l
    };
    let rows: Vec<GradientCheckRow> = (0..p)
        .map(|j| {
            let scale = scales
                .get(j)
                .copied()
                .filter(|s| s.is_finite() && *s > 0.0)
                .unwrap_or(1.0);
            let h = CBRT_EPS * theta[j].abs().max(scale);
            let (up, down) = (
                loss_at(j, theta[j] + h, &mut probe),
                loss_at(j, theta[j] - h, &mut probe),
            );
            let (up2, down2) = (
                loss_at(j, theta[j] + 2.0 * h, &mut probe),
                loss_at(j, theta[j] - 2.0 * h, &mut probe),
            );
            let d1 = (up - down) / (2.0 * h);
            let d2 = (up2 - down2) / (4.0 * h);
            let truncation = (d1 - d2).abs() / 3.0;
            let round_off = 8.0 * f64::EPSILON * (up.abs() + down.abs()) / (2.0 * h);
            let analytic = grad[j];
            let difference = (analytic - d1).abs();
            let tolerance =
                3.0 * (truncation + round_off) + 1e-6 * analytic.abs().max(d1.abs()) + 1e-8 * norm;
            let larger = analytic.abs().max(d1.abs());
            GradientCheckRow {
                index: j,
                analytic,
                numerical: d1,
                step: h,
                difference,
                tolerance,
                relative_error: (larger > 0.0 && larger.is_finite()).then(|| difference / larger),
                agrees: difference.is_finite() && tolerance.is_finite() && difference <= tolerance,
            }
        })
        .collect();
    GradientCheck {
        all_agree: rows.iter().all(|r| r.agrees),
        rows,
        gradient_norm: norm,
        loss: at.loss,
    }
}
