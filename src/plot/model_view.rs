//! Which picture of the model fits the data, and which rows to draw.

use serde::{Deserialize, Serialize};

use crate::model::ModelKind;

/// The pictures of the model the page can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewKind {
    /// One-feature regression: points and the fitted line.
    Line,
    /// One-feature logistic regression: points and the sigmoid.
    Sigmoid,
    /// Two features at a time: probability or prediction heatmap (other
    /// features held at their means).
    Heatmap,
    /// Regression: predicted against actual target values.
    PredictedActual,
}

impl ViewKind {
    /// The views that make sense for `model` with `features` features, the
    /// default first.
    pub fn available(model: ModelKind, features: usize) -> Vec<ViewKind> {
        match (model, features) {
            (_, 0) => Vec::new(),
            (ModelKind::Linear, 1) => vec![Self::Line, Self::PredictedActual],
            (ModelKind::Logistic, 1) => vec![Self::Sigmoid],
            (ModelKind::Linear, _) => vec![Self::Heatmap, Self::PredictedActual],
            (ModelKind::Logistic, _) => vec![Self::Heatmap],
        }
    }

    /// The name used by the page (`"line"`, `"sigmoid"`, `"heatmap"`,
    /// `"predicted-actual"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Line => "line",
            Self::Sigmoid => "sigmoid",
            Self::Heatmap => "heatmap",
            Self::PredictedActual => "predicted-actual",
        }
    }

    /// Parses [`ViewKind::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Line,
            Self::Sigmoid,
            Self::Heatmap,
            Self::PredictedActual,
        ]
        .into_iter()
        .find(|v| v.name() == name)
    }
}

/// Per-point emphasis in the model view: a marker size that grows with a
/// weight (e.g. the point's share of the gradient) and a ring around
/// flagged points (e.g. misclassified ones). Indices match the points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PointMarks<'a> {
    /// Per point, in [0, 1]: 0 draws the smallest marker, 1 the largest.
    pub weight: Option<&'a [f64]>,
    /// Per point: drawn with a dark ring.
    pub flagged: Option<&'a [bool]>,
}

/// Colour of the ring around flagged points.
pub const FLAG: plotters::style::RGBColor = plotters::style::RGBColor(0, 0, 0);

impl PointMarks<'_> {
    /// The radius of point `i` for a plot whose plain markers have radius
    /// `base` (device pixels): from 0.6× to 2.5× `base` by area.
    pub fn radius(&self, i: usize, base: u32) -> u32 {
        match self.weight.and_then(|w| w.get(i)) {
            Some(&w) if w.is_finite() => {
                let factor = 0.6 + 1.9 * w.clamp(0.0, 1.0).sqrt();
                (f64::from(base) * factor).round().max(1.0) as u32
            }
            _ => base,
        }
    }

    /// Whether point `i` gets a ring.
    pub fn is_flagged(&self, i: usize) -> bool {
        self.flagged
            .and_then(|f| f.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// Whether any emphasis is asked for.
    pub fn any(&self) -> bool {
        self.weight.is_some() || self.flagged.is_some()
    }
}

/// `|v| / max |v|` over the finite values (0 for the others; all 0 when
/// every value is 0): weights for [`PointMarks`].
pub fn relative_magnitudes(values: &[f64]) -> Vec<f64> {
    let max = values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    values
        .iter()
        .map(|v| {
            if max > 0.0 && v.is_finite() {
                v.abs() / max
            } else {
                0.0
            }
        })
        .collect()
}

/// At most `max` row indices out of `rows`, evenly spread and always the
/// same for the same input, so big data sets draw quickly and stably.
pub fn subsample(rows: usize, max: usize) -> Vec<usize> {
    if rows <= max {
        return (0..rows).collect();
    }
    if max == 0 {
        return Vec::new();
    }
    (0..max)
        .map(|k| ((k as u128 * rows as u128) / max as u128) as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_by_shape() {
        assert_eq!(ViewKind::available(ModelKind::Linear, 1)[0], ViewKind::Line);
        assert_eq!(
            ViewKind::available(ModelKind::Logistic, 1),
            vec![ViewKind::Sigmoid]
        );
        assert_eq!(
            ViewKind::available(ModelKind::Logistic, 4),
            vec![ViewKind::Heatmap]
        );
        assert!(ViewKind::available(ModelKind::Linear, 3).contains(&ViewKind::PredictedActual));
        assert_eq!(
            ViewKind::from_name("predicted-actual"),
            Some(ViewKind::PredictedActual)
        );
        assert_eq!(ViewKind::from_name("nope"), None);
    }

    #[test]
    fn subsample_is_bounded_and_sorted() {
        let s = subsample(1_000_000, 2000);
        assert_eq!(s.len(), 2000);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(*s.last().unwrap() < 1_000_000);
        assert_eq!(subsample(5, 2000), vec![0, 1, 2, 3, 4]);
    }
}
