//! The plots, drawn with plotters onto any `DrawingBackend`: an SVG string
//! in native tests, an HTML canvas in the browser (see `crate::web`).
//!
//! [`painter`] draws the session's plain values ([`crate::session::view`]);
//! the modules under it take slices and closures. Every function takes a
//! [`Style`] whose `scale` is the device pixel ratio, never panics on odd
//! input (NaN, infinities, empty data) and costs what the frame's sizes
//! cost, not the data's rows.

pub mod eigen;
pub mod heatmap;
pub mod landscape;
pub mod loss_curve;
pub mod model_view;
pub mod painter;
pub mod predicted_actual;
pub mod regression_line;
pub mod schedule;
pub mod sigmoid;
pub mod style;
pub mod sweep;

use std::fmt;

use plotters::drawing::DrawingAreaErrorKind;

pub use eigen::EigenInfo;
pub use heatmap::{HeatmapOptions, Shading};
pub use landscape::{Landscape, LandscapeInfo, LandscapeScene, RunPath};
pub use loss_curve::{LossCurveInfo, LossOptions, PredictedLine};
pub use model_view::{relative_magnitudes, subsample, PointMarks, ViewKind};
pub use painter::{LegendEntry, ModelInfo, ModelOptions};
pub use schedule::ScheduleInfo;
pub use style::{PlotMapping, Style, RUN_COLORS};
pub use sweep::SweepInfo;

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

/// What a model view drew, for tests and the legend.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelViewInfo {
    /// Data points drawn.
    pub points: usize,
    /// Pieces of the current model's line or curve (or boundary lines).
    pub curves: usize,
    /// Heatmap shapes drawn: one stripe per colour level for a plane, else
    /// cell rectangles after merging equal neighbours.
    pub shading_shapes: usize,
    /// Polylines of the current model's decision boundary (or level line).
    pub boundary_lines: usize,
    /// Pieces drawn of each ghost, in the order given.
    pub ghosts: Vec<usize>,
    /// Points drawn with the ring of [`PointMarks::flagged`].
    pub flagged: usize,
    /// Points left out because they fall outside the chart.
    pub off_chart: usize,
    /// Whether the current model shows inside the chart.
    pub fit_visible: bool,
}
