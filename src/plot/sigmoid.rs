//! One-feature logistic regression: the 0/1 labels as points, the
//! predicted probability as a sigmoid curve, the 0.5 threshold and,
//! faintly, the curves of the optimum, the other runs and the Newton step.

use plotters::prelude::*;

use super::model_view::{PointMarks, FLAG};
use super::style::{self, Curve, Pen, Stroke, Style};
use super::{Axes, ModelViewInfo, PlotError};

/// Draws the labelled points `(x[i], class[i])` (class 0 or 1, slightly
/// jittered so that stacked points stay visible), the `ghosts`, the current
/// probability curve `fit` and the 0.5 threshold.
#[allow(clippy::too_many_arguments)]
pub fn draw_sigmoid<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    class: &[f64],
    axes: Axes<'_>,
    fit: &Curve<'_>,
    ghosts: &[Curve<'_>],
    marks: &PointMarks<'_>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let root = backend.into_drawing_area();
    let n = x.len().min(class.len());
    let x_range = style::padded_range(x[..n].iter().copied(), 0.05);
    let y_range = -0.1..1.1;
    let mut chart = style::frame(
        &root,
        &style,
        x_range.clone(),
        y_range.clone(),
        axes.x,
        axes.y,
    )?;

    style::draw_line(
        &mut chart,
        &style,
        vec![(x_range.start, 0.5), (x_range.end, 0.5)],
        Pen::solid(style::AXIS, 1.0).with(Stroke::Dashed).faint(0.6),
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
        discs.push(Circle::new((a, yy), r, color.mix(0.6).filled()));
        if marks.is_flagged(i) {
            rings.push(Circle::new((a, yy), r + style.px(2.0), ring));
            flagged += 1;
        }
        points += 1;
    }
    chart.draw_series(discs)?;
    chart.draw_series(rings)?;

    let mut pieces = Vec::with_capacity(ghosts.len());
    for g in ghosts {
        pieces.push(style::draw_curve(
            &mut chart, &style, g, &x_range, &y_range, 160,
        )?);
    }
    let curves = style::draw_curve(&mut chart, &style, fit, &x_range, &y_range, 160)?;
    root.present()?;
    Ok(ModelViewInfo {
        points,
        curves,
        ghosts: pieces,
        flagged,
        off_chart: n - points,
        fit_visible: curves > 0,
        ..ModelViewInfo::default()
    })
}

/// A deterministic value in [-1, 1] for point `i`.
pub(crate) fn jitter(i: usize) -> f64 {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    (h as f64 / (1u64 << 24) as f64) * 2.0 - 1.0
}
