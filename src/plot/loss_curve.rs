//! Loss against step (or epoch) for every run of a frame, each in its
//! colour: the active run thicker, pinned runs dashed, the mini-batches'
//! own losses as faint dots, L* as a dashed reference and, on the L − L*
//! plot, each run's predicted line (L₀ − L*)·rateᵏ.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use super::style::{self, Axis, Layout, Pen, PlotMapping, Stroke, Style};
use super::PlotError;
use crate::format::number;
use crate::model::ModelKind;
use crate::session::view::{Frame, Scene};

/// How the loss curve is drawn (the page's `{log_scale, relative, epochs,
/// batch}`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LossOptions {
    /// Log-scaled y axis (zero and negative values sit on the axis floor).
    pub log_scale: bool,
    /// Plot L − L* on a log axis (when L* is known; else the loss).
    pub relative: bool,
    /// The x axis counts epochs (step / batches per epoch).
    pub epochs: bool,
    /// Draw the mini-batches' own losses as faint dots.
    pub batch: bool,
}

/// A run's predicted line as drawn: from its first history point to where
/// it leaves the plot, in steps and L − L*.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictedLine {
    /// Index of the run in the frame.
    pub run: usize,
    /// The predicted shrink factor per step.
    pub rate: f64,
    /// (step, L − L*) where the line starts.
    pub start: (f64, f64),
    /// (step, L − L*) where the drawn line ends.
    pub end: (f64, f64),
}

/// What the loss plot drew, for the page and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct LossCurveInfo {
    /// Points of all the runs' polylines after decimation.
    pub points_drawn: usize,
    /// Runs with a drawn curve.
    pub runs: usize,
    /// Whether the dashed L* line was drawn.
    pub reference_drawn: bool,
    /// Whether L − L* was plotted (asked for and L* known).
    pub relative: bool,
    /// Whether the y axis is logarithmic.
    pub log: bool,
    /// Mini-batch dots drawn.
    pub batch_points: usize,
    /// Predicted lines drawn.
    pub predicted: Vec<PredictedLine>,
    /// (run, step) of runs whose loss stopped being finite.
    pub diverged: Vec<(usize, f64)>,
    /// Axis titles.
    pub titles: (String, String),
    /// Where the plot area is (y on the plotted scale: log₁₀ when `log`).
    pub mapping: PlotMapping,
}

/// The y axis title, with the loss's units.
fn y_title(scene: &Scene, relative: bool, log: bool) -> String {
    // "MSE, price²" for a plain name; "target units²" when a square of the
    // name would read badly (spaces, brackets, length).
    let name = &scene.target_name;
    let plain = !name.is_empty()
        && name.chars().count() <= 20
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let target = if plain { name.as_str() } else { "target units" };
    let what = match scene.model {
        ModelKind::Linear => format!("MSE, {target}²"),
        ModelKind::Logistic => "log-loss, nats".to_string(),
    };
    match (relative, log) {
        (true, _) => format!("L − L* ({what}, log scale)"),
        (false, true) => format!("loss ({what}, log scale)"),
        (false, false) => format!("loss ({what})"),
    }
}

/// A run's curve on the plotted scale, before the axis floor is known.
struct Series {
    /// (x, L − shift) of the finite points.
    points: Vec<(f64, f64)>,
    /// Steps per x unit (batches per epoch with the epochs axis, else 1).
    per_x: f64,
    /// Step where the loss stopped being finite.
    diverged: Option<f64>,
}

/// Draws every run of `frame` (labels from `scene`).
pub fn draw_loss_curves<DB: DrawingBackend>(
    backend: DB,
    scene: &Scene,
    frame: &Frame,
    options: &LossOptions,
    style: Style,
) -> Result<LossCurveInfo, PlotError> {
    let root = backend.into_drawing_area();
    root.fill(&style::BACKGROUND)?;

    let l_star = frame
        .optimum
        .as_ref()
        .map(|o| o.loss)
        .filter(|v| v.is_finite());
    let relative = options.relative && l_star.is_some();
    let log = options.log_scale || relative;
    let shift = if relative { l_star.unwrap_or(0.0) } else { 0.0 };
    let active = frame.active.min(frame.runs.len().saturating_sub(1));

    let series: Vec<Series> = frame
        .runs
        .iter()
        .map(|run| {
            let per_epoch = if run.batches_per_epoch.is_finite() && run.batches_per_epoch >= 1.0 {
                run.batches_per_epoch
            } else {
                1.0
            };
            let per_x = if options.epochs { per_epoch } else { 1.0 };
            let n = run.history_steps.len().min(run.history_loss.len());
            let mut points = Vec::with_capacity(n);
            let mut diverged = None;
            for k in 0..n {
                let (s, v) = (run.history_steps[k], run.history_loss[k]);
                if !v.is_finite() {
                    diverged = Some(s);
                    break;
                }
                if s.is_finite() {
                    points.push((s / per_x, v - shift));
                }
            }
            Series {
                points,
                per_x,
                diverged,
            }
        })
        .collect();

    // The log axis floor: a decade under the smallest positive value.
    let reference = (!relative).then_some(l_star).flatten();
    let positives = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(reference)
        .filter(|v| *v > 0.0 && v.is_finite());
    let (min_pos, max_pos) = positives.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
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
    let to_y = |v: f64| {
        if log {
            style::log_or_floor(v, floor)
        } else {
            v
        }
    };

    // Ranges: x from 0 (or the first step) to the last step, at least ten
    // steps wide so early ticks are whole numbers.
    let last_x = series
        .iter()
        .filter_map(|s| s.points.last().map(|p| p.0))
        .fold(0.0f64, f64::max);
    let first_x = series
        .iter()
        .filter_map(|s| s.points.first().map(|p| p.0))
        .fold(0.0f64, f64::min);
    let min_span = series
        .iter()
        .map(|s| 10.0 / s.per_x)
        .fold(if options.epochs { 0.0 } else { 10.0 }, f64::max)
        .max(1e-9);
    // A little room on the right for the last points' markers.
    let x_end = last_x.max(first_x + min_span);
    let x_range = style::widen(first_x, x_end + (x_end - first_x) * 0.02, 0.0);
    let reference_y = reference.filter(|r| !log || *r > 0.0).map(to_y);
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| to_y(p.1)))
        .chain(reference_y);
    let y_range = style::padded_range(ys, if log { 0.04 } else { 0.06 });

    let x_title = if options.epochs {
        "epoch (passes over the rows)"
    } else {
        "step (updates)"
    };
    let y_title = y_title(scene, relative, log);
    let mut x_axis = Axis::linear(x_range.clone(), x_title);
    x_axis.integer = !options.epochs;
    let y_axis = Axis {
        range: y_range.clone(),
        scale: if log {
            style::Scale::Log
        } else {
            style::Scale::Linear
        },
        title: &y_title,
        integer: false,
    };
    let mut chart = style::frame_axes(&root, &style, &x_axis, &y_axis, Layout::Full)?;
    let mapping = style::mapping_of(&chart);
    // Curves keep at most four points (first, lowest, highest, last) per two
    // CSS pixel columns: the shape at the screen's resolution, a bounded
    // cost at any history length.
    let plot_px = ((mapping.x_px.1 - mapping.x_px.0).abs() / style.scale).max(16.0) as usize;
    let buckets = (plot_px / 2).max(8);

    // Mini-batch losses first, faint, under everything.
    let mut batch_points = 0;
    if options.batch {
        let dot_buckets = (plot_px / 4).max(8);
        let with_batches = frame
            .runs
            .iter()
            .filter(|r| !r.batch_loss.is_empty())
            .count()
            .max(1);
        for (i, run) in frame.runs.iter().enumerate() {
            let per_x = series[i].per_x;
            let pts: Vec<(f64, f64)> = run
                .batch_steps
                .iter()
                .zip(&run.batch_loss)
                .filter(|(s, v)| s.is_finite() && v.is_finite() && (!log || **v - shift > 0.0))
                .map(|(s, v)| (s / per_x, to_y(v - shift)))
                .filter(|p| style::inside(*p, &x_range, &y_range))
                .collect();
            // Fewer buckets per run when many runs have batches: the dots stay bounded.
            let pts = style::decimate_xy(&pts, &x_range, (dot_buckets * 2 / with_batches).max(8));
            let color = style::run_color(i).mix(0.28);
            let r = style.px(1.25);
            batch_points += pts.len();
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, r, color.filled())))?;
        }
    }

    let mut reference_drawn = false;
    if let (Some(ry), Some(l)) = (reference_y, reference) {
        if y_range.contains(&ry) {
            style::draw_line(
                &mut chart,
                &style,
                vec![(x_range.start, ry), (x_range.end, ry)],
                Pen::solid(style::REFERENCE, 1.5).with(Stroke::Dashed),
            )?;
            // Labelled at the left, where the curves are still high.
            let at = x_range.start + (x_range.end - x_range.start) * 0.01;
            chart.draw_series(std::iter::once(Text::new(
                format!("L* = {}", number(l, 5)),
                (at, ry),
                style
                    .font(11.0)
                    .color(&style::REFERENCE)
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))?;
            reference_drawn = true;
        }
    }

    // Curves: the other runs, then the active one on top.
    let mut order: Vec<usize> = (0..frame.runs.len()).filter(|&i| i != active).collect();
    if !frame.runs.is_empty() {
        order.push(active);
    }
    let mut points_drawn = 0;
    let mut runs = 0;
    let mut lasts = Vec::new();
    for &i in &order {
        let s = &series[i];
        let plotted: Vec<(f64, f64)> = s.points.iter().map(|&(x, v)| (x, to_y(v))).collect();
        let plotted = style::decimate_xy(&plotted, &x_range, buckets);
        if plotted.is_empty() {
            continue;
        }
        let mut pen = Pen::solid(style::run_color(i), if i == active { 3.0 } else { 1.75 });
        if frame.runs[i].pinned {
            pen = pen.with(Stroke::Dashed);
        }
        if i != active {
            pen = pen.faint(0.85);
        }
        for piece in style::clip_polyline(&plotted, &x_range, &y_range) {
            points_drawn += piece.len();
            style::draw_line(&mut chart, &style, piece, pen)?;
        }
        if let Some(&last) = plotted.last() {
            if style::inside(last, &x_range, &y_range) {
                lasts.push((i, last));
            }
        }
        runs += 1;
    }

    // Predicted lines on the L − L* plot: straight on the log axis, so their
    // slope reads against the measured curve's.
    let mut predicted = Vec::new();
    if relative {
        for (i, run) in frame.runs.iter().enumerate() {
            let Some(rate) = run.predicted_rate.filter(|r| r.is_finite() && *r > 0.0) else {
                continue;
            };
            let s = &series[i];
            let Some(&(x0, v0)) = s.points.first().filter(|p| p.1 > 0.0) else {
                continue;
            };
            let (k0, per_x) = (x0 * s.per_x, s.per_x);
            let k_end = x_range.end * per_x;
            let (y0, slope) = (v0.log10(), rate.log10());
            let a = (x0, y0);
            let b = (x_range.end, y0 + (k_end - k0) * slope);
            let Some((p, q)) = style::clip_segment(a, b, &x_range, &y_range) else {
                continue;
            };
            let pen = Pen::solid(style::run_color(i), 1.25)
                .with(Stroke::Dashed)
                .faint(0.9);
            style::draw_line(&mut chart, &style, vec![p, q], pen)?;
            let label = format!("predicted ×{}/step", number(rate, 4));
            // Ending near the left edge (a steep line), the label reads
            // rightwards from its end, so that it stays inside the plot.
            let near_left = q.0 - x_range.start < 0.4 * (x_range.end - x_range.start);
            let anchor = Pos::new(
                if near_left { HPos::Left } else { HPos::Right },
                if slope < 0.0 { VPos::Bottom } else { VPos::Top },
            );
            chart.draw_series(std::iter::once(Text::new(
                label,
                q,
                style.font(11.0).color(&style::run_color(i)).pos(anchor),
            )))?;
            predicted.push(PredictedLine {
                run: i,
                rate,
                start: (p.0 * per_x, 10f64.powf(p.1)),
                end: (q.0 * per_x, 10f64.powf(q.1)),
            });
        }
    }

    for (i, last) in lasts {
        let r = style.px(if i == active { 3.5 } else { 2.5 });
        chart.draw_series(std::iter::once(Circle::new(
            last,
            r,
            style::run_color(i).filled(),
        )))?;
    }

    // Notes: divergence, a missing L*.
    let mut notes = Vec::new();
    let diverged: Vec<(usize, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.diverged.map(|k| (i, k)))
        .collect();
    for &(i, k) in diverged.iter().take(3) {
        notes.push((
            format!(
                "run {}: the loss is not finite from step {}: it diverged",
                i + 1,
                number(k, 6)
            ),
            style::run_color(i),
        ));
    }
    if options.relative && !relative {
        notes.push((
            "L* is not known yet: showing the loss".to_string(),
            style::AXIS,
        ));
    }
    if frame.runs.is_empty() {
        notes.push(("no runs to draw".to_string(), style::AXIS));
    }
    let (left, top) = (
        mapping.x_px.0.min(mapping.x_px.1),
        mapping.y_px.0.min(mapping.y_px.1),
    );
    for (k, (note, color)) in notes.into_iter().enumerate() {
        root.draw(&Text::new(
            note,
            (
                left as i32 + style.px(8.0) as i32,
                top as i32 + style.px(6.0 + 16.0 * k as f64) as i32,
            ),
            style
                .font(12.0)
                .color(&color)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }

    root.present()?;
    Ok(LossCurveInfo {
        points_drawn,
        runs,
        reference_drawn,
        relative,
        log,
        batch_points,
        predicted,
        diverged,
        titles: (x_title.to_string(), y_title.clone()),
        mapping,
    })
}

#[cfg(test)]
mod tests {
    use crate::plot::style::decimate_xy;

    #[test]
    fn xy_decimation_is_bounded_by_the_width() {
        let pts: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (i as f64, if i == 777 { 9.0 } else { (i as f64).sin() }))
            .collect();
        let d = decimate_xy(&pts, &(0.0..100_000.0), 200);
        assert!(d.len() <= 4 * 200 + 4, "{}", d.len());
        assert_eq!(d[0], pts[0]);
        assert_eq!(*d.last().unwrap(), *pts.last().unwrap());
        assert!(d.contains(&(777.0, 9.0)));
        assert!(d.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
