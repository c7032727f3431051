//! The plots, drawn with plotters onto any `DrawingBackend`: an SVG string
//! in native tests, an HTML canvas in the browser (see `crate::web`).
//!
//! Every function takes plain data (slices and closures) and a [`Style`]
//! whose `scale` is the device pixel ratio.

pub mod heatmap;
pub mod landscape;
pub mod loss_curve;
pub mod model_view;
pub mod painter;
pub mod predicted_actual;
pub mod regression_line;
pub mod sigmoid;
pub mod style;

use std::fmt;

use plotters::drawing::DrawingAreaErrorKind;

pub use heatmap::{draw_heatmap, HeatmapOptions, Shading};
pub use landscape::{draw_landscape, Landscape, LandscapeInfo, LandscapeScene, PlotMapping};
pub use loss_curve::{draw_loss_curve, LossCurveInfo, LossCurveOptions};
pub use model_view::{relative_magnitudes, subsample, PointMarks, ViewKind};
pub use predicted_actual::draw_predicted_actual;
pub use regression_line::draw_regression_line;
pub use sigmoid::draw_sigmoid;
pub use style::Style;

/// Drawing failed (a backend error, e.g. a lost canvas context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not draw the plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Self(e.to_string())
    }
}

/// Axis titles (usually column names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axes<'a> {
    /// Horizontal axis title.
    pub x: &'a str,
    /// Vertical axis title.
    pub y: &'a str,
}

/// What a model view drew, for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModelViewInfo {
    /// Data points drawn.
    pub points: usize,
    /// Curves or lines drawn (pieces of the model's curve, the boundary).
    pub curves: usize,
    /// Heatmap rectangles drawn (after merging equal neighbours).
    pub cell_rects: usize,
    /// Segments of the decision boundary.
    pub boundary_segments: usize,
    /// Pieces of the optimum's faint "ghost" line, curve or boundary.
    pub ghost: usize,
    /// Points drawn with the ring of [`PointMarks::flagged`].
    pub flagged: usize,
}
