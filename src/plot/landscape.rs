//! The loss landscape: the loss over two parameters (the others held at
//! their current values) as a shaded map with contour lines, every run's
//! descent path in its colour, the starts, the current points, the exact
//! optimum and the Newton step. The plot area is square and centred, and
//! [`PlotMapping`] turns a click back into parameter values.

use std::collections::HashMap;
use std::ops::Range;

use plotters::prelude::*;

pub use super::style::PlotMapping;
use super::style::{self, Style};
use super::{Axes, PlotError};

/// Index of a parameter: weights 0..d, then the bias at d.
pub type ParamIndex = usize;

/// A grid of loss values over parameters `a` (x axis) and `b` (y axis).
#[derive(Debug, Clone, PartialEq)]
pub struct Landscape {
    /// Parameter on the x axis.
    pub a: ParamIndex,
    /// Parameter on the y axis.
    pub b: ParamIndex,
    /// x-axis range [min, max].
    pub a_range: (f64, f64),
    /// y-axis range [min, max].
    pub b_range: (f64, f64),
    /// Grid points per axis.
    pub resolution: usize,
    /// Loss values, row-major with y (parameter `b`) as the row:
    /// `values[iy * resolution + ix]`.
    pub values: Vec<f64>,
}

impl Landscape {
    /// The smallest and largest finite values.
    pub fn value_range(&self) -> (f64, f64) {
        self.values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }
}

/// Loss shading: low loss (the valley) light, high loss dark.
const LOW: RGBColor = RGBColor(248, 250, 252);
const HIGH: RGBColor = RGBColor(91, 109, 168);
/// Contour lines.
const CONTOUR: RGBColor = RGBColor(51, 65, 85);
/// Colour steps of the shading (neighbouring cells of one step merge).
const LEVELS: f64 = 20.0;
/// Contour lines drawn (evenly spaced in √(L − L_min)).
const CONTOURS: usize = 9;
/// Shaded cells along each axis of the drawing.
const DRAW_CELLS: usize = 96;
/// Cells along each axis of the contour lattice.
const CONTOUR_CELLS: usize = 72;

/// One run's path on the landscape.
#[derive(Debug, Clone, Copy)]
pub struct RunPath<'a> {
    /// The parameters visited, projected on the two axes, first = start.
    pub path: &'a [(f64, f64)],
    /// The current parameters (drawn at the end of the path).
    pub current: Option<(f64, f64)>,
    /// The run's colour.
    pub color: RGBColor,
    /// The active run: drawn thicker and on top.
    pub active: bool,
    /// A pinned run: its path is dashed, as its loss curve.
    pub pinned: bool,
}

/// What the landscape plot shows, in training units.
#[derive(Debug, Clone, Copy)]
pub struct LandscapeScene<'a> {
    /// The loss grid (its ranges are the plot's ranges).
    pub grid: &'a Landscape,
    /// Every run's path, in the frame's order.
    pub runs: &'a [RunPath<'a>],
    /// The exact optimum, when known.
    pub optimum: Option<(f64, f64)>,
    /// Where one Newton step from the active run lands, when asked for.
    pub newton: Option<(f64, f64)>,
    /// The active run's SGD noise ball around the optimum: its covariance
    /// (Pₐₐ, Pₐᵦ, Pᵦᵦ), drawn as the ellipse two standard deviations out
    /// (about 86% of the cloud), in `noise_color`.
    pub noise: Option<[f64; 3]>,
    /// The colour of the noise ball (the active run's).
    pub noise_color: RGBColor,
    /// Axis titles.
    pub axes: Axes<'a>,
    /// A note above the plot (sampling, held parameters).
    pub caption: Option<&'a str>,
}

/// What [`draw_landscape`] drew, for tests and the click mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct LandscapeInfo {
    /// Points of each run's drawn path (with its current point), in order.
    pub path_points: Vec<usize>,
    /// Paths drawn (runs with at least one visible segment or point).
    pub paths: usize,
    /// Whether the optimum marker was drawn.
    pub optimum_drawn: bool,
    /// Whether the Newton marker was drawn.
    pub newton_drawn: bool,
    /// Whether the noise ball was drawn.
    pub noise_drawn: bool,
    /// Current points drawn.
    pub current_drawn: usize,
    /// Start markers drawn.
    pub starts_drawn: usize,
    /// Contour polylines drawn.
    pub contour_lines: usize,
    /// Shaded rectangles drawn.
    pub cell_rects: usize,
    /// Pixel ↔ value mapping of the plot area.
    pub mapping: PlotMapping,
}

/// The ellipse {x : (x − c)ᵀ P⁻¹ (x − c) = k²} of the 2 × 2 covariance
/// `(Pₐₐ, Pₐᵦ, Pᵦᵦ)` as a closed polyline; empty when P is not positive
/// definite.
pub fn noise_ellipse(c: (f64, f64), cov: [f64; 3], k: f64) -> Vec<(f64, f64)> {
    let [paa, pab, pbb] = cov;
    // P = LLᵀ (Cholesky): the ellipse is c + k·L·(cos t, sin t).
    if paa.is_nan() || paa <= 0.0 || !paa.is_finite() || !pab.is_finite() || !pbb.is_finite() {
        return Vec::new();
    }
    let l11 = paa.sqrt();
    let l21 = pab / l11;
    let rest = pbb - l21 * l21;
    if rest.is_nan() || rest <= 0.0 {
        return Vec::new();
    }
    let l22 = rest.sqrt();
    (0..=64)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / 64.0;
            let (u, v) = (t.cos(), t.sin());
            (c.0 + k * l11 * u, c.1 + k * (l21 * u + l22 * v))
        })
        .collect()
}

/// `n` with thousands separators: `2,083`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The square sub-area of `area` whose plot area is square for the
/// frame's margins and label areas, centred.
fn square_area<DB: DrawingBackend>(
    area: DrawingArea<DB, plotters::coord::Shift>,
    style: &Style,
) -> DrawingArea<DB, plotters::coord::Shift> {
    let [top, right, bottom, left, x_area, y_area] = style::layout_sizes(style::Layout::Full);
    let extra_w = (style.px(left) + style.px(right) + style.px(y_area)) as i32;
    let extra_h = (style.px(top) + style.px(bottom) + style.px(x_area)) as i32;
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let side = (w - extra_w).min(h - extra_h).max(1);
    let (aw, ah) = (side + extra_w, side + extra_h);
    let (ox, oy) = (((w - aw) / 2).max(0), ((h - ah) / 2).max(0));
    area.shrink((ox, oy), (aw.min(w.max(1)), ah.min(h.max(1))))
}

/// Draws the loss grid with contour lines, each run's path (the active one
/// on top), the starts (hollow circles), the current points (filled), the
/// optimum (orange disc with a cross) and the Newton point (a diamond).
pub fn draw_landscape<DB: DrawingBackend>(
    backend: DB,
    scene: &LandscapeScene<'_>,
    style: Style,
) -> Result<LandscapeInfo, PlotError> {
    let root = backend.into_drawing_area();
    root.fill(&style::BACKGROUND)?;
    let caption_height = if scene.caption.is_some() {
        style.px(20.0)
    } else {
        0
    };
    let (top, area) = root.split_vertically(caption_height);
    if let Some(caption) = scene.caption {
        top.draw(&Text::new(
            caption.to_string(),
            (style.px(8.0) as i32, style.px(4.0) as i32),
            style.font(12.0),
        ))?;
    }
    let area = square_area(area, &style);

    let grid = scene.grid;
    let x_range = style::widen(grid.a_range.0, grid.a_range.1, 0.0);
    let y_range = style::widen(grid.b_range.0, grid.b_range.1, 0.0);
    let mut chart = style::frame_axes(
        &area,
        &style,
        &style::Axis::linear(x_range.clone(), scene.axes.x),
        &style::Axis::linear(y_range.clone(), scene.axes.y),
        style::Layout::Full,
    )?;
    let mapping = style::mapping_of(&chart);
    // Shading by √(L − L_min), normalised: contours of a quadratic bowl
    // come out evenly spaced.
    let sampler = GridSampler::new(grid);
    let (lo, hi) = grid.value_range();
    let shade = |v: f64| -> f64 {
        if !(v.is_finite() && lo.is_finite() && hi > lo) {
            return if v.is_finite() { 0.0 } else { f64::NAN };
        }
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0).sqrt()
    };
    let cells = DRAW_CELLS;
    let dx = (x_range.end - x_range.start) / cells as f64;
    let dy = (y_range.end - y_range.start) / cells as f64;
    let levels: Vec<f64> = (0..cells * cells)
        .map(|k| {
            let (row, col) = (k / cells, k % cells);
            let (fx, fy) = (
                (col as f64 + 0.5) / cells as f64,
                (row as f64 + 0.5) / cells as f64,
            );
            quantize(shade(sampler.at(fx, fy)))
        })
        .collect();
    let rects: Vec<_> = style::merged_cells(&levels, cells)
        .into_iter()
        .map(|(c0, r0, c1, r1, level)| {
            let color = if level.is_nan() {
                RGBColor(226, 232, 240)
            } else {
                style::mix(LOW, HIGH, level)
            };
            Rectangle::new(
                [
                    (
                        x_range.start + dx * c0 as f64,
                        y_range.start + dy * r0 as f64,
                    ),
                    (
                        x_range.start + dx * c1 as f64,
                        y_range.start + dy * r1 as f64,
                    ),
                ],
                color.filled(),
            )
        })
        .collect();
    let cell_rects = rects.len();
    chart.draw_series(rects)?;

    // Contour lines on a finer lattice of the interpolated grid.
    let n = CONTOUR_CELLS;
    let lattice: Vec<f64> = (0..=n)
        .flat_map(|r| {
            let sampler = &sampler;
            (0..=n).map(move |c| sampler.at(c as f64 / n as f64, r as f64 / n as f64))
        })
        .collect();
    let mut contour_lines = 0;
    if lo.is_finite() && hi > lo {
        let stroke = style.stroke(CONTOUR.mix(0.35), 1.0);
        for k in 1..=CONTOURS {
            let t = k as f64 / (CONTOURS + 1) as f64;
            let level = lo + t * t * (hi - lo);
            for points in contour_paths(&lattice, n, level, &x_range, &y_range) {
                chart.draw_series(std::iter::once(PathElement::new(points, stroke)))?;
                contour_lines += 1;
            }
        }
    }

    // The paths: the other runs first, the active one on top.
    let visible = |p: &(f64, f64)| style::inside(*p, &x_range, &y_range);
    let mut order: Vec<usize> = (0..scene.runs.len())
        .filter(|&i| !scene.runs[i].active)
        .collect();
    order.extend((0..scene.runs.len()).filter(|&i| scene.runs[i].active));
    let mut path_points = vec![0; scene.runs.len()];
    let mut paths = 0;
    let mut starts_drawn = 0;
    for &i in &order {
        let run = &scene.runs[i];
        let mut path: Vec<(f64, f64)> = run
            .path
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        let current = run.current.filter(|p| p.0.is_finite() && p.1.is_finite());
        if let Some(c) = current {
            if path.last() != Some(&c) {
                path.push(c);
            }
        }
        let width = if run.active { 2.25 } else { 1.5 };
        let mut pen = style::Pen::solid(run.color, width).faint(if run.active { 1.0 } else { 0.8 });
        if run.pinned {
            pen = pen.with(style::Stroke::Dashed);
        }
        let mut drawn = 0;
        for piece in style::clip_polyline(&path, &x_range, &y_range) {
            drawn += piece.len();
            style::draw_line(&mut chart, &style, piece, pen)?;
        }
        if path.len() <= 60 {
            chart.draw_series(
                path.iter()
                    .filter(|p| visible(p))
                    .map(|&p| Circle::new(p, style.px(1.75), run.color.filled())),
            )?;
        }
        if let Some(&start) = path.first().filter(|p| visible(p)) {
            chart.draw_series(std::iter::once(Circle::new(
                start,
                style.px(5.0),
                style.stroke(run.color, 2.0),
            )))?;
            starts_drawn += 1;
        }
        path_points[i] = drawn.max(usize::from(path.iter().any(visible)));
        if path_points[i] > 0 {
            paths += 1;
        }
    }

    let mut noise_drawn = false;
    if let (Some(opt), Some(cov)) = (scene.optimum, scene.noise) {
        let pen = style::Pen::solid(scene.noise_color, 1.75).with(style::Stroke::Dashed);
        // The parts inside the plot (a wide ball may leave it).
        let mut part = Vec::new();
        for q in noise_ellipse(opt, cov, 2.0)
            .into_iter()
            .chain([(f64::NAN, f64::NAN)])
        {
            if style::inside(q, &x_range, &y_range) {
                part.push(q);
            } else if part.len() >= 2 {
                style::draw_line(&mut chart, &style, std::mem::take(&mut part), pen)?;
                noise_drawn = true;
            } else {
                part.clear();
            }
        }
    }

    let mut optimum_drawn = false;
    if let Some(opt) = scene.optimum.filter(visible) {
        let r = style.px(6.0);
        let arm = style.px(9.0) as i32;
        let dark = style.stroke(RGBColor(15, 23, 42), 1.5);
        chart.draw_series(std::iter::once(
            EmptyElement::at(opt)
                + Circle::new((0, 0), r, style::REFERENCE.filled())
                + Circle::new((0, 0), r, dark)
                + PathElement::new(vec![(-arm, 0), (arm, 0)], dark)
                + PathElement::new(vec![(0, -arm), (0, arm)], dark),
        ))?;
        optimum_drawn = true;
    }

    let mut newton_drawn = false;
    if let Some(p) = scene.newton.filter(visible) {
        let r = style.px(6.5) as i32;
        let diamond = vec![(0, -r), (r, 0), (0, r), (-r, 0), (0, -r)];
        chart.draw_series(std::iter::once(
            EmptyElement::at(p)
                + Polygon::new(diamond.clone(), WHITE.filled())
                + PathElement::new(diamond, style.stroke(style::NEWTON, 2.0)),
        ))?;
        newton_drawn = true;
    }

    let mut current_drawn = 0;
    for &i in &order {
        let run = &scene.runs[i];
        if let Some(c) = run.current.filter(visible) {
            let r = style.px(if run.active { 5.5 } else { 4.5 });
            chart.draw_series(std::iter::once(
                EmptyElement::at(c)
                    + Circle::new((0, 0), r, run.color.filled())
                    + Circle::new((0, 0), r, style.stroke(WHITE, 1.5)),
            ))?;
            current_drawn += 1;
        }
    }
    root.present()?;
    Ok(LandscapeInfo {
        path_points,
        paths,
        optimum_drawn,
        newton_drawn,
        noise_drawn,
        current_drawn,
        starts_drawn,
        contour_lines,
        cell_rects,
        mapping,
    })
}

fn quantize(t: f64) -> f64 {
    if !t.is_finite() {
        return f64::NAN;
    }
    let level = (t.clamp(0.0, 1.0) * LEVELS).floor().min(LEVELS - 1.0);
    (level + 0.5) / LEVELS
}

/// Smooth (Catmull–Rom) interpolation of a grid at fractions of its ranges.
struct GridSampler<'a> {
    values: &'a [f64],
    res: usize,
}

impl<'a> GridSampler<'a> {
    fn new(grid: &'a Landscape) -> Self {
        Self {
            values: &grid.values,
            res: grid.resolution,
        }
    }

    fn node(&self, ix: isize, iy: isize) -> f64 {
        if self.res == 0 {
            return f64::NAN;
        }
        let last = self.res as isize - 1;
        let (ix, iy) = (ix.clamp(0, last) as usize, iy.clamp(0, last) as usize);
        self.values
            .get(iy * self.res + ix)
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The value at fractions `fx`, `fy` ∈ [0, 1] of the ranges.
    fn at(&self, fx: f64, fy: f64) -> f64 {
        if self.res < 2 {
            return self.node(0, 0);
        }
        let scale = (self.res - 1) as f64;
        let (gx, gy) = (fx.clamp(0.0, 1.0) * scale, fy.clamp(0.0, 1.0) * scale);
        let (ix, iy) = (
            (gx.floor() as isize).min(self.res as isize - 2),
            (gy.floor() as isize).min(self.res as isize - 2),
        );
        let (tx, ty) = (gx - ix as f64, gy - iy as f64);
        let mut rows = [0.0; 4];
        for (k, row) in rows.iter_mut().enumerate() {
            let y = iy - 1 + k as isize;
            *row = catmull_rom(
                [
                    self.node(ix - 1, y),
                    self.node(ix, y),
                    self.node(ix + 1, y),
                    self.node(ix + 2, y),
                ],
                tx,
            );
        }
        catmull_rom(rows, ty)
    }
}

fn catmull_rom(p: [f64; 4], t: f64) -> f64 {
    // Falls back to linear between the middle nodes when a neighbour is
    // not finite (e.g. at the edge of an overflowing region).
    if !p.iter().all(|v| v.is_finite()) {
        return p[1] + (p[2] - p[1]) * t;
    }
    let t2 = t * t;
    let t3 = t2 * t;
    0.5 * (2.0 * p[1]
        + (p[2] - p[0]) * t
        + (2.0 * p[0] - 5.0 * p[1] + 4.0 * p[2] - p[3]) * t2
        + (3.0 * p[1] - p[0] - 3.0 * p[2] + p[3]) * t3)
}

/// [`contour_lines_of`] in plot coordinates: lattice fractions mapped onto
/// the ranges the lattice spans.
pub fn contour_paths(
    lattice: &[f64],
    n: usize,
    level: f64,
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<Vec<(f64, f64)>> {
    contour_lines_of(lattice, n, level)
        .into_iter()
        .map(|line| {
            line.into_iter()
                .map(|(fx, fy)| {
                    (
                        x.start + fx * (x.end - x.start),
                        y.start + fy * (y.end - y.start),
                    )
                })
                .collect()
        })
        .collect()
}

/// The contour `level` of an `(n+1)²` lattice (row-major, y as the row) as
/// polylines in lattice fractions [0, 1]²: marching squares, with the
/// pieces joined through the cell edges they share.
pub fn contour_lines_of(lattice: &[f64], n: usize, level: f64) -> Vec<Vec<(f64, f64)>> {
    let side = n + 1;
    if n == 0 || lattice.len() < side * side {
        return Vec::new();
    }
    let v = |r: usize, c: usize| lattice[r * side + c] - level;
    // Edge ids: horizontal edge (r, c)–(r, c+1) = 2·(r·side + c), vertical
    // edge (r, c)–(r+1, c) = 2·(r·side + c) + 1.
    let h = |r: usize, c: usize| 2 * (r * side + c);
    let vert = |r: usize, c: usize| 2 * (r * side + c) + 1;
    let mut points: HashMap<usize, (f64, f64)> = HashMap::new();
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let nf = n as f64;
    let t = |a: f64, b: f64| if a == b { 0.5 } else { a / (a - b) };
    for r in 0..n {
        for c in 0..n {
            let (v00, v10, v01, v11) = (v(r, c), v(r, c + 1), v(r + 1, c), v(r + 1, c + 1));
            if ![v00, v10, v01, v11].iter().all(|x| x.is_finite()) {
                continue;
            }
            let cross = |a: f64, b: f64| (a < 0.0) != (b < 0.0);
            let mut hits = [0usize; 4];
            let mut k = 0;
            if cross(v00, v10) {
                let id = h(r, c);
                points.insert(id, ((c as f64 + t(v00, v10)) / nf, r as f64 / nf));
                hits[k] = id;
                k += 1;
            }
            if cross(v10, v11) {
                let id = vert(r, c + 1);
                points.insert(id, ((c + 1) as f64 / nf, (r as f64 + t(v10, v11)) / nf));
                hits[k] = id;
                k += 1;
            }
            if cross(v01, v11) {
                let id = h(r + 1, c);
                points.insert(id, ((c as f64 + t(v01, v11)) / nf, (r + 1) as f64 / nf));
                hits[k] = id;
                k += 1;
            }
            if cross(v00, v01) {
                let id = vert(r, c);
                points.insert(id, (c as f64 / nf, (r as f64 + t(v00, v01)) / nf));
                hits[k] = id;
                k += 1;
            }
            match k {
                2 => segments.push((hits[0], hits[1])),
                4 => {
                    segments.push((hits[0], hits[1]));
                    segments.push((hits[2], hits[3]));
                }
                _ => {}
            }
        }
    }
    // Join the segments into polylines through their shared edges.
    let mut by_edge: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &(a, b)) in segments.iter().enumerate() {
        by_edge.entry(a).or_default().push(i);
        by_edge.entry(b).or_default().push(i);
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    // The edges reached by following unused segments from `edge`, in order.
    let walk = |mut edge: usize, used: &mut [bool]| -> Vec<usize> {
        let mut edges = Vec::new();
        while let Some(s) = by_edge
            .get(&edge)
            .and_then(|list| list.iter().copied().find(|&s| !used[s]))
        {
            used[s] = true;
            edge = if segments[s].0 == edge {
                segments[s].1
            } else {
                segments[s].0
            };
            edges.push(edge);
        }
        edges
    };
    for s0 in 0..segments.len() {
        if used[s0] {
            continue;
        }
        used[s0] = true;
        let (first, last) = segments[s0];
        let mut forward = vec![first, last];
        forward.extend(walk(last, &mut used));
        let mut backward = walk(first, &mut used);
        backward.reverse();
        backward.extend(forward);
        lines.push(
            backward
                .iter()
                .filter_map(|e| points.get(e).copied())
                .collect(),
        );
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contours_join_into_closed_lines() {
        // A bowl: each level is one closed loop.
        let n = 40;
        let lattice: Vec<f64> = (0..=n)
            .flat_map(|r| {
                (0..=n).map(move |c| {
                    let (x, y) = (c as f64 / n as f64 - 0.5, r as f64 / n as f64 - 0.5);
                    x * x + 2.0 * y * y
                })
            })
            .collect();
        let lines = contour_lines_of(&lattice, n, 0.05);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(line.len() > 20);
        assert_eq!(line.first(), line.last(), "closed");
    }

    #[test]
    fn mapping_round_trip() {
        let m = PlotMapping {
            x_px: (100.0, 500.0),
            y_px: (300.0, 20.0),
            x_range: (-1.0, 3.0),
            y_range: (0.0, 7.0),
        };
        let (x, y) = m.value_at(300.0, 160.0).unwrap();
        assert!((x - 1.0).abs() < 1e-12 && (y - 3.5).abs() < 1e-12);
        assert!(m.value_at(50.0, 160.0).is_none());
        assert!(m.value_at(300.0, 310.0).is_none());
        assert!(m.value_at(f64::NAN, 0.0).is_none());
    }
}
