//! Regression with any number of features: predicted against actual
//! target values, with the y = x line of a perfect fit.

use plotters::prelude::*;

use super::style::{self, Style};
use super::{Axes, ModelViewInfo, PlotError};
use crate::format::compact;

/// Draws `(actual[i], predicted[i])` and the diagonal.
pub fn draw_predicted_actual<DB: DrawingBackend>(
    backend: DB,
    actual: &[f64],
    predicted: &[f64],
    axes: Axes<'_>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let root = backend.into_drawing_area();
    let n = actual.len().min(predicted.len());
    // Both axes share the actual values' range so that y = x is the diagonal
    // and a wild (diverged) model does not squash the data.
    let range = style::padded_range(actual[..n].iter().copied(), 0.08);
    let fmt = |v: &f64| compact(*v);
    let mut chart = style::frame(
        &root,
        &style,
        range.clone(),
        range.clone(),
        axes.x,
        axes.y,
        &fmt,
    )?;

    let dash = style.px(6.0);
    chart.draw_series(DashedLineSeries::new(
        [(range.start, range.start), (range.end, range.end)],
        dash,
        dash,
        style.stroke(style::REFERENCE, 1.5),
    ))?;

    let points: Vec<(f64, f64)> = actual[..n]
        .iter()
        .zip(&predicted[..n])
        .map(|(&a, &p)| (a, p))
        .filter(|(a, p)| range.contains(a) && range.contains(p))
        .collect();
    let radius = style.px(if points.len() > 500 { 2.0 } else { 3.0 });
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, radius, style::PRIMARY.mix(0.55).filled())),
    )?;
    root.present()?;
    Ok(ModelViewInfo {
        points: points.len(),
        curves: 1,
        ..ModelViewInfo::default()
    })
}
