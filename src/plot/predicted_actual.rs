//! Regression with any number of features: predicted against actual
//! target values, with the y = x line of a perfect fit and, faintly, the
//! binned mean prediction of other models (the optimum, the other runs,
//! the Newton step).

use plotters::prelude::*;

use super::regression_line::off_chart_note;
use super::style::{self, Pen, Stroke, Style};
use super::{Axes, ModelViewInfo, PlotError};

/// Bins of the ghosts' binned mean lines.
pub const BINS: usize = 24;

/// The mean of `predicted` in [`BINS`] equal bins of `actual` over its
/// finite range, as a polyline (empty bins are skipped).
pub fn binned_means(actual: &[f64], predicted: &[f64]) -> Vec<(f64, f64)> {
    let n = actual.len().min(predicted.len());
    let Some((lo, hi)) = style::finite_bounds(actual[..n].iter().copied()) else {
        return Vec::new();
    };
    let width = hi - lo;
    let mut sums = [(0.0f64, 0.0f64, 0usize); BINS];
    for (&a, &p) in actual[..n].iter().zip(&predicted[..n]) {
        if !(a.is_finite() && p.is_finite()) {
            continue;
        }
        let k = if width > 0.0 {
            (((a - lo) / width * BINS as f64) as usize).min(BINS - 1)
        } else {
            0
        };
        sums[k].0 += a;
        sums[k].1 += p;
        sums[k].2 += 1;
    }
    sums.iter()
        .filter(|s| s.2 > 0)
        .map(|s| (s.0 / s.2 as f64, s.1 / s.2 as f64))
        .collect()
}

/// Draws `(actual[i], predicted[i])` in `color`, the diagonal and the
/// `ghosts` (polylines with their pens). The y axis grows to show the
/// predictions within three spans of the actual values.
pub fn draw_predicted_actual<DB: DrawingBackend>(
    backend: DB,
    actual: &[f64],
    predicted: &[f64],
    axes: Axes<'_>,
    color: RGBColor,
    ghosts: &[(Vec<(f64, f64)>, Pen)],
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let root = backend.into_drawing_area();
    let n = actual.len().min(predicted.len());
    let x_range = style::padded_range(actual[..n].iter().copied(), 0.08);
    let data = style::finite_bounds(actual[..n].iter().copied());
    let preds = style::finite_bounds(predicted[..n].iter().copied());
    let y_range = match (data, preds) {
        (Some((lo, hi)), Some((plo, phi))) => {
            let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
            style::widen(
                lo.min(plo.max(lo - 3.0 * span)),
                hi.max(phi.min(hi + 3.0 * span)),
                0.08,
            )
        }
        _ => x_range.clone(),
    };
    let mut chart = style::frame(
        &root,
        &style,
        x_range.clone(),
        y_range.clone(),
        axes.x,
        axes.y,
    )?;

    let lo = x_range.start.max(y_range.start);
    let hi = x_range.end.min(y_range.end);
    if lo < hi {
        style::draw_line(
            &mut chart,
            &style,
            vec![(lo, lo), (hi, hi)],
            Pen::solid(style::AXIS, 1.25)
                .with(Stroke::Dashed)
                .faint(0.7),
        )?;
    }

    let points: Vec<(f64, f64)> = actual[..n]
        .iter()
        .zip(&predicted[..n])
        .map(|(&a, &p)| (a, p))
        .filter(|p| style::inside(*p, &x_range, &y_range))
        .collect();
    let radius = style.px(if points.len() > 500 { 2.0 } else { 3.0 });
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, radius, color.mix(0.55).filled())),
    )?;
    let mut pieces = Vec::with_capacity(ghosts.len());
    for (line, pen) in ghosts {
        let clipped = style::clip_polyline(line, &x_range, &y_range);
        pieces.push(clipped.len());
        for piece in clipped {
            style::draw_line(&mut chart, &style, piece, *pen)?;
        }
    }
    if points.is_empty() && n > 0 {
        off_chart_note(&root, &style, "the current predictions are off the chart")?;
    }
    root.present()?;
    Ok(ModelViewInfo {
        points: points.len(),
        curves: usize::from(lo < hi),
        ghosts: pieces,
        off_chart: n - points.len(),
        fit_visible: !points.is_empty(),
        ..ModelViewInfo::default()
    })
}
