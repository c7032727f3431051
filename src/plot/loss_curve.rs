//! Loss against step, on a linear or logarithmic axis, with the optimum's
//! loss as a dashed reference.

use plotters::prelude::*;

use super::style::{self, Style};
use super::PlotError;
use crate::format::compact;

/// How the loss curve is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LossCurveOptions {
    /// Log-scaled y axis. Zero, negative and non-finite values never break
    /// the plot: non-positive values sit on the floor of the axis and
    /// non-finite ones end the curve with a note.
    pub log_scale: bool,
    /// The loss of the optimum, L*, drawn as a dashed horizontal line.
    pub reference: Option<f64>,
    /// Plot the gap L − L* instead of L (needs `reference`).
    pub relative: bool,
    /// Sizes.
    pub style: Style,
}

/// What the drawn curve shows, for tests and read-outs.
#[derive(Debug, Clone, PartialEq)]
pub struct LossCurveInfo {
    /// Number of points in the drawn polyline(s) after decimation.
    pub points_drawn: usize,
    /// First step whose loss is not finite, if any.
    pub first_non_finite: Option<usize>,
    /// Whether the dashed reference line was drawn.
    pub reference_drawn: bool,
}

/// Draws `losses[k]` (the loss after `k` updates) onto `backend`.
pub fn draw_loss_curve<DB: DrawingBackend>(
    backend: DB,
    losses: &[f64],
    options: &LossCurveOptions,
) -> Result<LossCurveInfo, PlotError> {
    let style = options.style;
    let root = backend.into_drawing_area();
    let (width, _) = root.dim_in_pixel();

    let reference = options.reference.filter(|r| r.is_finite());
    let relative = options.relative && reference.is_some();
    let shift = if relative {
        reference.unwrap_or(0.0)
    } else {
        0.0
    };

    let first_non_finite = losses.iter().position(|v| !v.is_finite());
    let finite = &losses[..first_non_finite.unwrap_or(losses.len())];

    // Values on the plotted scale (log10 when asked), None = not drawable.
    let floor = if options.log_scale {
        let min_positive = finite
            .iter()
            .map(|v| v - shift)
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        Some(if min_positive.is_finite() {
            (min_positive.log10() - 1.0).floor()
        } else {
            -12.0
        })
    } else {
        None
    };
    let transform = |v: f64| -> f64 {
        let v = v - shift;
        match floor {
            Some(floor) => {
                if v > 0.0 {
                    v.log10().max(floor)
                } else {
                    floor
                }
            }
            None => v,
        }
    };

    let indices = decimate(finite, (width as usize).max(16));
    let points: Vec<(f64, f64)> = indices
        .iter()
        .map(|&i| (i as f64, transform(finite[i])))
        .collect();

    let reference_y = match (reference, relative) {
        (Some(r), false) => {
            let t = transform(r);
            (!options.log_scale || r > 0.0).then_some(t)
        }
        _ => None,
    };

    // Steps are whole numbers: at least 0..10 so that early ticks are integers.
    let last_step = losses.len().saturating_sub(1).max(10) as f64;
    let x_range = 0.0..last_step;
    let y_range = style::padded_range(points.iter().map(|p| p.1).chain(reference_y), 0.06);

    let y_desc = match (relative, options.log_scale) {
        (true, true) => "loss − L* (log scale)",
        (true, false) => "loss − L*",
        (false, true) => "loss (log scale)",
        (false, false) => "loss",
    };
    let log = options.log_scale;
    let y_format = move |v: &f64| {
        if log {
            compact(10f64.powf(*v))
        } else {
            compact(*v)
        }
    };
    let x_format = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 {
            compact(*v)
        } else {
            String::new()
        }
    };
    let mut chart = style::frame_with(
        &root,
        &style,
        x_range.clone(),
        y_range.clone(),
        ("step", y_desc),
        &x_format,
        &y_format,
    )?;

    let mut reference_drawn = false;
    if let Some(ry) = reference_y {
        if y_range.contains(&ry) {
            let dash = style.px(6.0);
            chart.draw_series(DashedLineSeries::new(
                [(x_range.start, ry), (x_range.end, ry)],
                dash,
                dash,
                style.stroke(style::REFERENCE, 1.5),
            ))?;
            reference_drawn = true;
        }
    }

    if points.len() > 1 {
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            style.stroke(style::PRIMARY, 2.0),
        ))?;
    }
    if let Some(&last) = points.last() {
        chart.draw_series(std::iter::once(Circle::new(
            last,
            style.px(3.5),
            style::PRIMARY.filled(),
        )))?;
    }

    if let Some(step) = first_non_finite {
        let note = format!("loss is not finite from step {step}: the run diverged");
        root.draw(&Text::new(
            note,
            (style.px(76.0) as i32, style.px(20.0) as i32),
            style
                .font(12.0)
                .color(&style::WARNING)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Top,
                )),
        ))?;
    }

    root.present()?;
    Ok(LossCurveInfo {
        points_drawn: points.len(),
        first_non_finite,
        reference_drawn,
    })
}

/// Indices of the points to draw: all of them when there are few, else the
/// first, the last and the minimum and maximum of each of about `width`
/// buckets, so the curve's shape survives at any length.
pub fn decimate(values: &[f64], width: usize) -> Vec<usize> {
    let n = values.len();
    let buckets = width.max(1);
    if n <= buckets * 2 {
        return (0..n).collect();
    }
    let mut out = Vec::with_capacity(buckets * 2 + 2);
    out.push(0);
    for b in 0..buckets {
        let start = (b * n / buckets).max(1);
        let end = ((b + 1) * n / buckets).min(n - 1);
        if start >= end {
            continue;
        }
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if values[i] < values[lo] {
                lo = i;
            }
            if values[i] > values[hi] {
                hi = i;
            }
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push(a);
        if b != a {
            out.push(b);
        }
    }
    out.push(n - 1);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::decimate;

    #[test]
    fn decimation_keeps_ends_and_extremes() {
        let values: Vec<f64> = (0..10_000)
            .map(|i| {
                if i == 5000 {
                    100.0
                } else {
                    1.0 / (1.0 + i as f64)
                }
            })
            .collect();
        let idx = decimate(&values, 100);
        assert!(idx.len() <= 202);
        assert_eq!(idx[0], 0);
        assert_eq!(*idx.last().unwrap(), 9999);
        assert!(idx.contains(&5000));
        assert!(idx.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(decimate(&[1.0, 2.0], 100), vec![0, 1]);
    }
}
