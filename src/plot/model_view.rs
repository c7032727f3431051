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
