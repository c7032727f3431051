//! Two features at a time: the model's output over the plane as a
//! heatmap (probability for logistic, prediction for linear), the 0.5
//! decision boundary, and the data points coloured by class or value.

use std::ops::Range;

use plotters::prelude::*;

use super::landscape::contour_paths;
use super::model_view::{PointMarks, FLAG};
use super::style::{self, Pen, Style};
use super::{Axes, ModelViewInfo, PlotError};

/// What the heatmap's colour means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shading {
    /// A probability in [0, 1]: blue = 0, white = 0.5, red = 1.
    Probability,
    /// A value mapped linearly from `low` (blue) to `high` (red).
    Value {
        /// Value drawn in full blue.
        low: f64,
        /// Value drawn in full red.
        high: f64,
    },
}

/// A model output that is a monotone function of a plane,
/// f(x, y) = g(c + wx·x + wy·y) (linear and logistic regression): its colour
/// levels are parallel stripes, drawn exactly as one polygon per level
/// instead of cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plane {
    /// The plane's value at (0, 0).
    pub c: f64,
    /// Its slope along x.
    pub wx: f64,
    /// Its slope along y.
    pub wy: f64,
    /// g.
    pub link: Link,
}

/// The increasing function from a plane's value to the model's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The value itself (linear regression).
    Identity,
    /// σ(z) = 1 / (1 + e^−z) (logistic regression).
    Sigmoid,
}

impl Link {
    /// g⁻¹(v): the plane's value where the output is `v`.
    pub fn inverse(self, v: f64) -> f64 {
        match self {
            Self::Identity => v,
            Self::Sigmoid => (v / (1.0 - v)).ln(),
        }
    }
}

/// How the heatmap is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatmapOptions {
    /// Cells along each axis (clamped to 4..=200).
    pub cells: usize,
    /// `f` as a function of a plane, when it is one: the shading is then
    /// drawn as exact stripes (and costs a few polygons, not many cells).
    pub plane: Option<Plane>,
    /// Colour mapping of the model output and of the points' `values`.
    pub shading: Shading,
    /// Draw the contour where the output equals this level (0.5 for the
    /// logistic decision boundary).
    pub boundary: Option<f64>,
    /// Sizes.
    pub style: Style,
}

impl Default for HeatmapOptions {
    fn default() -> Self {
        Self {
            cells: 100,
            plane: None,
            shading: Shading::Probability,
            boundary: Some(0.5),
            style: Style::default(),
        }
    }
}

/// Colour steps of the heatmap: equal colours of neighbouring cells merge
/// into one rectangle, which keeps drawing cheap on a canvas.
const LEVELS: f64 = 24.0;

/// A model's output over the plane whose level line is drawn with a pen
/// (the ghosts: the optimum, the other runs, the Newton step).
#[derive(Clone, Copy)]
pub struct Surface<'a> {
    /// The output at (x, y).
    pub f: &'a dyn Fn(f64, f64) -> f64,
    /// How its level line is drawn.
    pub pen: Pen,
}

/// What [`draw_heatmap`] adds to the shading.
#[derive(Clone, Copy)]
pub struct HeatmapOverlay<'a> {
    /// Per-point sizes and rings.
    pub marks: PointMarks<'a>,
    /// The current model's level line (drawn over a white halo).
    pub boundary_pen: Pen,
    /// Level lines of other models, drawn under the current one.
    pub ghosts: &'a [Surface<'a>],
}

impl Default for HeatmapOverlay<'_> {
    fn default() -> Self {
        Self {
            marks: PointMarks::default(),
            boundary_pen: Pen::solid(RGBColor(15, 23, 42), 2.0),
            ghosts: &[],
        }
    }
}

/// Cells of the lattice the level lines are traced on.
const LINE_CELLS: usize = 64;

/// The level line `f = level` over `x × y` as polylines.
fn level_lines(
    f: &dyn Fn(f64, f64) -> f64,
    x: &Range<f64>,
    y: &Range<f64>,
    level: f64,
) -> Vec<Vec<(f64, f64)>> {
    let n = LINE_CELLS;
    let lattice: Vec<f64> = (0..=n)
        .flat_map(|r| {
            let yy = y.start + (y.end - y.start) * r as f64 / n as f64;
            (0..=n).map(move |c| f(x.start + (x.end - x.start) * c as f64 / n as f64, yy))
        })
        .collect();
    contour_paths(&lattice, n, level, x, y)
}

/// Draws the plane `x × y` shaded by `f(x, y)`, the level line of
/// `options.boundary` for `f` and for each ghost, and the points
/// `(x[i], y[i])` coloured by `values[i]` (a class 0/1 or a target).
#[allow(clippy::too_many_arguments)]
pub fn draw_heatmap<DB: DrawingBackend>(
    backend: DB,
    x: &[f64],
    y: &[f64],
    values: &[f64],
    axes: Axes<'_>,
    f: &dyn Fn(f64, f64) -> f64,
    options: &HeatmapOptions,
    overlay: &HeatmapOverlay<'_>,
) -> Result<ModelViewInfo, PlotError> {
    let style = options.style;
    let root = backend.into_drawing_area();
    let n = x.len().min(y.len()).min(values.len());
    let x_range = style::padded_range(x[..n].iter().copied(), 0.05);
    let y_range = style::padded_range(y[..n].iter().copied(), 0.05);
    let mut chart = style::frame(
        &root,
        &style,
        x_range.clone(),
        y_range.clone(),
        axes.x,
        axes.y,
    )?;
    let cells = options.cells.clamp(4, 200);
    let shade = |v: f64| -> f64 {
        match options.shading {
            Shading::Probability => v,
            Shading::Value { low, high } => {
                let width = high - low;
                if width.is_finite() && width > 0.0 {
                    (v - low) / width
                } else {
                    0.5
                }
            }
        }
    };
    let quantize = |t: f64| -> f64 {
        if !t.is_finite() {
            return f64::NAN;
        }
        let level = (t.clamp(0.0, 1.0) * LEVELS).floor().min(LEVELS - 1.0);
        (level + 0.5) / LEVELS
    };

    let shading_shapes =
        match options.plane {
            Some(plane) => {
                let stripes = stripes(&plane, options.shading, &x_range, &y_range);
                let count = stripes.len();
                chart.draw_series(stripes.into_iter().map(|(corners, level)| {
                    Polygon::new(corners, style::diverging(level).filled())
                }))?;
                count
            }
            None => {
                let dx = (x_range.end - x_range.start) / cells as f64;
                let dy = (y_range.end - y_range.start) / cells as f64;
                let levels: Vec<f64> = (0..cells * cells)
                    .map(|k| {
                        let (row, col) = (k / cells, k % cells);
                        let (xc, yc) = (
                            x_range.start + dx * (col as f64 + 0.5),
                            y_range.start + dy * (row as f64 + 0.5),
                        );
                        quantize(shade(f(xc, yc)))
                    })
                    .collect();
                let rects: Vec<_> = style::merged_cells(&levels, cells)
                    .into_iter()
                    .map(|(c0, r0, c1, r1, level)| {
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
                            style::diverging(level).filled(),
                        )
                    })
                    .collect();
                let count = rects.len();
                chart.draw_series(rects)?;
                count
            }
        };

    let mut ghosts = Vec::with_capacity(overlay.ghosts.len());
    let mut boundary_lines = 0;
    if let Some(level) = options.boundary {
        for g in overlay.ghosts {
            let lines = level_lines(g.f, &x_range, &y_range, level);
            ghosts.push(lines.len());
            for line in lines {
                style::draw_line(&mut chart, &style, line, g.pen)?;
            }
        }
        let lines = level_lines(f, &x_range, &y_range, level);
        boundary_lines = lines.len();
        let halo = Pen::solid(WHITE, overlay.boundary_pen.width + 2.5).faint(0.75);
        for line in lines {
            style::draw_line(&mut chart, &style, line.clone(), halo)?;
            style::draw_line(&mut chart, &style, line, overlay.boundary_pen)?;
        }
    } else {
        ghosts.resize(overlay.ghosts.len(), 0);
    }

    let radius = style.px(if n > 500 { 2.5 } else { 4.0 });
    // Outlines help few points stand out; for many they only cost time.
    let outline = style.stroke(WHITE.mix(0.9), 1.0);
    let outlined = n <= 500;
    let marks = &overlay.marks;
    let ring = style.stroke(FLAG, 1.5);
    let mut flagged = 0;
    let mut rings = Vec::new();
    let mut points = 0;
    let mut markers = Vec::with_capacity(n);
    let mut outlines = Vec::new();
    for i in 0..n {
        let (a, b, v) = (x[i], y[i], values[i]);
        if !style::inside((a, b), &x_range, &y_range) {
            continue;
        }
        let color = match options.shading {
            Shading::Probability => {
                if v >= 0.5 {
                    style::POSITIVE
                } else {
                    style::NEGATIVE
                }
            }
            // The heatmap's own colour levels (so points come in a few
            // colours, each drawn as one batch).
            Shading::Value { .. } => style::diverging_dark(quantize(shade(v))),
        };
        let r = marks.radius(i, radius);
        markers.push((
            (color.0, color.1, color.2),
            Circle::new((a, b), r, color.filled()),
        ));
        if outlined {
            outlines.push(Circle::new((a, b), r, outline));
        }
        if marks.is_flagged(i) {
            rings.push(Circle::new((a, b), r + style.px(2.0), ring));
            flagged += 1;
        }
        points += 1;
    }
    // Colour by colour: a canvas fills a run of equal opaque discs as one
    // path (which point lies on top of an overlap is arbitrary either way).
    markers.sort_by_key(|(color, _)| *color);
    chart.draw_series(markers.into_iter().map(|(_, disc)| disc))?;
    chart.draw_series(outlines)?;
    chart.draw_series(rings)?;
    root.present()?;
    Ok(ModelViewInfo {
        points,
        curves: boundary_lines,
        shading_shapes,
        boundary_lines,
        ghosts,
        flagged,
        off_chart: n - points,
        fit_visible: true,
    })
}

/// The colour levels of `plane` over `x × y`, painted in order (each over
/// the last, so that neighbours leave no seam): level k covers where the
/// shade is at least k/LEVELS, a half of the rectangle clipped by a line.
/// Returns each level's corners and its quantized shade.
fn stripes(
    plane: &Plane,
    shading: Shading,
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<(Vec<(f64, f64)>, f64)> {
    let rect = vec![
        (x.start, y.start),
        (x.end, y.start),
        (x.end, y.end),
        (x.start, y.end),
    ];
    // The output where the shade crosses t (shade = (v − low)/width).
    let output_at = |t: f64| match shading {
        Shading::Probability => Some(t),
        Shading::Value { low, high } => {
            let width = high - low;
            (width.is_finite() && width > 0.0).then_some(low + width * t)
        }
    };
    let levels = LEVELS as usize;
    let mut out = Vec::with_capacity(levels);
    for k in 0..levels {
        let level = (k as f64 + 0.5) / LEVELS;
        if k == 0 {
            out.push((rect.clone(), level));
            continue;
        }
        let Some(v) = output_at(k as f64 / LEVELS) else {
            // No spread of values: the shade is ½ everywhere.
            return vec![(rect, ((0.5 * LEVELS).floor() + 0.5) / LEVELS)];
        };
        let z = plane.link.inverse(v);
        // Where c + wx·x + wy·y ≥ z.
        let h = |(px, py): (f64, f64)| plane.c + plane.wx * px + plane.wy * py - z;
        let part = clip_half_plane(&rect, &h);
        if part.len() >= 3 {
            out.push((part, level));
        }
    }
    out
}

/// The part of the convex polygon `poly` where `h ≥ 0`, for an affine `h`
/// (Sutherland–Hodgman against one edge).
fn clip_half_plane(poly: &[(f64, f64)], h: &dyn Fn((f64, f64)) -> f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (i, &p) in poly.iter().enumerate() {
        let q = poly[(i + 1) % poly.len()];
        let (hp, hq) = (h(p), h(q));
        if hp >= 0.0 {
            out.push(p);
        }
        if hp.is_finite() && hq.is_finite() && (hp >= 0.0) != (hq >= 0.0) {
            let t = hp / (hp - hq);
            out.push((p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t));
        }
    }
    out
}

/// Segments of the contour `f = level` on a `cells × cells` grid
/// (marching squares with linear interpolation along cell edges).
pub fn contour(
    f: &dyn Fn(f64, f64) -> f64,
    x: &Range<f64>,
    y: &Range<f64>,
    cells: usize,
    level: f64,
) -> Vec<((f64, f64), (f64, f64))> {
    let cells = cells.max(1);
    let dx = (x.end - x.start) / cells as f64;
    let dy = (y.end - y.start) / cells as f64;
    let corners: Vec<Vec<f64>> = (0..=cells)
        .map(|r| {
            let yy = y.start + dy * r as f64;
            (0..=cells)
                .map(|c| f(x.start + dx * c as f64, yy) - level)
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for r in 0..cells {
        for c in 0..cells {
            let (x0, y0) = (x.start + dx * c as f64, y.start + dy * r as f64);
            let (x1, y1) = (x0 + dx, y0 + dy);
            let v00 = corners[r][c];
            let v10 = corners[r][c + 1];
            let v01 = corners[r + 1][c];
            let v11 = corners[r + 1][c + 1];
            if ![v00, v10, v01, v11].iter().all(|v| v.is_finite()) {
                continue;
            }
            let cross = |a: f64, b: f64| (a < 0.0) != (b < 0.0);
            let t = |a: f64, b: f64| if a == b { 0.5 } else { a / (a - b) };
            let mut hits = Vec::with_capacity(4);
            if cross(v00, v10) {
                hits.push((x0 + dx * t(v00, v10), y0));
            }
            if cross(v10, v11) {
                hits.push((x1, y0 + dy * t(v10, v11)));
            }
            if cross(v01, v11) {
                hits.push((x0 + dx * t(v01, v11), y1));
            }
            if cross(v00, v01) {
                hits.push((x0, y0 + dy * t(v00, v01)));
            }
            match hits.len() {
                2 => out.push((hits[0], hits[1])),
                4 => {
                    out.push((hits[0], hits[1]));
                    out.push((hits[2], hits[3]));
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{contour, stripes, Link, Plane, Shading, LEVELS};

    /// Whether `(x, y)` is inside the convex polygon `poly` (either winding).
    fn inside(poly: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
        let sides: Vec<f64> = (0..poly.len())
            .map(|i| {
                let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
                (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0)
            })
            .collect();
        sides.iter().all(|s| *s >= -1e-9) || sides.iter().all(|s| *s <= 1e-9)
    }

    #[test]
    fn stripes_paint_each_point_with_its_own_level() {
        let cases = [
            (
                Plane {
                    c: -4.0,
                    wx: 1.0,
                    wy: 1.0,
                    link: Link::Sigmoid,
                },
                Shading::Probability,
            ),
            (
                Plane {
                    c: 0.3,
                    wx: -2.0,
                    wy: 0.5,
                    link: Link::Identity,
                },
                Shading::Value {
                    low: -6.0,
                    high: 5.0,
                },
            ),
            (
                Plane {
                    c: 1.0,
                    wx: 0.0,
                    wy: 0.0,
                    link: Link::Sigmoid,
                },
                Shading::Probability,
            ),
        ];
        for (plane, shading) in cases {
            let (x, y) = (-1.0..5.0, -2.0..4.0);
            let painted = stripes(&plane, shading, &x, &y);
            for i in 0..40 {
                for j in 0..40 {
                    let p = (-0.93 + 0.15 * i as f64, -1.97 + 0.15 * j as f64);
                    let z = plane.c + plane.wx * p.0 + plane.wy * p.1;
                    let v = match plane.link {
                        Link::Identity => z,
                        Link::Sigmoid => 1.0 / (1.0 + (-z).exp()),
                    };
                    let t = match shading {
                        Shading::Probability => v,
                        Shading::Value { low, high } => (v - low) / (high - low),
                    };
                    let want =
                        ((t.clamp(0.0, 1.0) * LEVELS).floor().min(LEVELS - 1.0) + 0.5) / LEVELS;
                    // Near a band edge either neighbour is right.
                    let near_edge = ((t * LEVELS) - (t * LEVELS).round()).abs() < 1e-6;
                    let got = painted
                        .iter()
                        .rev()
                        .find(|(poly, _)| inside(poly, p))
                        .map(|s| s.1);
                    assert!(
                        near_edge || got == Some(want),
                        "{plane:?} at {p:?}: {got:?} ≠ {want}"
                    );
                }
            }
        }
        // No spread of values: one level.
        let flat = stripes(
            &Plane {
                c: 0.0,
                wx: 1.0,
                wy: 0.0,
                link: Link::Identity,
            },
            Shading::Value {
                low: 2.0,
                high: 2.0,
            },
            &(0.0..1.0),
            &(0.0..1.0),
        );
        assert_eq!(flat.len(), 1);
    }

    #[test]
    fn contour_of_a_plane_is_the_line() {
        let segs = contour(&|a, b| a + b, &(-1.0..1.0), &(-1.0..1.0), 20, 0.0);
        assert!(!segs.is_empty());
        for (p, q) in segs {
            assert!((p.0 + p.1).abs() < 1e-9 && (q.0 + q.1).abs() < 1e-9);
        }
        assert!(contour(&|_, _| 1.0, &(0.0..1.0), &(0.0..1.0), 10, 0.5).is_empty());
    }
}
