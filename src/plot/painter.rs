//! The page's pictures from the session's plain values ([`Scene`],
//! [`Frame`], [`Grid`]): what the main thread draws while training runs in
//! the worker. Generic over `DrawingBackend`, so native tests render SVG.

use plotters::prelude::DrawingBackend;
use serde::{Deserialize, Serialize};

use super::heatmap::{draw_heatmap_marked, HeatmapOptions, HeatmapOverlay, Shading};
use super::landscape::{
    draw_landscape as draw_landscape_plot, Landscape, LandscapeInfo, LandscapeScene,
};
use super::loss_curve::{draw_loss_curve, LossCurveInfo, LossCurveOptions};
use super::model_view::{PointMarks, ViewKind};
use super::predicted_actual::draw_predicted_actual;
use super::regression_line::draw_regression_line_marked;
use super::sigmoid::draw_sigmoid_marked;
use super::style::Style;
use super::{Axes, ModelViewInfo, PlotError};
use crate::model::{sigmoid, ModelKind};
use crate::session::view::{Frame, Grid, RunView, Scene};

/// How the loss curve is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LossOptions {
    /// Log-scaled y axis.
    pub log_scale: bool,
    /// Plot L − L* (needs the optimum).
    pub relative: bool,
    /// The x axis counts epochs instead of steps.
    pub epochs: bool,
}

/// What the model view shows.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelOptions {
    /// The wished view (an unavailable one falls back to the default).
    pub view: Option<ViewKind>,
    /// Feature on the heatmap's x axis.
    pub slice_x: usize,
    /// Feature on the heatmap's y axis.
    pub slice_y: usize,
    /// Draw the optimum's fit faintly.
    pub ghost: bool,
    /// Size points by their share of the gradient; ring misclassified ones.
    pub shares: bool,
}

/// θ (training units) in original units, with the scene's transform.
pub fn to_original(scene: &Scene, theta: &[f64]) -> Vec<f64> {
    let d = scene.feature_names.len();
    let mut out = theta.to_vec();
    if scene.standardized && theta.len() == d + 1 {
        let mut b = theta[d];
        for j in 0..d {
            out[j] = theta[j] * scene.scale[j];
            b -= out[j] * scene.shift[j];
        }
        out[d] = b;
    }
    out
}

/// The model's output at original-units features `x` for original-units θ.
pub fn output(model: ModelKind, theta_orig: &[f64], x: &[f64]) -> f64 {
    let d = theta_orig.len().saturating_sub(1);
    let z = theta_orig[d] + x.iter().zip(theta_orig).map(|(a, w)| a * w).sum::<f64>();
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

fn active(frame: &Frame) -> Option<&RunView> {
    frame.runs.get(frame.active).or(frame.runs.first())
}

/// The active run's loss curve, with L* once known.
pub fn draw_loss<DB: DrawingBackend>(
    backend: DB,
    frame: &Frame,
    options: &LossOptions,
    style: Style,
) -> Result<LossCurveInfo, PlotError> {
    let empty = Vec::new();
    let losses = active(frame).map_or(&empty, |r| &r.history_loss);
    draw_loss_curve(
        backend,
        losses,
        &LossCurveOptions {
            log_scale: options.log_scale,
            reference: frame.optimum.as_ref().map(|o| o.loss),
            relative: options.relative,
            style,
        },
    )
}

/// The model view of the active run.
pub fn draw_model<DB: DrawingBackend>(
    backend: DB,
    scene: &Scene,
    frame: &Frame,
    options: &ModelOptions,
    style: Style,
) -> Result<(ViewKind, ModelViewInfo), PlotError> {
    let view = resolve_view(scene, options.view)
        .ok_or_else(|| PlotError("the model has no features to draw".into()))?;
    let run = active(frame).ok_or_else(|| PlotError("there is no run to draw".into()))?;
    let d = scene.feature_names.len();
    let m = scene.sample_rows.len();
    let col = |j: usize| &scene.sample_features[j * m..(j + 1) * m];
    let theta = to_original(scene, &run.theta);
    let optimum = options
        .ghost
        .then(|| frame.optimum.as_ref().map(|o| to_original(scene, &o.theta)))
        .flatten();
    let model = scene.model;
    let target = &scene.sample_target;
    let name = |j: usize| scene.feature_names.get(j).map_or("", String::as_str);
    let marks = PointMarks::default();
    let info = match view {
        ViewKind::Line | ViewKind::Sigmoid => {
            let x = col(0);
            let fitted = |v: f64| output(model, &theta, &[v]);
            let ghost = optimum
                .as_ref()
                .map(|o| move |v: f64| output(model, o, &[v]));
            let ghost_ref = ghost.as_ref().map(|g| g as &dyn Fn(f64) -> f64);
            if view == ViewKind::Line {
                draw_regression_line_marked(
                    backend,
                    x,
                    target,
                    Axes {
                        x: name(0),
                        y: &scene.target_name,
                    },
                    &fitted,
                    ghost_ref,
                    &marks,
                    style,
                )?
            } else {
                let label = match &scene.classes {
                    Some(c) => format!("P({} = {})", scene.target_name, c[1]),
                    None => format!("P({})", scene.target_name),
                };
                draw_sigmoid_marked(
                    backend,
                    x,
                    target,
                    Axes {
                        x: name(0),
                        y: &label,
                    },
                    &fitted,
                    ghost_ref,
                    &marks,
                    style,
                )?
            }
        }
        ViewKind::Heatmap => {
            let (j, k) = slices(d, options.slice_x, options.slice_y);
            let row = std::cell::RefCell::new(scene.means.clone());
            let f = |a: f64, b: f64| {
                let mut r = row.borrow_mut();
                r[j] = a;
                r[k] = b;
                output(model, &theta, &r)
            };
            let grow = std::cell::RefCell::new(scene.means.clone());
            let ghost = |a: f64, b: f64| {
                let Some(o) = &optimum else { return f64::NAN };
                let mut r = grow.borrow_mut();
                r[j] = a;
                r[k] = b;
                output(ModelKind::Logistic, o, &r)
            };
            let ghost_ref = (optimum.is_some() && model == ModelKind::Logistic)
                .then_some(&ghost as &dyn Fn(f64, f64) -> f64);
            let (shading, boundary) = match model {
                ModelKind::Logistic => (Shading::Probability, Some(0.5)),
                ModelKind::Linear => {
                    let (low, high) =
                        super::style::finite_bounds(target.iter().copied()).unwrap_or((0.0, 1.0));
                    (Shading::Value { low, high }, None)
                }
            };
            draw_heatmap_marked(
                backend,
                col(j),
                col(k),
                target,
                Axes {
                    x: name(j),
                    y: name(k),
                },
                &f,
                &HeatmapOptions {
                    cells: 100,
                    shading,
                    boundary,
                    style,
                },
                &HeatmapOverlay {
                    marks,
                    ghost: ghost_ref,
                },
            )?
        }
        ViewKind::PredictedActual => {
            let mut row = vec![0.0; d];
            let predicted: Vec<f64> = (0..m)
                .map(|i| {
                    for (jj, v) in row.iter_mut().enumerate() {
                        *v = scene.sample_features[jj * m + i];
                    }
                    output(model, &theta, &row)
                })
                .collect();
            let (xl, yl) = (
                format!("actual {}", scene.target_name),
                format!("predicted {}", scene.target_name),
            );
            draw_predicted_actual(backend, target, &predicted, Axes { x: &xl, y: &yl }, style)?
        }
    };
    Ok((view, info))
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

/// The landscape: the grid, the active run's path, its θ and the optimum.
pub fn draw_landscape<DB: DrawingBackend>(
    backend: DB,
    scene: &Scene,
    frame: &Frame,
    grid: &Grid,
    style: Style,
) -> Result<LandscapeInfo, PlotError> {
    let (a, b) = (grid.a as usize, grid.b as usize);
    let run = active(frame).ok_or_else(|| PlotError("there is no run to draw".into()))?;
    let path: Vec<(f64, f64)> = run.path.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    let unit = if scene.standardized {
        " (standardized units)"
    } else {
        ""
    };
    let name = |k: usize| scene.parameter_names.get(k).cloned().unwrap_or_default();
    let (xn, yn) = (format!("{}{unit}", name(a)), format!("{}{unit}", name(b)));
    let landscape = Landscape {
        a,
        b,
        a_range: grid.a_range,
        b_range: grid.b_range,
        resolution: grid.resolution as usize,
        values: grid.values.clone(),
    };
    draw_landscape_plot(
        backend,
        &LandscapeScene {
            grid: &landscape,
            path: &path,
            current: run
                .theta
                .get(a)
                .zip(run.theta.get(b))
                .map(|(x, y)| (*x, *y)),
            optimum: frame
                .optimum
                .as_ref()
                .and_then(|o| o.theta.get(a).zip(o.theta.get(b)).map(|(x, y)| (*x, *y))),
            axes: Axes { x: &xn, y: &yn },
            caption: None,
        },
        style,
    )
}
