//! The thin WebAssembly façade used by the page: one [`Session`] owns the
//! parsed table, the dataset and the trainer in wasm memory; only numbers,
//! `Float64Array`s and small summary objects cross to JavaScript.

mod draw;
pub mod examples;
mod insight;
mod summary;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::data::{ColumnKind, ColumnRef, DatasetSpec, Table, TableBuilder};
use crate::model::ModelKind;
use crate::plot::scene::{SceneData, MAX_POINTS};
use crate::plot::subsample;
use crate::prepare::TrainerBuilder;
use crate::trainer::{Trainer, TrainerConfig};
use crate::GradstepError;

use summary::Choice;

/// Largest file the page accepts, in bytes.
const MAX_BYTES: usize = 512 * 1024 * 1024;

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// What the page asks for in [`Session::configure`].
#[derive(Debug, Deserialize)]
struct ConfigRequest {
    /// Target column name.
    target: String,
    /// Feature column names; all other numeric columns when absent.
    features: Option<Vec<String>>,
    /// "linear", "logistic" or "auto" (two distinct values → logistic).
    #[serde(default)]
    model: Option<String>,
    #[serde(default = "yes")]
    standardize: bool,
    #[serde(default)]
    drop_missing: bool,
}

fn yes() -> bool {
    true
}

/// A loaded table with a trainer on it.
struct Loaded {
    source: String,
    table: Table,
    choice: Choice,
    trainer: Trainer,
    scene: SceneData,
}

/// A configuration being prepared a slice at a time: the trainer is built
/// next to the loaded one, which stays in use until it is swapped in.
struct Job {
    /// A new table and its source name (a load), or `None` for the loaded
    /// table (a new choice).
    incoming: Option<(String, Table)>,
    choice: Choice,
    phase: Phase,
    /// For a load: other targets to try when this one fails.
    auto: Option<Auto>,
    /// The staged source text (see `insight`) belongs to the new table.
    commit_source: bool,
}

/// Where a job is.
enum Phase {
    /// Building the trainer.
    Build(TrainerBuilder),
    /// Summing the features for the model view's means ([`SceneData`]).
    Scene {
        trainer: Trainer,
        sums: Vec<f64>,
        next: usize,
    },
    Ready {
        trainer: Trainer,
        scene: SceneData,
    },
    /// Only while moving from one phase to the next.
    Placeholder,
}

/// Share of a job's progress bar taken by the scene's sums.
const SCENE_SHARE: f64 = 0.05;

/// Rows summed for the scene per row of a step's budget (a plain sum is
/// that much cheaper than building the trainer).
const SCENE_ROWS_PER_ROW: usize = 4;

impl Phase {
    /// The fraction done, in [0, 1] (1 exactly when ready).
    fn fraction(&self) -> f64 {
        match self {
            Phase::Build(builder) => (1.0 - SCENE_SHARE) * builder.fraction(),
            Phase::Scene { trainer, next, .. } => {
                let n = trainer.dataset().features.rows().max(1);
                let done = *next as f64 / n as f64;
                ((1.0 - SCENE_SHARE) + SCENE_SHARE * done).min(1.0 - f64::EPSILON)
            }
            Phase::Ready { .. } => 1.0,
            Phase::Placeholder => 0.0,
        }
    }

    /// Does about `max_rows` rows' worth of work.
    fn advance(&mut self, table: &Table, max_rows: usize) -> crate::Result<()> {
        match self {
            Phase::Build(builder) => {
                builder.step(table, max_rows)?;
                if builder.is_done() {
                    let Phase::Build(builder) = std::mem::replace(self, Phase::Placeholder) else {
                        unreachable!()
                    };
                    let trainer = builder.finish()?;
                    let sums = vec![0.0; trainer.dataset().features.cols()];
                    *self = Phase::Scene {
                        trainer,
                        sums,
                        next: 0,
                    };
                }
            }
            Phase::Scene {
                trainer,
                sums,
                next,
            } => {
                // The sums of SceneData::new, in its order.
                let x = &trainer.dataset().features;
                let (n, d) = (x.rows(), x.cols());
                let to = next
                    .saturating_add(max_rows.saturating_mul(SCENE_ROWS_PER_ROW))
                    .min(n);
                if d > 0 {
                    for row in x.as_slice()[*next * d..to * d].chunks_exact(d) {
                        for (m, v) in sums.iter_mut().zip(row) {
                            *m += v;
                        }
                    }
                }
                *next = to;
                if to == n {
                    let Phase::Scene {
                        trainer, mut sums, ..
                    } = std::mem::replace(self, Phase::Placeholder)
                    else {
                        unreachable!()
                    };
                    if n > 0 {
                        for m in &mut sums {
                            *m /= n as f64;
                        }
                    }
                    let scene = SceneData {
                        rows: subsample(n, MAX_POINTS),
                        means: sums,
                    };
                    *self = Phase::Ready { trainer, scene };
                }
            }
            Phase::Ready { .. } | Phase::Placeholder => {}
        }
        Ok(())
    }
}

/// Trying targets from the last column backwards, as [`Session::load_csv`]
/// does: the columns left to try and the first error.
struct Auto {
    below: usize,
    first_error: Option<String>,
}

/// A file being received: checked as UTF-8 and handed to the parser chunk
/// by chunk as it arrives, so that starting the parse costs nothing.
#[derive(Default)]
struct Receiving {
    builder: TableBuilder,
    /// Bytes received.
    received: usize,
    /// The start of a character split between two chunks.
    tail: Vec<u8>,
    /// Offset of the first byte that is not UTF-8, if any.
    invalid_at: Option<usize>,
    /// The text while it is small enough to keep (see `insight`), then
    /// its start (longer than what is kept, so not kept).
    head: String,
}

impl Receiving {
    fn push(&mut self, chunk: &[u8]) {
        let start = self.received - self.tail.len();
        self.received += chunk.len();
        if self.invalid_at.is_some() {
            return;
        }
        let joined;
        let bytes = if self.tail.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.tail).as_slice(), chunk].concat();
            &joined[..]
        };
        let valid = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let (ok, rest) = bytes.split_at(e.valid_up_to());
                if e.error_len().is_some() {
                    self.invalid_at = Some(start + e.valid_up_to());
                    return;
                }
                // A character cut at the end of the chunk: wait for the rest.
                self.tail = rest.to_vec();
                std::str::from_utf8(ok).expect("valid up to here")
            }
        };
        self.builder.push_text(valid);
        if self.head.len() <= insight::KEEP_SOURCE_BYTES {
            self.head.push_str(valid);
        }
    }
}

/// Everything the page works with. Failed calls leave it as it was.
#[wasm_bindgen]
pub struct Session {
    loaded: Option<Loaded>,
    incoming: Receiving,
    parsing: Option<(String, TableBuilder)>,
    /// The configuration being prepared, if any.
    job: Option<Job>,
    /// Landscape panel and kept source text (see `insight`).
    insight: insight::InsightState,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Session {
    /// An empty session (installs the panic hook that logs to the console).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        console_error_panic_hook::set_once();
        Session {
            loaded: None,
            incoming: Receiving::default(),
            parsing: None,
            job: None,
            insight: insight::InsightState::default(),
        }
    }

    /// The built-in examples: `[{id, name, description}]`, default first.
    pub fn examples() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Item {
            id: &'static str,
            name: &'static str,
            description: &'static str,
        }
        let items: Vec<Item> = examples::EXAMPLES
            .iter()
            .map(|e| Item {
                id: e.id,
                name: e.name,
                description: e.description,
            })
            .collect();
        to_js(&items)
    }

    /// Loads a built-in example and returns the summary.
    pub fn load_example(&mut self, id: &str) -> Result<JsValue, JsError> {
        let example = examples::find(id)
            .ok_or_else(|| JsError::new(&format!("there is no example named '{id}'")))?;
        let table = Table::parse(example.csv).map_err(js_error)?;
        let target = table
            .resolve(&ColumnRef::Name(example.target.into()))
            .map_err(js_error)?;
        let choice = default_choice(&table, target, Some(example.model));
        let builder =
            TrainerBuilder::new(&table, &spec(&choice), config(&choice)).map_err(js_error)?;
        self.job = Some(Job {
            incoming: Some((example.name.to_string(), table)),
            choice,
            phase: Phase::Build(builder),
            auto: None,
            commit_source: false,
        });
        self.finish_configure()?;
        self.insight.keep_source(example.csv);
        self.summary()
    }

    /// Parses CSV text (e.g. pasted), picks a target (the last column that
    /// works) and returns the summary. On error the previous data stays.
    pub fn load_csv(&mut self, text: &str, name: &str) -> Result<JsValue, JsError> {
        let table = Table::parse(text).map_err(js_error)?;
        self.begin_auto(name, table, false)?;
        self.finish_configure()?;
        self.insight.keep_source(text);
        self.summary()
    }

    /// Starts receiving a file in chunks ([`Session::push_bytes`]).
    pub fn begin_load(&mut self) {
        self.incoming = Receiving::default();
        self.parsing = None;
        self.job = None;
    }

    /// Appends a chunk of the file being received.
    pub fn push_bytes(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        if self.incoming.received.saturating_add(chunk.len()) > MAX_BYTES {
            self.incoming = Receiving::default();
            return Err(js_error(GradstepError::TooLarge {
                what: format!("the file is over {} MB", MAX_BYTES / (1024 * 1024)),
            }));
        }
        self.incoming.push(chunk);
        Ok(())
    }

    /// Parses the received bytes as a CSV file called `name`, in one call.
    pub fn finish_load(&mut self, name: &str) -> Result<JsValue, JsError> {
        self.start_parse(name)?;
        self.finish_parse()
    }

    /// Starts parsing the received bytes as a CSV file called `name`, a
    /// slice at a time ([`Session::parse_step`]), so the page stays
    /// responsive on big files.
    pub fn start_parse(&mut self, name: &str) -> Result<(), JsError> {
        let incoming = std::mem::take(&mut self.incoming);
        // A character cut off by the end of the file is not UTF-8 either.
        let invalid = incoming
            .invalid_at
            .or((!incoming.tail.is_empty()).then(|| incoming.received - incoming.tail.len()));
        if let Some(offset) = invalid {
            return Err(JsError::new(&format!(
                "could not read '{name}': it is not UTF-8 text (invalid byte at offset {offset})"
            )));
        }
        // The whole text when small; else a start too long to be kept.
        self.insight.stage_source(&incoming.head);
        self.parsing = Some((name.to_string(), incoming.builder));
        Ok(())
    }

    /// Parses up to `max_rows` more records; returns the parsed fraction
    /// (0..=1). An error ends the parse (the previous data stays).
    pub fn parse_step(&mut self, max_rows: u32) -> Result<f64, JsError> {
        let (_, builder) = self
            .parsing
            .as_mut()
            .ok_or_else(|| JsError::new("no file is being parsed"))?;
        match builder.parse_step(max_rows.max(1) as usize) {
            Ok(consumed) => {
                let total = builder.total_bytes().max(1);
                Ok(consumed as f64 / total as f64)
            }
            Err(e) => {
                self.parsing = None;
                Err(js_error(e))
            }
        }
    }

    /// Whether every record of the file being parsed is read.
    pub fn parse_done(&self) -> bool {
        self.parsing.as_ref().is_none_or(|(_, b)| b.is_done())
    }

    /// Ends the parse (parsing what is left) and installs the table with the
    /// first target that works; returns the summary. In one call: on big
    /// files use [`Session::end_parse`] and slices instead.
    pub fn finish_parse(&mut self) -> Result<JsValue, JsError> {
        self.end_parse()?;
        self.finish_configure()
    }

    /// Ends the parse (parsing what is left) and starts preparing the table
    /// with the first target that works (from the last column backwards), a
    /// slice at a time: [`Session::configure_step`] until
    /// [`Session::configure_done`], then [`Session::finish_configure`]. The
    /// previous data stays in use until then (and on error).
    pub fn end_parse(&mut self) -> Result<(), JsError> {
        let (name, builder) = self
            .parsing
            .take()
            .ok_or_else(|| JsError::new("no file is being parsed"))?;
        let table = builder.finish().map_err(js_error)?;
        self.begin_auto(&name, table, true)
    }

    /// Chooses target, features, model and standardization; returns the
    /// summary. `{target, features?, model?: "auto"|"linear"|"logistic",
    /// standardize?, drop_missing?}`. On error nothing changes. In one call:
    /// on big data use [`Session::begin_configure`] and slices instead.
    pub fn configure(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        self.begin_configure(request)?;
        self.finish_configure()
    }

    /// Starts applying a choice (as [`Session::configure`] takes it) a slice
    /// at a time: [`Session::configure_step`] until
    /// [`Session::configure_done`], then [`Session::finish_configure`]. The
    /// current model stays in use until then, and on error. Checks the
    /// choice against the columns now; the rows are read by the steps.
    /// Replaces any configuration being prepared.
    pub fn begin_configure(&mut self, request: JsValue) -> Result<(), JsError> {
        let request: ConfigRequest = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("invalid settings: {e}")))?;
        let loaded = self
            .loaded
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded"))?;
        let table = &loaded.table;
        let target = table
            .resolve(&ColumnRef::Name(request.target.clone()))
            .map_err(js_error)?;
        let features = match &request.features {
            Some(names) => names
                .iter()
                .map(|n| table.resolve(&ColumnRef::Name(n.clone())))
                .collect::<crate::Result<Vec<usize>>>()
                .map_err(js_error)?,
            None => numeric_features(table, target),
        };
        let model = match request.model.as_deref() {
            None | Some("auto") | Some("") => table.suggest_model(target),
            Some(m) => m.parse::<ModelKind>().map_err(js_error)?,
        };
        let choice = Choice {
            target,
            features,
            model,
            standardize: request.standardize,
            drop_missing: request.drop_missing,
        };
        let builder =
            TrainerBuilder::new(table, &spec(&choice), config(&choice)).map_err(js_error)?;
        self.job = Some(Job {
            incoming: None,
            choice,
            phase: Phase::Build(builder),
            auto: None,
            commit_source: false,
        });
        Ok(())
    }

    /// Prepares about `max_rows` rows' worth of the configuration begun by
    /// [`Session::begin_configure`] or [`Session::end_parse`]; returns the
    /// fraction done (1 once ready). An error ends it (the current data and
    /// model stay).
    pub fn configure_step(&mut self, max_rows: u32) -> Result<f64, JsError> {
        self.advance_job((max_rows as usize).max(1))
    }

    /// Whether the configuration being prepared is ready for
    /// [`Session::finish_configure`] (true when there is none).
    pub fn configure_done(&self) -> bool {
        self.job
            .as_ref()
            .is_none_or(|j| matches!(j.phase, Phase::Ready { .. }))
    }

    /// Finishes the configuration being prepared (doing what is left, all
    /// at once) and puts it in use; returns the summary. On big data the
    /// exact optimum is not computed here (see `advance_optimum`).
    pub fn finish_configure(&mut self) -> Result<JsValue, JsError> {
        while !self.configure_done() {
            self.advance_job(usize::MAX)?;
        }
        let job = self
            .job
            .take()
            .ok_or_else(|| JsError::new("nothing is being configured"))?;
        let Phase::Ready { mut trainer, scene } = job.phase else {
            unreachable!("a finished job is ready")
        };
        let rate = summary::suggested_rate(trainer.lipschitz());
        trainer.set_learning_rate(rate).map_err(js_error)?;
        // Compute the optimum now rather than during the first redraw, when
        // that is quick; big data gets it in slices.
        let _ = insight::optimum_if_cheap(&trainer);
        match job.incoming {
            Some((source, table)) => {
                self.loaded = Some(Loaded {
                    source,
                    table,
                    choice: job.choice,
                    trainer,
                    scene,
                });
                if job.commit_source {
                    self.insight.commit_source();
                }
            }
            None => {
                let loaded = self.current_mut()?;
                loaded.choice = job.choice;
                loaded.trainer = trainer;
                loaded.scene = scene;
            }
        }
        self.summary()
    }

    /// Abandons the configuration being prepared, if any (the current data
    /// and model stay).
    pub fn cancel_configure(&mut self) {
        self.job = None;
    }

    /// The summary of the loaded data and model.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let l = self.current()?;
        to_js(&summary::summary(
            &l.source, &l.table, &l.choice, &l.trainer,
        ))
    }

    /// The training state: step, loss, status, parameters and gradients in
    /// original units.
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&summary::state(&self.current()?.trainer))
    }

    /// Fit quality at the current parameters: `{kind: "linear", mse, rmse,
    /// r2}` or `{kind: "logistic", log_loss, accuracy}`. A pass over all
    /// rows, so the page asks for it less often on big data.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.current()?.trainer.metrics())
    }

    /// Exactly one update; returns the status ("running", "converged",
    /// "diverged").
    pub fn step(&mut self) -> Result<String, JsError> {
        let t = &mut self.current_mut()?.trainer;
        Ok(t.step().status.name().to_string())
    }

    /// Up to `steps` updates, stopping at convergence or divergence;
    /// returns the status.
    pub fn run(&mut self, steps: u32) -> Result<String, JsError> {
        let t = &mut self.current_mut()?.trainer;
        Ok(t.run(u64::from(steps)).status.name().to_string())
    }

    /// The current step number.
    pub fn step_count(&self) -> Result<f64, JsError> {
        Ok(self.current()?.trainer.state().step as f64)
    }

    /// The current loss.
    pub fn loss(&self) -> Result<f64, JsError> {
        Ok(self.current()?.trainer.state().loss)
    }

    /// Back to step 0, keeping the learning rate.
    pub fn reset(&mut self) -> Result<(), JsError> {
        self.current_mut()?.trainer.reset();
        Ok(())
    }

    /// Sets the learning rate used from the next step on (no reset).
    pub fn set_learning_rate(&mut self, rate: f64) -> Result<(), JsError> {
        self.current_mut()?
            .trainer
            .set_learning_rate(rate)
            .map_err(js_error)
    }

    /// The loss after each step so far.
    pub fn loss_history(&self) -> Result<js_sys::Float64Array, JsError> {
        Ok(js_sys::Float64Array::from(
            self.current()?.trainer.loss_history(),
        ))
    }

    /// Current weights in original units.
    pub fn weights(&self) -> Result<js_sys::Float64Array, JsError> {
        let (w, _) = self.current()?.trainer.original_parameters();
        Ok(js_sys::Float64Array::from(&w[..]))
    }

    /// The model's output (value or probability) for one example given in
    /// original units, one number per feature.
    pub fn predict(&self, features: &[f64]) -> Result<f64, JsError> {
        let t = &self.current()?.trainer;
        let d = t.dataset().features.cols();
        if features.len() != d {
            return Err(JsError::new(&format!(
                "expected {d} feature value(s), got {}",
                features.len()
            )));
        }
        Ok(t.predict(features))
    }

    /// Draws the loss curve onto `canvas` (sized by the page at CSS size ×
    /// `dpr`); `relative` plots L − L* (needs a finite optimum).
    pub fn draw_loss(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dpr: f64,
        log_scale: bool,
        relative: bool,
    ) -> Result<(), JsError> {
        draw::loss(canvas, &self.current()?.trainer, dpr, log_scale, relative)
    }

    /// Draws the model view onto `canvas`: `view` is "line", "sigmoid",
    /// "heatmap" or "predicted-actual" (an unavailable one falls back to
    /// the default); `slice_x`/`slice_y` pick the heatmap's features;
    /// `ghost` adds the optimum's fit faintly (once known), `insight` sizes
    /// points by their share of the gradient and rings misclassified ones.
    /// Returns the view drawn.
    #[allow(clippy::too_many_arguments)]
    pub fn draw_model(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dpr: f64,
        view: &str,
        slice_x: u32,
        slice_y: u32,
        ghost: bool,
        insight: bool,
    ) -> Result<String, JsError> {
        let l = self.current()?;
        draw::model(
            canvas, &l.trainer, &l.scene, dpr, view, slice_x, slice_y, ghost, insight,
        )
    }
}

impl Session {
    fn current(&self) -> Result<&Loaded, JsError> {
        self.loaded
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded"))
    }

    fn current_mut(&mut self) -> Result<&mut Loaded, JsError> {
        self.loaded
            .as_mut()
            .ok_or_else(|| JsError::new("no data is loaded"))
    }

    /// Starts preparing `table` (called `name`) with the first target that
    /// works, from the last column backwards (only numeric columns but the
    /// last); fails with the first error when none can even be started.
    fn begin_auto(&mut self, name: &str, table: Table, commit_source: bool) -> Result<(), JsError> {
        let mut auto = Auto {
            below: table.columns().len(),
            first_error: None,
        };
        match next_candidate(&table, &mut auto) {
            Some((choice, builder)) => {
                self.job = Some(Job {
                    incoming: Some((name.to_string(), table)),
                    choice,
                    phase: Phase::Build(builder),
                    auto: Some(auto),
                    commit_source,
                });
                Ok(())
            }
            None => Err(auto_error(auto)),
        }
    }

    /// One step of the job; on failure of an automatic choice, moves on to
    /// the next target (the fraction starts again from 0). An error ends
    /// the job.
    fn advance_job(&mut self, max_rows: usize) -> Result<f64, JsError> {
        let job = self
            .job
            .as_mut()
            .ok_or_else(|| JsError::new("nothing is being configured"))?;
        let table = match &job.incoming {
            Some((_, table)) => table,
            None => match &self.loaded {
                Some(loaded) => &loaded.table,
                None => {
                    self.job = None;
                    return Err(JsError::new("no data is loaded"));
                }
            },
        };
        let error = match job.phase.advance(table, max_rows) {
            Ok(()) => return Ok(job.phase.fraction()),
            Err(e) => e,
        };
        let Some(auto) = &mut job.auto else {
            self.job = None;
            return Err(js_error(error));
        };
        auto.first_error.get_or_insert_with(|| error.to_string());
        match next_candidate(table, auto) {
            Some((choice, builder)) => {
                job.choice = choice;
                job.phase = Phase::Build(builder);
                Ok(0.0)
            }
            None => {
                let auto = job.auto.take().expect("an automatic job");
                self.job = None;
                Err(auto_error(auto))
            }
        }
    }
}

/// The next target to try below `auto.below` and a builder for it (a target
/// that fails at once records its error and is skipped).
fn next_candidate(table: &Table, auto: &mut Auto) -> Option<(Choice, TrainerBuilder)> {
    let n = table.columns().len();
    while auto.below > 0 {
        auto.below -= 1;
        let target = auto.below;
        if target + 1 < n && table.columns()[target].kind != ColumnKind::Numeric {
            continue;
        }
        let choice = default_choice(table, target, None);
        match TrainerBuilder::new(table, &spec(&choice), config(&choice)) {
            Ok(builder) => return Some((choice, builder)),
            Err(e) => {
                auto.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    None
}

/// The error of a load where no target works.
fn auto_error(auto: Auto) -> JsError {
    JsError::new(
        auto.first_error
            .as_deref()
            .unwrap_or("the file has no usable columns"),
    )
}

fn numeric_features(table: &Table, target: usize) -> Vec<usize> {
    table
        .columns()
        .iter()
        .enumerate()
        .filter(|(j, c)| *j != target && c.kind == ColumnKind::Numeric)
        .map(|(j, _)| j)
        .collect()
}

fn default_choice(table: &Table, target: usize, model: Option<ModelKind>) -> Choice {
    Choice {
        target,
        features: numeric_features(table, target),
        model: model.unwrap_or_else(|| table.suggest_model(target)),
        standardize: true,
        drop_missing: false,
    }
}

/// What to take from the table for `choice`.
fn spec(choice: &Choice) -> DatasetSpec {
    DatasetSpec {
        target: Some(ColumnRef::Index(choice.target + 1)),
        features: Some(
            choice
                .features
                .iter()
                .map(|&j| ColumnRef::Index(j + 1))
                .collect(),
        ),
        model: choice.model,
        drop_missing: choice.drop_missing,
    }
}

/// How to train for `choice` (the learning rate is set from L once known).
fn config(choice: &Choice) -> TrainerConfig {
    TrainerConfig {
        standardize: choice.standardize,
        ..TrainerConfig::default()
    }
}
