//! The learning-rate schedule: a small curve of α over the steps, for a
//! 240 × 80 CSS canvas (small fonts, three ticks an axis, no titles).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, Axis, Layout, Pen, Style};
use super::PlotError;

/// What [`draw_schedule`] drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleInfo {
    /// Points of the curve.
    pub points: usize,
}

/// Draws α (y, from 0) over the steps (x) through `points` (step, α).
pub fn draw_schedule<DB: DrawingBackend>(
    backend: DB,
    points: &[(f64, f64)],
    style: Style,
) -> Result<ScheduleInfo, PlotError> {
    let root = backend.into_drawing_area();
    root.fill(&style::BACKGROUND)?;
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let (k0, k1) = style::finite_bounds(pts.iter().map(|p| p.0)).unwrap_or((0.0, 100.0));
    let x_range = style::widen(k0, k1, 0.0);
    let (lo, hi) = style::finite_bounds(pts.iter().map(|p| p.1))
        .map_or((0.0, 1.0), |(lo, hi)| (lo.min(0.0), hi));
    // From 0 (so a decay reads as one), a tenth of headroom on top.
    let y_range = style::widen(lo, hi + (hi - lo) * 0.1, 0.0);
    let mut x_axis = Axis::linear(x_range.clone(), "step");
    x_axis.integer = true;
    let mut chart = style::frame_axes(
        &root,
        &style,
        &x_axis,
        &Axis::linear(y_range.clone(), "α"),
        Layout::Small,
    )?;
    let mapping = style::mapping_of(&chart);
    let line = style::decimate_xy(
        &pts,
        &x_range,
        (mapping.x_px.1 - mapping.x_px.0).abs() as usize,
    );
    let mut drawn = 0;
    for piece in style::clip_polyline(&line, &x_range, &y_range) {
        drawn += piece.len();
        style::draw_line(&mut chart, &style, piece, Pen::solid(style::PRIMARY, 1.75))?;
    }
    if pts.is_empty() {
        root.draw(&Text::new(
            "no steps yet",
            (
                mapping.x_px.0.min(mapping.x_px.1) as i32 + style.px(5.0) as i32,
                mapping.y_px.0.min(mapping.y_px.1) as i32 + style.px(2.0) as i32,
            ),
            style.font(10.0).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    root.present()?;
    Ok(ScheduleInfo { points: drawn })
}
