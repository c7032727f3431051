//! The two pictures of a [`Trainer`]: its loss curve and its model view,
//! assembled from the plain-data plots of this module. The browser façade
//! calls these with a canvas backend; native tests with an SVG string.

use plotters::prelude::DrawingBackend;

use crate::data::Dataset;
use crate::model::ModelKind;
use crate::optimum::Optimum;
use crate::trainer::Trainer;

use super::heatmap::{draw_heatmap_marked, HeatmapOptions, HeatmapOverlay, Shading};
use super::loss_curve::{draw_loss_curve, LossCurveInfo, LossCurveOptions};
use super::model_view::{subsample, PointMarks, ViewKind};
use super::predicted_actual::draw_predicted_actual;
use super::regression_line::draw_regression_line_marked;
use super::sigmoid::draw_sigmoid_marked;
use super::style::Style;
use super::{Axes, ModelViewInfo, PlotError};

/// Most points the model view draws; bigger data sets are subsampled.
pub const MAX_POINTS: usize = 2000;

/// Per-dataset values the model view needs at every redraw: which rows to
/// draw and the feature means (for slices). Build it once per dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneData {
    /// Rows drawn (a deterministic subsample of at most [`MAX_POINTS`]).
    pub rows: Vec<usize>,
    /// Mean of each feature in original units.
    pub means: Vec<f64>,
}

impl SceneData {
    /// Picks the rows and computes the means of `dataset`.
    pub fn new(dataset: &Dataset) -> Self {
        let x = &dataset.features;
        let n = x.rows();
        let mut means = vec![0.0; x.cols()];
        for row in x.row_iter() {
            for (m, v) in means.iter_mut().zip(row) {
                *m += v;
            }
        }
        if n > 0 {
            for m in &mut means {
                *m /= n as f64;
            }
        }
        Self {
            rows: subsample(n, MAX_POINTS),
            means,
        }
    }

    fn column(&self, dataset: &Dataset, j: usize) -> Vec<f64> {
        let x = &dataset.features;
        if j >= x.cols() {
            return Vec::new();
        }
        self.rows
            .iter()
            .filter(|&&r| r < x.rows())
            .map(|&r| x.row(r)[j])
            .collect()
    }

    fn target(&self, dataset: &Dataset) -> Vec<f64> {
        self.rows
            .iter()
            .filter_map(|&r| dataset.target.get(r).copied())
            .collect()
    }
}

/// What the model view should show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelViewRequest {
    /// The wished view; an unavailable one falls back to the default.
    pub view: Option<ViewKind>,
    /// Feature index on the horizontal axis of the heatmap.
    pub slice_x: usize,
    /// Feature index on the vertical axis of the heatmap.
    pub slice_y: usize,
    /// Draw the optimum's line, curve or boundary faintly (once known).
    pub show_optimum: bool,
    /// Size the points by their share of the current gradient and ring the
    /// misclassified ones (logistic).
    pub insight: bool,
}

impl Default for ModelViewRequest {
    fn default() -> Self {
        Self {
            view: None,
            slice_x: 0,
            slice_y: 1,
            show_optimum: true,
            insight: false,
        }
    }
}

/// The view actually drawn for `request` on a dataset of this shape.
pub fn resolve_view(
    model: ModelKind,
    features: usize,
    wished: Option<ViewKind>,
) -> Option<ViewKind> {
    let available = ViewKind::available(model, features);
    match wished {
        Some(v) if available.contains(&v) => Some(v),
        _ => available.first().copied(),
    }
}

/// Valid, distinct slice axes for `features` features.
pub fn resolve_slice(features: usize, x: usize, y: usize) -> (usize, usize) {
    if features < 2 {
        return (0, 0);
    }
    let x = if x < features { x } else { 0 };
    let y = if y < features && y != x {
        y
    } else {
        (0..features).find(|&k| k != x).unwrap_or(0)
    };
    (x, y)
}

/// The loss curve of `trainer`, with the optimum's loss as reference once
/// it is known (never computed here: see `Trainer::advance_optimum`).
pub fn draw_loss<DB: DrawingBackend>(
    backend: DB,
    trainer: &Trainer,
    log_scale: bool,
    relative: bool,
    style: Style,
) -> Result<LossCurveInfo, PlotError> {
    let reference = trainer
        .optimum_if_ready()
        .and_then(Optimum::found)
        .map(|(_, _, loss)| loss);
    draw_loss_curve(
        backend,
        trainer.loss_history(),
        &LossCurveOptions {
            log_scale,
            reference,
            relative,
            style,
        },
    )
}

/// The model view of `trainer` (see [`ViewKind`]).
pub fn draw_model<DB: DrawingBackend>(
    backend: DB,
    trainer: &Trainer,
    scene: &SceneData,
    request: &ModelViewRequest,
    style: Style,
) -> Result<ModelViewInfo, PlotError> {
    let dataset = trainer.dataset();
    let d = dataset.features.cols();
    let Some(view) = resolve_view(dataset.model, d, request.view) else {
        return Err(PlotError("the model has no features to draw".into()));
    };
    // The optimum in original units, only when already known.
    let optimum = request
        .show_optimum
        .then(|| trainer.optimum_if_ready().and_then(Optimum::found))
        .flatten()
        .map(|(w, b, _)| trainer.scaler().to_original(w, b));
    let insight = request.insight.then(|| Insight::of(trainer, scene));
    let marks = insight.as_ref().map(Insight::marks).unwrap_or_default();
    let target = scene.target(dataset);
    let target_name = dataset.target_name.as_str();
    let probability_label = match &dataset.classes {
        Some(c) => format!("P({target_name} = {})", c.positive),
        None => format!("P({target_name})"),
    };
    let feature_name = |j: usize| dataset.feature_names.get(j).map_or("", String::as_str);

    match view {
        ViewKind::Line | ViewKind::Sigmoid => {
            let x = scene.column(dataset, 0);
            let fitted = |t: f64| trainer.predict(&[t]);
            let ghost = optimum.as_ref().map(|(w, b)| {
                let (w0, b) = (w.first().copied().unwrap_or(0.0), *b);
                move |t: f64| w0 * t + b
            });
            if view == ViewKind::Line {
                let ghost_ref = ghost.as_ref().map(|g| g as &dyn Fn(f64) -> f64);
                draw_regression_line_marked(
                    backend,
                    &x,
                    &target,
                    Axes {
                        x: feature_name(0),
                        y: target_name,
                    },
                    &fitted,
                    ghost_ref,
                    &marks,
                    style,
                )
            } else {
                let ghost_p = ghost.map(|g| move |t: f64| sigmoid(g(t)));
                let ghost_ref = ghost_p.as_ref().map(|g| g as &dyn Fn(f64) -> f64);
                draw_sigmoid_marked(
                    backend,
                    &x,
                    &target,
                    Axes {
                        x: feature_name(0),
                        y: &probability_label,
                    },
                    &fitted,
                    ghost_ref,
                    &marks,
                    style,
                )
            }
        }
        ViewKind::Heatmap => {
            let (j, k) = resolve_slice(d, request.slice_x, request.slice_y);
            let x = scene.column(dataset, j);
            let y = scene.column(dataset, k);
            let means = scene.means.clone();
            let row = std::cell::RefCell::new(means);
            let f = |a: f64, b: f64| {
                let mut row = row.borrow_mut();
                row[j] = a;
                row[k] = b;
                trainer.predict(&row)
            };
            // The optimum's boundary in this slice (logistic): z* = 0 is
            // the contour p* = 0.5 of its probability.
            let ghost_row = std::cell::RefCell::new(scene.means.clone());
            let ghost = |a: f64, b: f64| -> f64 {
                let Some((w, bias)) = &optimum else {
                    return f64::NAN;
                };
                let mut row = ghost_row.borrow_mut();
                row[j] = a;
                row[k] = b;
                sigmoid(bias + row.iter().zip(w).map(|(x, w)| x * w).sum::<f64>())
            };
            let ghost_ref = (optimum.is_some() && dataset.model == ModelKind::Logistic)
                .then_some(&ghost as &dyn Fn(f64, f64) -> f64);
            let (shading, boundary) = match dataset.model {
                ModelKind::Logistic => (Shading::Probability, Some(0.5)),
                ModelKind::Linear => {
                    let (low, high) =
                        super::style::finite_bounds(target.iter().copied()).unwrap_or((0.0, 1.0));
                    (Shading::Value { low, high }, None)
                }
            };
            draw_heatmap_marked(
                backend,
                &x,
                &y,
                &target,
                Axes {
                    x: feature_name(j),
                    y: feature_name(k),
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
            )
        }
        ViewKind::PredictedActual => {
            let x = &dataset.features;
            let predicted: Vec<f64> = scene
                .rows
                .iter()
                .filter(|&&r| r < x.rows())
                .map(|&r| trainer.predict(x.row(r)))
                .collect();
            let y_label = format!("predicted {target_name}");
            let x_label = format!("actual {target_name}");
            draw_predicted_actual(
                backend,
                &target,
                &predicted,
                Axes {
                    x: &x_label,
                    y: &y_label,
                },
                style,
            )
        }
    }
}

/// Per drawn point: its share of the current gradient relative to the
/// largest one, and whether the model misclassifies it (logistic).
#[derive(Debug, Clone, PartialEq)]
pub struct Insight {
    /// |share| / max |share| over the drawn points, in [0, 1].
    pub weight: Vec<f64>,
    /// Predicted class ≠ target (logistic only).
    pub misclassified: Option<Vec<bool>>,
}

impl Insight {
    /// The insight for the drawn rows of `scene` (in the order the model
    /// view draws them).
    pub fn of(trainer: &Trainer, scene: &SceneData) -> Self {
        let x = trainer.training_features();
        let rows: Vec<usize> = scene
            .rows
            .iter()
            .copied()
            .filter(|&r| r < x.rows())
            .collect();
        let shares = trainer.gradient_shares_of(&rows);
        let misclassified = (trainer.dataset().model == ModelKind::Logistic).then(|| {
            let s = trainer.state();
            let t = &trainer.dataset().target;
            rows.iter()
                .map(|&r| {
                    let z = s.bias
                        + x.row(r)
                            .iter()
                            .zip(&s.weights)
                            .map(|(a, w)| a * w)
                            .sum::<f64>();
                    z.is_finite() && (z >= 0.0) != (t[r] >= 0.5)
                })
                .collect()
        });
        Self {
            weight: super::model_view::relative_magnitudes(&shares),
            misclassified,
        }
    }

    /// The marks that draw this insight.
    pub fn marks(&self) -> PointMarks<'_> {
        PointMarks {
            weight: Some(&self.weight),
            flagged: self.misclassified.as_deref(),
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}
