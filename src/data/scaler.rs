//! Z-score standardization, and mapping parameters between standardized and
//! original units.

use super::Matrix;

/// Per-feature mean and population standard deviation (ddof = 0).
///
/// Standardizing maps `z = (x − mean) / std`. A model `y = w·z + b` on
/// standardized data is the model `y = (w/std)·x + (b − Σ w·mean/std)` on the
/// original data, which is how every reported parameter gets back to the
/// units a person knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Scaler {
    mean: Vec<f64>,
    std: Vec<f64>,
}

impl Scaler {
    /// The scaler that changes nothing (mean 0, std 1).
    pub fn identity(cols: usize) -> Self {
        Self {
            mean: vec![0.0; cols],
            std: vec![1.0; cols],
        }
    }

    /// Fits mean and population std per column. A column whose std is zero
    /// (or not finite) keeps std 1 so that transforming never divides by zero;
    /// the dataset rejects constant feature columns before it gets here.
    pub fn fit(x: &Matrix) -> Self {
        let (n, d) = (x.rows(), x.cols());
        let mut mean = vec![0.0; d];
        if n == 0 {
            return Self::identity(d);
        }
        for row in x.row_iter() {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        // Two-pass variance: stable for columns with a large offset.
        let mut var = vec![0.0; d];
        for row in x.row_iter() {
            for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        let std = var
            .iter()
            .map(|s| (s / n as f64).sqrt())
            .map(|s| if s > 0.0 && s.is_finite() { s } else { 1.0 })
            .collect();
        Self { mean, std }
    }

    /// A scaler from per-feature means and standard deviations computed
    /// elsewhere (e.g. a fit spread over many calls). Panics if the lengths
    /// differ; every std should be positive and finite.
    pub fn from_mean_std(mean: Vec<f64>, std: Vec<f64>) -> Self {
        assert_eq!(mean.len(), std.len(), "one mean and one std per feature");
        Self { mean, std }
    }

    /// Per-feature means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Per-feature population standard deviations.
    pub fn std(&self) -> &[f64] {
        &self.std
    }

    /// A standardized copy of `x`.
    pub fn transform(&self, x: &Matrix) -> Matrix {
        let mut out = x.clone();
        let d = x.cols().max(1);
        for row in out.as_mut_slice().chunks_exact_mut(d) {
            self.transform_row_in_place(row);
        }
        out
    }

    /// Standardizes one row of features in place.
    pub fn transform_row_in_place(&self, row: &mut [f64]) {
        for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = (*v - m) / s;
        }
    }

    /// Weights and bias of a standardized-data model, in original units.
    pub fn to_original(&self, weights: &[f64], bias: f64) -> (Vec<f64>, f64) {
        let w: Vec<f64> = weights.iter().zip(&self.std).map(|(w, s)| w / s).collect();
        let b = bias - w.iter().zip(&self.mean).map(|(w, m)| w * m).sum::<f64>();
        (w, b)
    }

    /// Weights and bias of an original-units model, in standardized units.
    pub fn to_standardized(&self, weights: &[f64], bias: f64) -> (Vec<f64>, f64) {
        let b = bias
            + weights
                .iter()
                .zip(&self.mean)
                .map(|(w, m)| w * m)
                .sum::<f64>();
        let w = weights.iter().zip(&self.std).map(|(w, s)| w * s).collect();
        (w, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Matrix {
        Matrix::from_rows(&[vec![1.0, 10.0], vec![2.0, 20.0], vec![3.0, 60.0]]).unwrap()
    }

    #[test]
    fn standardized_columns_have_zero_mean_unit_population_std() {
        let x = sample();
        let z = Scaler::fit(&x).transform(&x);
        for j in 0..2 {
            let c = z.column(j);
            let mean = c.iter().sum::<f64>() / 3.0;
            let var = c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 3.0;
            assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn parameters_round_trip_between_units() {
        let s = Scaler::fit(&sample());
        let (w, b) = s.to_original(&[0.5, -2.0], 3.0);
        let (w2, b2) = s.to_standardized(&w, b);
        assert!((w2[0] - 0.5).abs() < 1e-12 && (w2[1] + 2.0).abs() < 1e-12);
        assert!((b2 - 3.0).abs() < 1e-12);
    }

    #[test]
    fn constant_column_never_divides_by_zero() {
        let x = Matrix::from_rows(&[vec![4.0], vec![4.0]]).unwrap();
        let z = Scaler::fit(&x).transform(&x);
        assert!(z.as_slice().iter().all(|v| v.is_finite()));
    }
}
