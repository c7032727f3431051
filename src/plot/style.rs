//! Shared look of every plot: colours, sizes scaled by the device pixel
//! ratio, axis ranges, the common chart frame and geometric helpers.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::CoordTranslate;
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

/// The colours of runs 1 to 6 (run i is drawn in colour i everywhere: the
/// loss curves, the landscape paths, the model ghosts, the page's table).
/// Orange stays free for the optimum and blue/red-ish pairs for classes.
pub const RUN_COLORS: [RGBColor; 6] = [
    RGBColor(37, 99, 235),
    RGBColor(219, 39, 119),
    RGBColor(22, 163, 74),
    RGBColor(124, 58, 237),
    RGBColor(8, 145, 178),
    RGBColor(161, 98, 7),
];

/// The Newton step's ghost and marker.
pub const NEWTON: RGBColor = RGBColor(15, 23, 42);

/// Colour of run `i` (the palette repeats past six runs).
pub fn run_color(i: usize) -> RGBColor {
    RUN_COLORS[i % RUN_COLORS.len()]
}

/// `#rrggbb` of a colour, for the page.
pub fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// One axis of every chart: a linear range with tick positions chosen here
/// (so log axes get ticks at 1, 2, 5 × 10ᵏ, not at 10^0.37). Values map to
/// pixels clamped near the plot, so a wild value never overflows.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis1 {
    range: Range<f64>,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Axis1 {
    /// An axis over `range` with labelled ticks `bold` and light lines `light`.
    pub fn new(range: Range<f64>, bold: Vec<f64>, light: Vec<f64>) -> Self {
        Self { range, bold, light }
    }
}

impl Ranged for Axis1 {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = (v - self.range.start) / span;
        let t = if t.is_nan() { 0.0 } else { t.clamp(-1e4, 1e4) };
        let px = f64::from(limit.0) + f64::from(limit.1 - limit.0) * t;
        (px + 1e-3).floor().clamp(-1e8, 1e8) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// The chart type every plot uses.
pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis1, Axis1>>;

/// How values sit on an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// The values themselves.
    #[default]
    Linear,
    /// The axis holds log₁₀ of the values (labels show the values).
    Log,
}

/// An axis: its range on the plotted scale, the scale and the title.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis<'a> {
    /// Range on the plotted scale (log₁₀ of the values for [`Scale::Log`]).
    pub range: Range<f64>,
    /// Linear or logarithmic.
    pub scale: Scale,
    /// Title with units.
    pub title: &'a str,
    /// Ticks at whole numbers only (steps).
    pub integer: bool,
}

impl<'a> Axis<'a> {
    /// A linear axis.
    pub fn linear(range: Range<f64>, title: &'a str) -> Self {
        Self {
            range,
            scale: Scale::Linear,
            title,
            integer: false,
        }
    }

    /// A log axis over `range` (log₁₀ of the values).
    pub fn log(range: Range<f64>, title: &'a str) -> Self {
        Self {
            range,
            scale: Scale::Log,
            title,
            integer: false,
        }
    }
}

/// Room around the plot: the full frame or the small one of a tiny canvas
/// (the schedule's 240 × 80).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Margins, tick labels and titles of a normal plot.
    #[default]
    Full,
    /// Small fonts and label areas, no axis titles.
    Small,
}

/// Margins and label areas of a layout, CSS pixels:
/// (top, right, bottom, left, x label area, y label area).
pub fn layout_sizes(layout: Layout) -> [f64; 6] {
    match layout {
        Layout::Full => [12.0, 16.0, 4.0, 6.0, 40.0, 62.0],
        Layout::Small => [6.0, 8.0, 2.0, 2.0, 16.0, 36.0],
    }
}

/// Clears the area and builds a chart frame with labelled linear axes.
pub fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    style: &Style,
    x: Range<f64>,
    y: Range<f64>,
    x_desc: &str,
    y_desc: &str,
) -> Result<Chart<'a, DB>, PlotError> {
    root.fill(&BACKGROUND)?;
    frame_axes(
        root,
        style,
        &Axis::linear(x, x_desc),
        &Axis::linear(y, y_desc),
        Layout::Full,
    )
}

/// Builds a chart frame (without clearing) on `root` with the given axes.
pub fn frame_axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    style: &Style,
    x: &Axis<'_>,
    y: &Axis<'_>,
    layout: Layout,
) -> Result<Chart<'a, DB>, PlotError> {
    let [top, right, bottom, left, x_area, y_area] = layout_sizes(layout);
    let (w, h) = root.dim_in_pixel();
    let small = layout == Layout::Small;
    // About one label per 90 CSS px across and 45 px up.
    let x_count =
        ((f64::from(w) / style.scale / if small { 70.0 } else { 90.0 }) as usize).clamp(2, 10);
    let y_count =
        ((f64::from(h) / style.scale / if small { 30.0 } else { 45.0 }) as usize).clamp(2, 10);
    let (x_bold, x_light) = axis_ticks(x, x_count);
    let (y_bold, y_light) = axis_ticks(y, y_count);
    let mut chart = ChartBuilder::on(root)
        .margin_top(style.px(top))
        .margin_right(style.px(right))
        .margin_left(style.px(left))
        .margin_bottom(style.px(bottom))
        .x_label_area_size(style.px(x_area))
        .y_label_area_size(style.px(y_area))
        .build_cartesian_2d(
            Axis1::new(x.range.clone(), x_bold, x_light),
            Axis1::new(y.range.clone(), y_bold, y_light),
        )?;
    let (xs, ys) = (x.scale, y.scale);
    let x_format = move |v: &f64| tick_label(*v, xs);
    let y_format = move |v: &f64| tick_label(*v, ys);
    let font = if small { 10.0 } else { 12.0 };
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(style.font(font))
        .axis_desc_style(style.font(13.0))
        .axis_style(style.stroke(AXIS, 1.0))
        .bold_line_style(style.stroke(GRID, 1.0))
        .light_line_style(style.stroke(GRID_LIGHT, 1.0))
        .set_all_tick_mark_size(style.px(if small { 3.0 } else { 4.0 }));
    if !small {
        mesh.x_desc(x.title).y_desc(y.title);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The label of a tick at `v` on the plotted scale (never NaN: the one
/// formatter writes `—` for what is not finite, and ticks are finite).
pub fn tick_label(v: f64, scale: Scale) -> String {
    match scale {
        Scale::Linear => compact(v),
        Scale::Log => compact(10f64.powf(v)),
    }
}

/// Bold (labelled) and light tick positions of an axis, on its scale.
pub fn axis_ticks(axis: &Axis<'_>, count: usize) -> (Vec<f64>, Vec<f64>) {
    match axis.scale {
        Scale::Linear => (linear_ticks(&axis.range, count, axis.integer), Vec::new()),
        Scale::Log => log_ticks(&axis.range, count),
    }
}

/// About `count` ticks at multiples of 1, 2 or 5 × 10ᵏ inside `r` (whole
/// numbers only when `integer`).
pub fn linear_ticks(r: &Range<f64>, count: usize, integer: bool) -> Vec<f64> {
    let (lo, hi) = (r.start.min(r.end), r.start.max(r.end));
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return if lo.is_finite() { vec![lo] } else { Vec::new() };
    }
    let raw = span / count.max(1) as f64;
    let mut step = nice_step(raw);
    if integer {
        step = step.max(1.0).round();
    }
    if !(step.is_finite() && step > 0.0) {
        return vec![lo, hi];
    }
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    if !(first.is_finite() && last.is_finite()) || last - first > 200.0 {
        return vec![lo, hi];
    }
    let mut out = Vec::new();
    let mut k = first;
    while k <= last {
        let v = k * step;
        out.push(if v == 0.0 { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// The smallest 1, 2 or 5 × 10ᵏ not below `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= raw * (1.0 - 1e-9) {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Ticks of a log axis over `r` (log₁₀ values): labelled decades (every
/// few when many) with light 2…9 lines, or 1/2/5 ticks within a decade.
pub fn log_ticks(r: &Range<f64>, count: usize) -> (Vec<f64>, Vec<f64>) {
    let (lo, hi) = (r.start.min(r.end), r.start.max(r.end));
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return (Vec::new(), Vec::new());
    }
    let (first, last) = (lo.ceil(), hi.floor());
    let decades = last - first + 1.0;
    if decades > 400.0 {
        return (vec![lo, hi], Vec::new());
    }
    let count = count.max(2) as f64;
    if decades >= 2.0 {
        // Every 1, 2, 5, 10, … decades, at multiples of that (10⁰ included).
        let every = nice_step(decades / count).round().max(1.0);
        let mut bold = Vec::new();
        let mut light = Vec::new();
        let mut k = first;
        while k <= last {
            if (k / every).fract() == 0.0 {
                bold.push(k);
            } else {
                light.push(k);
            }
            k += 1.0;
        }
        if every == 1.0 && decades <= 8.0 {
            let mut k = lo.floor();
            while k <= hi {
                for m in 2..10 {
                    let v = k + f64::from(m).log10();
                    if v > lo && v < hi {
                        light.push(v);
                    }
                }
                k += 1.0;
            }
        }
        return (bold, light);
    }
    // Within about a decade: 1, 2, 5 (or every digit) × 10ᵏ.
    for set in [
        &[1.0, 2.0, 5.0][..],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0][..],
    ] {
        let mut bold = Vec::new();
        let mut k = lo.floor();
        while k <= hi {
            for &m in set {
                let v = k + f64::log10(m);
                if v >= lo && v <= hi {
                    bold.push(v);
                }
            }
            k += 1.0;
        }
        if bold.len() >= 2 {
            return (bold, Vec::new());
        }
    }
    // Less than a factor of two: plain ticks of the values.
    let values = linear_ticks(&(10f64.powf(lo)..10f64.powf(hi)), count as usize, false);
    (
        values
            .into_iter()
            .filter(|v| *v > 0.0)
            .map(f64::log10)
            .filter(|v| *v >= lo && *v <= hi)
            .collect(),
        Vec::new(),
    )
}

/// log₁₀ of the positive values of a series for a log axis: values at or
/// below zero sit on `floor` (so zero never breaks the plot).
pub fn log_or_floor(v: f64, floor: f64) -> f64 {
    if v > 0.0 {
        v.log10().max(floor)
    } else {
        floor
    }
}

/// The floor of a log axis for the smallest positive value `min_positive`
/// and the largest `max_log` (log₁₀): a decade under the smallest, never
/// more than 16 decades under the largest (f64 has no more to show).
pub fn log_floor(min_positive: f64, max_log: f64) -> f64 {
    let floor = if min_positive.is_finite() && min_positive > 0.0 {
        (min_positive.log10() - 1.0).floor()
    } else if max_log.is_finite() {
        max_log - 3.0
    } else {
        -12.0
    };
    if max_log.is_finite() {
        floor.max(max_log.floor() - 16.0)
    } else {
        floor
    }
}

/// Where the plot area landed on the backend, to map pixels back to values.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotMapping {
    /// Device pixels of the x range's start and end.
    pub x_px: (f64, f64),
    /// Device pixels of the y range's start (bottom) and end (top).
    pub y_px: (f64, f64),
    /// The x range.
    pub x_range: (f64, f64),
    /// The y range.
    pub y_range: (f64, f64),
}

impl PlotMapping {
    /// The values at device pixel `(px, py)`, or `None` outside the plot area.
    pub fn value_at(&self, px: f64, py: f64) -> Option<(f64, f64)> {
        let fx = (px - self.x_px.0) / (self.x_px.1 - self.x_px.0);
        let fy = (py - self.y_px.0) / (self.y_px.1 - self.y_px.0);
        let unit = 0.0..=1.0;
        if !(unit.contains(&fx) && unit.contains(&fy)) {
            return None;
        }
        let x = self.x_range.0 + fx * (self.x_range.1 - self.x_range.0);
        let y = self.y_range.0 + fy * (self.y_range.1 - self.y_range.0);
        (x.is_finite() && y.is_finite()).then_some((x, y))
    }
}

/// The pixel ↔ value mapping of a chart's plot area.
pub fn mapping_of<DB: DrawingBackend>(chart: &Chart<'_, DB>) -> PlotMapping {
    let spec = chart.as_coord_spec();
    let (x, y) = (spec.x_spec().range(), spec.y_spec().range());
    let (x0, y0) = spec.translate(&(x.start, y.start));
    let (x1, y1) = spec.translate(&(x.end, y.end));
    PlotMapping {
        x_px: (f64::from(x0), f64::from(x1)),
        y_px: (f64::from(y0), f64::from(y1)),
        x_range: (x.start, x.end),
        y_range: (y.start, y.end),
    }
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
    let (lo, hi) = match (lo.is_nan(), hi.is_nan()) {
        (false, false) => (lo.min(hi), lo.max(hi)),
        (true, false) => (hi, hi),
        (false, true) => (lo, lo),
        (true, true) => (0.0, 0.0),
    };
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

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    /// A plain line.
    Solid,
    /// Long dashes (the optimum, pinned runs, predictions).
    Dashed,
    /// Short dashes (the Newton step).
    Dotted,
}

/// The look of a line: colour, stroke, width (CSS px) and opacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pen {
    /// Colour.
    pub color: RGBColor,
    /// Solid, dashed or dotted.
    pub stroke: Stroke,
    /// Width in CSS pixels.
    pub width: f64,
    /// 0 (invisible) to 1.
    pub opacity: f64,
}

impl Pen {
    /// A solid opaque line.
    pub fn solid(color: RGBColor, width: f64) -> Self {
        Self {
            color,
            stroke: Stroke::Solid,
            width,
            opacity: 1.0,
        }
    }

    /// The same pen with another stroke.
    pub fn with(self, stroke: Stroke) -> Self {
        Self { stroke, ..self }
    }

    /// The same pen with another opacity.
    pub fn faint(self, opacity: f64) -> Self {
        Self { opacity, ..self }
    }
}

/// A model's curve over x, drawn with a pen.
#[derive(Clone, Copy)]
pub struct Curve<'a> {
    /// The model's output at x.
    pub f: &'a dyn Fn(f64) -> f64,
    /// How it is drawn.
    pub pen: Pen,
}

/// Draws a polyline already inside the chart's ranges with `pen`.
pub fn draw_line<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    style: &Style,
    points: Vec<(f64, f64)>,
    pen: Pen,
) -> Result<(), PlotError> {
    if points.len() < 2 {
        return Ok(());
    }
    let shape = style.stroke(pen.color.mix(pen.opacity.clamp(0.0, 1.0)), pen.width);
    match pen.stroke {
        Stroke::Solid => {
            chart.draw_series(std::iter::once(PathElement::new(points, shape)))?;
        }
        Stroke::Dashed => {
            let dash = style.px(6.0);
            chart.draw_series(DashedLineSeries::new(points, dash, dash, shape))?;
        }
        Stroke::Dotted => {
            let (dot, gap) = (style.px(2.0), style.px(3.5));
            chart.draw_series(DashedLineSeries::new(points, dot, gap, shape))?;
        }
    }
    Ok(())
}

/// Draws `curve` sampled at `samples` points across `x`, split where it
/// leaves `x × y`; returns the pieces drawn.
pub fn draw_curve<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    style: &Style,
    curve: &Curve<'_>,
    x: &Range<f64>,
    y: &Range<f64>,
    samples: usize,
) -> Result<usize, PlotError> {
    let pieces = sampled_curve(curve.f, x, y, samples);
    let n = pieces.len();
    for piece in pieces {
        draw_line(chart, style, piece, curve.pen)?;
    }
    Ok(n)
}

/// The pieces of a polyline inside `x × y` (non-finite points break it).
pub fn clip_polyline(
    points: &[(f64, f64)],
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    if points.len() == 1 && inside(points[0], x, y) {
        return vec![vec![points[0]]];
    }
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

/// Whether `p` is finite and inside `x × y`.
pub fn inside(p: (f64, f64), x: &Range<f64>, y: &Range<f64>) -> bool {
    p.0.is_finite()
        && p.1.is_finite()
        && p.0 >= x.start.min(x.end)
        && p.0 <= x.start.max(x.end)
        && p.1 >= y.start.min(y.end)
        && p.1 <= y.start.max(y.end)
}

/// At most about 4 points per pixel column of a polyline sorted by x: the
/// first, the lowest, the highest and the last of each of `buckets` equal
/// slices of `x`, so a curve of any length costs the plot's width and keeps
/// its shape.
pub fn decimate_xy(points: &[(f64, f64)], x: &Range<f64>, buckets: usize) -> Vec<(f64, f64)> {
    let buckets = buckets.max(1);
    if points.len() <= 2 * buckets {
        return points.to_vec();
    }
    let width = x.end - x.start;
    let bucket_of = |v: f64| -> usize {
        let t = (v - x.start) / width;
        if t.is_finite() {
            (t.clamp(0.0, 1.0) * (buckets - 1) as f64).round() as usize
        } else {
            0
        }
    };
    let mut out = Vec::with_capacity(4 * buckets + 2);
    let mut i = 0;
    while i < points.len() {
        let b = bucket_of(points[i].0);
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && bucket_of(points[j].0) == b {
            if points[j].1 < points[lo].1 {
                lo = j;
            }
            if points[j].1 > points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let mut keep = [i, lo, hi, j - 1];
        keep.sort_unstable();
        let mut last = usize::MAX;
        for k in keep {
            if k != last {
                out.push(points[k]);
                last = k;
            }
        }
        i = j;
    }
    out
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
    clip_polyline(&points, x, y)
}

/// Equal neighbouring cells of a `cells × cells` grid of colour levels
/// (row-major, y as the row; NaN counts as one level) merged into runs:
/// `(col0, row0, col1, row1, level)` with exclusive ends, along rows or
/// along columns, whichever gives fewer rectangles (a canvas pays per
/// rectangle, so a field that changes mostly along x costs a row of runs).
pub fn merged_cells(levels: &[f64], cells: usize) -> Vec<(usize, usize, usize, usize, f64)> {
    if cells == 0 || levels.len() < cells * cells {
        return Vec::new();
    }
    let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
    let runs = |at: &dyn Fn(usize, usize) -> f64| {
        let mut out = Vec::new();
        for line in 0..cells {
            let mut start = 0;
            for k in 1..=cells {
                if k == cells || !same(at(line, k), at(line, start)) {
                    out.push((line, start, k, at(line, start)));
                    start = k;
                }
            }
        }
        out
    };
    let by_rows = runs(&|r, c| levels[r * cells + c]);
    let by_cols = runs(&|c, r| levels[r * cells + c]);
    let mut out: Vec<(usize, usize, usize, usize, f64)> = if by_rows.len() <= by_cols.len() {
        by_rows
            .into_iter()
            .map(|(r, c0, c1, v)| (c0, r, c1, r + 1, v))
            .collect()
    } else {
        by_cols
            .into_iter()
            .map(|(c, r0, r1, v)| (c, r0, c + 1, r1, v))
            .collect()
    };
    // The runs do not overlap, so any order draws the same picture: colour
    // by colour lets a canvas keep its fill style between rectangles.
    out.sort_by(|a, b| a.4.total_cmp(&b.4));
    out
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
    fn ticks_are_round_numbers() {
        assert_eq!(
            linear_ticks(&(0.0..10.0), 5, false),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(
            linear_ticks(&(0.0..3.0), 10, true),
            vec![0.0, 1.0, 2.0, 3.0]
        );
        assert!(linear_ticks(&(f64::NAN..1.0), 5, false).len() <= 2);
        let (bold, light) = log_ticks(&(-3.2..1.1), 6);
        assert_eq!(bold, vec![-3.0, -2.0, -1.0, 0.0, 1.0]);
        assert!(!light.is_empty());
        let (bold, _) = log_ticks(&(0.1..0.9), 6);
        let labels: Vec<String> = bold.iter().map(|v| tick_label(*v, Scale::Log)).collect();
        assert_eq!(labels, vec!["2", "5"]);
        assert_eq!(tick_label(-2.0, Scale::Log), "0.01");
        assert_eq!(tick_label(-5.0, Scale::Log), "1e−5");
        assert_eq!(tick_label(-0.5, Scale::Linear), "−0.5");
        let (bold, _) = log_ticks(&(-300.0..0.0), 6);
        assert!(bold.len() <= 7 && bold.contains(&0.0));
    }

    #[test]
    fn log_floor_is_bounded() {
        assert_eq!(log_floor(0.5, 1.0), -2.0);
        assert_eq!(log_floor(1e-300, 1.0), -15.0);
        assert_eq!(log_or_floor(0.0, -3.0), -3.0);
        assert_eq!(log_or_floor(-1.0, -3.0), -3.0);
        assert_eq!(log_or_floor(100.0, -3.0), 2.0);
        assert!(widen(f64::NAN, f64::NAN, 0.1).start.is_finite());
    }

    #[test]
    fn cells_merge_along_the_cheaper_direction() {
        // Changes along x only: one run per column.
        let n = 10;
        let levels: Vec<f64> = (0..n * n).map(|k| (k % n) as f64).collect();
        let runs = merged_cells(&levels, n);
        assert_eq!(runs.len(), n);
        assert!(runs.iter().all(|r| r.1 == 0 && r.3 == n));
        let flat = vec![f64::NAN; n * n];
        assert_eq!(merged_cells(&flat, n).len(), n);
        assert!(merged_cells(&flat[..5], n).is_empty());
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
