//! Logistic regression: p = σ(w·x + b), mean binary cross-entropy, computed
//! in a form that never takes log(0) and never overflows, whatever |z| is.

/// The sigmoid σ(z) = 1 / (1 + e^(−z)), without overflow for any z.
#[inline(always)]
pub fn sigmoid(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    if z >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

/// softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)): exact for large
/// |z|, where the naive form overflows (z > 709) or rounds to 0.
#[inline(always)]
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// ln σ(z) = −softplus(−z), stable for any z.
#[inline(always)]
pub fn log_sigmoid(z: f64) -> f64 {
    -softplus(-z)
}

/// Per-example cross-entropy and its derivative with respect to z:
/// ℓ = −[t ln σ(z) + (1 − t) ln(1 − σ(z))] = softplus(z) − t·z,
/// ∂ℓ/∂z = σ(z) − t.
///
/// So the loss L = −(1/n) Σ [t ln p + (1 − t) ln(1 − p)] has
/// ∂L/∂w = (1/n) Σ (p − t)·x and ∂L/∂b = (1/n) Σ (p − t).
/// One exponential serves both the loss and the sigmoid.
#[inline(always)]
pub fn cross_entropy(z: f64, t: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let inv = 1.0 / (1.0 + e);
    let p = if z >= 0.0 { inv } else { e * inv };
    (z.max(0.0) + e.ln_1p() - t * z, p - t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_at_extreme_z() {
        for z in [-1e4, -800.0, -710.0, 0.0, 710.0, 800.0, 1e4] {
            let (l1, g1) = cross_entropy(z, 1.0);
            let (l0, g0) = cross_entropy(z, 0.0);
            assert!(
                l1.is_finite() && l0.is_finite() && g1.is_finite() && g0.is_finite(),
                "z={z}"
            );
            assert!(l1 >= 0.0 && l0 >= 0.0);
        }
        // −ln σ(−800) = 800 exactly in floating point.
        assert_eq!(cross_entropy(-800.0, 1.0).0, 800.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert_eq!(sigmoid(-800.0), 0.0);
        assert!((log_sigmoid(-800.0) + 800.0).abs() < 1e-12);
    }

    #[test]
    fn matches_naive_formula_in_safe_range() {
        for &z in &[-5.0, -0.3, 0.0, 0.7, 4.0] {
            for &t in &[0.0, 1.0] {
                let p = 1.0 / (1.0 + f64::exp(-z));
                let naive = -(t * f64::ln(p) + (1.0 - t) * f64::ln(1.0 - p));
                let (l, g) = cross_entropy(z, t);
                assert!((l - naive).abs() < 1e-12);
                assert!((g - (p - t)).abs() < 1e-12);
            }
        }
    }
}
