//! The error along each eigendirection of the Hessian, |vᵢᵀ(θₖ − θ*)|,
//! over the steps: one line per direction, coloured by its eigenvalue, so
//! the slow (small λ) and fast (large λ) directions read apart.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, Axis, Layout, Pen, Scale, Style};
use super::PlotError;
use crate::format::compact;
use crate::session::view::EigenView;

/// Most directions drawn (evenly spread over the spectrum, both ends kept).
pub const MAX_DIRECTIONS: usize = 32;
/// Most legend entries; with more directions the legend labels an even
/// spread of them and says that the colour follows λ.
pub const MAX_LEGEND: usize = 5;

/// What [`draw_eigen`] drew.
#[derive(Debug, Clone, PartialEq)]
pub struct EigenInfo {
    /// Directions drawn.
    pub directions: usize,
    /// Points of all the lines after decimation.
    pub points: usize,
    /// Legend entries: the label ("λ = 0.5") and the colour.
    pub legend: Vec<(String, RGBColor)>,
}

/// The colour of eigenvalue `lambda` within `[lo, hi]`: light teal for
/// the smallest through violet to dark red for the largest (on a log scale).
pub fn eigen_color(lambda: f64, lo: f64, hi: f64) -> RGBColor {
    const A: RGBColor = RGBColor(13, 148, 136);
    const B: RGBColor = RGBColor(109, 40, 217);
    const C: RGBColor = RGBColor(185, 28, 28);
    let t = if lo > 0.0 && hi > lo && lambda > 0.0 {
        ((lambda.log10() - lo.log10()) / (hi.log10() - lo.log10())).clamp(0.0, 1.0)
    } else if hi > lo {
        ((lambda - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    if t < 0.5 {
        style::mix(A, B, t * 2.0)
    } else {
        style::mix(B, C, (t - 0.5) * 2.0)
    }
}

/// The indices of at most `max` of `n` items, evenly spread, both ends kept.
fn spread(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    let mut out: Vec<usize> = (0..max)
        .map(|k| (k * (n - 1) + (max - 1) / 2) / (max - 1))
        .collect();
    out.dedup();
    out
}

/// Draws the errors of `view` (log y unless `log_scale` is false).
pub fn draw_eigen<DB: DrawingBackend>(
    backend: DB,
    view: &EigenView,
    log_scale: bool,
    style: Style,
) -> Result<EigenInfo, PlotError> {
    let root = backend.into_drawing_area();
    root.fill(&style::BACKGROUND)?;
    let p = view.eigenvalues.len();
    let k = view
        .errors
        .len()
        .checked_div(p)
        .map_or(0, |rows| view.steps.len().min(rows));
    let error = |point: usize, dir: usize| view.errors[point * p + dir];

    let (mut min_pos, mut max_pos) = (f64::INFINITY, 0.0f64);
    for point in 0..k {
        for dir in 0..p {
            let e = error(point, dir);
            if e > 0.0 && e.is_finite() {
                min_pos = min_pos.min(e);
                max_pos = max_pos.max(e);
            }
        }
    }
    let floor = style::log_floor(
        min_pos,
        if max_pos > 0.0 {
            max_pos.log10()
        } else {
            f64::NAN
        },
    );
    let to_y = |e: f64| {
        if log_scale {
            style::log_or_floor(e, floor)
        } else {
            e
        }
    };
    let steps = &view.steps[..k];
    let (s0, s1) = style::finite_bounds(steps.iter().copied()).unwrap_or((0.0, 10.0));
    let x_range = style::widen(s0.min(0.0), s1.max(s0 + 10.0), 0.0);
    let y_range = style::padded_range(
        (0..k)
            .flat_map(|point| (0..p).map(move |dir| (point, dir)))
            .map(|(a, b)| {
                let e = error(a, b);
                if e.is_finite() {
                    to_y(e)
                } else {
                    f64::NAN
                }
            }),
        0.05,
    );
    let y_title = if log_scale {
        "|vᵢᵀ(θ − θ*)| (training units, log scale)"
    } else {
        "|vᵢᵀ(θ − θ*)| (training units)"
    };
    let mut x_axis = Axis::linear(x_range.clone(), "step (updates)");
    x_axis.integer = true;
    let y_axis = Axis {
        range: y_range.clone(),
        scale: if log_scale { Scale::Log } else { Scale::Linear },
        title: y_title,
        integer: false,
    };
    let mut chart = style::frame_axes(&root, &style, &x_axis, &y_axis, Layout::Full)?;
    let mapping = style::mapping_of(&chart);
    let width = (mapping.x_px.1 - mapping.x_px.0).abs().max(16.0) as usize;

    let finite_l: Vec<f64> = view
        .eigenvalues
        .iter()
        .copied()
        .filter(|l| l.is_finite())
        .collect();
    let lo = finite_l
        .iter()
        .copied()
        .filter(|l| *l > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = finite_l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Directions with a usable eigenvalue, at most MAX_DIRECTIONS of them.
    let usable: Vec<usize> = (0..p)
        .filter(|&i| view.eigenvalues[i].is_finite())
        .collect();
    let dirs: Vec<usize> = spread(usable.len(), MAX_DIRECTIONS)
        .into_iter()
        .map(|i| usable[i])
        .collect();
    let legend_dirs = spread(dirs.len(), MAX_LEGEND);
    let mut points = 0;
    let mut legend = Vec::new();
    for (n, &dir) in dirs.iter().enumerate() {
        let lambda = view.eigenvalues[dir];
        let color = eigen_color(lambda, lo, hi);
        let line: Vec<(f64, f64)> = (0..k)
            .filter(|&point| steps[point].is_finite() && error(point, dir).is_finite())
            .map(|point| (steps[point], to_y(error(point, dir))))
            .collect();
        let line = style::decimate_xy(&line, &x_range, width);
        for piece in style::clip_polyline(&line, &x_range, &y_range) {
            points += piece.len();
            style::draw_line(&mut chart, &style, piece, Pen::solid(color, 1.75))?;
        }
        if legend_dirs.contains(&n) {
            legend.push((format!("λ = {}", compact(lambda)), color));
        }
    }

    // The legend, top right inside the plot (errors fall over the steps,
    // so that corner is the emptiest): a swatch and a label per entry.
    let (right, top_px) = (
        mapping.x_px.0.max(mapping.x_px.1) as i32,
        mapping.y_px.0.min(mapping.y_px.1) as i32,
    );
    let row = style.px(15.0) as i32;
    let swatch = style.px(14.0) as i32;
    let pad = style.px(8.0) as i32;
    let mut lines: Vec<(String, RGBColor)> = legend.clone();
    if legend.len() < dirs.len() {
        lines.push((
            format!("{} directions drawn; colour follows λ", dirs.len()),
            style::AXIS,
        ));
    }
    if dirs.len() < p {
        lines.push((
            format!("{} of {} directions shown", dirs.len(), p),
            style::AXIS,
        ));
    }
    let longest = lines.iter().map(|l| l.0.chars().count()).max().unwrap_or(0);
    let box_w = style.px(6.5 * longest as f64 + 34.0) as i32;
    let rows = lines.len() as i32;
    let top = top_px + pad;
    let left = right - pad - box_w;
    if rows > 0 {
        // A light box so the legend reads over the lines.
        root.draw(&Rectangle::new(
            [
                (left + pad / 2, top - pad / 2),
                (left + box_w, top + row * rows + pad / 2),
            ],
            WHITE.mix(0.85).filled(),
        ))?;
    }
    for (i, (label, color)) in lines.iter().enumerate() {
        let y = top + row * i as i32 + row / 2;
        let x0 = left + pad;
        if i < legend.len() {
            root.draw(&PathElement::new(
                vec![(x0, y), (x0 + swatch, y)],
                style.stroke(*color, 2.5),
            ))?;
        }
        root.draw(&Text::new(
            label.clone(),
            (x0 + swatch + style.px(6.0) as i32, y),
            style
                .font(11.0)
                .color(color)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    root.present()?;
    Ok(EigenInfo {
        directions: dirs.len(),
        points,
        legend,
    })
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn spread_keeps_both_ends() {
        assert_eq!(spread(3, 8), vec![0, 1, 2]);
        let s = spread(100, 8);
        assert_eq!(s.len(), 8);
        assert_eq!(s[0], 0);
        assert_eq!(*s.last().unwrap(), 99);
    }
}
