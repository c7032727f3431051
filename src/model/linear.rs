//! Linear regression: y = w·x + b, mean squared error.

/// Per-example squared error and its derivative with respect to the
/// prediction z: ℓ = (t − z)², ∂ℓ/∂z = 2(z − t).
///
/// The mean over examples is the loss L = (1/n) Σ (t − y)², and by the chain
/// rule ∂L/∂w = (2/n) Σ (y − t)·x, ∂L/∂b = (2/n) Σ (y − t).
#[inline(always)]
pub fn squared_error(z: f64, t: f64) -> (f64, f64) {
    let r = z - t;
    (r * r, 2.0 * r)
}
