//! "Why each step goes where it goes": the loss landscape, the exact
//! optimum (computed in slices on big data), the curvature, the gradient
//! check, the update written out, the diagnostics, the rows that pull the
//! hardest, the L2 penalty and the exports. A second `#[wasm_bindgen] impl
//! Session` block; the logic lives in `crate::plot` and the core, this only
//! converts types.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{draw, js_error, to_js, Session};
use crate::model::{ModelKind, Problem};
use crate::optimum::Optimum;
use crate::plot::landscape::{default_pair, parameter_names, LandscapePanel};
use crate::report::FitReport;
use crate::trainer::Trainer;

/// Problems up to this many numbers (rows × (features + 1)) get their exact
/// optimum computed on the spot when a view needs it; bigger ones only
/// through `advance_optimum` slices.
pub const CHEAP_OPTIMUM_CELLS: usize = 2_000_000;

/// Uploads and examples up to this many bytes keep their text for
/// `source_csv`.
pub const KEEP_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// The session's state for these views: the landscape panel (grid cache
/// and the mapping of the last drawing) and the kept source text.
#[derive(Debug, Default)]
pub(super) struct InsightState {
    panel: LandscapePanel,
    /// Device pixels per CSS pixel of the last landscape drawing.
    dpr: f64,
    /// The text of the loaded data, when small.
    source: Option<String>,
    /// The text of the file being parsed, when small.
    staged: Option<String>,
}

impl InsightState {
    /// The loaded data now comes from `text` (kept when small).
    pub(super) fn keep_source(&mut self, text: &str) {
        self.staged = None;
        self.source = (text.len() <= KEEP_SOURCE_BYTES).then(|| text.to_string());
    }

    /// A file is being parsed from `text`: kept aside until it is installed.
    pub(super) fn stage_source(&mut self, text: &str) {
        self.staged = (text.len() <= KEEP_SOURCE_BYTES).then(|| text.to_string());
    }

    /// The staged file was installed as the loaded data.
    pub(super) fn commit_source(&mut self) {
        self.source = self.staged.take();
    }
}

/// The exact optimum when it is known, or when computing it now is cheap
/// (small data); never blocks on big data (use `advance_optimum`).
pub(super) fn optimum_if_cheap(trainer: &Trainer) -> Option<&Optimum> {
    if let Some(optimum) = trainer.optimum_if_ready() {
        return Some(optimum);
    }
    let x = trainer.training_features();
    let cells = x.rows().saturating_mul(x.cols() + 1);
    (cells <= CHEAP_OPTIMUM_CELLS).then(|| trainer.optimum())
}

#[derive(Serialize)]
struct LandscapeParameters {
    names: Vec<String>,
    default_a: u32,
    default_b: u32,
}

#[derive(Serialize)]
struct LandscapeDrawn {
    a_range: (f64, f64),
    b_range: (f64, f64),
    recomputed: bool,
    sampled_rows: Option<u32>,
}

#[derive(Serialize)]
struct OptimumInfo {
    ready: bool,
    found: bool,
    loss: Option<f64>,
    weights: Option<Vec<f64>>,
    bias: Option<f64>,
    reason: Option<String>,
    distance: Option<f64>,
}

#[derive(Serialize)]
struct CurvatureInfo {
    lipschitz: f64,
    one_over_l: Option<f64>,
    two_over_l: Option<f64>,
    condition_number: Option<f64>,
    standardized: bool,
}

#[derive(Serialize)]
struct GradientCheckRow {
    parameter: String,
    analytic: f64,
    numerical: f64,
    relative_error: f64,
}

#[derive(Serialize)]
struct UpdateTerm {
    name: String,
    value: f64,
    gradient: f64,
    next: f64,
}

#[derive(Serialize)]
struct UpdateTerms {
    units: &'static str,
    learning_rate: f64,
    terms: Vec<UpdateTerm>,
    loss_formula: String,
}

#[derive(Serialize)]
struct Contributor {
    row: u32,
    share: f64,
    target: f64,
    prediction: f64,
    misclassified: Option<bool>,
}

/// `w₁ (hours)`, …, `b`: the parameters as the update is written.
fn term_names(trainer: &Trainer) -> Vec<String> {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    trainer
        .dataset()
        .feature_names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let sub: String = (j + 1)
                .to_string()
                .chars()
                .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
                .collect();
            format!("w{sub} ({name})")
        })
        .chain(["b".to_string()])
        .collect()
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[wasm_bindgen]
impl Session {
    /// The parameters the landscape can show: `{names: ["w·<feature>", …,
    /// "b"], default_a, default_b}` (indices into `names`).
    pub fn landscape_parameters(&self) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        let _ = optimum_if_cheap(t);
        let (a, b) = default_pair(t);
        to_js(&LandscapeParameters {
            names: parameter_names(t),
            default_a: a as u32,
            default_b: b as u32,
        })
    }

    /// Draws the loss over parameters `a` (x axis) and `b` (y axis) with
    /// the descent path, the start, the current point and the optimum.
    /// Returns `{a_range: [lo, hi], b_range: [lo, hi], recomputed,
    /// sampled_rows}` (training units; `sampled_rows` is null when the grid
    /// used every row).
    pub fn draw_landscape(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        a: u32,
        b: u32,
    ) -> Result<JsValue, JsError> {
        let loaded = self
            .loaded
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded"))?;
        let trainer = &loaded.trainer;
        let names = parameter_names(trainer);
        for k in [a, b] {
            if k as usize >= names.len() {
                return Err(JsError::new(&format!(
                    "there is no parameter {k}: the model has {} ({})",
                    names.len(),
                    names.join(", ")
                )));
            }
        }
        if a == b {
            return Err(JsError::new(
                "pick two different parameters for the landscape",
            ));
        }
        let info = draw::landscape(canvas, &mut self.insight.panel, trainer, dpr, a, b)?;
        self.insight.dpr = if dpr.is_finite() && dpr > 0.0 {
            dpr
        } else {
            1.0
        };
        to_js(&LandscapeDrawn {
            a_range: info.a_range,
            b_range: info.b_range,
            recomputed: info.recomputed,
            sampled_rows: info.sampled_rows.map(|m| m as u32),
        })
    }

    /// Moves the starting point to where the last landscape drawing was
    /// clicked (CSS pixels from the canvas' top-left) and resets training
    /// to it; false when the click is outside the plot area or nothing is
    /// drawn.
    pub fn landscape_click(&mut self, x_css: f64, y_css: f64) -> bool {
        let Some(loaded) = self.loaded.as_mut() else {
            return false;
        };
        let dpr = if self.insight.dpr > 0.0 {
            self.insight.dpr
        } else {
            1.0
        };
        let Some((w, bias)) =
            self.insight
                .panel
                .start_at(&loaded.trainer, x_css * dpr, y_css * dpr)
        else {
            return false;
        };
        loaded.trainer.set_start(&w, bias).is_ok()
    }

    /// Works on the exact optimum for about `max_rows` rows; true once it
    /// is known (call again on the next frame until then).
    pub fn advance_optimum(&mut self, max_rows: u32) -> Result<bool, JsError> {
        let t = &mut self.current_mut()?.trainer;
        Ok(t.advance_optimum((max_rows as usize).max(1)).is_some())
    }

    /// `{ready, found, loss, weights, bias, reason, distance}`: the exact
    /// optimum in original units, why there is none, and ‖θ − θ*‖ in
    /// training units (null until ready).
    pub fn optimum_info(&self) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        let info = match optimum_if_cheap(t) {
            None => OptimumInfo {
                ready: false,
                found: false,
                loss: None,
                weights: None,
                bias: None,
                reason: None,
                distance: None,
            },
            Some(Optimum::NoFiniteOptimum { reason }) => OptimumInfo {
                ready: true,
                found: false,
                loss: None,
                weights: None,
                bias: None,
                reason: Some(reason.clone()),
                distance: None,
            },
            Some(Optimum::Found {
                weights,
                bias,
                loss,
            }) => {
                let s = t.state();
                let distance = s
                    .weights
                    .iter()
                    .zip(weights)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    + (s.bias - bias) * (s.bias - bias);
                let (w, b) = t.scaler().to_original(weights, *bias);
                OptimumInfo {
                    ready: true,
                    found: true,
                    loss: Some(*loss),
                    weights: Some(w),
                    bias: Some(b),
                    reason: None,
                    distance: finite(distance.sqrt()),
                }
            }
        };
        to_js(&info)
    }

    /// `{lipschitz, one_over_l, two_over_l, condition_number, standardized}`
    /// of the loss being trained (training units; null where infinite).
    pub fn curvature(&self) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        let c = t.curvature();
        to_js(&CurvatureInfo {
            lipschitz: c.lipschitz,
            one_over_l: finite(1.0 / c.lipschitz),
            two_over_l: finite(2.0 / c.lipschitz),
            condition_number: finite(c.condition_number),
            standardized: t.standardized(),
        })
    }

    /// `[{parameter, analytic, numerical, relative_error}]`: the analytic
    /// gradient against central differences with step `h` at the current
    /// parameters (training units).
    pub fn gradient_check(&self, h: f64) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        if !(h.is_finite() && h > 0.0) {
            return Err(JsError::new(&format!(
                "the step h must be a finite number above 0 (got {h})"
            )));
        }
        let names = term_names(t);
        let rows: Vec<GradientCheckRow> = t
            .gradient_check(h)
            .into_iter()
            .zip(names)
            .map(|(c, name)| GradientCheckRow {
                parameter: name,
                analytic: c.analytic,
                numerical: c.numerical,
                relative_error: c.relative_error,
            })
            .collect();
        to_js(&rows)
    }

    /// The next update written out: `{units, learning_rate, terms: [{name,
    /// value, gradient, next}], loss_formula}`, in the units training uses;
    /// `next = value − learning_rate · gradient` is what the next step sets.
    pub fn update_terms(&self) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        let s = t.state();
        let rate = s.learning_rate;
        let terms = term_names(t)
            .into_iter()
            .zip(s.weights.iter().chain([&s.bias]))
            .zip(s.gradient_weights.iter().chain([&s.gradient_bias]))
            .map(|((name, &value), &gradient)| UpdateTerm {
                name,
                value,
                gradient,
                next: value - rate * gradient,
            })
            .collect();
        let mut loss_formula = match t.dataset().model {
            ModelKind::Linear => "L = (1/n) Σ (t − y)²".to_string(),
            ModelKind::Logistic => "L = −(1/n) Σ [t ln p + (1 − t) ln(1 − p)]".to_string(),
        };
        if t.config().l2 > 0.0 {
            loss_formula.push_str(" + (λ/2)‖w‖²");
        }
        to_js(&UpdateTerms {
            units: if t.standardized() {
                "standardized"
            } else {
                "original"
            },
            learning_rate: rate,
            terms,
            loss_formula,
        })
    }

    /// `[{kind, message}]`: warnings about the problem itself. The one that
    /// needs the exact optimum waits for it on big data.
    pub fn diagnostics(&self) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        let _ = optimum_if_cheap(t);
        to_js(&crate::diagnostics::diagnose_available(t))
    }

    /// The `k` rows with the largest |share| of the current gradient:
    /// `[{row (1-based, in the data set), share, target, prediction,
    /// misclassified (logistic, else null)}]`.
    pub fn top_contributors(&self, k: u32) -> Result<JsValue, JsError> {
        let t = &self.current()?.trainer;
        let shares = t.gradient_shares();
        let k = (k as usize).min(shares.len());
        let mut order: Vec<usize> = (0..shares.len()).collect();
        let by_size = |&i: &usize, &j: &usize| {
            let (a, b) = (shares[i].abs(), shares[j].abs());
            // Largest first; NaN last; ties by row.
            b.partial_cmp(&a)
                .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
                .then(i.cmp(&j))
        };
        if k > 0 && k < order.len() {
            order.select_nth_unstable_by(k - 1, by_size);
        }
        order.truncate(k);
        order.sort_by(by_size);
        let x = t.training_features();
        let target = &t.dataset().target;
        let model = t.dataset().model;
        let problem = Problem::new(model, x, target);
        let s = t.state();
        let rows: Vec<Contributor> = order
            .into_iter()
            .map(|i| {
                let prediction = problem.predict(x.row(i), &s.weights, s.bias);
                Contributor {
                    row: (i + 1) as u32,
                    share: shares[i],
                    target: target[i],
                    prediction,
                    misclassified: (model == ModelKind::Logistic && prediction.is_finite())
                        .then(|| (prediction >= 0.5) != (target[i] >= 0.5)),
                }
            })
            .collect();
        to_js(&rows)
    }

    /// Sets the L2 penalty λ (finite, ≥ 0): same learning rate and
    /// standardization, training back at its start, and the optimum of the
    /// new loss (computed now on small data, else by `advance_optimum`).
    pub fn set_l2(&mut self, lambda: f64) -> Result<(), JsError> {
        if !(lambda.is_finite() && lambda >= 0.0) {
            return Err(JsError::new(&format!(
                "the L2 penalty λ must be a finite number ≥ 0 (got {lambda})"
            )));
        }
        let t = &mut self.current_mut()?.trainer;
        t.set_l2(lambda).map_err(js_error)?;
        let _ = optimum_if_cheap(t);
        Ok(())
    }

    /// The L2 penalty λ in use (0 when nothing is loaded).
    pub fn l2(&self) -> f64 {
        self.loaded.as_ref().map_or(0.0, |l| l.trainer.config().l2)
    }

    /// The model as pretty JSON (`crate::report::FitReport`); on big data
    /// the optimum is included once known.
    pub fn export_model_json(&self) -> Result<String, JsError> {
        let t = &self.current()?.trainer;
        let _ = optimum_if_cheap(t);
        serde_json::to_string_pretty(&FitReport::of_available(t)).map_err(js_error)
    }

    /// `step,loss` per step, full precision.
    pub fn loss_history_csv(&self) -> Result<String, JsError> {
        use std::fmt::Write;
        let history = self.current()?.trainer.loss_history();
        let mut out = String::with_capacity(16 + history.len() * 24);
        out.push_str("step,loss\n");
        for (step, loss) in history.iter().enumerate() {
            let _ = writeln!(out, "{step},{loss:?}");
        }
        Ok(out)
    }

    /// The loaded CSV text when it is at most `max_bytes` long (kept for
    /// examples and uploads up to a few MB), else null.
    pub fn source_csv(&self, max_bytes: u32) -> Option<String> {
        self.loaded.as_ref()?;
        self.insight
            .source
            .as_ref()
            .filter(|s| s.len() <= max_bytes as usize)
            .cloned()
    }
}
