//! Checking the analytic gradient against central differences.

use super::problem::Objective;
use serde::Serialize;

/// One parameter's analytic and numerical derivative.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientCheck {
    /// Parameter name: `w1`…`wd` or `b`.
    pub parameter: String,
    /// ∂L/∂θ from the formula.
    pub analytic: f64,
    /// (L(θ + h) − L(θ − h)) / 2h.
    pub numerical: f64,
    /// |analytic − numerical| / max(|analytic|, |numerical|, 1e-8): relative,
    /// with a floor so that two near-zero values do not look far apart.
    pub relative_error: f64,
}

/// Compares each partial derivative at (w, b) with its central-difference
/// estimate (f(θ + h) − f(θ − h)) / 2h, holding the other parameters still.
pub fn gradient_check<P: Objective>(problem: &P, w: &[f64], b: f64, h: f64) -> Vec<GradientCheck> {
    let mut grad_w = vec![0.0; w.len()];
    let (_, grad_b) = problem.loss_and_gradient(w, b, &mut grad_w);
    let mut probe = w.to_vec();
    let mut out = Vec::with_capacity(w.len() + 1);
    for j in 0..w.len() {
        probe[j] = w[j] + h;
        let up = problem.loss(&probe, b);
        probe[j] = w[j] - h;
        let down = problem.loss(&probe, b);
        probe[j] = w[j];
        out.push(entry(
            format!("w{}", j + 1),
            grad_w[j],
            (up - down) / (2.0 * h),
        ));
    }
    let numerical_b = (problem.loss(w, b + h) - problem.loss(w, b - h)) / (2.0 * h);
    out.push(entry("b".into(), grad_b, numerical_b));
    out
}

fn entry(parameter: String, analytic: f64, numerical: f64) -> GradientCheck {
    let scale = analytic.abs().max(numerical.abs()).max(1e-8);
    GradientCheck {
        parameter,
        analytic,
        numerical,
        relative_error: (analytic - numerical).abs() / scale,
    }
}
