//! The loss landscape: the loss over two parameters (the others held at
//! their current values) as a shaded map with contour lines, the descent
//! path, the start, the current point and the exact optimum.
//!
//! [`draw_landscape`] draws plain data; [`LandscapePanel`] is the stateful
//! part for a [`Trainer`]: it picks the ranges, computes the grid and reuses
//! it while only the path changes, and remembers where the last drawing
//! put the plot so that a click can be turned into parameter values.

use std::collections::HashMap;
use std::ops::Range;

use plotters::coord::{types::RangedCoordf64, CoordTranslate};
use plotters::prelude::*;

use crate::model::{ModelKind, Objective, Problem};
use crate::trainer::Trainer;

use super::format::compact;
use super::model_view::subsample;
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
/// The descent path, the start and the current point.
pub const PATH: RGBColor = style::FIT;
/// Colour steps of the shading (neighbouring cells of one step merge).
const LEVELS: f64 = 20.0;
/// Contour lines drawn (evenly spaced in √(L − L_min)).
const CONTOURS: usize = 9;
/// Shaded cells along each axis of the drawing.
const DRAW_CELLS: usize = 96;
/// Cells along each axis of the contour lattice.
const CONTOUR_CELLS: usize = 72;

/// Grid points per axis for linear regression (the grid costs no data
/// pass: the loss is an exact quadratic).
pub const LINEAR_RESOLUTION: usize = 64;
/// Logistic regression needs the rows at every grid point: grid points ×
/// rows stays under this, so that computing a grid takes about 8 ms in the
/// browser (≈ 13 ns per row and point in wasm, 4 ns natively).
pub const LOGISTIC_BUDGET: usize = 600_000;
/// Fewest and most grid points per axis for logistic regression (the
/// drawing interpolates the grid smoothly, exact for a quadratic bowl).
pub const LOGISTIC_RESOLUTION: (usize, usize) = (20, 48);
/// Logistic grids use at most this many rows (an evenly spread sample,
/// named in the caption) so that a grid stays within [`LOGISTIC_BUDGET`].
pub const LOGISTIC_MAX_ROWS: usize =
    LOGISTIC_BUDGET / (LOGISTIC_RESOLUTION.0 * LOGISTIC_RESOLUTION.0);
/// A held parameter moving more than this fraction of its span since the
/// grid was computed makes the grid stale.
pub const HELD_TOLERANCE: f64 = 0.02;

/// What the landscape plot shows, in training units.
#[derive(Debug, Clone, Copy)]
pub struct LandscapeScene<'a> {
    /// The loss grid (its ranges are the plot's ranges).
    pub grid: &'a Landscape,
    /// The parameters visited, projected on the two axes, first = start.
    pub path: &'a [(f64, f64)],
    /// The current parameters (drawn at the end of the path).
    pub current: Option<(f64, f64)>,
    /// The exact optimum, when known.
    pub optimum: Option<(f64, f64)>,
    /// Axis titles.
    pub axes: Axes<'a>,
    /// A note above the plot (sampling, held parameters).
    pub caption: Option<&'a str>,
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

/// What [`draw_landscape`] drew, for tests and the click mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct LandscapeInfo {
    /// Points of the path polyline (the path plus the current point when it
    /// is not the path's last point).
    pub path_points: usize,
    /// Whether the optimum marker was drawn.
    pub optimum_drawn: bool,
    /// Whether the current point was drawn.
    pub current_drawn: bool,
    /// Contour polylines drawn.
    pub contour_lines: usize,
    /// Shaded rectangles drawn.
    pub cell_rects: usize,
    /// Pixel ↔ value mapping of the plot area.
    pub mapping: PlotMapping,
}

/// Draws the loss grid with contour lines, the path, the start (hollow
/// circle), the current point (filled circle) and the optimum (orange disc
/// with a cross).
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

    let grid = scene.grid;
    let x_range = grid.a_range.0..grid.a_range.1;
    let y_range = grid.b_range.0..grid.b_range.1;
    let fmt = |v: &f64| compact(*v);
    let mut chart = style::frame(
        &area,
        &style,
        x_range.clone(),
        y_range.clone(),
        scene.axes.x,
        scene.axes.y,
        &fmt,
    )?;
    let mapping = mapping_of(&chart, &x_range, &y_range);

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
    let mut rects = Vec::new();
    for row in 0..cells {
        let y0 = y_range.start + dy * row as f64;
        let fy = (row as f64 + 0.5) / cells as f64;
        let mut run_start = 0;
        let mut run_level = f64::NAN;
        for col in 0..=cells {
            let level = if col < cells {
                let fx = (col as f64 + 0.5) / cells as f64;
                quantize(shade(sampler.at(fx, fy)))
            } else {
                f64::INFINITY
            };
            let same = level == run_level || (level.is_nan() && run_level.is_nan());
            if col > 0 && !same {
                let color = if run_level.is_nan() {
                    RGBColor(226, 232, 240)
                } else {
                    style::mix(LOW, HIGH, run_level)
                };
                rects.push(Rectangle::new(
                    [
                        (x_range.start + dx * run_start as f64, y0),
                        (x_range.start + dx * col as f64, y0 + dy),
                    ],
                    color.filled(),
                ));
                run_start = col;
            }
            if col == 0 || !same {
                run_level = level;
            }
        }
    }
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

    // The path, ending at the current point.
    let mut path: Vec<(f64, f64)> = scene
        .path
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let current = scene.current.filter(|p| p.0.is_finite() && p.1.is_finite());
    if let Some(c) = current {
        if path.last() != Some(&c) {
            path.push(c);
        }
    }
    let path_points = path.len();
    if path.len() > 1 {
        chart.draw_series(std::iter::once(PathElement::new(
            path.clone(),
            style.stroke(PATH, 1.75),
        )))?;
    }
    if path.len() <= 60 {
        chart.draw_series(
            path.iter()
                .map(|&p| Circle::new(p, style.px(1.75), PATH.filled())),
        )?;
    }
    if let Some(&start) = scene
        .path
        .first()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
    {
        chart.draw_series(std::iter::once(Circle::new(
            start,
            style.px(5.0),
            style.stroke(PATH, 2.0),
        )))?;
    }

    let mut optimum_drawn = false;
    if let Some(opt) = scene.optimum.filter(|p| p.0.is_finite() && p.1.is_finite()) {
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

    let current_drawn = current.is_some();
    if let Some(c) = current {
        chart.draw_series(std::iter::once(
            EmptyElement::at(c)
                + Circle::new((0, 0), style.px(5.5), PATH.filled())
                + Circle::new((0, 0), style.px(5.5), style.stroke(WHITE, 1.5)),
        ))?;
    }
    root.present()?;
    Ok(LandscapeInfo {
        path_points,
        optimum_drawn,
        current_drawn,
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

fn mapping_of<DB: DrawingBackend>(
    chart: &style::Chart<'_, DB>,
    x: &Range<f64>,
    y: &Range<f64>,
) -> PlotMapping {
    let spec: &Cartesian2d<RangedCoordf64, RangedCoordf64> = chart.as_coord_spec();
    let (x0, y0) = spec.translate(&(x.start, y.start));
    let (x1, y1) = spec.translate(&(x.end, y.end));
    PlotMapping {
        x_px: (f64::from(x0), f64::from(x1)),
        y_px: (f64::from(y0), f64::from(y1)),
        x_range: (x.start, x.end),
        y_range: (y.start, y.end),
    }
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

// ---------------------------------------------------------------------------
// The panel: ranges, grids and their reuse for a trainer.
// ---------------------------------------------------------------------------

/// The parameter names the landscape offers: `w·<feature>` per weight, then
/// `b`.
pub fn parameter_names(trainer: &Trainer) -> Vec<String> {
    trainer
        .dataset()
        .feature_names
        .iter()
        .map(|f| format!("w·{f}"))
        .chain(["b".to_string()])
        .collect()
}

/// The pair shown first: (w, b) for one feature, else the two weights with
/// the largest |optimum weight| (training units) once the optimum is known,
/// else the first two weights. Always `a < b`.
pub fn default_pair(trainer: &Trainer) -> (usize, usize) {
    let d = trainer.dataset().features.cols();
    if d <= 1 {
        return (0, 1);
    }
    let Some((w, _, _)) = trainer.optimum_if_ready().and_then(|o| o.found()) else {
        return (0, 1);
    };
    let mut order: Vec<usize> = (0..w.len().min(d)).collect();
    order.sort_by(|&i, &j| w[j].abs().total_cmp(&w[i].abs()).then(i.cmp(&j)));
    match order[..] {
        [i, j, ..] => (i.min(j), i.max(j)),
        _ => (0, 1),
    }
}

/// What a [`LandscapePanel::draw`] did, besides drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelInfo {
    /// The x-axis (parameter `a`) range, training units.
    pub a_range: (f64, f64),
    /// The y-axis (parameter `b`) range, training units.
    pub b_range: (f64, f64),
    /// Whether the grid was computed for this drawing (else reused).
    pub recomputed: bool,
    /// Rows the grid was evaluated on when a sample, `None` for all rows.
    pub sampled_rows: Option<usize>,
    /// What was drawn.
    pub drawn: LandscapeInfo,
}

/// Identifies the loss surface: the same key means the same data, model,
/// scaling and penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SurfaceKey {
    model: ModelKind,
    rows: usize,
    cols: usize,
    l2: u64,
    standardized: bool,
    hash: u64,
}

impl SurfaceKey {
    fn of(trainer: &Trainer) -> Self {
        let x = trainer.training_features();
        let t = &trainer.dataset().target;
        // FNV-1a over a spread of rows, the targets there and the scaling:
        // cheap, and different data practically never collide.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |v: f64| {
            for byte in v.to_bits().to_le_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for r in subsample(x.rows(), 64) {
            x.row(r).iter().for_each(|&v| eat(v));
            eat(t[r]);
        }
        trainer.scaler().mean().iter().for_each(|&v| eat(v));
        trainer.scaler().std().iter().for_each(|&v| eat(v));
        Self {
            model: trainer.dataset().model,
            rows: x.rows(),
            cols: x.cols(),
            l2: trainer.config().l2.to_bits(),
            standardized: trainer.standardized(),
            hash,
        }
    }
}

/// Second moments of the two varying coordinates of A = [X 1] (over the
/// rows the grid uses): what a linear grid needs, and the curvature scale
/// used when the points give no range.
#[derive(Debug, Clone)]
struct PairMoments {
    surface: SurfaceKey,
    a: usize,
    b: usize,
    aa: f64,
    ab: f64,
    bb: f64,
}

#[derive(Debug, Clone)]
struct CachedGrid {
    surface: SurfaceKey,
    /// All parameters when the grid was computed (the held ones matter).
    theta: Vec<f64>,
    grid: Landscape,
    sampled_rows: Option<usize>,
}

/// The landscape of a trainer, with the grid kept between drawings.
#[derive(Debug, Default)]
pub struct LandscapePanel {
    moments: Option<PairMoments>,
    cached: Option<CachedGrid>,
    mapping: Option<(SurfaceKey, usize, usize, PlotMapping)>,
    softplus: Option<SoftplusTable>,
}

impl LandscapePanel {
    /// An empty panel.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the grid and the mapping (e.g. after new data).
    pub fn clear(&mut self) {
        self.moments = None;
        self.cached = None;
        self.mapping = None;
    }

    /// The grid of the last drawing.
    pub fn grid(&self) -> Option<&Landscape> {
        self.cached.as_ref().map(|c| &c.grid)
    }

    /// The mapping of the last drawing and its parameters `(a, b)`.
    pub fn last_mapping(&self) -> Option<(usize, usize, &PlotMapping)> {
        self.mapping.as_ref().map(|(_, a, b, m)| (*a, *b, m))
    }

    /// The starting point `(weights, bias)` (training units) a click at
    /// device pixel `(px, py)` of the last drawing picks: the two plotted
    /// parameters from the click, the others at their current values (at
    /// the start's after a divergence). `None` outside the plot area, before
    /// any drawing, or when the trainer's data changed since.
    pub fn start_at(&self, trainer: &Trainer, px: f64, py: f64) -> Option<(Vec<f64>, f64)> {
        let (key, a, b, mapping) = self.mapping.as_ref()?;
        if *key != SurfaceKey::of(trainer) {
            return None;
        }
        let (va, vb) = mapping.value_at(px, py)?;
        let d = trainer.training_features().cols();
        let mut theta = current_theta(trainer);
        if !theta.iter().all(|v| v.is_finite()) {
            let (path, _) = trainer.parameter_path();
            theta = path
                .get(..d + 1)
                .filter(|th| th.iter().all(|v| v.is_finite()))
                .map_or_else(|| vec![0.0; d + 1], <[f64]>::to_vec);
        }
        if *a > d || *b > d {
            return None;
        }
        theta[*a] = va;
        theta[*b] = vb;
        let bias = theta.pop()?;
        Some((theta, bias))
    }

    /// Draws the landscape of `trainer` over parameters `a` (x axis) and `b`
    /// (y axis), indices into (w…, b). Fails on invalid indices.
    pub fn draw<DB: DrawingBackend>(
        &mut self,
        backend: DB,
        trainer: &Trainer,
        a: usize,
        b: usize,
        style: Style,
    ) -> Result<PanelInfo, PlotError> {
        let d = trainer.training_features().cols();
        let p = d + 1;
        check_pair(p, a, b)?;
        let recomputed = self.update(trainer, a, b);
        let cached = self
            .cached
            .as_ref()
            .ok_or_else(|| PlotError("the landscape could not be computed".into()))?;

        let (path_flat, _) = trainer.parameter_path();
        let path: Vec<(f64, f64)> = path_flat.chunks_exact(p).map(|th| (th[a], th[b])).collect();
        let theta = current_theta(trainer);
        let optimum = optimum_theta(trainer).map(|th| (th[a], th[b]));
        let names = parameter_names(trainer);
        let unit = if trainer.standardized() {
            " (standardized units)"
        } else {
            ""
        };
        let (x_name, y_name) = (format!("{}{unit}", names[a]), format!("{}{unit}", names[b]));
        let mut notes = Vec::new();
        if let Some(m) = cached.sampled_rows {
            notes.push(format!(
                "loss on an evenly spread sample of {} of {} rows",
                thousands(m),
                thousands(trainer.training_features().rows())
            ));
        }
        if p > 2 {
            notes.push("other parameters held at their current values".to_string());
        }
        let caption = (!notes.is_empty()).then(|| notes.join(" · "));
        let scene = LandscapeScene {
            grid: &cached.grid,
            path: &path,
            current: Some((theta[a], theta[b])),
            optimum,
            axes: Axes {
                x: &x_name,
                y: &y_name,
            },
            caption: caption.as_deref(),
        };
        let drawn = draw_landscape(backend, &scene, style)?;
        let info = PanelInfo {
            a_range: cached.grid.a_range,
            b_range: cached.grid.b_range,
            recomputed,
            sampled_rows: cached.sampled_rows,
            drawn,
        };
        self.mapping = Some((cached.surface, a, b, info.drawn.mapping.clone()));
        Ok(info)
    }

    /// Makes the cached grid fit the trainer's current state; true when it
    /// was (re)computed.
    fn update(&mut self, trainer: &Trainer, a: usize, b: usize) -> bool {
        let surface = SurfaceKey::of(trainer);
        let p = trainer.training_features().cols() + 1;
        let theta = current_theta(trainer);
        let optimum = optimum_theta(trainer);
        let (path, _) = trainer.parameter_path();
        // Every finite point to show, per coordinate.
        let coordinate = |k: usize| {
            path.chunks_exact(p)
                .map(move |th| th[k])
                .chain([theta[k]])
                .chain(optimum.as_ref().map(|o| o[k]))
                .filter(|v| v.is_finite())
        };
        let moments = self.moments(trainer, surface, a, b);
        let base_loss = base_point(trainer, &theta, path, p).1;
        let scale = |k: usize| -> f64 {
            let m = if k == a { moments.aa } else { moments.bb };
            let h = match surface.model {
                ModelKind::Linear => 2.0 * m,
                ModelKind::Logistic => 0.25 * m,
            };
            let delta = (2.0 * base_loss.abs().max(1e-12) / h).sqrt();
            if delta.is_finite() && delta > 0.0 {
                delta
            } else {
                1.0
            }
        };
        let need_a = bounds(coordinate(a));
        let need_b = bounds(coordinate(b));

        let reusable = |c: &CachedGrid| -> bool {
            if c.surface != surface || c.grid.a != a || c.grid.b != b {
                return false;
            }
            if !(fits(c.grid.a_range, need_a, scale(a)) && fits(c.grid.b_range, need_b, scale(b))) {
                return false;
            }
            (0..p).filter(|&k| k != a && k != b).all(|k| {
                let span = bounds(coordinate(k))
                    .map(|(lo, hi)| hi - lo)
                    .filter(|s| *s > 0.0)
                    .unwrap_or_else(|| theta[k].abs().max(1.0));
                let moved = (theta[k] - c.theta[k]).abs();
                moved <= HELD_TOLERANCE * span || (!moved.is_finite() && theta[k] == c.theta[k])
            })
        };
        if self.cached.as_ref().is_some_and(reusable) {
            return false;
        }
        // Keep the ranges when only the held parameters moved.
        let ranges = match &self.cached {
            Some(c)
                if c.surface == surface
                    && c.grid.a == a
                    && c.grid.b == b
                    && fits(c.grid.a_range, need_a, scale(a))
                    && fits(c.grid.b_range, need_b, scale(b)) =>
            {
                (c.grid.a_range, c.grid.b_range)
            }
            _ => (
                range_for(need_a, theta[a], scale(a)),
                range_for(need_b, theta[b], scale(b)),
            ),
        };
        let (grid, sampled_rows) = self.compute(trainer, &moments, &theta, ranges);
        self.cached = Some(CachedGrid {
            surface,
            theta,
            grid,
            sampled_rows,
        });
        true
    }

    fn moments(
        &mut self,
        trainer: &Trainer,
        surface: SurfaceKey,
        a: usize,
        b: usize,
    ) -> PairMoments {
        if let Some(m) = &self.moments {
            if m.surface == surface && m.a == a && m.b == b {
                return m.clone();
            }
        }
        let x = trainer.training_features();
        let d = x.cols();
        let rows = grid_rows(surface.model, x.rows());
        let coord = |row: &[f64], k: usize| if k < d { row[k] } else { 1.0 };
        let (mut aa, mut ab, mut bb) = (0.0, 0.0, 0.0);
        let mut visit = |row: &[f64]| {
            let (xa, xb) = (coord(row, a), coord(row, b));
            aa += xa * xa;
            ab += xa * xb;
            bb += xb * xb;
        };
        let count = match &rows {
            Some(rows) => {
                rows.iter().for_each(|&r| visit(x.row(r)));
                rows.len()
            }
            None => {
                x.row_iter().for_each(&mut visit);
                x.rows()
            }
        };
        let m = count.max(1) as f64;
        let moments = PairMoments {
            surface,
            a,
            b,
            aa: aa / m,
            ab: ab / m,
            bb: bb / m,
        };
        self.moments = Some(moments.clone());
        moments
    }

    /// The grid over `ranges`, the held parameters taken from `theta`.
    fn compute(
        &mut self,
        trainer: &Trainer,
        m: &PairMoments,
        theta: &[f64],
        (a_range, b_range): ((f64, f64), (f64, f64)),
    ) -> (Landscape, Option<usize>) {
        let (a, b) = (m.a, m.b);
        let x = trainer.training_features();
        let (n, d) = (x.rows(), x.cols());
        let p = d + 1;
        let model = trainer.dataset().model;
        let l2 = trainer.config().l2;
        let (path, _) = trainer.parameter_path();
        let (base, base_loss, base_gradient) = base_point(trainer, theta, path, p);
        let mut values;
        let res;
        let mut sampled = None;
        match model {
            ModelKind::Linear => {
                // L(θ₀ + s·eₐ + u·e_b) = L₀ + gₐs + g_b u + ½(Hₐₐs² + 2Hₐ_b su + H_bb u²)
                // exactly, with H = (2/n)·AᵀA + λ·I on the weights.
                res = LINEAR_RESOLUTION;
                let pen = |k: usize| if k < d { l2 } else { 0.0 };
                let (haa, hab, hbb) = (2.0 * m.aa + pen(a), 2.0 * m.ab, 2.0 * m.bb + pen(b));
                let (ga, gb) = (base_gradient[a], base_gradient[b]);
                values = Vec::with_capacity(res * res);
                for iy in 0..res {
                    let u = at(b_range, iy, res) - base[b];
                    for ix in 0..res {
                        let s = at(a_range, ix, res) - base[a];
                        values.push(
                            base_loss
                                + ga * s
                                + gb * u
                                + 0.5 * (haa * s * s + 2.0 * hab * s * u + hbb * u * u),
                        );
                    }
                }
            }
            ModelKind::Logistic => {
                let rows = grid_rows(model, n);
                let m = rows.as_ref().map_or(n, Vec::len).max(1);
                if rows.is_some() {
                    sampled = Some(m);
                }
                res = ((LOGISTIC_BUDGET / m) as f64)
                    .sqrt()
                    .floor()
                    .clamp(LOGISTIC_RESOLUTION.0 as f64, LOGISTIC_RESOLUTION.1 as f64)
                    as usize;
                let table = self.softplus.get_or_insert_with(SoftplusTable::new);
                let t = &trainer.dataset().target;
                // z = c + s·xₐ + u·x_b per row, with c the part of z that
                // does not move; Σ −t·z is linear and summed once.
                let mut c = Vec::with_capacity(m);
                let mut xa = Vec::with_capacity(m);
                let mut xb = Vec::with_capacity(m);
                let (mut tc, mut ta, mut tb) = (0.0, 0.0, 0.0);
                let coord = |row: &[f64], k: usize| if k < d { row[k] } else { 1.0 };
                let mut visit = |r: usize| {
                    let row = x.row(r);
                    let z = base[d] + crate::model::problem::dot(row, &base[..d]);
                    let (va, vb) = (coord(row, a), coord(row, b));
                    let ci = z - base[a] * va - base[b] * vb;
                    c.push(ci);
                    xa.push(va);
                    xb.push(vb);
                    tc += t[r] * ci;
                    ta += t[r] * va;
                    tb += t[r] * vb;
                };
                match &rows {
                    Some(rows) => rows.iter().for_each(|&r| visit(r)),
                    None => (0..n).for_each(&mut visit),
                }
                let held_penalty: f64 = (0..d)
                    .filter(|&k| k != a && k != b)
                    .map(|k| base[k] * base[k])
                    .sum();
                let pen = |k: usize, v: f64| if k < d { v * v } else { 0.0 };
                let mf = m as f64;
                values = Vec::with_capacity(res * res);
                let mut cu = vec![0.0; c.len()];
                for iy in 0..res {
                    let u = at(b_range, iy, res);
                    for ((cu, c), xb) in cu.iter_mut().zip(&c).zip(&xb) {
                        *cu = c + u * xb;
                    }
                    for ix in 0..res {
                        let s = at(a_range, ix, res);
                        let sum: f64 = cu
                            .iter()
                            .zip(&xa)
                            .map(|(cu, xa)| table.softplus(cu + s * xa))
                            .sum();
                        let linear = tc + s * ta + u * tb;
                        let penalty = 0.5 * l2 * (held_penalty + pen(a, s) + pen(b, u));
                        values.push((sum - linear) / mf + penalty);
                    }
                }
            }
        }
        (
            Landscape {
                a,
                b,
                a_range,
                b_range,
                resolution: res,
                values,
            },
            sampled,
        )
    }
}

fn check_pair(p: usize, a: usize, b: usize) -> Result<(), PlotError> {
    if a >= p || b >= p {
        return Err(PlotError(format!(
            "parameter index {} is out of range: the model has {p} parameters (0 to {})",
            a.max(b),
            p - 1
        )));
    }
    if a == b {
        return Err(PlotError(
            "the landscape needs two different parameters".into(),
        ));
    }
    Ok(())
}

/// The rows a logistic grid uses when not all of them (`None` = all).
fn grid_rows(model: ModelKind, n: usize) -> Option<Vec<usize>> {
    (model == ModelKind::Logistic && n > LOGISTIC_MAX_ROWS).then(|| subsample(n, LOGISTIC_MAX_ROWS))
}

/// (w…, b) of the trainer's current state.
fn current_theta(trainer: &Trainer) -> Vec<f64> {
    let s = trainer.state();
    s.weights.iter().copied().chain([s.bias]).collect()
}

/// (w…, b) of the optimum, when known and finite.
fn optimum_theta(trainer: &Trainer) -> Option<Vec<f64>> {
    let (w, b, _) = trainer.optimum_if_ready()?.found()?;
    Some(w.iter().copied().chain([b]).collect())
}

/// The point the grid expands around (the current parameters, or the last
/// finite point of the path after a divergence), its loss and gradient.
fn base_point(
    trainer: &Trainer,
    theta: &[f64],
    path: &[f64],
    p: usize,
) -> (Vec<f64>, f64, Vec<f64>) {
    let s = trainer.state();
    let finite = |th: &[f64]| th.iter().all(|v| v.is_finite());
    if finite(theta) && s.loss.is_finite() {
        let g: Vec<f64> = s
            .gradient_weights
            .iter()
            .copied()
            .chain([s.gradient_bias])
            .collect();
        if g.iter().all(|v| v.is_finite()) {
            return (theta.to_vec(), s.loss, g);
        }
    }
    let base = path
        .chunks_exact(p)
        .rev()
        .find(|th| finite(th))
        .map_or_else(|| vec![0.0; p], <[f64]>::to_vec);
    let problem = Problem::new(
        trainer.dataset().model,
        trainer.training_features(),
        &trainer.dataset().target,
    )
    .with_l2(trainer.config().l2);
    let d = p - 1;
    let mut g = vec![0.0; d];
    let (loss, gb) = problem.loss_and_gradient(&base[..d], base[d], &mut g);
    g.push(gb);
    (base, loss, g)
}

fn at((lo, hi): (f64, f64), k: usize, res: usize) -> f64 {
    lo + (hi - lo) * k as f64 / (res - 1) as f64
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    style::finite_bounds(values)
}

/// The range shown for points spanning `need` (or around `center` with
/// the curvature scale when they do not span anything).
fn range_for(need: Option<(f64, f64)>, center: f64, scale: f64) -> (f64, f64) {
    let (lo, hi) = need.unwrap_or((center, center));
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 0.0)
    };
    // 20% of margin on each side, and at least the curvature scale.
    let min_width = 2.0 * scale.max(1e-12 * lo.abs().max(hi.abs()));
    let width = (1.4 * (hi - lo)).max(min_width);
    let mid = 0.5 * (lo + hi);
    let r = style::widen(mid - 0.5 * width, mid + 0.5 * width, 0.0);
    (r.start, r.end)
}

/// Whether `range` still suits points spanning `need`: they are inside with
/// a little margin, and the range is not much wider than needed.
fn fits(range: (f64, f64), need: Option<(f64, f64)>, scale: f64) -> bool {
    let Some((lo, hi)) = need else {
        return true;
    };
    let span = range.1 - range.0;
    let margin = 0.03 * span;
    let inside = lo >= range.0 + margin && hi <= range.1 - margin;
    let wanted = (hi - lo).max(2.0 * scale) * 1.4;
    inside && span <= 4.0 * wanted
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// softplus(z) = max(z, 0) + ln(1 + e^−|z|) with the second term from a
/// table (linear interpolation, absolute error below 1e-5): four times
/// faster than `exp` + `ln_1p`, plenty for a picture.
#[derive(Debug, Clone)]
struct SoftplusTable {
    values: Vec<f64>,
}

impl SoftplusTable {
    const STEPS_PER_UNIT: f64 = 64.0;
    const LIMIT: f64 = 36.0;

    fn new() -> Self {
        let n = (Self::LIMIT * Self::STEPS_PER_UNIT) as usize + 2;
        let values = (0..n)
            .map(|k| (-(k as f64) / Self::STEPS_PER_UNIT).exp().ln_1p())
            .collect();
        Self { values }
    }

    #[inline(always)]
    fn softplus(&self, z: f64) -> f64 {
        let a = z.abs();
        let tail = if a < Self::LIMIT {
            let f = a * Self::STEPS_PER_UNIT;
            let k = f as usize;
            let r = f - k as f64;
            let (v0, v1) = (self.values[k], self.values[k + 1]);
            v0 + (v1 - v0) * r
        } else if a.is_finite() {
            0.0
        } else {
            return if z > 0.0 { z } else { 0.0 };
        };
        z.max(0.0) + tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_table_is_close() {
        let t = SoftplusTable::new();
        for k in -4000..4000 {
            let z = k as f64 / 97.0;
            let exact = z.max(0.0) + (-z.abs()).exp().ln_1p();
            assert!((t.softplus(z) - exact).abs() < 1e-5, "{z}");
        }
        assert_eq!(t.softplus(1e6), 1e6);
        assert_eq!(t.softplus(-1e6), 0.0);
        assert_eq!(t.softplus(f64::INFINITY), f64::INFINITY);
    }

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

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2083), "2,083");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
