//! One-feature regression: the data as points, the current fit as a line
//! and, faintly, the lines of the optimum, the other runs and the Newton
//! step.

use std::ops::Range;

use plotters::prelude::*;

use super::model_view::{PointMarks, FLAG};
use super::style::{self, Curve, Style};
use super::{Axes, ModelViewInfo, PlotError};

/// How far past the data's range the y axis may grow to show the current
/// line, in data spans ("within reason": a wild line does not squash the
/// points to a stripe).
const REACH: f64 = 3.0;

/// The y range of the data widened to show `fit` over `x`, within
/// [`REACH`] data spans.
pub fn range_with_fit(
    data: Option<(f64, f64)>,
    fit: &dyn Fn(f64) -> f64,
    x: &Range<f64>,
    pad: f64,
) -> Range<f64> {
    let fitted = style::finite_bounds(
        (0..=16).map(|i| fit(x.start + (x.end - x.start) * f64::from(i) / 16.0)),
    );
    let (lo, hi) = match (data, fitted) {
        (Some((lo, hi)), Some((flo, fhi))) => {
            let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
            (
                lo.min(flo.max(lo - REACH * span)),
                hi.max(fhi.min(hi + REACH * span)),
            )
        }
        (Some(d), None) => d,
        (None, Some(f)) => f,
        (None, None) => (0.0, 1.0),
    };
    style::widen(lo, hi, pad)
}

/// Draws the points `(x[i], y[i])`, the `ghosts` (under) and the current
/// model `fit` (on top); the y axis grows to show the fit.
#[allow(clippy::too_many_arguments)]
pub fn draw_regression_line<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    y: &[f64],
    axes: Axes<'_>,
    fit: &Curve<'_>,
    ghosts: &[Curve<'_>],
    marks: &PointMarks<'_>,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let root = backend.into_drawing_area();
    let n = x.len().min(y.len());
    let x_range = style::padded_range(x[..n].iter().copied(), 0.05);
    let data = style::finite_bounds(
        x[..n]
            .iter()
            .zip(&y[..n])
            .filter(|(a, _)| a.is_finite())
            .map(|(_, b)| *b),
    );
    let y_range = range_with_fit(data, fit.f, &x_range, 0.08);
    let mut chart = style::frame(
        &root,
        &style,
        x_range.clone(),
        y_range.clone(),
        axes.x,
        axes.y,
    )?;

    let points: Vec<(usize, (f64, f64))> = x[..n]
        .iter()
        .zip(&y[..n])
        .map(|(&a, &b)| (a, b))
        .enumerate()
        .filter(|(_, p)| style::inside(*p, &x_range, &y_range))
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

    // Linear models: two samples draw the exact line (more only add
    // pixel-rounding kinks).
    let mut pieces = Vec::with_capacity(ghosts.len());
    for g in ghosts {
        pieces.push(style::draw_curve(
            &mut chart, &style, g, &x_range, &y_range, 2,
        )?);
    }
    let curves = style::draw_curve(&mut chart, &style, fit, &x_range, &y_range, 2)?;
    if curves == 0 {
        off_chart_note(&root, &style, "the current line is off the chart")?;
    }
    root.present()?;
    Ok(ModelViewInfo {
        points: points.len(),
        curves,
        ghosts: pieces,
        flagged: flagged_count,
        off_chart: n - points.len(),
        fit_visible: curves > 0,
        ..ModelViewInfo::default()
    })
}

/// A one-line note at the top left of a model view.
pub(crate) fn off_chart_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    style: &Style,
    text: &str,
) -> Result<(), PlotError> {
    root.draw(&Text::new(
        text.to_string(),
        (style.px(76.0) as i32, style.px(16.0) as i32),
        style.font(12.0).color(&style::WARNING),
    ))?;
    Ok(())
}
