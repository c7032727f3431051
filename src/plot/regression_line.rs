//! One-feature regression: the data as points, the current fit as a line
//! and, faintly, the optimum's line.

use plotters::prelude::*;

use super::model_view::{PointMarks, FLAG};
use super::style::{self, Style};
use super::{Axes, ModelViewInfo, PlotError};
use crate::format::compact;

/// Draws the points `(x[i], y[i])`, the current model `fitted` and the
/// optional `optimum` ghost line.
pub fn draw_regression_line<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    y: &[f64],
    axes: Axes<'_>,
    fitted: &dyn Fn(f64) -> f64,
    optimum: Option<&dyn Fn(f64) -> f64>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    draw_regression_line_marked(
        backend,
        x,
        y,
        axes,
        fitted,
        optimum,
        &PointMarks::default(),
        style,
    )
}

/// [`draw_regression_line`] with per-point sizes and rings (`marks`).
#[allow(clippy::too_many_arguments)]
pub fn draw_regression_line_marked<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    y: &[f64],
    axes: Axes<'_>,
    fitted: &dyn Fn(f64) -> f64,
    optimum: Option<&dyn Fn(f64) -> f64>,
    marks: &PointMarks<'_>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let root = backend.into_drawing_area();
    let n = x.len().min(y.len());
    let x_range = style::padded_range(x[..n].iter().copied(), 0.05);
    let y_range = style::padded_range(y[..n].iter().copied(), 0.08);
    let fmt = |v: &f64| compact(*v);
    let mut chart = style::frame(
        &root,
        &style,
        x_range.clone(),
        y_range.clone(),
        axes.x,
        axes.y,
        &fmt,
    )?;

    let points: Vec<(usize, (f64, f64))> = x[..n]
        .iter()
        .zip(&y[..n])
        .map(|(&a, &b)| (a, b))
        .enumerate()
        .filter(|(_, (a, b))| a.is_finite() && b.is_finite())
        .collect();
    let radius = style.px(if points.len() > 500 { 2.0 } else { 3.0 });
    chart.draw_series(
        points.iter().map(|&(i, p)| {
            Circle::new(p, marks.radius(i, radius), style::POINT.mix(0.55).filled())
        }),
    )?;
    let ring = style.stroke(FLAG, 1.5);
    let flagged: Vec<_> = points
        .iter()
        .filter(|(i, _)| marks.is_flagged(*i))
        .map(|&(i, p)| Circle::new(p, marks.radius(i, radius) + style.px(2.0), ring))
        .collect();
    let flagged_count = flagged.len();
    chart.draw_series(flagged)?;

    let (curves, ghost) = style::draw_fit_and_ghost(
        &mut chart,
        &style,
        fitted,
        optimum,
        &x_range,
        &y_range,
        64,
        style::FIT,
    )?;
    root.present()?;
    Ok(ModelViewInfo {
        points: points.len(),
        curves,
        ghost,
        flagged: flagged_count,
        ..ModelViewInfo::default()
    })
}
