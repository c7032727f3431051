//! The α-sweep: the loss after K steps against the learning rate (both
//! axes logarithmic), diverged rates as markers along the top, and the 1/L
//! and 2/L marks as vertical lines. A click maps back to the nearest α.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::landscape::thousands;
use super::style::{self, Axis, Layout, Pen, PlotMapping, Scale, Stroke, Style};
use super::PlotError;
use crate::session::view::Sweep;

/// What [`draw_sweep`] drew.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepInfo {
    /// Rates with a finite loss, drawn as points on the curve.
    pub points: usize,
    /// Rates that diverged, drawn as markers along the top.
    pub diverged: usize,
    /// Vertical marks drawn (1/L, 2/L).
    pub marks: usize,
    /// Where the plot area is (x is log₁₀ α, y log₁₀ of the loss).
    pub mapping: PlotMapping,
}

/// Draws `sweep`.
pub fn draw_sweep<DB: DrawingBackend>(
    backend: DB,
    sweep: &Sweep,
    style: Style,
) -> Result<SweepInfo, PlotError> {
    let root = backend.into_drawing_area();
    root.fill(&style::BACKGROUND)?;
    let n = sweep.rates.len().min(sweep.losses.len());
    let tried: Vec<(f64, f64)> = (0..n)
        .filter(|&i| sweep.rates[i] > 0.0 && sweep.rates[i].is_finite())
        .map(|i| (sweep.rates[i].log10(), sweep.losses[i]))
        .collect();
    let marks: Vec<(&str, f64)> = sweep
        .marks
        .iter()
        .filter(|(_, v)| *v > 0.0 && v.is_finite())
        .map(|(s, v)| (s.as_str(), v.log10()))
        .collect();
    let x_range = style::padded_range(
        tried.iter().map(|p| p.0).chain(marks.iter().map(|m| m.1)),
        0.04,
    );
    let (min_pos, max_pos) = tried
        .iter()
        .map(|p| p.1)
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let floor = style::log_floor(
        min_pos,
        if max_pos > 0.0 {
            max_pos.log10()
        } else {
            f64::NAN
        },
    );
    let finite: Vec<(f64, f64)> = tried
        .iter()
        .filter(|p| p.1.is_finite())
        .map(|&(a, v)| (a, style::log_or_floor(v, floor)))
        .collect();
    let y_data = style::padded_range(finite.iter().map(|p| p.1), 0.05);
    // Room at the top for the diverged markers.
    let y_range = y_data.start..y_data.end + (y_data.end - y_data.start) * 0.08;
    let y_title = format!("loss after {} steps (log scale)", sweep.steps);
    let mut chart = style::frame_axes(
        &root,
        &style,
        &Axis {
            range: x_range.clone(),
            scale: Scale::Log,
            title: "α, learning rate (log scale)",
            integer: false,
        },
        &Axis::log(y_range.clone(), &y_title),
        Layout::Full,
    )?;
    let mapping = style::mapping_of(&chart);

    let mut marks_drawn = 0;
    for (label, x) in &marks {
        if !x_range.contains(x) {
            continue;
        }
        style::draw_line(
            &mut chart,
            &style,
            vec![(*x, y_range.start), (*x, y_range.end)],
            Pen::solid(style::REFERENCE, 1.25).with(Stroke::Dashed),
        )?;
        chart.draw_series(std::iter::once(Text::new(
            label.to_string(),
            (*x, y_data.end),
            style
                .font(11.0)
                .color(&style::REFERENCE)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        )))?;
        marks_drawn += 1;
    }

    // The curve breaks where a rate diverged.
    let mut piece = Vec::new();
    for &(a, v) in &tried {
        if v.is_finite() {
            piece.push((a, style::log_or_floor(v, floor)));
        } else if !piece.is_empty() {
            style::draw_line(
                &mut chart,
                &style,
                std::mem::take(&mut piece),
                Pen::solid(style::PRIMARY, 2.0),
            )?;
        }
    }
    style::draw_line(&mut chart, &style, piece, Pen::solid(style::PRIMARY, 2.0))?;
    chart.draw_series(
        finite
            .iter()
            .filter(|p| style::inside(**p, &x_range, &y_range))
            .map(|&p| Circle::new(p, style.px(3.0), style::PRIMARY.filled())),
    )?;
    let top = y_data.end + (y_range.end - y_data.end) * 0.5;
    let arm = style.px(4.0) as i32;
    let cross = style.stroke(style::WARNING, 2.0);
    let diverged: Vec<f64> = tried
        .iter()
        .filter(|p| !p.1.is_finite() && x_range.contains(&p.0))
        .map(|p| p.0)
        .collect();
    chart.draw_series(diverged.iter().map(|&a| {
        EmptyElement::at((a, top))
            + PathElement::new(vec![(-arm, -arm), (arm, arm)], cross)
            + PathElement::new(vec![(-arm, arm), (arm, -arm)], cross)
    }))?;
    let mut notes = Vec::new();
    if !diverged.is_empty() {
        notes.push("× diverged".to_string());
    }
    if let Some(rows) = sweep.sampled_rows {
        notes.push(format!(
            "on a sample of {} rows",
            thousands(u64::from(rows))
        ));
    }
    if tried.is_empty() {
        notes.push("no learning rates tried".to_string());
    }
    // Bottom left: small rates barely move the loss, so the curve starts
    // high there and leaves that corner free.
    let left = mapping.x_px.0.min(mapping.x_px.1) as i32;
    let bottom_px = mapping.y_px.0.max(mapping.y_px.1) as i32;
    for (k, note) in notes.into_iter().rev().enumerate() {
        root.draw(&Text::new(
            note,
            (
                left + style.px(8.0) as i32,
                bottom_px - style.px(8.0 + 15.0 * k as f64) as i32,
            ),
            style.font(11.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))?;
    }
    root.present()?;
    Ok(SweepInfo {
        points: finite.len(),
        diverged: diverged.len(),
        marks: marks_drawn,
        mapping,
    })
}

/// The tried α nearest (on the log axis) to device pixel `(px, py)` of a
/// drawing with `mapping`, or `None` outside the plot area.
pub fn rate_at(mapping: &PlotMapping, rates: &[f64], px: f64, py: f64) -> Option<f64> {
    let (x, _) = mapping.value_at(px, py)?;
    rates
        .iter()
        .copied()
        .filter(|r| *r > 0.0 && r.is_finite())
        .min_by(|a, b| (a.log10() - x).abs().total_cmp(&(b.log10() - x).abs()))
}
