//! What the page shows in words and numbers, already written out with the
//! one formatter: the data summary (once per configuration) and the readout
//! (after every update). The page places these strings; it derives nothing.

use serde::{Deserialize, Serialize};

use super::analysis::{
    direction_factors, eigen_errors, factor_formula, momentum_optimum, newton_step, predicted_rate,
    predicted_reach, MomentumOptimum,
};
use super::view::{self, Frame, OptimumView, RunView, Scene};
use super::{landscape, Loaded, Origin, RateRange, RunSettings, Session};
use crate::data::ColumnKind;
use crate::format::{number, percent};
use crate::model::{Metrics, ModelKind, Objective};
use crate::optim::{OptimizerKind, Schedule};
use crate::optimum::Optimum;
use crate::plot::ViewKind;
use crate::Result;

/// Rows of the preview table.
pub const PREVIEW_ROWS: usize = 8;

/// One column of the data, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSummary {
    /// Its name.
    pub name: String,
    /// numeric, text or date.
    pub kind: ColumnKind,
    /// "numeric · decimal comma", "date", …
    pub describe: String,
    /// Missing cells.
    pub missing: usize,
    /// Exactly two distinct values (a two-class target).
    pub two_valued: bool,
    /// Why it cannot be a feature, when it cannot.
    pub unusable: Option<String>,
    /// Why it is not a default feature (a row ID, a date, …), when it is not.
    pub excluded: Option<String>,
}

/// The loaded data and the problem posed on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The file name or the example's.
    pub source: String,
    /// Data rows in the file.
    pub rows: usize,
    /// ",", ";", "tab" or "|".
    pub delimiter: String,
    /// Whether the first row is a header.
    pub has_header: bool,
    /// How the bytes were read.
    pub encoding: String,
    /// Notes about the file as a whole.
    pub notes: Vec<String>,
    /// Every column.
    pub columns: Vec<ColumnSummary>,
    /// The first rows as written.
    pub preview: Vec<Vec<String>>,
    /// The data settings in force (names resolved).
    pub settings: super::DataSettings,
    /// linear or logistic.
    pub model: ModelKind,
    /// Rows trained on.
    pub rows_used: usize,
    /// Rows dropped.
    pub dropped_rows: usize,
    /// Cells filled with the mean.
    pub imputed_cells: usize,
    /// Sentences about dropped and filled cells.
    pub warnings: Vec<String>,
    /// `[negative, positive]` for two classes.
    pub classes: Option<[String; 2]>,
    /// Names of θ's entries: `w₁ (x1)`, …, `b`.
    pub parameter_names: Vec<String>,
    /// What one unit of each entry of θ is in training ("price units per
    /// SD of size", "price units"): the landscape's axes and start point.
    pub parameter_units: Vec<String>,
    /// Views of the model that make sense, the default first.
    pub views: Vec<ViewKind>,
    /// The loss, written out.
    pub loss_formula: String,
    /// "standardized units" or "original units": what training updates.
    pub training_units: String,
    /// L, and what it means.
    pub lipschitz: Option<f64>,
    /// The condition number and its standardized twin, written out.
    pub conditioning: String,
    /// Notes about the problem (separable classes, narrow valleys, …).
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
    /// The landscape pair shown first.
    pub landscape_pair: (usize, usize),
    /// The best momentum for this curvature (Distill), when it applies.
    pub momentum_optimum: Option<MomentumOptimum>,
    /// Every optimizer's label and default rate.
    pub optimizers: Vec<OptimizerSummary>,
    /// Whether the data's text is kept (so a share link can carry it).
    pub source_kept: bool,
    /// The Predict form: one box per chosen column.
    pub predict_inputs: Vec<PredictInput>,
}

/// The predicted rate where the classes are separable.
const NO_RATE_SEPARABLE: &str =
    "none: there is no minimum (the classes are separable), and the loss falls ever more slowly towards 0";

/// One box of the Predict form: a chosen column as a person fills it in (a
/// number, or one of a text column's words, whatever features it makes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictInput {
    /// The column.
    pub name: String,
    /// Its first row's value, as a hint.
    pub example: String,
    /// The words of a text column, in the file's order (empty for a number).
    pub choices: Vec<String>,
}

/// The chosen columns, each with what its Predict box takes.
// Called from two places: one copy (the bundle's size).
#[inline(never)]
fn predict_inputs(d: &Loaded) -> Vec<PredictInput> {
    let t = d.table();
    d.settings
        .features
        .iter()
        .flatten()
        .filter_map(|name| {
            let j = t
                .resolve(&crate::data::ColumnRef::Name(name.clone()))
                .ok()?;
            let c = t.column(j);
            let words = crate::data::dataset::is_two_level_text(c)
                || crate::data::transform::can_one_hot(c);
            let (example, choices) = match c.text().filter(|_| words) {
                Some((codes, levels)) => (
                    codes
                        .iter()
                        .find(|&&k| k != crate::data::csv::MISSING_CODE)
                        .map_or_else(String::new, |&k| levels[k as usize].clone()),
                    levels.to_vec(),
                ),
                None => (
                    c.numeric()
                        .and_then(|v| v.iter().find(|x| x.is_finite()))
                        .map_or_else(String::new, |x| number(x, 6)),
                    Vec::new(),
                ),
            };
            Some(PredictInput {
                name: c.name.clone(),
                example,
                choices,
            })
        })
        .collect()
}

/// An optimizer as the select lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimizerSummary {
    /// gd, momentum, …
    pub kind: OptimizerKind,
    /// "Gradient descent", …
    pub label: String,
    /// Its default α on this problem.
    pub default_rate: f64,
    /// Its hyperparameters besides α ([`OptimizerKind::hyperparameters`]).
    pub hyperparameters: &'static [&'static str],
}

/// A run as the race table and the controls show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReadout {
    /// Stable id.
    pub id: u32,
    /// "Adam, α = 0.001".
    pub label: String,
    /// Steps taken.
    pub step: u64,
    /// "3.5 epochs" with mini-batches, else empty.
    pub epoch: String,
    /// The loss; none when it is too large to represent (the run diverged).
    pub loss: Option<f64>,
    /// The loss, written out.
    pub loss_text: String,
    /// ready, running, converged or diverged.
    pub status: String,
    /// Why (converged, diverged).
    pub message: Option<String>,
    /// Kept as an overlay.
    pub pinned: bool,
    /// "forked from run 1 at step 20", or empty.
    pub origin: String,
    /// The settings, for the controls.
    pub settings: RunSettings,
    /// α in use (the schedule's value for the next step).
    pub next_rate: f64,
    /// α as typed back into the box.
    pub rate_text: String,
    /// Steps until L − L* fell below the race's gap, once it did.
    pub reached_at: Option<u64>,
    /// The steps the Hessian's eigen-decomposition predicts for the same,
    /// for a fresh run with a linear rate (see [`predicted_reach`]).
    pub predicted_reach: Option<u64>,
}

/// The active run in detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    /// (label, value) pairs: MSE, RMSE, R² or log-loss, accuracy.
    pub metrics: Vec<(String, String)>,
    /// One row per entry of θ, original units.
    pub parameters: Vec<ParameterRow>,
    /// The next update written out, training units.
    pub update: UpdateText,
    /// ‖θ − θ*‖ (training units), once the optimum is known.
    pub distance: String,
    /// The last mini-batch, when there is one.
    pub batch: Option<BatchText>,
    /// The slider.
    pub rate_range: RateRange,
    /// The schedule, written out.
    pub schedule: String,
    /// α over the steps, for the schedule's small curve.
    pub schedule_curve: Vec<(u64, f64)>,
    /// The predicted shrink factor of L − L* per step, written out.
    pub predicted_rate: String,
    /// One line for screen readers.
    pub announce: String,
}

/// One parameter, original units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterRow {
    /// `w₁ (x1)` or `b`.
    pub name: String,
    /// Its value.
    pub value: String,
    /// ∂L/∂θ.
    pub gradient: String,
    /// θ*, once known.
    pub optimum: String,
}

/// The update written out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateText {
    /// The rule, e.g. "v ← μ·v + g".
    pub equations: Vec<String>,
    /// Column names.
    pub columns: Vec<String>,
    /// One row per parameter: its name, then the columns' values.
    pub rows: Vec<Vec<String>>,
    /// Named scalars (α, μ, t, bias corrections).
    pub scalars: Vec<(String, String)>,
    /// "standardized units" or "original units".
    pub units: String,
}

/// The last mini-batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchText {
    /// Rows in it.
    pub rows: usize,
    /// Its own loss.
    pub loss: String,
    /// Angle between its gradient and the full gradient.
    pub angle: String,
    /// ‖batch gradient‖ / ‖full gradient‖.
    pub norm_ratio: String,
    /// Where SGD's noise keeps it from θ*, in words (empty until known).
    pub noise_ball: String,
}

/// The exact optimum as the page reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimumText {
    /// Known (found or not).
    pub ready: bool,
    /// A finite optimum exists.
    pub found: bool,
    /// L*, written out.
    pub loss: String,
    /// L* itself.
    pub loss_value: Option<f64>,
    /// Why there is none.
    pub reason: Option<String>,
    /// Fraction computed.
    pub progress: f64,
}

/// Everything the page writes after an update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readout {
    /// The active run's index.
    pub active: usize,
    /// Every run.
    pub runs: Vec<RunReadout>,
    /// The active run in detail.
    pub detail: Detail,
    /// The exact optimum.
    pub optimum: OptimumText,
    /// The gap the race table counts steps to, written out.
    pub race_gap: String,
}

/// What the page is showing, so that only needed work is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewRequest {
    /// The landscape pair, when the landscape is shown.
    pub pair: Option<(usize, usize)>,
    /// The curvature panel is open: errors along eigendirections.
    pub eigen: bool,
    /// The Newton step ghost is wanted.
    pub newton: bool,
    /// Loss history points per run (≤ 4096).
    pub history_points: usize,
    /// The race counts steps until L − L* < gap · (L₀ − L*).
    pub race_gap: f64,
}

impl Default for ViewRequest {
    fn default() -> Self {
        Self {
            pair: None,
            eigen: false,
            newton: false,
            history_points: 2048,
            race_gap: 1e-4,
        }
    }
}

fn units(d: &Loaded) -> String {
    if d.problem.design().is_standardized() {
        "standardized units".into()
    } else {
        "original units".into()
    }
}

impl Session {
    /// The data summary; fails when nothing is loaded.
    pub fn summary(&self) -> Result<Summary> {
        let d = self.data()?;
        let t = d.table();
        let ds = d.dataset();
        let excluded = |j: usize| {
            d.excluded
                .iter()
                .find(|e| e.column == j)
                .map(|e| e.message.clone())
        };
        let columns = t
            .columns()
            .iter()
            .enumerate()
            .map(|(j, c)| ColumnSummary {
                name: c.name.clone(),
                kind: c.kind,
                describe: c.describe(),
                missing: c.missing,
                two_valued: c.stats.distinct_upto3 == 2,
                // Two text levels read as 0/1, so such a column is usable.
                unusable: c.text_reason.clone().filter(|_| {
                    !crate::data::dataset::is_two_level_text(c)
                        && !crate::data::transform::can_one_hot(c)
                }),
                excluded: excluded(j),
            })
            .collect();
        let c = d.curvature();
        let conditioning = match (c.condition_number, c.standardized_condition_number) {
            (Some(k), Some(ks)) if !d.problem.design().is_standardized() => format!(
                "condition number {} ({} after standardizing)",
                number(k, 3),
                number(ks, 3)
            ),
            (Some(k), _) => format!("condition number {}", number(k, 3)),
            (None, _) => {
                "condition number: undefined (the Hessian is singular: some features are collinear)"
                    .into()
            }
        };
        let lipschitz = d.lipschitz();
        Ok(Summary {
            source: d.name.clone(),
            rows: t.rows(),
            delimiter: match t.delimiter() {
                b'\t' => "tab".into(),
                b => char::from(b).to_string(),
            },
            has_header: t.has_header(),
            encoding: t.encoding().describe().to_string(),
            notes: t.notes().to_vec(),
            columns,
            preview: t.preview().iter().take(PREVIEW_ROWS).cloned().collect(),
            settings: d.settings.clone(),
            model: d.model,
            rows_used: ds.rows(),
            dropped_rows: ds.dropped_rows,
            imputed_cells: ds.imputed.iter().map(|i| i.cells).sum(),
            warnings: ds.warnings.clone(),
            classes: ds
                .classes
                .as_ref()
                .map(|c| [c.negative.clone(), c.positive.clone()]),
            parameter_names: d.parameter_names(),
            parameter_units: (0..=ds.dim())
                .map(|j| {
                    d.model.parameter_unit(
                        &ds.target_name,
                        ds.feature_names.get(j).map(String::as_str),
                        d.problem.design().is_standardized(),
                    )
                })
                .collect(),
            views: ViewKind::available(d.model, ds.dim()),
            loss_formula: {
                let mut f = d.model.loss_formula().to_string();
                if d.problem.l2() > 0.0 {
                    f.push_str(" + (λ/2)‖w‖²");
                }
                f
            },
            training_units: units(d),
            lipschitz,
            conditioning,
            diagnostics: crate::diagnostics::diagnose(d),
            landscape_pair: landscape::default_pair(d),
            // Exact for linear; at θ* for logistic once the optimum is known.
            momentum_optimum: match (&d.optimum.hessian, d.model) {
                (Some(h), _) => momentum_optimum(&h.eigenvalues),
                (None, ModelKind::Linear) => momentum_optimum(&c.eigenvalues),
                (None, ModelKind::Logistic) => None,
            },
            optimizers: OptimizerKind::ALL
                .iter()
                .map(|&k| OptimizerSummary {
                    kind: k,
                    label: k.label().into(),
                    default_rate: super::default_learning_rate(
                        k,
                        d.rate_basis(
                            d.runs
                                .get(d.active)
                                .map_or(RunSettings::default().tolerance, |r| r.settings.tolerance),
                        ),
                        self.rule,
                    ),
                    hyperparameters: k.hyperparameters(),
                })
                .collect(),
            source_kept: d.source.is_some(),
            predict_inputs: predict_inputs(d),
        })
    }

    /// The readout after an update.
    pub fn readout(&self, view: &ViewRequest) -> Result<Readout> {
        let d = self.data()?;
        let optimum = d.optimum.result.as_ref();
        let found = optimum.and_then(Optimum::found);
        let gap = if view.race_gap > 0.0 && view.race_gap.is_finite() {
            view.race_gap
        } else {
            1e-4
        };
        let hessian = d.optimum.hessian.as_ref().unwrap_or(&d.curvature);
        let runs = d
            .runs
            .iter()
            .map(|r| {
                let t = &r.trainer;
                let predicted_reach = match (r.origin, found) {
                    (Origin::Fresh, Some((optimum, _))) => predicted_reach(
                        t.config(),
                        hessian,
                        optimum,
                        t.start(),
                        d.problem.rows(),
                        gap,
                    ),
                    _ => None,
                };
                let per_epoch = t.batches_per_epoch();
                let reached_at = found.and_then(|(_, l_star)| {
                    let target = l_star + gap * (t.start_loss() - l_star).max(0.0);
                    t.history()
                        .points()
                        .find(|(_, v)| v[0] <= target)
                        .map(|(s, _)| s)
                });
                RunReadout {
                    id: r.id,
                    label: r.label(),
                    step: t.step_count(),
                    epoch: if per_epoch > 1 {
                        format!("{} epochs", number(t.epoch(), 3))
                    } else {
                        String::new()
                    },
                    loss: Some(t.loss()).filter(|l| l.is_finite()),
                    loss_text: number(t.loss(), 6),
                    status: t.status().name().into(),
                    message: super::shown_message(t, d.separable()),
                    pinned: r.pinned,
                    origin: match r.origin {
                        Origin::Fresh => String::new(),
                        Origin::Fork { parent, step } => {
                            let which = d.runs.iter().position(|q| q.id == parent).map_or_else(
                                || "a removed run".into(),
                                |i| format!("run {}", i + 1),
                            );
                            format!("forked from {which} at step {step}")
                        }
                    },
                    settings: r.settings,
                    next_rate: t.next_rate(),
                    rate_text: crate::format::exact(t.config().learning_rate),
                    reached_at,
                    predicted_reach,
                }
            })
            .collect();
        Ok(Readout {
            active: d.active,
            runs,
            detail: detail(d, found),
            optimum: OptimumText {
                ready: optimum.is_some(),
                found: found.is_some(),
                loss: found.map_or_else(String::new, |(_, l)| {
                    // An exact fit leaves only round-off (5.8e−30): that is 0.
                    let start = d.runs[d.active].trainer.start_loss();
                    if l.abs() <= 1e-12 * start.abs() && l != 0.0 {
                        format!("0 (up to round-off: {})", number(l, 2))
                    } else {
                        number(l, 6)
                    }
                }),
                loss_value: found.map(|(_, l)| l),
                reason: match optimum {
                    Some(Optimum::NoFiniteOptimum { reason }) => Some(reason.clone()),
                    _ => None,
                },
                progress: self.optimum_progress(),
            },
            race_gap: format!("L − L* < {} × (L₀ − L*)", number(gap, 2)),
        })
    }

    /// The scene for the painter.
    pub fn scene(&self) -> Result<Scene> {
        let d = self.data()?;
        let ds = d.dataset();
        let x = d.problem.design();
        let m = d.sample.len();
        let mut features = Vec::with_capacity(m * ds.dim());
        for j in 0..ds.dim() {
            let col = &ds.features[j];
            features.extend(d.sample.iter().map(|&r| col.get(r)));
        }
        Ok(Scene {
            model: d.model,
            feature_names: ds.feature_names.clone(),
            target_name: ds.target_name.clone(),
            classes: ds
                .classes
                .as_ref()
                .map(|c| [c.negative.clone(), c.positive.clone()]),
            parameter_names: d.parameter_names(),
            standardized: x.is_standardized(),
            shift: x.shift().to_vec(),
            scale: x.scale().to_vec(),
            means: ds.mean.clone(),
            sample_rows: d
                .sample
                .iter()
                .map(|&r| ds.table_row(r) as u32 + 1)
                .collect(),
            sample_features: features,
            sample_target: d.sample.iter().map(|&r| ds.target.get(r)).collect(),
            total_rows: ds.rows(),
            views: ViewKind::available(d.model, ds.dim()),
            lipschitz: d.lipschitz(),
        })
    }

    /// The frame for the painter (updates the landscape grid for the pair
    /// when it has gone stale: see [`Session::grid`]).
    pub fn frame(&mut self, view: &ViewRequest) -> Result<Frame> {
        let d = self.data_mut()?;
        if let Some((a, b)) = view.pair {
            landscape::update(d, a, b);
        }
        d.ensure_noise();
        let d = self.data()?;
        let eig = d
            .optimum
            .hessian
            .as_ref()
            .map_or(&d.curvature.eigenvalues, |h| &h.eigenvalues);
        let points = view.history_points.clamp(16, view::MAX_HISTORY_POINTS);
        let runs = d
            .runs
            .iter()
            .map(|r| {
                let t = &r.trainer;
                let hist = t.history().sampled(points);
                let batch = t.batch_history().sampled(points);
                let path: Vec<f64> = match view.pair {
                    Some((a, b)) => t
                        .path()
                        .sampled(view::MAX_PATH_POINTS)
                        .into_iter()
                        .flat_map(|(_, th)| {
                            [
                                th.get(a).copied().unwrap_or(0.0),
                                th.get(b).copied().unwrap_or(0.0),
                            ]
                        })
                        .collect(),
                    None => Vec::new(),
                };
                RunView {
                    id: r.id,
                    label: r.label(),
                    theta: t.theta().to_vec(),
                    gradient: t.gradient().to_vec(),
                    step: t.step_count(),
                    loss: t.loss(),
                    status: t.status().name().into(),
                    pinned: r.pinned,
                    batches_per_epoch: t.batches_per_epoch() as f64,
                    history_steps: hist.iter().map(|(s, _)| *s as f64).collect(),
                    history_loss: hist.iter().map(|(_, v)| v[0]).collect(),
                    batch_steps: batch.iter().map(|(s, _)| *s as f64).collect(),
                    batch_loss: batch.iter().map(|(_, v)| v[0]).collect(),
                    path,
                    // No minimum, so no L* for a rate to close in on.
                    predicted_rate: predicted_rate(t.config(), eig, d.problem.rows())
                        .filter(|_| !d.separable()),
                }
            })
            .collect();
        let found = d.optimum.result.as_ref().and_then(Optimum::found);
        let active = &d.runs[d.active].trainer;
        let newton = if view.newton {
            newton_step(
                &d.problem,
                active.theta(),
                d.optimum.hessian.as_ref().or(Some(&d.curvature)),
            )
        } else {
            None
        };
        let eigen = match (view.eigen, found, d.optimum.hessian.as_ref()) {
            (true, Some((theta, _)), Some(h)) => eigen_errors(
                h,
                theta,
                active.path().sampled(view::MAX_PATH_POINTS).into_iter(),
            ),
            _ => None,
        };
        Ok(Frame {
            active: d.active,
            runs,
            optimum: found.map(|(theta, loss)| OptimumView {
                theta: theta.to_vec(),
                loss,
            }),
            newton,
            pair: view.pair.map(|(a, b)| (a as u32, b as u32)),
            eigen,
            noise: view
                .pair
                .zip(d.noise_ball(d.active))
                .and_then(|((a, b), ball)| {
                    let p = d.problem.layout().len();
                    let at = |i: usize, j: usize| ball.covariance.get(i * p + j).copied();
                    Some([at(a, a)?, at(a, b)?, at(b, b)?])
                }),
        })
    }

    /// The landscape grid for the pair, (re)computed when stale, and its
    /// version (which changes when it is recomputed).
    pub fn grid(&mut self, a: usize, b: usize) -> Result<Option<(u64, view::Grid)>> {
        let d = self.data_mut()?;
        landscape::update(d, a, b);
        Ok(d.landscape
            .grid()
            .cloned()
            .map(|g| (d.landscape.version(), g)))
    }

    /// The last α-sweep, when one finished.
    pub fn sweep(&self) -> Option<&view::Sweep> {
        let d = self.data.as_ref()?;
        let run = &d.runs[d.active];
        d.sweep.result_for(&run.settings, run.trainer.start())
    }

    /// Whether the last α-sweep no longer describes the active run (its
    /// optimizer, schedule, batch or start changed), so the page hides it.
    pub fn sweep_stale(&self) -> bool {
        self.data.as_ref().is_some_and(|d| {
            let run = &d.runs[d.active];
            d.sweep.is_stale(&run.settings, run.trainer.start())
        })
    }

    /// Starts an α-sweep of the active run's optimizer (done by
    /// [`Session::background`]).
    pub fn start_sweep(&mut self, steps: u32) -> Result<()> {
        let d = self.data_mut()?;
        super::analysis::start_sweep(d, steps.clamp(1, 1000));
        Ok(())
    }
}

/// The active run's noise ball, in words (see [`crate::optim::noise`]).
fn noise_text(d: &Loaded, t: &crate::train::Trainer) -> String {
    let Some(ball) = d.noise_ball(d.active) else {
        return String::new();
    };
    let c = t.config();
    let other = if c.optimizer.kind == OptimizerKind::Gd {
        String::new()
    } else {
        format!(
            " (worked out for plain SGD; {} moves differently)",
            c.optimizer.kind.label()
        )
    };
    // The formula takes every batch as drawn afresh. This run reshuffles
    // once per epoch and visits each row once: over an epoch much longer
    // than the slowest direction needs to settle (1/(αλmin) steps) that
    // is the same; over a shorter one it wanders less.
    let slowest = d
        .optimum
        .hessian
        .as_ref()
        .and_then(|h| h.eigenvalues.iter().copied().find(|v| *v > 0.0))
        .unwrap_or(0.0);
    let epoch = t.batches_per_epoch() as f64;
    let settle = 1.0 / (c.learning_rate * slowest);
    let caveat = if slowest > 0.0 && epoch < 10.0 * settle {
        format!(
            "; an upper estimate: this run reshuffles the rows once per epoch of {} steps and visits each row once, which wanders less when an epoch is short next to the ≈{} steps the slowest direction needs to settle",
            number(epoch, 3),
            number(settle, 3)
        )
    } else {
        String::new()
    };
    format!(
        "With batches of {} rows at α = {}, SGD never settles: it wanders about {} from θ* (RMS distance, training units), where the loss sits about {} above L* on average{other}{caveat}. A smaller α or a larger batch shrinks this noise ball; the dashed ellipse on the landscape holds about 86% of it.",
        c.batch_size,
        number(c.learning_rate, 4),
        number(ball.rms_distance, 3),
        number(ball.excess_loss, 3),
    )
}

fn detail(d: &Loaded, found: Option<(&[f64], f64)>) -> Detail {
    let run = &d.runs[d.active];
    let t = &run.trainer;
    let x = d.problem.design();
    let names = d.parameter_names();
    let theta_o = x.theta_to_original(t.theta());
    let grad_o = x.gradient_to_original(t.gradient());
    let opt_o = found.map(|(th, _)| x.theta_to_original(th));
    let parameters = names
        .iter()
        .enumerate()
        .map(|(i, name)| ParameterRow {
            name: name.clone(),
            value: number(theta_o[i], 6),
            gradient: number(grad_o[i], 4),
            optimum: opt_o.as_ref().map_or_else(String::new, |o| number(o[i], 6)),
        })
        .collect();
    let metrics = match t.metrics() {
        Metrics::Linear {
            mse,
            rmse,
            r2,
            r2_reason,
        } => vec![
            ("MSE".to_string(), number(mse, 6)),
            ("RMSE".to_string(), number(rmse, 6)),
            (
                "R²".to_string(),
                r2.map_or_else(
                    || format!("undefined ({})", r2_reason.unwrap_or("—")),
                    |v| number(v, 4),
                ),
            ),
        ],
        Metrics::Logistic { log_loss, accuracy } => vec![
            ("Log-loss".to_string(), number(log_loss, 6)),
            ("Accuracy".to_string(), percent(accuracy)),
        ],
    };
    let desc = t
        .optimizer()
        .describe(t.theta(), t.gradient(), t.next_rate());
    let update = UpdateText {
        equations: desc.equations,
        columns: desc.columns,
        rows: desc
            .rows
            .iter()
            .zip(&names)
            .map(|(row, name)| {
                std::iter::once(name.clone())
                    .chain(row.iter().map(|v| number(*v, 5)))
                    .collect()
            })
            .collect(),
        scalars: desc
            .scalars
            .iter()
            .map(|(n, v)| (n.clone(), number(*v, 5)))
            .collect(),
        units: units(d),
    };
    let distance = match found {
        Some((th, _)) => {
            let sq: f64 = t
                .theta()
                .iter()
                .zip(th)
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            number(sq.sqrt(), 4)
        }
        None => String::new(),
    };
    let batch = t.batch().map(|b| BatchText {
        rows: b.rows,
        loss: number(b.loss, 5),
        angle: b.angle_degrees.map_or_else(
            || "undefined (a gradient is zero)".into(),
            |a| format!("{}°", number(a, 3)),
        ),
        norm_ratio: b.norm_ratio.map_or_else(String::new, |r| number(r, 3)),
        noise_ball: noise_text(d, t),
    });
    let c = t.config();
    let eig = d
        .optimum
        .hessian
        .as_ref()
        .map_or(&d.curvature.eigenvalues, |h| &h.eigenvalues);
    let predicted = if d.separable() {
        NO_RATE_SEPARABLE.to_string()
    } else {
        predicted_rate(c, eig, d.problem.rows()).map_or_else(
        || match c.optimizer.kind {
            OptimizerKind::Gd | OptimizerKind::Momentum | OptimizerKind::Nesterov => {
                "no single rate: the schedule or the mini-batches change each step".to_string()
            }
            _ => "no linear rate: adaptive optimizers rescale each step".to_string(),
        },
        |r| {
            if r >= 1.0 {
                format!("L − L* grows by {} per step: this α is too large", number(r, 4))
            } else {
                format!(
                    "L − L* shrinks by a factor {} per step (the slowest direction: max ρᵢ², with ρᵢ = {})",
                    number(r, 6),
                    factor_formula(c.optimizer.kind)
                )
            }
        },
    )
    };
    let status = t.status();
    let announce = format!(
        "Step {}, loss {}{}",
        t.step_count(),
        number(t.loss(), 5),
        match status {
            crate::train::Status::Converged => ", converged",
            crate::train::Status::Diverged => ", diverged",
            _ => "",
        }
    );
    let k_max = (t.step_count() + 100).max(200);
    Detail {
        metrics,
        parameters,
        update,
        distance,
        batch,
        rate_range: super::rate_range(
            c.optimizer.kind,
            d.rate_basis(c.tolerance),
            c.optimizer.momentum,
        ),
        schedule: match c.schedule {
            Schedule::Constant => "constant α".into(),
            s => s.formula(),
        },
        schedule_curve: c.schedule.curve(c.learning_rate, k_max, 120),
        predicted_rate: predicted,
        announce,
    }
}

/// The loss at `theta` for the page's prediction panel, in words: "13 hours
/// → 70% chance of pass", "size 120 → predicted price ≈ 250,000".
pub fn describe_prediction(d: &Loaded, inputs: &[f64], value: f64) -> String {
    let ds = d.dataset();
    let given: Vec<String> = ds
        .feature_names
        .iter()
        .zip(inputs)
        .map(|(n, v)| format!("{} = {}", crate::limits::quote(n), number(*v, 6)))
        .collect();
    answer_in_words(d, &given, value)
}

/// A number as a person types it: `7.5`, `7,5` (decimal comma), `−2`.
fn typed_number(cell: &str) -> Option<f64> {
    let comma = !cell.contains('.');
    let t: String = cell
        .chars()
        .map(|c| match c {
            '\u{2212}' => '-',
            ',' if comma => '.',
            c => c,
        })
        .collect();
    t.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// "given → answer" for a prediction; more than four inputs are cut to three.
fn answer_in_words(d: &Loaded, given: &[String], value: f64) -> String {
    let ds = d.dataset();
    let given = if given.len() > 4 {
        format!("{}, … ({} values)", given[..3].join(", "), given.len())
    } else {
        given.join(", ")
    };
    if !value.is_finite() {
        return format!("{given} → no answer: the model's output is not a number; lower the learning rate and reset");
    }
    match &ds.classes {
        Some(c) => format!(
            "{given} → {} chance of {} = {}",
            chance(value),
            crate::limits::quote(&ds.target_name),
            crate::limits::quote(&c.positive)
        ),
        None => format!(
            "{given} → predicted {} ≈ {}",
            crate::limits::quote(&ds.target_name),
            number(value, 5)
        ),
    }
}

fn chance(p: f64) -> String {
    let v = p * 100.0;
    if (v > 0.0 && v < 1.0) || (v > 99.0 && v < 100.0) {
        format!("{}%", number(v, 2))
    } else {
        format!("{}%", v.round())
    }
}

/// Rows of the data for the page's tables: the first `count` from `from`,
/// original units, with the active run's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowsView {
    /// Column headers: the features, the target, the prediction.
    pub columns: Vec<String>,
    /// One row per data row: its 1-based number, then cells.
    pub rows: Vec<(u64, Vec<String>)>,
    /// Rows in the dataset.
    pub total: usize,
}

impl Session {
    /// The model's output for one example in original units, in words and
    /// as a number.
    pub fn predict(&self, features: &[f64]) -> Result<(f64, String)> {
        let d = self.data()?;
        let dim = d.dataset().dim();
        if features.len() != dim {
            return Err(crate::GradstepError::InvalidSetting {
                name: "prediction".into(),
                value: format!("{} values", features.len()),
                reason: format!("the model has {dim} feature(s)"),
            });
        }
        if let Some(i) = features.iter().position(|v| !v.is_finite()) {
            return Err(crate::GradstepError::InvalidSetting {
                name: "prediction".into(),
                value: crate::limits::quote(&d.dataset().feature_names[i]),
                reason: "enter a finite number for every feature".into(),
            });
        }
        let theta = d.runs[d.active].trainer.theta();
        let value = d.problem.predict_original(features, theta);
        Ok((value, describe_prediction(d, features, value)))
    }

    /// The model's output for the Predict form's boxes ([`PredictInput`]):
    /// numbers as typed (`7.5`, `7,5`, `−2`), words of text columns, turned
    /// into the features they make (0/1, one-hot).
    pub fn predict_cells(&self, cells: &[String]) -> Result<(f64, String)> {
        let d = self.data()?;
        let inputs = predict_inputs(d);
        let refuse = |reason: String| crate::GradstepError::PredictInput { reason };
        if !d.settings.transforms.is_empty() {
            return Err(refuse(
                "the form does not compute transformed features (powers); give every feature value"
                    .into(),
            ));
        }
        if cells.len() != inputs.len() {
            return Err(refuse(format!(
                "{} value(s) for {} column(s)",
                cells.len(),
                inputs.len()
            )));
        }
        let (mut plain, mut one_hot) = (Vec::new(), Vec::new());
        let mut given = Vec::new();
        for (input, cell) in inputs.iter().zip(cells) {
            let cell = cell.trim();
            let name = crate::limits::quote(&input.name);
            match input.choices.as_slice() {
                [] => {
                    let v = typed_number(cell).ok_or_else(|| {
                        refuse(format!(
                            "'{name}' needs a number, like {} (got '{}')",
                            if input.example.is_empty() {
                                "2.5"
                            } else {
                                &input.example
                            },
                            crate::limits::quote(cell)
                        ))
                    })?;
                    given.push(format!("{name} = {}", number(v, 6)));
                    plain.push(v);
                }
                choices => {
                    given.push(format!("{name} = {}", crate::limits::quote(cell)));
                    if !choices.iter().any(|c| c == cell) {
                        return Err(refuse(format!(
                            "'{name}' is one of {} (got '{}')",
                            crate::limits::quote(&choices.join(", ")),
                            crate::limits::quote(cell)
                        )));
                    }
                    if let Some(positive) = crate::data::dataset::positive_level(choices) {
                        plain.push(f64::from(u8::from(cell == choices[positive])));
                    } else {
                        one_hot.extend(choices[1..].iter().map(|c| f64::from(u8::from(c == cell))));
                    }
                }
            }
        }
        plain.extend(one_hot);
        let dim = d.dataset().dim();
        if plain.len() != dim {
            return Err(refuse(format!(
                "the values make {} feature(s), the model has {dim}",
                plain.len()
            )));
        }
        let theta = d.runs[d.active].trainer.theta();
        let value = d.problem.predict_original(&plain, theta);
        Ok((value, answer_in_words(d, &given, value)))
    }

    /// Rows `from..from + count` of the data with the active run's
    /// prediction, for the tables.
    pub fn rows(&self, from: usize, count: usize) -> Result<RowsView> {
        let d = self.data()?;
        let ds = d.dataset();
        let theta = d.runs[d.active].trainer.theta();
        let mut columns: Vec<String> = ds.feature_names.clone();
        columns.push(ds.target_name.clone());
        columns.push(match &ds.classes {
            Some(c) => format!("P({} = {})", ds.target_name, c.positive),
            None => format!("predicted {}", ds.target_name),
        });
        let to = from.saturating_add(count.min(1000)).min(ds.rows());
        let mut row = vec![0.0; ds.dim()];
        let rows = (from.min(to)..to)
            .map(|i| {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = ds.features[j].get(i);
                }
                let y = d.problem.predict_original(&row, theta);
                let target = ds.target.get(i);
                let mut cells: Vec<String> = row.iter().map(|v| number(*v, 6)).collect();
                cells.push(match &ds.classes {
                    Some(c) => {
                        if target >= 0.5 {
                            c.positive.clone()
                        } else {
                            c.negative.clone()
                        }
                    }
                    None => number(target, 6),
                });
                cells.push(match ds.classes {
                    Some(_) => percent(y),
                    None => number(y, 6),
                });
                (ds.table_row(i) as u64 + 1, cells)
            })
            .collect();
        Ok(RowsView {
            columns,
            rows,
            total: ds.rows(),
        })
    }

    /// The data's text when it is at most `max_bytes` long (share links).
    pub fn source_text(&self, max_bytes: usize) -> Option<String> {
        let bytes = self.data.as_ref()?.source.as_ref()?;
        (bytes.len() <= max_bytes)
            .then(|| String::from_utf8(bytes.clone()).ok())
            .flatten()
    }

    /// Checks the active run's gradient against central differences.
    pub fn gradient_check(&self) -> Result<crate::model::GradientCheck> {
        let d = self.data()?;
        let t = &d.runs[d.active].trainer;
        let loss = t.loss().abs().max(1e-300);
        let scales: Vec<f64> = d
            .curvature
            .diagonal
            .iter()
            .map(|h| (loss / h.max(1e-300)).sqrt())
            .collect();
        let check = crate::model::gradient_check(&d.problem, t.theta(), &scales);
        let finite = check.rows.iter().all(|r| {
            [r.analytic, r.numerical, r.difference, r.tolerance]
                .iter()
                .all(|v| v.is_finite())
        });
        if !finite || !check.loss.is_finite() {
            return Err(crate::GradstepError::InvalidSetting {
                name: "gradient check".into(),
                value: format!("step {}", t.step_count()),
                reason: "the loss near these parameters is too large to represent, so there is nothing to compare; reset or standardize".into(),
            });
        }
        Ok(check)
    }

    /// The active run's loss history as CSV (`step,loss`, full precision;
    /// thinned past the history's capacity; a loss too large for f64 is an
    /// empty cell).
    pub fn history_csv(&self) -> Result<String> {
        use std::fmt::Write;
        let d = self.data()?;
        let t = &d.runs[d.active].trainer;
        let mut out = String::from("step,loss\n");
        for (s, v) in t.history().points() {
            // A loss too large for f64 is a missing cell, never "inf".
            if v[0].is_finite() {
                let _ = writeln!(out, "{s},{:?}", v[0]);
            } else {
                let _ = writeln!(out, "{s},");
            }
        }
        Ok(out)
    }

    /// Problem size: rows × parameters.
    pub fn cells(&self) -> usize {
        self.data.as_ref().map_or(0, |d| {
            d.problem.rows().saturating_mul(d.problem.layout().len())
        })
    }
}

/// The Hessian's eigenvalues for the curvature panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvatureReport {
    /// λᵢ, ascending (training units).
    pub eigenvalues: Vec<f64>,
    /// The same, written out.
    pub eigenvalue_texts: Vec<String>,
    /// Where they are taken: "exact: the loss is a quadratic" or "at the
    /// current θ (step 40)".
    pub at: String,
    /// λmax/λmin, written out (or why it is undefined).
    pub condition: String,
    /// The active run's predicted rate, written out.
    pub predicted_rate: String,
    /// The best momentum for these eigenvalues, when it applies.
    pub momentum_optimum: Option<MomentumOptimum>,
    /// The active run's per-direction factor, as a column heading ("" when
    /// its optimizer, schedule or batches have no linear rate).
    pub factor_head: String,
    /// That factor for each eigenvalue, written out (empty with no heading).
    pub factor_texts: Vec<String>,
}

impl Session {
    /// The Hessian's eigenvalues: exact for linear regression (the Hessian
    /// is constant), at the active run's current θ for logistic regression
    /// (one pass over the data).
    pub fn curvature_report(&self) -> Result<CurvatureReport> {
        let d = self.data()?;
        let t = &d.runs[d.active].trainer;
        let (c, at) = match d.model {
            ModelKind::Linear => (
                d.curvature.clone(),
                "exact: the loss is a quadratic, so its Hessian is the same everywhere".to_string(),
            ),
            ModelKind::Logistic => (
                crate::optimum::hessian_at(&d.problem, t.theta()),
                format!("at the current θ (step {})", t.step_count()),
            ),
        };
        let condition = match c.condition_number {
            Some(k) => format!("λmax/λmin = {}", number(k, 4)),
            None => "λmax/λmin is undefined: the Hessian is singular (collinear features) or too large to decompose".into(),
        };
        let predicted = match predicted_rate(t.config(), &c.eigenvalues, d.problem.rows()) {
            _ if d.separable() => NO_RATE_SEPARABLE.to_string(),
            Some(r) if r < 1.0 => format!("L − L* shrinks by a factor {} per step", number(r, 6)),
            Some(r) => format!(
                "L − L* grows by a factor {} per step: α is too large",
                number(r, 4)
            ),
            None => "no single linear rate for this optimizer and schedule".into(),
        };
        let kind = t.config().optimizer.kind;
        let factors = direction_factors(t.config(), &c.eigenvalues, d.problem.rows());
        Ok(CurvatureReport {
            factor_head: match factors {
                Some(_) if kind == OptimizerKind::Gd => {
                    "Step factor |1 − αλᵢ| (gradient descent)".to_string()
                }
                Some(_) => format!("Step factor ρᵢ ({})", kind.label().to_ascii_lowercase()),
                None => String::new(),
            },
            factor_texts: factors
                .unwrap_or_default()
                .iter()
                .map(|f| number(*f, 4))
                .collect(),
            eigenvalue_texts: c.eigenvalues.iter().map(|v| number(*v, 4)).collect(),
            momentum_optimum: momentum_optimum(&c.eigenvalues),
            eigenvalues: c.eigenvalues,
            at,
            condition,
            predicted_rate: predicted,
        })
    }
}

/// A row that pulls hard on the current step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contributor {
    /// The row's number in the file (1-based, data rows).
    pub row: u64,
    /// Its share of the step: its term of the gradient projected on the
    /// whole gradient, over ‖g‖² (shares sum to 1; a negative one pulls the
    /// other way), written out.
    pub share: String,
    /// The share itself.
    pub share_value: f64,
    /// Its target, as written (the class label for two classes).
    pub target: String,
    /// The model's output for it.
    pub prediction: String,
    /// Whether the model puts it in the wrong class (two classes only).
    pub misclassified: Option<bool>,
}

impl Session {
    /// The `k` rows with the largest |share| of the active run's gradient
    /// (one pass over the data).
    pub fn contributors(&self, k: usize) -> Result<Vec<Contributor>> {
        let d = self.data()?;
        let t = &d.runs[d.active].trainer;
        let x = d.problem.design();
        let ds = d.dataset();
        let (n, dim) = (x.rows(), x.dim());
        let theta = t.theta();
        let g = t.gradient();
        let l2 = d.problem.l2();
        // The data part of g (the penalty's λw is no row's).
        let gd: Vec<f64> = (0..=dim)
            .map(|j| if j < dim { g[j] - l2 * theta[j] } else { g[j] })
            .collect();
        let norm2: f64 = g.iter().map(|v| v * v).sum();
        if !(norm2 > 0.0 && norm2.is_finite()) {
            return Ok(Vec::new());
        }
        let mut row = vec![0.0; dim];
        let mut scored: Vec<(f64, usize, f64)> = Vec::with_capacity(n.min(1 << 20));
        let nf = n.max(1) as f64;
        for i in 0..n {
            x.row_into(i, &mut row);
            let z = theta[dim] + row.iter().zip(theta).map(|(a, w)| a * w).sum::<f64>();
            let target = x.target().get(i);
            let dz = match d.model {
                ModelKind::Linear => 2.0 * (z - target),
                ModelKind::Logistic => crate::model::sigmoid(z) - target,
            };
            let along = row.iter().zip(&gd).map(|(a, b)| a * b).sum::<f64>() + gd[dim];
            let share = dz * along / nf / norm2;
            if share.is_finite() {
                scored.push((share, i, z));
            }
        }
        let k = k.min(scored.len());
        let by_size = |a: &(f64, usize, f64), b: &(f64, usize, f64)| {
            b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1))
        };
        if k > 0 && k < scored.len() {
            scored.select_nth_unstable_by(k - 1, by_size);
        }
        scored.truncate(k);
        crate::order::sort_small_by(&mut scored, by_size);
        Ok(scored
            .into_iter()
            .map(|(share, i, z)| {
                let target = ds.target.get(i);
                let (prediction, target_text, miss) = match (&ds.classes, d.model) {
                    (Some(c), ModelKind::Logistic) => {
                        let p = crate::model::sigmoid(z);
                        (
                            format!("P = {}", percent(p)),
                            if target >= 0.5 {
                                c.positive.clone()
                            } else {
                                c.negative.clone()
                            },
                            Some((p >= 0.5) != (target >= 0.5)),
                        )
                    }
                    _ => (number(z, 6), number(target, 6), None),
                };
                Contributor {
                    row: ds.table_row(i) as u64 + 1,
                    share: if share.abs() >= 10.0 {
                        format!("{}>999%", if share < 0.0 { "−" } else { "" })
                    } else {
                        percent(share)
                    },
                    share_value: share,
                    target: target_text,
                    prediction,
                    misclassified: miss,
                }
            })
            .collect())
    }
}
