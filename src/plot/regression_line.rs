//! One-feature regression: the data as points, the current fit as a line
//! and, faintly, the optimum's line.

use plotters::prelude::*;

use super::format::compact;
use super::style::{self, Style};
use super::{Axes, ModelViewInfo, PlotError};

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

    let points: Vec<(f64, f64)> = x[..n]
        .iter()
        .zip(&y[..n])
        .map(|(&a, &b)| (a, b))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let radius = style.px(if points.len() > 500 { 2.0 } else { 3.0 });
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, radius, style::POINT.mix(0.55).filled())),
    )?;

    let mut curves = 0;
    if let Some(optimum) = optimum {
        for piece in style::sampled_curve(optimum, &x_range, &y_range, 64) {
            let dash = style.px(5.0);
            chart.draw_series(DashedLineSeries::new(
                piece,
                dash,
                dash,
                style.stroke(style::REFERENCE.mix(0.7), 1.5),
            ))?;
            curves += 1;
        }
    }
    for piece in style::sampled_curve(fitted, &x_range, &y_range, 64) {
        chart.draw_series(LineSeries::new(piece, style.stroke(style::FIT, 2.5)))?;
        curves += 1;
    }
    root.present()?;
    Ok(ModelViewInfo {
        points: points.len(),
        curves,
        ..ModelViewInfo::default()
    })
}
