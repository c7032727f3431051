//! The noise ball of mini-batch gradient descent.
//!
//! Near the optimum θ* the loss is the quadratic ½(θ − θ*)ᵀH(θ − θ*), and a
//! batch of B of the n rows, drawn without replacement, gives the full
//! gradient plus noise of covariance Σ_B = (n − B)/(B(n − 1)) · Σ, where Σ
//! is the covariance of the rows' own gradients at θ*. Plain SGD,
//! θ ← θ − α(H(θ − θ*) + noise), then never settles: it wanders in a cloud
//! whose covariance P solves the discrete Lyapunov equation
//! HP + PH − αHPH = αΣ_B. In H's eigenbasis (H = VΛVᵀ, S = VᵀΣ_B V) that is
//! P̃ₖₗ = α Sₖₗ / (λₖ + λₗ − αλₖλₗ), P = V P̃ Vᵀ. The cloud's RMS distance
//! from θ* is √tr P and the mean loss above L* is ½ tr(HP) = ½ Σₖ λₖ P̃ₖₖ.

use crate::model::kernel::gradient_outer;
use crate::model::Problem;
use crate::optimum::Curvature;

/// Most rows the gradient covariance is estimated from (evenly spread).
pub const NOISE_MAX_ROWS: usize = 200_000;

/// The covariance Σ of the rows' own gradients at a point (training units).
#[derive(Debug, Clone, PartialEq)]
pub struct GradientNoise {
    /// Σ, p × p row-major.
    pub covariance: Vec<f64>,
    /// Rows of the data (n, for the without-replacement factor).
    pub rows: usize,
    /// Rows Σ was estimated from (all of them, or an even sample).
    pub sampled_rows: usize,
}

/// Where plain SGD settles around θ*.
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseBall {
    /// P, the cloud's covariance, p × p row-major (training units).
    pub covariance: Vec<f64>,
    /// √tr P: the RMS distance from θ*.
    pub rms_distance: f64,
    /// ½ tr(HP): the mean loss above L*.
    pub excess_loss: f64,
}

impl GradientNoise {
    /// Σ at `theta`, from at most [`NOISE_MAX_ROWS`] rows; `None` when a
    /// sum is not finite.
    pub fn at(problem: &Problem, theta: &[f64]) -> Option<Self> {
        let design = problem.design();
        let p = design.dim() + 1;
        let sums = gradient_outer(design, theta, problem.model(), NOISE_MAX_ROWS);
        let m = sums.sums.rows.max(1) as f64;
        let mean: Vec<f64> = sums.gradient.iter().map(|g| g / m).collect();
        let covariance: Vec<f64> = (0..p * p)
            .map(|k| sums.matrix[k] / m - mean[k / p] * mean[k % p])
            .collect();
        covariance.iter().all(|v| v.is_finite()).then_some(Self {
            covariance,
            rows: design.rows(),
            sampled_rows: sums.sums.rows,
        })
    }

    /// The cloud of plain SGD with learning rate `rate` and batches of
    /// `batch` rows on the quadratic of `hessian`; `None` when the full
    /// batch is used (no noise), when the steps diverge (αλ ≥ 2) or along a
    /// flat direction (λ ≤ 0, where the cloud has no bound).
    pub fn ball(&self, hessian: &Curvature, rate: f64, batch: usize) -> Option<NoiseBall> {
        let n = self.rows;
        let p = hessian.eigenvalues.len();
        if batch == 0 || batch >= n || n < 2 || p * p != self.covariance.len() {
            return None;
        }
        if hessian.eigenvectors.len() != p * p || !(rate > 0.0 && rate.is_finite()) {
            return None;
        }
        let lam = &hessian.eigenvalues;
        let top = lam.iter().copied().fold(0.0, f64::max);
        if lam
            .iter()
            .any(|&l| l.is_nan() || l <= 1e-12 * top || rate * l >= 2.0)
        {
            return None;
        }
        let factor = (n - batch) as f64 / (batch as f64 * (n - 1) as f64);
        let v = |i: usize, k: usize| hessian.eigenvectors[i * p + k];
        // S = Vᵀ Σ_B V, then P̃, then P = V P̃ Vᵀ.
        let sigma = |i: usize, j: usize| factor * self.covariance[i * p + j];
        let mut sv = vec![0.0; p * p]; // Σ_B V
        for i in 0..p {
            for k in 0..p {
                sv[i * p + k] = (0..p).map(|j| sigma(i, j) * v(j, k)).sum();
            }
        }
        let mut pt = vec![0.0; p * p];
        for k in 0..p {
            for l in 0..p {
                let s: f64 = (0..p).map(|i| v(i, k) * sv[i * p + l]).sum();
                pt[k * p + l] = rate * s / (lam[k] + lam[l] - rate * lam[k] * lam[l]);
            }
        }
        let mut vp = vec![0.0; p * p]; // V P̃
        for i in 0..p {
            for l in 0..p {
                vp[i * p + l] = (0..p).map(|k| v(i, k) * pt[k * p + l]).sum();
            }
        }
        let mut covariance = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                covariance[i * p + j] = (0..p).map(|l| vp[i * p + l] * v(j, l)).sum();
            }
        }
        let trace: f64 = (0..p).map(|k| pt[k * p + k]).sum();
        let excess = 0.5 * (0..p).map(|k| lam[k] * pt[k * p + k]).sum::<f64>();
        (trace.is_finite() && excess.is_finite()).then(|| NoiseBall {
            covariance,
            rms_distance: trace.max(0.0).sqrt(),
            excess_loss: excess.max(0.0),
        })
    }
}
