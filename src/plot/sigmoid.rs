//! One-feature logistic regression: the 0/1 labels as points, the
//! predicted probability as a sigmoid curve and the 0.5 threshold.

use plotters::prelude::*;

use super::model_view::{PointMarks, FLAG};
use super::style::{self, Style};
use super::{Axes, ModelViewInfo, PlotError};
use crate::format::compact;

/// Draws the labelled points `(x[i], class[i])` (class 0 or 1, slightly
/// jittered so that stacked points stay visible), the probability curve
/// `probability`, the optional `optimum` curve and the 0.5 threshold.
pub fn draw_sigmoid<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    class: &[f64],
    axes: Axes<'_>,
    probability: &dyn Fn(f64) -> f64,
    optimum: Option<&dyn Fn(f64) -> f64>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    draw_sigmoid_marked(
        backend,
        x,
        class,
        axes,
        probability,
        optimum,
        &PointMarks::default(),
        style,
    )
}

/// [`draw_sigmoid`] with per-point sizes and rings (`marks`).
#[allow(clippy::too_many_arguments)]
pub fn draw_sigmoid_marked<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    class: &[f64],
    axes: Axes<'_>,
    probability: &dyn Fn(f64) -> f64,
    optimum: Option<&dyn Fn(f64) -> f64>,
    marks: &PointMarks<'_>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let root = backend.into_drawing_area();
    let n = x.len().min(class.len());
    let x_range = style::padded_range(x[..n].iter().copied(), 0.05);
    let y_range = -0.1..1.1;
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

    let dash = style.px(6.0);
    chart.draw_series(DashedLineSeries::new(
        [(x_range.start, 0.5), (x_range.end, 0.5)],
        dash,
        dash,
        style.stroke(style::AXIS.mix(0.6), 1.0),
    ))?;

    let (curves, ghost) = style::draw_fit_and_ghost(
        &mut chart,
        &style,
        probability,
        optimum,
        &x_range,
        &y_range,
        160,
        style::PRIMARY,
    )?;

    let radius = style.px(if n > 500 { 2.0 } else { 3.5 });
    let ring = style.stroke(FLAG, 1.5);
    let mut points = 0;
    let mut flagged = 0;
    let mut discs = Vec::with_capacity(n);
    let mut rings = Vec::new();
    for (i, (&a, &c)) in x[..n].iter().zip(&class[..n]).enumerate() {
        if !a.is_finite() || !c.is_finite() {
            continue;
        }
        let positive = c >= 0.5;
        let jitter = jitter(i) * 0.06;
        let yy = if positive { 1.0 - jitter } else { jitter };
        let color = if positive {
            style::POSITIVE
        } else {
            style::NEGATIVE
        };
        let r = marks.radius(i, radius);
        discs.push(Circle::new((a, yy), r, color.mix(0.7).filled()));
        if marks.is_flagged(i) {
            rings.push(Circle::new((a, yy), r + style.px(2.0), ring));
            flagged += 1;
        }
        points += 1;
    }
    chart.draw_series(discs)?;
    chart.draw_series(rings)?;
    root.present()?;
    Ok(ModelViewInfo {
        points,
        curves,
        ghost,
        flagged,
        ..ModelViewInfo::default()
    })
}

/// A deterministic value in [-1, 1] for point `i`.
pub(crate) fn jitter(i: usize) -> f64 {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    (h as f64 / (1u64 << 24) as f64) * 2.0 - 1.0
}
