//! The page's pictures from the session's plain values ([`Scene`],
//! [`Frame`], [`Grid`], [`Sweep`]): what the main thread draws while
//! training runs in the worker. Generic over `DrawingBackend`, so native
//! tests render SVG. Run i is drawn in [`run_color`]`(i)` everywhere.
//!
//! Nothing here trusts the frame: θ of the wrong length, NaN and infinite
//! values, empty runs or samples give a clear error or a partial picture,
//! never a panic.

use plotters::prelude::{DrawingBackend, RGBColor};
use serde::{Deserialize, Serialize};

use super::eigen::{draw_eigen as draw_eigen_plot, EigenInfo};
use super::heatmap::{draw_heatmap, HeatmapOptions, HeatmapOverlay, Link, Plane, Shading, Surface};
use super::landscape::{
    draw_landscape as draw_landscape_plot, thousands, Landscape, LandscapeInfo, LandscapeScene,
    RunPath,
};
pub use super::loss_curve::LossOptions;
use super::loss_curve::{draw_loss_curves, LossCurveInfo};
use super::model_view::{relative_magnitudes, PointMarks, ViewKind, FLAG};
use super::predicted_actual::{binned_means, draw_predicted_actual};
use super::regression_line::draw_regression_line;
use super::schedule::{draw_schedule as draw_schedule_plot, ScheduleInfo};
use super::sigmoid::draw_sigmoid;
use super::style::{self, css, run_color, Curve, Pen, Stroke, Style};
use super::sweep::{draw_sweep as draw_sweep_plot, SweepInfo};
use super::{Axes, ModelViewInfo, PlotError};
use crate::format::compact;
use crate::model::{sigmoid, ModelKind};
use crate::session::view::{Frame, Grid, RunView, Scene, Sweep};

/// What the model view shows (the page's `{view, slice_x, slice_y, ghost,
/// shares, newton, others}`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelOptions {
    /// The wished view (an unavailable one falls back to the default).
    pub view: Option<ViewKind>,
    /// Feature on the heatmap's x axis.
    pub slice_x: usize,
    /// Feature on the heatmap's y axis.
    pub slice_y: usize,
    /// Draw the optimum's fit as a dashed ghost.
    pub ghost: bool,
    /// Size points by their share of the active run's gradient; ring
    /// misclassified ones (logistic).
    pub shares: bool,
    /// Draw the Newton point's fit as a dotted ghost (from `frame.newton`).
    pub newton: bool,
    /// Draw the other runs' fits as faint ghosts in their colours.
    pub others: bool,
}

/// How the eigen errors are drawn (the page's `{log_scale}`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EigenOptions {
    /// Log-scaled y axis (the default: errors shrink geometrically).
    pub log_scale: bool,
}

impl Default for EigenOptions {
    fn default() -> Self {
        Self { log_scale: true }
    }
}

/// One entry of the model view's legend, as the page draws it.
///
/// `kind` says how to draw the swatch: `points` (dots), `line` (solid),
/// `dashed`, `dotted`, `faint` (a thin, light solid line), `sized` (dots of
/// growing size), `ring` (a ring) or `shading` (the heatmap's colours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegendEntry {
    /// The swatch's kind.
    pub kind: String,
    /// What it stands for.
    pub label: String,
    /// `#rrggbb`.
    pub color: String,
}

impl LegendEntry {
    fn new(kind: &str, label: impl Into<String>, color: RGBColor) -> Self {
        Self {
            kind: kind.to_string(),
            label: label.into(),
            color: css(color),
        }
    }
}

/// What [`draw_model`] drew.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// The view drawn.
    pub view: ViewKind,
    /// What was drawn, for the page's legend.
    pub legend: Vec<LegendEntry>,
    /// Counts of what was drawn.
    pub drawn: ModelViewInfo,
    /// Ghost models drawn (optimum, Newton, other runs) with at least one
    /// visible piece.
    pub ghosts_drawn: usize,
    /// Whether the points were sized by their gradient shares.
    pub shares: bool,
}

/// The six run colours as `#rrggbb`, run i in colour i.
pub fn run_colors() -> Vec<String> {
    style::RUN_COLORS.iter().map(|c| css(*c)).collect()
}

/// θ (training units) in original units, with the scene's transform.
pub fn to_original(scene: &Scene, theta: &[f64]) -> Vec<f64> {
    let d = scene.feature_names.len();
    let mut out = theta.to_vec();
    if scene.standardized
        && theta.len() == d + 1
        && scene.scale.len() == d
        && scene.shift.len() == d
    {
        let mut b = theta[d];
        for j in 0..d {
            out[j] = theta[j] * scene.scale[j];
            b -= out[j] * scene.shift[j];
        }
        out[d] = b;
    }
    out
}

/// The model's output at original-units features `x` for original-units θ
/// (`[w…, b]`); missing entries count as zero.
pub fn output(model: ModelKind, theta_orig: &[f64], x: &[f64]) -> f64 {
    let d = theta_orig.len().saturating_sub(1);
    let b = theta_orig.get(d).copied().unwrap_or(0.0);
    let z = b + x
        .iter()
        .zip(&theta_orig[..d])
        .map(|(a, w)| a * w)
        .sum::<f64>();
    link(model, z)
}

fn link(model: ModelKind, z: f64) -> f64 {
    match model {
        ModelKind::Linear => z,
        ModelKind::Logistic => sigmoid(z),
    }
}

/// The view drawn for a wish on a scene.
pub fn resolve_view(scene: &Scene, wished: Option<ViewKind>) -> Option<ViewKind> {
    match wished {
        Some(v) if scene.views.contains(&v) => Some(v),
        _ => scene.views.first().copied(),
    }
}

/// Valid, distinct slice axes for `d` features.
pub fn slices(d: usize, x: usize, y: usize) -> (usize, usize) {
    if d < 2 {
        return (0, 0);
    }
    let x = if x < d { x } else { 0 };
    let y = if y < d && y != x {
        y
    } else {
        (0..d).find(|&k| k != x).unwrap_or(0)
    };
    (x, y)
}

fn active(frame: &Frame) -> Option<(usize, &RunView)> {
    let i = if frame.active < frame.runs.len() {
        frame.active
    } else {
        0
    };
    frame.runs.get(i).map(|r| (i, r))
}

/// The scene's sample, checked: `m` points of `d` features, column-major.
struct Sample<'a> {
    m: usize,
    features: &'a [f64],
    target: &'a [f64],
}

impl<'a> Sample<'a> {
    fn of(scene: &'a Scene) -> Self {
        let d = scene.feature_names.len();
        let m = scene.sample_target.len();
        let ok = d > 0 && scene.sample_features.len() == d * m;
        Self {
            m: if ok { m } else { 0 },
            features: &scene.sample_features,
            target: &scene.sample_target[..if ok { m } else { 0 }],
        }
    }

    fn col(&self, j: usize) -> &'a [f64] {
        self.features
            .get(j * self.m..(j + 1) * self.m)
            .unwrap_or(&[])
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.features
            .get(j * self.m + i)
            .copied()
            .unwrap_or(f64::NAN)
    }
}

/// Each sample point's share of the gradient `gradient` at `theta` (both
/// training units): row i's term (1/m)·∂ℓ/∂z·(x̃ᵢ, 1) projected on g and
/// divided by ‖g‖², so the shares of all rows add up to one (without a
/// penalty). `None` when g is zero or the sizes do not match the scene.
pub fn gradient_shares(scene: &Scene, theta: &[f64], gradient: &[f64]) -> Option<Vec<f64>> {
    let d = scene.feature_names.len();
    let s = Sample::of(scene);
    if theta.len() != d + 1 || gradient.len() != d + 1 || s.m == 0 {
        return None;
    }
    let g2: f64 = gradient.iter().map(|g| g * g).sum();
    if !(g2 > 0.0 && g2.is_finite()) {
        return None;
    }
    let transform = scene.standardized && scene.shift.len() == d && scene.scale.len() == d;
    let mut xt = vec![0.0; d];
    let shares = (0..s.m)
        .map(|i| {
            for (j, v) in xt.iter_mut().enumerate() {
                let x = s.at(i, j);
                *v = if transform {
                    (x - scene.shift[j]) * scene.scale[j]
                } else {
                    x
                };
            }
            let z = theta[d] + xt.iter().zip(theta).map(|(x, t)| x * t).sum::<f64>();
            let y = s.target[i];
            let dl = match scene.model {
                ModelKind::Linear => 2.0 * (z - y),
                ModelKind::Logistic => sigmoid(z) - y,
            };
            let along = gradient[d] + xt.iter().zip(gradient).map(|(x, g)| x * g).sum::<f64>();
            dl / s.m as f64 * along / g2
        })
        .collect();
    Some(shares)
}

/// The loss curves of every run, with L* once known.
pub fn draw_loss<DB: DrawingBackend>(
    backend: DB,
    scene: &Scene,
    frame: &Frame,
    options: &LossOptions,
    style: Style,
) -> Result<LossCurveInfo, PlotError> {
    draw_loss_curves(backend, scene, frame, options, style)
}

/// A model in original units, reduced to the plotted features: the output
/// is `link(c + w_x·a + w_y·b)` with the other features held at their means.
#[derive(Debug, Clone, Copy)]
struct Slice {
    c: f64,
    wx: f64,
    wy: f64,
}

impl Slice {
    fn of(scene: &Scene, theta: &[f64], j: usize, k: Option<usize>) -> Option<Self> {
        let d = scene.feature_names.len();
        if theta.len() != d + 1 {
            return None;
        }
        let o = to_original(scene, theta);
        let mean = |i: usize| {
            scene
                .means
                .get(i)
                .copied()
                .filter(|v| v.is_finite())
                .unwrap_or(0.0)
        };
        let c = o[d]
            + (0..d)
                .filter(|&i| i != j && Some(i) != k)
                .map(|i| o[i] * mean(i))
                .sum::<f64>();
        Some(Self {
            c,
            wx: o[j],
            wy: k.map_or(0.0, |k| o[k]),
        })
    }

    fn z(&self, a: f64, b: f64) -> f64 {
        self.c + self.wx * a + self.wy * b
    }

    fn is_finite(&self) -> bool {
        self.c.is_finite() && self.wx.is_finite() && self.wy.is_finite()
    }
}

/// A model to draw over the data: the active run or a ghost.
struct Model {
    theta: Vec<f64>,
    pen: Pen,
    kind: &'static str,
    label: String,
}

/// The ghosts asked for, in drawing order (under the active run): the
/// other runs, the optimum, the Newton point.
fn ghosts(frame: &Frame, active: usize, options: &ModelOptions) -> Vec<Model> {
    let mut out = Vec::new();
    if options.others {
        for (i, run) in frame.runs.iter().enumerate() {
            if i != active {
                out.push(Model {
                    theta: run.theta.clone(),
                    pen: Pen::solid(run_color(i), 1.5).faint(0.45),
                    kind: "faint",
                    label: format!("run {}: {}", i + 1, run.label),
                });
            }
        }
    }
    if options.ghost {
        if let Some(o) = &frame.optimum {
            out.push(Model {
                theta: o.theta.clone(),
                pen: Pen::solid(style::REFERENCE, 1.75)
                    .with(Stroke::Dashed)
                    .faint(0.9),
                kind: "dashed",
                label: "optimum θ*".into(),
            });
        }
    }
    if options.newton {
        if let Some(n) = &frame.newton {
            out.push(Model {
                theta: n.clone(),
                pen: Pen::solid(style::NEWTON, 1.75)
                    .with(Stroke::Dotted)
                    .faint(0.85),
                kind: "dotted",
                label: "one Newton step".into(),
            });
        }
    }
    out
}

/// The model view of the active run, with the ghosts and emphasis asked
/// for; the legend lists what was drawn.
pub fn draw_model<DB: DrawingBackend>(
    backend: DB,
    scene: &Scene,
    frame: &Frame,
    options: &ModelOptions,
    style: Style,
) -> Result<ModelInfo, PlotError> {
    let d = scene.feature_names.len();
    let view = resolve_view(scene, options.view)
        .filter(|v| d >= if *v == ViewKind::Heatmap { 2 } else { 1 })
        .ok_or_else(|| PlotError("the model has no features to draw".into()))?;
    let (ai, run) = active(frame).ok_or_else(|| PlotError("there is no run to draw".into()))?;
    if run.theta.len() != d + 1 {
        return Err(PlotError(format!(
            "the frame's θ has {} entries, the scene's model {}",
            run.theta.len(),
            d + 1
        )));
    }
    let sample = Sample::of(scene);
    let model = scene.model;
    let name = |j: usize| scene.feature_names.get(j).map_or("", String::as_str);
    let main = Model {
        theta: run.theta.clone(),
        pen: Pen::solid(run_color(ai), 2.5),
        kind: "line",
        label: format!("run {}: {}", ai + 1, run.label),
    };
    let ghosts: Vec<Model> = ghosts(frame, ai, options)
        .into_iter()
        .filter(|g| g.theta.len() == d + 1)
        .collect();

    // Emphasis: sizes by gradient share, rings on misclassified points.
    let shares = if options.shares {
        gradient_shares(scene, &run.theta, &run.gradient).map(|s| relative_magnitudes(&s))
    } else {
        None
    };
    let misclassified: Option<Vec<bool>> =
        (options.shares && model == ModelKind::Logistic).then(|| {
            let o = to_original(scene, &run.theta);
            let mut row = vec![0.0; d];
            (0..sample.m)
                .map(|i| {
                    for (j, v) in row.iter_mut().enumerate() {
                        *v = sample.at(i, j);
                    }
                    let p = output(model, &o, &row);
                    p.is_finite() && ((p >= 0.5) != (sample.target[i] >= 0.5))
                })
                .collect()
        });
    let marks = PointMarks {
        weight: shares.as_deref(),
        flagged: misclassified.as_deref(),
    };

    let mut legend = Vec::new();
    let drawn = match view {
        ViewKind::Line | ViewKind::Sigmoid => {
            let slices: Vec<Option<Slice>> = std::iter::once(&main)
                .chain(&ghosts)
                .map(|m| Slice::of(scene, &m.theta, 0, None))
                .collect();
            let fs: Vec<Box<dyn Fn(f64) -> f64>> = slices
                .iter()
                .map(|s| {
                    let s = *s;
                    Box::new(move |v: f64| s.map_or(f64::NAN, |s| link(model, s.z(v, 0.0))))
                        as Box<dyn Fn(f64) -> f64>
                })
                .collect();
            let fit = Curve {
                f: fs[0].as_ref(),
                pen: main.pen,
            };
            let ghost_curves: Vec<Curve> = ghosts
                .iter()
                .zip(&fs[1..])
                .map(|(g, f)| Curve {
                    f: f.as_ref(),
                    pen: g.pen,
                })
                .collect();
            let held = if d > 1 {
                " (others at their means)"
            } else {
                ""
            };
            let x_title = format!("{}{held}", name(0));
            if view == ViewKind::Line {
                legend.push(LegendEntry::new(
                    "points",
                    sample_label(scene, sample.m),
                    style::POINT,
                ));
                draw_regression_line(
                    backend,
                    sample.col(0),
                    sample.target,
                    Axes {
                        x: &x_title,
                        y: &scene.target_name,
                    },
                    &fit,
                    &ghost_curves,
                    &marks,
                    style,
                )?
            } else {
                class_legend(scene, &mut legend);
                legend.push(LegendEntry::new("dashed", "p = 0.5", style::AXIS));
                let label = match &scene.classes {
                    Some(c) => format!("P({} = {})", scene.target_name, c[1]),
                    None => format!("P({})", scene.target_name),
                };
                draw_sigmoid(
                    backend,
                    sample.col(0),
                    sample.target,
                    Axes {
                        x: &x_title,
                        y: &label,
                    },
                    &fit,
                    &ghost_curves,
                    &marks,
                    style,
                )?
            }
        }
        ViewKind::Heatmap => {
            let (j, k) = slices(d, options.slice_x, options.slice_y);
            let sl: Vec<Option<Slice>> = std::iter::once(&main)
                .chain(&ghosts)
                .map(|m| Slice::of(scene, &m.theta, j, Some(k)))
                .collect();
            let fs: Vec<Box<dyn Fn(f64, f64) -> f64>> = sl
                .iter()
                .map(|s| {
                    let s = *s;
                    Box::new(move |a: f64, b: f64| s.map_or(f64::NAN, |s| link(model, s.z(a, b))))
                        as Box<dyn Fn(f64, f64) -> f64>
                })
                .collect();
            let (shading, level) = match model {
                ModelKind::Logistic => {
                    legend.push(LegendEntry::new(
                        "shading",
                        match &scene.classes {
                            Some(c) => format!("P({} = {})", scene.target_name, c[1]),
                            None => format!("P({})", scene.target_name),
                        },
                        style::POSITIVE,
                    ));
                    class_legend(scene, &mut legend);
                    (Shading::Probability, 0.5)
                }
                ModelKind::Linear => {
                    let (low, high) =
                        style::finite_bounds(sample.target.iter().copied()).unwrap_or((0.0, 1.0));
                    legend.push(LegendEntry::new(
                        "shading",
                        format!("predicted {}", scene.target_name),
                        style::POSITIVE,
                    ));
                    legend.push(LegendEntry::new(
                        "points",
                        format!("{} (colour: its value)", sample_label(scene, sample.m)),
                        style::POINT,
                    ));
                    let finite: Vec<f64> = sample
                        .target
                        .iter()
                        .copied()
                        .filter(|v| v.is_finite())
                        .collect();
                    let mean = if finite.is_empty() {
                        (low + high) / 2.0
                    } else {
                        finite.iter().sum::<f64>() / finite.len() as f64
                    };
                    (Shading::Value { low, high }, mean)
                }
            };
            let surfaces: Vec<Surface> = ghosts
                .iter()
                .zip(&fs[1..])
                .map(|(g, f)| Surface {
                    f: f.as_ref(),
                    pen: g.pen,
                })
                .collect();
            let info = draw_heatmap(
                backend,
                sample.col(j),
                sample.col(k),
                sample.target,
                Axes {
                    x: name(j),
                    y: name(k),
                },
                fs[0].as_ref(),
                &HeatmapOptions {
                    cells: 100,
                    plane: sl[0].filter(Slice::is_finite).map(|s| Plane {
                        c: s.c,
                        wx: s.wx,
                        wy: s.wy,
                        link: match model {
                            ModelKind::Linear => Link::Identity,
                            ModelKind::Logistic => Link::Sigmoid,
                        },
                    }),
                    shading,
                    boundary: Some(level),
                    style,
                },
                &HeatmapOverlay {
                    marks,
                    boundary_pen: Pen::solid(run_color(ai), 2.5),
                    ghosts: &surfaces,
                },
            )?;
            let what = match model {
                ModelKind::Logistic => "decision boundary p = 0.5".to_string(),
                ModelKind::Linear => {
                    format!(
                        "level line ŷ = {} (the mean of {})",
                        compact(level),
                        scene.target_name
                    )
                }
            };
            // Say why the current model's line is missing rather than list
            // a line that is not drawn (at step 0 every weight is 0).
            let flat = sl[0]
                .filter(Slice::is_finite)
                .map(|s| (s.wx == 0.0 && s.wy == 0.0, s.c));
            legend.push(match (info.boundary_lines > 0, flat) {
                (true, _) => {
                    LegendEntry::new("line", format!("{what}: {}", main.label), run_color(ai))
                }
                (false, Some((true, c))) => LegendEntry::new(
                    "none",
                    format!(
                        "{}: no {what} yet: the weights of these two features are 0, so it predicts {} across this view",
                        main.label,
                        match model {
                            ModelKind::Logistic => format!("p = {}", compact(1.0 / (1.0 + (-c).exp()))),
                            ModelKind::Linear => format!("ŷ = {}", compact(c)),
                        }
                    ),
                    run_color(ai),
                ),
                (false, _) => LegendEntry::new(
                    "none",
                    format!("{}: its {what} lies outside this view", main.label),
                    run_color(ai),
                ),
            });
            info
        }
        ViewKind::PredictedActual => {
            let mut row = vec![0.0; d];
            let predictions = |theta: &[f64]| -> Vec<f64> {
                let o = to_original(scene, theta);
                (0..sample.m)
                    .map(|i| {
                        for (jj, v) in row.iter_mut().enumerate() {
                            *v = sample.at(i, jj);
                        }
                        output(model, &o, &row)
                    })
                    .collect()
            };
            let mut predictions = predictions;
            let predicted = predictions(&run.theta);
            let ghost_lines: Vec<(Vec<(f64, f64)>, Pen)> = ghosts
                .iter()
                .map(|g| (binned_means(sample.target, &predictions(&g.theta)), g.pen))
                .collect();
            legend.push(LegendEntry::new(
                "dashed",
                "perfect fit: predicted = actual",
                style::AXIS,
            ));
            let (xl, yl) = (
                format!("actual {}", scene.target_name),
                format!("predicted {}", scene.target_name),
            );
            draw_predicted_actual(
                backend,
                sample.target,
                &predicted,
                Axes { x: &xl, y: &yl },
                run_color(ai),
                &ghost_lines,
                style,
            )?
        }
    };

    if view != ViewKind::Heatmap {
        let kind = if view == ViewKind::PredictedActual {
            "points"
        } else {
            main.kind
        };
        legend.push(LegendEntry::new(kind, main.label.clone(), run_color(ai)));
    }
    let mut ghosts_drawn = 0;
    for (g, pieces) in ghosts.iter().zip(&drawn.ghosts) {
        if *pieces > 0 {
            let label = if view == ViewKind::PredictedActual {
                format!("{} (mean prediction)", g.label)
            } else {
                g.label.clone()
            };
            legend.push(LegendEntry::new(g.kind, label, g.pen.color));
            ghosts_drawn += 1;
        }
    }
    let sized = shares.is_some() && view != ViewKind::PredictedActual;
    if sized {
        legend.push(LegendEntry::new(
            "sized",
            "dot size: share of the gradient",
            style::POINT,
        ));
    }
    if drawn.flagged > 0 {
        legend.push(LegendEntry::new(
            "ring",
            format!("misclassified ({})", drawn.flagged),
            FLAG,
        ));
    }
    Ok(ModelInfo {
        view,
        legend,
        drawn,
        ghosts_drawn,
        shares: sized,
    })
}

/// "data (2,000 of 50,000 rows)" or "data (120 rows)".
fn sample_label(scene: &Scene, m: usize) -> String {
    if scene.total_rows > m {
        format!(
            "data ({} of {} rows)",
            thousands(m as u64),
            thousands(scene.total_rows as u64)
        )
    } else {
        format!("data ({} rows)", thousands(m as u64))
    }
}

fn class_legend(scene: &Scene, legend: &mut Vec<LegendEntry>) {
    let [neg, pos] = scene
        .classes
        .clone()
        .unwrap_or_else(|| ["0".to_string(), "1".to_string()]);
    legend.push(LegendEntry::new(
        "points",
        format!("{} = {neg}", scene.target_name),
        style::NEGATIVE,
    ));
    legend.push(LegendEntry::new(
        "points",
        format!("{} = {pos}", scene.target_name),
        style::POSITIVE,
    ));
}

/// A landscape axis: parameter `k` and what one unit of it is. The training
/// parameters standardize the features, never the target: a weight is per
/// standard deviation of its feature, the bias is in the output's units.
fn axis_title(scene: &Scene, k: usize) -> String {
    let name = scene
        .parameter_names
        .get(k)
        .cloned()
        .unwrap_or_else(|| format!("θ{}", k + 1));
    let unit = scene.model.parameter_unit(
        &scene.target_name,
        scene.feature_names.get(k).map(String::as_str),
        scene.standardized,
    );
    let title = format!("{name}, {unit}");
    // Long names: the unit without the output's name, so the title fits.
    if title.chars().count() <= MAX_AXIS_TITLE {
        return title;
    }
    match scene.feature_names.get(k) {
        Some(_) if scene.standardized => format!("{name}, per SD of its feature"),
        Some(_) => format!("{name}, per unit of its feature"),
        None => name,
    }
}

/// Longest landscape axis title, in characters, that fits a phone's canvas.
const MAX_AXIS_TITLE: usize = 44;

/// The landscape: the grid, every run's path in its colour, the optimum
/// and the Newton point. Errors on a grid whose values do not fill it.
pub fn draw_landscape<DB: DrawingBackend>(
    backend: DB,
    scene: &Scene,
    frame: &Frame,
    grid: &Grid,
    style: Style,
) -> Result<LandscapeInfo, PlotError> {
    let (a, b) = (grid.a as usize, grid.b as usize);
    let res = grid.resolution as usize;
    if res < 2 || res.checked_mul(res) != Some(grid.values.len()) {
        return Err(PlotError(format!(
            "the landscape grid has {} values for a resolution of {}",
            grid.values.len(),
            grid.resolution
        )));
    }
    let (xn, yn) = (axis_title(scene, a), axis_title(scene, b));
    let landscape = Landscape {
        a,
        b,
        a_range: grid.a_range,
        b_range: grid.b_range,
        resolution: res,
        values: grid.values.clone(),
    };
    // Paths are projected on the frame's pair: drawn only when it is the grid's.
    let same_pair = frame.pair == Some((grid.a, grid.b));
    let pair_of = |theta: &[f64]| theta.get(a).zip(theta.get(b)).map(|(x, y)| (*x, *y));
    let paths: Vec<Vec<(f64, f64)>> = frame
        .runs
        .iter()
        .map(|r| {
            if same_pair {
                r.path.chunks_exact(2).map(|p| (p[0], p[1])).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let active_index = active(frame).map(|(i, _)| i);
    let runs: Vec<RunPath> = frame
        .runs
        .iter()
        .zip(&paths)
        .enumerate()
        .map(|(i, (r, p))| RunPath {
            path: p,
            current: pair_of(&r.theta),
            color: run_color(i),
            active: Some(i) == active_index,
            pinned: r.pinned,
        })
        .collect();
    let mut caption = Vec::new();
    if let Some(rows) = grid.sampled_rows {
        caption.push(format!(
            "loss on a sample of {} of {} rows",
            thousands(u64::from(rows)),
            thousands(scene.total_rows as u64)
        ));
    }
    if !same_pair && frame.runs.iter().any(|r| !r.path.is_empty()) {
        caption.push("paths hidden: they are for another pair".into());
    }
    let caption = caption.join(" · ");
    draw_landscape_plot(
        backend,
        &LandscapeScene {
            grid: &landscape,
            runs: &runs,
            optimum: frame.optimum.as_ref().and_then(|o| pair_of(&o.theta)),
            newton: frame.newton.as_deref().and_then(pair_of),
            noise: frame.noise.filter(|_| same_pair),
            noise_color: run_color(frame.active),
            axes: Axes { x: &xn, y: &yn },
            caption: (!caption.is_empty()).then_some(caption.as_str()),
        },
        style,
    )
}

/// The errors along the eigendirections, or `None` when the frame has none.
pub fn draw_eigen<DB: DrawingBackend>(
    backend: DB,
    frame: &Frame,
    options: &EigenOptions,
    style: Style,
) -> Result<Option<EigenInfo>, PlotError> {
    match &frame.eigen {
        Some(view) => draw_eigen_plot(backend, view, options.log_scale, style).map(Some),
        None => Ok(None),
    }
}

/// The α-sweep.
pub fn draw_sweep<DB: DrawingBackend>(
    backend: DB,
    sweep: &Sweep,
    style: Style,
) -> Result<SweepInfo, PlotError> {
    draw_sweep_plot(backend, sweep, style)
}

/// The schedule's curve from `k0, r0, k1, r1, …` (an odd last number is
/// ignored).
pub fn draw_schedule<DB: DrawingBackend>(
    backend: DB,
    flat: &[f64],
    style: Style,
) -> Result<ScheduleInfo, PlotError> {
    let points: Vec<(f64, f64)> = flat.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    draw_schedule_plot(backend, &points, style)
}
