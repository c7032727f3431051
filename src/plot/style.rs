//! Shared look of every plot: colours, sizes scaled by the device pixel
//! ratio, axis ranges, the common chart frame and geometric helpers.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::PlotError;
use crate::format::compact;

/// Chart background.
pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
/// Axis lines and tick labels.
pub const AXIS: RGBColor = RGBColor(71, 85, 105);
/// Major grid lines.
pub const GRID: RGBColor = RGBColor(226, 232, 240);
/// Minor grid lines.
pub const GRID_LIGHT: RGBColor = RGBColor(241, 245, 249);
/// The loss curve and the current model.
pub const PRIMARY: RGBColor = RGBColor(37, 99, 235);
/// The fitted line / curve in the model view.
pub const FIT: RGBColor = RGBColor(220, 38, 38);
/// Reference values (the optimum).
pub const REFERENCE: RGBColor = RGBColor(217, 119, 6);
/// Neutral data points.
pub const POINT: RGBColor = RGBColor(51, 65, 85);
/// Class 0 (negative).
pub const NEGATIVE: RGBColor = RGBColor(37, 99, 235);
/// Class 1 (positive).
pub const POSITIVE: RGBColor = RGBColor(220, 38, 38);
/// Warnings drawn inside a plot.
pub const WARNING: RGBColor = RGBColor(185, 28, 28);

/// Size settings shared by all plots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Device pixel ratio: fonts, lines and markers are multiplied by it so
    /// that a canvas sized `css × dpr` looks the same on every screen.
    pub scale: f64,
}

impl Default for Style {
    fn default() -> Self {
        Self { scale: 1.0 }
    }
}

impl Style {
    /// A style for the given device pixel ratio (clamped to 0.5..=4).
    pub fn new(scale: f64) -> Self {
        let scale = if scale.is_finite() {
            scale.clamp(0.5, 4.0)
        } else {
            1.0
        };
        Self { scale }
    }

    /// `v` CSS pixels in device pixels.
    pub fn px(&self, v: f64) -> u32 {
        (v * self.scale).round().max(1.0) as u32
    }

    /// A sans-serif font of `size` CSS pixels.
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.scale).into_font().color(&AXIS)
    }

    /// A stroke of `width` CSS pixels.
    pub fn stroke(&self, color: impl Color, width: f64) -> ShapeStyle {
        color.stroke_width(self.px(width))
    }
}

/// The chart type every plot uses.
pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Clears the area and builds a chart frame with labelled axes.
pub fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    style: &Style,
    x: Range<f64>,
    y: Range<f64>,
    x_desc: &str,
    y_desc: &str,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, DB>, PlotError> {
    let x_format = |v: &f64| compact(*v);
    frame_with(root, style, x, y, (x_desc, y_desc), &x_format, y_format)
}

/// [`frame`] with a custom formatter for the horizontal axis labels.
pub fn frame_with<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    style: &Style,
    x: Range<f64>,
    y: Range<f64>,
    (x_desc, y_desc): (&str, &str),
    x_format: &dyn Fn(&f64) -> String,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, DB>, PlotError> {
    root.fill(&BACKGROUND)?;
    let mut chart = ChartBuilder::on(root)
        .margin_top(style.px(12.0))
        .margin_right(style.px(16.0))
        .margin_left(style.px(6.0))
        .margin_bottom(style.px(4.0))
        .x_label_area_size(style.px(40.0))
        .y_label_area_size(style.px(62.0))
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .label_style(style.font(12.0))
        .axis_desc_style(style.font(13.0))
        .axis_style(style.stroke(AXIS, 1.0))
        .bold_line_style(style.stroke(GRID, 1.0))
        .light_line_style(style.stroke(GRID_LIGHT, 1.0))
        .max_light_lines(1)
        .set_all_tick_mark_size(style.px(4.0))
        .draw()?;
    Ok(chart)
}

/// Padded `[min, max]` of the finite values, never empty: a single value
/// or no value at all still gives a usable range.
pub fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> Range<f64> {
    let (lo, hi) = finite_bounds(values).unwrap_or((0.0, 1.0));
    widen(lo, hi, pad)
}

/// `[min, max]` of the finite values, or `None` when there is none.
pub fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Pads `[lo, hi]` by `pad` of its width (or by a unit-ish amount when
/// the width is zero) and keeps it inside the range plotters can map.
pub fn widen(lo: f64, hi: f64, pad: f64) -> Range<f64> {
    const LIMIT: f64 = 1e300;
    let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    let width = hi - lo;
    if !(width.is_finite() && width > 0.0) || width < 1e-12 * lo.abs().max(hi.abs()) {
        let half = if lo.abs() > 1e-12 {
            lo.abs() * 0.1
        } else {
            1.0
        };
        return (lo - half)..(hi + half);
    }
    (lo - width * pad)..(hi + width * pad)
}

/// Clips the segment `a`–`b` to the rectangle `x × y` (Liang–Barsky).
pub fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    x: &Range<f64>,
    y: &Range<f64>,
) -> Option<((f64, f64), (f64, f64))> {
    if ![a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite()) {
        return None;
    }
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    let checks = [
        (-dx, a.0 - x.start),
        (dx, x.end - a.0),
        (-dy, a.1 - y.start),
        (dy, y.end - a.1),
    ];
    for (p, q) in checks {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// Draws the model's curve `fitted` (solid, in `colour`) and, when known,
/// the optimum's curve as a faint dashed "ghost", each sampled at `samples`
/// points and split where it leaves the plot. Returns (curves, ghost pieces).
#[allow(clippy::too_many_arguments)]
pub fn draw_fit_and_ghost<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    style: &Style,
    fitted: &dyn Fn(f64) -> f64,
    optimum: Option<&dyn Fn(f64) -> f64>,
    x: &Range<f64>,
    y: &Range<f64>,
    samples: usize,
    colour: RGBColor,
) -> Result<(usize, usize), PlotError> {
    let mut ghost = 0;
    if let Some(optimum) = optimum {
        let dash = style.px(5.0);
        for piece in sampled_curve(optimum, x, y, samples) {
            chart.draw_series(DashedLineSeries::new(
                piece,
                dash,
                dash,
                style.stroke(REFERENCE.mix(0.7), 1.5),
            ))?;
            ghost += 1;
        }
    }
    let mut curves = ghost;
    for piece in sampled_curve(fitted, x, y, samples) {
        chart.draw_series(LineSeries::new(piece, style.stroke(colour, 2.5)))?;
        curves += 1;
    }
    Ok((curves, ghost))
}

/// Samples `f` on `n` points across `x` and returns the visible pieces of
/// the curve, clipped to `x × y`; non-finite values break the curve.
pub fn sampled_curve(
    f: &dyn Fn(f64) -> f64,
    x: &Range<f64>,
    y: &Range<f64>,
    n: usize,
) -> Vec<Vec<(f64, f64)>> {
    let n = n.max(2);
    let points: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let t = x.start + (x.end - x.start) * i as f64 / (n - 1) as f64;
            (t, f(t))
        })
        .collect();
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        match clip_segment(pair[0], pair[1], x, y) {
            Some((p, q)) => {
                if current.last() != Some(&p) {
                    if current.len() > 1 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(p);
                }
                current.push(q);
            }
            None => {
                if current.len() > 1 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() > 1 {
        pieces.push(current);
    }
    pieces
}

/// Linear interpolation between two colours, `t` in `[0, 1]`.
pub fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let lerp = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// The diverging blue ↔ white ↔ red scale used by heatmaps, `t` in `[0, 1]`.
pub fn diverging(t: f64) -> RGBColor {
    const LOW: RGBColor = RGBColor(96, 150, 240);
    const MID: RGBColor = RGBColor(248, 250, 252);
    const HIGH: RGBColor = RGBColor(240, 110, 110);
    if !t.is_finite() {
        return RGBColor(200, 200, 200);
    }
    if t < 0.5 {
        mix(LOW, MID, t * 2.0)
    } else {
        mix(MID, HIGH, (t - 0.5) * 2.0)
    }
}

/// A darker, more saturated version of [`diverging`] for markers drawn on
/// top of the heatmap.
pub fn diverging_dark(t: f64) -> RGBColor {
    const LOW: RGBColor = RGBColor(29, 78, 216);
    const MID: RGBColor = RGBColor(100, 116, 139);
    const HIGH: RGBColor = RGBColor(185, 28, 28);
    if !t.is_finite() {
        return MID;
    }
    if t < 0.5 {
        mix(LOW, MID, t * 2.0)
    } else {
        mix(MID, HIGH, (t - 0.5) * 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_empty() {
        let r = padded_range([f64::NAN, 3.0, 3.0], 0.05);
        assert!(r.start < 3.0 && r.end > 3.0);
        let r = padded_range(std::iter::empty(), 0.05);
        assert!(r.start < r.end);
        let r = padded_range([0.0, 10.0], 0.1);
        assert_eq!(r, -1.0..11.0);
    }

    #[test]
    fn clipping() {
        let x = 0.0..1.0;
        let y = 0.0..1.0;
        let (p, q) = clip_segment((-1.0, 0.5), (2.0, 0.5), &x, &y).unwrap();
        assert_eq!(p, (0.0, 0.5));
        assert_eq!(q, (1.0, 0.5));
        assert!(clip_segment((-1.0, 2.0), (2.0, 2.0), &x, &y).is_none());
        assert!(clip_segment((0.0, f64::NAN), (1.0, 0.0), &x, &y).is_none());
    }

    #[test]
    fn curve_breaks_outside_range() {
        let pieces = sampled_curve(
            &|t| if t < 0.5 { t } else { 5.0 },
            &(0.0..1.0),
            &(0.0..1.0),
            11,
        );
        assert_eq!(pieces.len(), 1);
        assert!(pieces[0].iter().all(|p| p.0 <= 0.5));
    }
}
