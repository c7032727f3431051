//! The design matrix a model trains on: d feature columns and the target,
//! with each feature's affine transform (standardization) applied on the fly
//! by the kernel, so the data is held once, in its original units.

use std::sync::Arc;

use crate::data::column::NumericColumn;

/// Features and target of n rows, as the kernel reads them.
///
/// Training units: feature j is `(x − shift[j]) · scale[j]`, which is the
/// z-score `(x − mean) / std` when standardized (`scale = 1/std`) and `x`
/// itself otherwise (shift 0, scale 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    rows: usize,
    features: Vec<Arc<NumericColumn>>,
    target: Arc<NumericColumn>,
    shift: Vec<f64>,
    scale: Vec<f64>,
    standardized: bool,
}

impl Design {
    /// A design in original units. Panics if a column's length differs from
    /// the target's: callers build all from one dataset.
    pub fn new(features: Vec<Arc<NumericColumn>>, target: Arc<NumericColumn>) -> Self {
        let rows = target.len();
        for c in &features {
            assert_eq!(c.len(), rows, "feature and target lengths differ");
        }
        let d = features.len();
        Self {
            rows,
            features,
            target,
            shift: vec![0.0; d],
            scale: vec![1.0; d],
            standardized: false,
        }
    }

    /// The design a model trains on from a dataset: standardized with the
    /// dataset's means and standard deviations, or in original units.
    pub fn of(dataset: &crate::data::Dataset, standardize: bool) -> Self {
        let d = Self::new(dataset.features.clone(), Arc::clone(&dataset.target));
        if standardize {
            d.standardized(&dataset.mean, &dataset.std)
        } else {
            d
        }
    }

    /// The same data standardized with these means and standard deviations
    /// (each std positive and finite; the dataset refuses constant columns).
    pub fn standardized(mut self, mean: &[f64], std: &[f64]) -> Self {
        assert_eq!(mean.len(), self.features.len());
        assert_eq!(std.len(), self.features.len());
        self.shift = mean.to_vec();
        self.scale = std.iter().map(|s| 1.0 / s).collect();
        self.standardized = true;
        self
    }

    /// Number of rows n.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of features d.
    pub fn dim(&self) -> usize {
        self.features.len()
    }

    /// Whether features are standardized.
    pub fn is_standardized(&self) -> bool {
        self.standardized
    }

    /// Feature column j in original units.
    pub fn feature(&self, j: usize) -> &NumericColumn {
        &self.features[j]
    }

    /// The feature columns in original units.
    pub fn feature_columns(&self) -> &[Arc<NumericColumn>] {
        &self.features
    }

    /// The target column.
    pub fn target(&self) -> &NumericColumn {
        &self.target
    }

    /// The shared target column.
    pub fn target_column(&self) -> &Arc<NumericColumn> {
        &self.target
    }

    /// Per-feature shift (the mean when standardized, else 0).
    pub fn shift(&self) -> &[f64] {
        &self.shift
    }

    /// Per-feature scale (1/std when standardized, else 1).
    pub fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// Feature j of row i in training units.
    #[inline]
    pub fn value(&self, i: usize, j: usize) -> f64 {
        let x = self.features[j].get(i);
        if self.standardized {
            (x - self.shift[j]) * self.scale[j]
        } else {
            x
        }
    }

    /// Row i in training units, written into `out` (length d).
    pub fn row_into(&self, i: usize, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.value(i, j);
        }
    }

    /// Original-units features into training units, in place.
    pub fn to_training(&self, row: &mut [f64]) {
        if self.standardized {
            for ((v, m), s) in row.iter_mut().zip(&self.shift).zip(&self.scale) {
                *v = (*v - m) * s;
            }
        }
    }

    /// Parameters θ = (w, b) in training units → original units: with
    /// z = (x − m)·s, w·z + b = (w·s)·x + (b − Σ w·s·m).
    pub fn theta_to_original(&self, theta: &[f64]) -> Vec<f64> {
        let d = self.dim();
        let mut out = theta.to_vec();
        if self.standardized && theta.len() == d + 1 {
            let mut b = theta[d];
            for j in 0..d {
                out[j] = theta[j] * self.scale[j];
                b -= out[j] * self.shift[j];
            }
            out[d] = b;
        }
        out
    }

    /// Parameters in original units → training units (the inverse of
    /// [`Design::theta_to_original`]).
    pub fn theta_to_training(&self, theta: &[f64]) -> Vec<f64> {
        let d = self.dim();
        let mut out = theta.to_vec();
        if self.standardized && theta.len() == d + 1 {
            let mut b = theta[d];
            for j in 0..d {
                b += theta[j] * self.shift[j];
                out[j] = theta[j] / self.scale[j];
            }
            out[d] = b;
        }
        out
    }

    /// ∂L/∂θ in training units → with respect to the original-units
    /// parameters: ∂L/∂w_orig_j = ∂L/∂w_j / s_j + m_j·∂L/∂b (chain rule
    /// through w = w_orig / s, b = b_orig + Σ w_orig·m), ∂L/∂b unchanged.
    pub fn gradient_to_original(&self, grad: &[f64]) -> Vec<f64> {
        let d = self.dim();
        let mut out = grad.to_vec();
        if self.standardized && grad.len() == d + 1 {
            let gb = grad[d];
            for j in 0..d {
                out[j] = grad[j] / self.scale[j] + gb * self.shift[j];
            }
        }
        out
    }

    /// A design of the listed rows only (copied), e.g. a sample for a plot.
    /// Rows out of range are skipped.
    pub fn sample(&self, rows: &[usize]) -> Design {
        let rows: Vec<usize> = rows.iter().copied().filter(|&r| r < self.rows).collect();
        let pick = |c: &NumericColumn| {
            let mut out = NumericColumn::new();
            for &r in &rows {
                out.push(c.get(r));
            }
            Arc::new(out)
        };
        Design {
            rows: rows.len(),
            features: self.features.iter().map(|c| pick(c)).collect(),
            target: pick(&self.target),
            shift: self.shift.clone(),
            scale: self.scale.clone(),
            standardized: self.standardized,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> Design {
        let x1 = Arc::new(NumericColumn::from_slice(&[1.0, 2.0, 3.0]));
        let x2 = Arc::new(NumericColumn::from_slice(&[10.0, 20.0, 60.0]));
        let t = Arc::new(NumericColumn::from_slice(&[0.0, 1.0, 1.0]));
        Design::new(vec![x1, x2], t)
    }

    #[test]
    fn parameters_round_trip_between_units() {
        let d = design().standardized(&[2.0, 30.0], &[0.8, 21.6]);
        let theta = [0.5, -2.0, 3.0];
        let orig = d.theta_to_original(&theta);
        let back = d.theta_to_training(&orig);
        for (a, b) in back.iter().zip(theta) {
            assert!((a - b).abs() < 1e-12);
        }
        // The prediction agrees in both units.
        let mut row = [3.0, 60.0];
        let raw = orig[0] * row[0] + orig[1] * row[1] + orig[2];
        d.to_training(&mut row);
        let std = theta[0] * row[0] + theta[1] * row[1] + theta[2];
        assert!((raw - std).abs() < 1e-12);
    }

    #[test]
    fn samples_copy_rows() {
        let s = design().sample(&[2, 0, 9]);
        assert_eq!(s.rows(), 2);
        assert_eq!(s.feature(1).to_vec(), vec![60.0, 10.0]);
    }
}
