//! One session: the loaded data, the problem posed on it, and up to six
//! training runs racing on it from the same start. The command line and the
//! browser worker drive the same session; the page's derived facts (rate
//! ranges and marks, labels, rows, paths) all come from here.
//!
//! Every method either succeeds or leaves the session as it was (the last
//! good state): new data and new settings are built to the side and swapped
//! in only when complete.

pub mod analysis;
pub mod examples;
pub mod landscape;
pub mod readout;
pub mod settings;
pub mod view;

use std::sync::Arc;

use serde::Serialize;

use crate::data::csv::select::{default_choice, default_features, Excluded};
use crate::data::{ColumnKind, ColumnRef, Dataset, DatasetSpec, Table, TableReader, TargetKind};
use crate::limits::{quote, Limits};
use crate::model::{ModelKind, Objective, Problem, RowSet};
use crate::optimum::{hessian_at, Curvature, CurvatureAccumulator, Optimum, OptimumSolver};
use crate::plot::model_view::subsample;
use crate::train::{initial_parameters, Init, Status, Trainer};
use crate::{GradstepError, Result};

pub use settings::{
    default_learning_rate, rate_range, DataSettings, RateBasis, RateRange, RateRule, RunSettings,
};

/// Most runs racing at once.
pub const MAX_RUNS: usize = 6;
/// Files up to this size keep their text (share links, the rows table).
pub const KEEP_SOURCE_BYTES: usize = 1 << 20;

/// A file being read.
#[derive(Debug)]
struct Loading {
    name: String,
    reader: TableReader,
    head: Vec<u8>,
    expected: Option<u64>,
}

/// How far a load is.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LoadProgress {
    /// Bytes read.
    pub bytes: u64,
    /// Data rows read.
    pub rows: usize,
    /// bytes / expected size, when the size is known.
    pub fraction: Option<f64>,
}

/// How a run came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Origin {
    /// From the session's start.
    Fresh,
    /// A copy of run `parent` at step `step`.
    Fork {
        /// The id of the run it was copied from.
        parent: u32,
        /// The step it was copied at.
        step: u64,
    },
}

/// One run of a race.
#[derive(Debug, Clone)]
pub struct Run {
    /// Stable id.
    pub id: u32,
    /// Its settings (α as set, or the default rule).
    pub settings: RunSettings,
    /// The training state.
    pub trainer: Trainer,
    /// Kept as an overlay: not stepped.
    pub pinned: bool,
    /// How it came to be.
    pub origin: Origin,
    /// Its settings over time: each entry holds from its step on (the
    /// first at step 0, a fork's parent's entries before the fork), so
    /// that a share link can replay the run exactly.
    pub timeline: Vec<SettingsChange>,
}

/// A run's settings from `step` on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SettingsChange {
    /// The first step taken with these settings (0: the first update).
    pub step: u64,
    /// The settings.
    pub settings: RunSettings,
}

/// Most entries a run's timeline keeps; past it each change replaces the
/// last entry (the run goes on exactly; a link replays it approximately).
pub const MAX_TIMELINE: usize = 1000;

impl Run {
    fn restart_timeline(&mut self) {
        self.timeline = vec![SettingsChange {
            step: 0,
            settings: self.settings,
        }];
    }

    fn record_change(&mut self) {
        let change = SettingsChange {
            step: self.trainer.step_count(),
            settings: self.settings,
        };
        let full = self.timeline.len() >= MAX_TIMELINE;
        match self.timeline.last_mut() {
            Some(last) if last.settings == change.settings => {}
            Some(last) if last.step == change.step || full => last.settings = change.settings,
            _ => self.timeline.push(change),
        }
    }
}

/// How to replay a session's race: each run's start and timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceRecord {
    /// Per run, in order.
    pub runs: Vec<RunRecord>,
}

/// One run of a [`RaceRecord`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    /// θ at step 0 (training units); empty when it is the default start.
    pub start: Vec<f64>,
    /// Its settings over time.
    pub timeline: Vec<SettingsChange>,
    /// False when changes were merged past [`MAX_TIMELINE`].
    pub exact: bool,
}

impl Run {
    /// "Adam, α = 0.001, batch 32".
    pub fn label(&self) -> String {
        let c = self.trainer.config();
        let mut s = format!(
            "{}, α = {}",
            c.optimizer.kind.label(),
            crate::format::number(c.learning_rate, 3)
        );
        if c.batch_size > 0 && c.batch_size < self.trainer.problem().rows() {
            s.push_str(&format!(", batch {}", c.batch_size));
        }
        if c.schedule != crate::optim::Schedule::Constant {
            s.push_str(&format!(", {}", c.schedule.formula()));
        }
        s
    }
}

/// The exact optimum: being computed, or known.
#[derive(Debug, Clone)]
pub(crate) struct OptimumState {
    solver: Option<OptimumSolver>,
    result: Option<Optimum>,
    /// The Hessian at θ* (logistic) or the constant one (linear), for the
    /// eigendirections.
    hessian: Option<Curvature>,
    /// The rows' gradient covariance at θ*, once a mini-batch run asks
    /// for its noise ball (`Some(None)`: its sums were not finite, and it
    /// is not tried again each frame).
    noise: Option<Option<crate::optim::noise::GradientNoise>>,
}

/// The data and the problem posed on it.
#[derive(Debug)]
pub struct Loaded {
    name: String,
    source: Option<Vec<u8>>,
    table: Arc<Table>,
    settings: DataSettings,
    target: usize,
    features: Vec<usize>,
    model: ModelKind,
    excluded: Vec<Excluded>,
    dataset: Arc<Dataset>,
    problem: Problem,
    curvature: Curvature,
    optimum: OptimumState,
    init: Init,
    /// ‖∇L(θ₀)‖ at `init` (linear), for the default learning rate.
    start_gradient_norm: f64,
    /// Where new runs start (training units): `init`'s point, or one set
    /// by [`Session::set_start`].
    start: Vec<f64>,
    runs: Vec<Run>,
    next_id: u32,
    active: usize,
    sample: Vec<usize>,
    landscape: landscape::LandscapeCache,
    sweep: analysis::SweepState,
}

/// Everything a person works with.
#[derive(Debug)]
pub struct Session {
    limits: Limits,
    rule: RateRule,
    loading: Option<Loading>,
    data: Option<Loaded>,
}

/// Most updates one [`Session::step`] call takes per run.
pub const MAX_STEPS_PER_CALL: u64 = 100_000;

/// Most cells (rows × parameters) one [`Session::step`] call evaluates, over
/// all runs (a fraction of a second natively): a step call never hangs.
pub const CELL_EVALS_PER_CALL: u64 = 200_000_000;

impl Default for Session {
    fn default() -> Self {
        Self::new(RateRule::Visible)
    }
}

fn no_data() -> GradstepError {
    GradstepError::InvalidSetting {
        name: "data".into(),
        value: "none".into(),
        reason: "no data is loaded yet".into(),
    }
}

fn no_run(index: usize, runs: usize) -> GradstepError {
    GradstepError::InvalidSetting {
        name: "run".into(),
        value: index.to_string(),
        reason: format!("there are {runs} run(s), numbered from 0"),
    }
}

impl Session {
    /// An empty session whose default learning rates follow `rule`.
    pub fn new(rule: RateRule) -> Self {
        Self {
            limits: Limits::DEFAULT,
            rule,
            loading: None,
            data: None,
        }
    }

    /// The same with other input limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    // ------------------------------------------------------------------
    // Loading

    /// Starts reading a file called `name` of `expected` bytes (when known).
    /// The loaded data stays in use until [`Session::finish_load`] succeeds.
    pub fn begin_load(&mut self, name: &str, expected: Option<u64>) {
        self.loading = Some(Loading {
            name: quote(name),
            reader: TableReader::with_limits(self.limits),
            head: Vec::new(),
            expected,
        });
    }

    /// Reads the next chunk of the file; work is proportional to its size.
    /// An error ends the load (the loaded data stays).
    pub fn push_bytes(&mut self, chunk: &[u8]) -> Result<LoadProgress> {
        let loading = self
            .loading
            .as_mut()
            .ok_or_else(|| GradstepError::InvalidSetting {
                name: "load".into(),
                value: "bytes".into(),
                reason: "no file is being read (begin_load first)".into(),
            })?;
        if loading.head.len() <= KEEP_SOURCE_BYTES {
            let room = KEEP_SOURCE_BYTES + 1 - loading.head.len();
            loading
                .head
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        if let Err(e) = loading.reader.push(chunk) {
            self.loading = None;
            return Err(e);
        }
        let bytes = loading.reader.bytes_pushed();
        Ok(LoadProgress {
            bytes,
            rows: loading.reader.rows_read(),
            fraction: loading
                .expected
                .filter(|e| *e > 0)
                .map(|e| (bytes as f64 / e as f64).min(1.0)),
        })
    }

    /// Ends the file and poses the problem with `settings` (defaults where
    /// they are unset). On error the previous data stays in use.
    pub fn finish_load(&mut self, settings: &DataSettings) -> Result<()> {
        self.finish_load_with(|_| Ok(settings.clone()))
    }

    /// [`Session::finish_load`] with settings made from the table (e.g. to
    /// turn column numbers into names).
    pub fn finish_load_with(
        &mut self,
        settings: impl FnOnce(&Table) -> Result<DataSettings>,
    ) -> Result<()> {
        let loading = self
            .loading
            .take()
            .ok_or_else(|| GradstepError::InvalidSetting {
                name: "load".into(),
                value: "finish".into(),
                reason: "no file is being read (begin_load first)".into(),
            })?;
        let table = Arc::new(loading.reader.finish()?);
        let settings = &settings(&table)?;
        let source = (loading.head.len() <= KEEP_SOURCE_BYTES).then_some(loading.head);
        let runs: Vec<RunSettings> = match &self.data {
            Some(d) => d.runs.iter().map(|r| r.settings).collect(),
            None => vec![RunSettings::default()],
        };
        let loaded = self.pose(loading.name, source, table, settings, &runs, Init::Zeros)?;
        self.data = Some(loaded);
        Ok(())
    }

    /// Reads a whole file at once.
    pub fn load_bytes(&mut self, name: &str, bytes: &[u8], settings: &DataSettings) -> Result<()> {
        self.begin_load(name, Some(bytes.len() as u64));
        // In slices, as the worker would: the same table either way.
        for chunk in bytes.chunks(1 << 20) {
            self.push_bytes(chunk)?;
        }
        if bytes.is_empty() {
            self.push_bytes(&[])?;
        }
        self.finish_load(settings)
    }

    /// Loads a built-in example with the default choices.
    pub fn load_example(&mut self, id: &str) -> Result<()> {
        let example = examples::find(id).ok_or_else(|| GradstepError::InvalidSetting {
            name: "example".into(),
            value: quote(id),
            reason: format!(
                "there is no such example; the examples are {}",
                examples::EXAMPLES
                    .iter()
                    .map(|e| e.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        self.load_bytes(
            example.name,
            example.csv.as_bytes(),
            &DataSettings::default(),
        )
    }

    /// Whether a file is being read.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Abandons the file being read.
    pub fn cancel_load(&mut self) {
        self.loading = None;
    }

    // ------------------------------------------------------------------
    // Posing the problem

    /// Poses the problem anew on the loaded data (every run restarts; α goes
    /// back to each run's default rule unless it was set). On error nothing
    /// changes.
    pub fn configure(&mut self, settings: &DataSettings) -> Result<()> {
        let d = self.data.as_ref().ok_or_else(no_data)?;
        let runs: Vec<RunSettings> = d.runs.iter().map(|r| r.settings).collect();
        let loaded = self.pose(
            d.name.clone(),
            d.source.clone(),
            Arc::clone(&d.table),
            settings,
            &runs,
            d.init,
        )?;
        self.data = Some(loaded);
        Ok(())
    }

    fn pose(
        &self,
        name: String,
        source: Option<Vec<u8>>,
        table: Arc<Table>,
        settings: &DataSettings,
        runs: &[RunSettings],
        init: Init,
    ) -> Result<Loaded> {
        let (target, chosen, model, mut excluded) = resolve(&table, settings)?;
        // What the default left out but the person chose is not left out.
        excluded.retain(|e| !chosen.contains(&e.column));
        // A chosen text column of a few levels becomes its one-hot columns.
        let (one_hot, features): (Vec<usize>, Vec<usize>) = chosen
            .iter()
            .partition(|&&j| crate::data::transform::can_one_hot(table.column(j)));
        let mut transforms = settings.transforms.clone();
        for j in one_hot {
            let t = crate::data::FeatureTransform::OneHot {
                column: table.column(j).name.clone(),
            };
            if !transforms.contains(&t) {
                transforms.push(t);
            }
        }
        let spec = DatasetSpec {
            target,
            features: features.clone(),
            target_kind: match model {
                ModelKind::Linear => TargetKind::Continuous,
                ModelKind::Logistic => TargetKind::Binary,
            },
            missing: settings.missing,
            transforms,
        };
        if !(settings.l2.is_finite() && settings.l2 >= 0.0) {
            return Err(GradstepError::InvalidSetting {
                name: "l2".into(),
                value: crate::format::typed(settings.l2),
                reason: "the L2 penalty λ must be a finite number ≥ 0".into(),
            });
        }
        let dataset = Arc::new(Dataset::build(&table, &spec)?);
        let problem = Problem::new(
            model,
            crate::model::Design::of(&dataset, settings.standardize),
        )
        .with_l2(settings.l2);
        let curvature = Curvature::of(&problem);
        let start_gradient_norm = start_gradient_norm(&problem, init);
        let problem_len = problem.layout().len();
        let mut data_settings = settings.clone();
        data_settings.target = Some(table.column(target).name.clone());
        data_settings.features = Some(
            chosen
                .iter()
                .map(|&j| table.column(j).name.clone())
                .collect(),
        );
        data_settings.model = Some(model);
        let sample = subsample(dataset.rows(), sample_size(dataset.rows(), dataset.dim()));
        let mut loaded = Loaded {
            name,
            source,
            table,
            settings: data_settings,
            target,
            features,
            model,
            excluded,
            optimum: OptimumState {
                solver: Some(OptimumSolver::new(&problem)),
                result: None,
                hessian: None,
                noise: None,
            },
            dataset,
            problem,
            curvature,
            init,
            start_gradient_norm,
            start: initial_parameters(init, problem_len),
            runs: Vec::new(),
            next_id: 0,
            active: 0,
            sample,
            landscape: landscape::LandscapeCache::default(),
            sweep: analysis::SweepState::default(),
        };
        for settings in runs.iter().take(MAX_RUNS) {
            let run = loaded.new_run(*settings, self.rule)?;
            loaded.runs.push(run);
        }
        if loaded.runs.is_empty() {
            let run = loaded.new_run(RunSettings::default(), self.rule)?;
            loaded.runs.push(run);
        }
        // Small problems get their optimum at once.
        if loaded
            .problem
            .rows()
            .saturating_mul(loaded.problem.layout().len())
            <= 200_000
        {
            loaded.advance_optimum(usize::MAX);
        }
        Ok(loaded)
    }

    /// The loaded data and problem.
    pub fn loaded(&self) -> Option<&Loaded> {
        self.data.as_ref()
    }

    fn data(&self) -> Result<&Loaded> {
        self.data.as_ref().ok_or_else(no_data)
    }

    fn data_mut(&mut self) -> Result<&mut Loaded> {
        self.data.as_mut().ok_or_else(no_data)
    }

    /// The rule for default learning rates.
    pub fn rate_rule(&self) -> RateRule {
        self.rule
    }

    // ------------------------------------------------------------------
    // Runs

    /// Changes run `index`'s settings; they take effect on the next step
    /// (no restart). A learning rate of `None` takes the default rule.
    pub fn set_run(&mut self, index: usize, settings: &RunSettings) -> Result<()> {
        let rule = self.rule;
        let d = self.data_mut()?;
        let basis = d.rate_basis(settings.tolerance);
        let n = d.runs.len();
        let run = d.runs.get_mut(index).ok_or_else(|| no_run(index, n))?;
        let rate = settings
            .learning_rate
            .unwrap_or_else(|| default_learning_rate(settings.optimizer.kind, basis, rule));
        // Validate everything before changing anything.
        let mut trial = *run.trainer.config();
        trial.optimizer = settings.optimizer;
        trial.learning_rate = rate;
        trial.schedule = settings.schedule;
        trial.tolerance = settings.tolerance;
        crate::train::check_config(&trial)?;
        crate::optim::Batches::new(
            run.trainer.problem().rows().max(1),
            settings
                .batch_size
                .max(1)
                .min(run.trainer.problem().rows().max(1)),
            settings.seed,
        )?;
        let t = &mut run.trainer;
        t.set_optimizer(settings.optimizer)?;
        t.set_learning_rate(rate)?;
        t.set_schedule(settings.schedule)?;
        t.set_tolerance(settings.tolerance)?;
        if (settings.batch_size, settings.seed) != (t.config().batch_size, t.config().seed) {
            t.set_batches(settings.batch_size, settings.seed)?;
        }
        run.settings = *settings;
        run.record_change();
        Ok(())
    }

    /// Adds a run with `settings`, from the session's start (at most
    /// [`MAX_RUNS`]); returns its index.
    pub fn add_run(&mut self, settings: &RunSettings) -> Result<usize> {
        let rule = self.rule;
        let d = self.data_mut()?;
        if d.runs.len() >= MAX_RUNS {
            return Err(too_many_runs());
        }
        let run = d.new_run(*settings, rule)?;
        d.runs.push(run);
        Ok(d.runs.len() - 1)
    }

    /// Copies run `index` at its current step (θ, memory, history) as a new
    /// run, to go on with one setting changed; returns its index.
    pub fn fork_run(&mut self, index: usize) -> Result<usize> {
        let d = self.data_mut()?;
        if d.runs.len() >= MAX_RUNS {
            return Err(too_many_runs());
        }
        let n = d.runs.len();
        let parent = d.runs.get(index).ok_or_else(|| no_run(index, n))?;
        let mut run = parent.clone();
        run.origin = Origin::Fork {
            parent: parent.id,
            step: parent.trainer.step_count(),
        };
        run.pinned = false;
        run.id = d.next_id;
        d.next_id += 1;
        d.runs.push(run);
        Ok(d.runs.len() - 1)
    }

    /// Pins (or unpins) run `index`: a pinned run stays as an overlay and is
    /// not stepped.
    pub fn pin_run(&mut self, index: usize, pinned: bool) -> Result<()> {
        let d = self.data_mut()?;
        let n = d.runs.len();
        d.runs
            .get_mut(index)
            .ok_or_else(|| no_run(index, n))?
            .pinned = pinned;
        Ok(())
    }

    /// Removes run `index` (the last run cannot be removed).
    pub fn remove_run(&mut self, index: usize) -> Result<()> {
        let d = self.data_mut()?;
        let n = d.runs.len();
        if index >= n {
            return Err(no_run(index, n));
        }
        if n == 1 {
            return Err(GradstepError::InvalidSetting {
                name: "run".into(),
                value: index.to_string(),
                reason: "the last run cannot be removed".into(),
            });
        }
        d.runs.remove(index);
        if d.active >= d.runs.len() || d.active > index {
            d.active = d.active.saturating_sub(1).min(d.runs.len() - 1);
        }
        Ok(())
    }

    /// Makes run `index` the one the controls and panels show.
    pub fn select_run(&mut self, index: usize) -> Result<()> {
        let d = self.data_mut()?;
        if index >= d.runs.len() {
            return Err(no_run(index, d.runs.len()));
        }
        d.active = index;
        Ok(())
    }

    /// The runs.
    pub fn runs(&self) -> &[Run] {
        self.data.as_ref().map_or(&[], |d| &d.runs)
    }

    /// The active run's index.
    pub fn active(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.active)
    }

    // ------------------------------------------------------------------
    // Training

    /// `n` updates of every run that is not pinned and has not diverged, but
    /// at most [`MAX_STEPS_PER_CALL`] and at most [`CELL_EVALS_PER_CALL`]
    /// cells (rows × parameters) evaluated in all, so that one call always
    /// returns soon (callers that want more call again). A run that
    /// converges stops at that step; one already converged goes on. Returns
    /// the runs whose status changed to converged or diverged.
    pub fn step(&mut self, n: u64) -> Result<Vec<StatusChange>> {
        let d = self.data_mut()?;
        let steps = |r: &Run| !r.pinned && r.trainer.status() != Status::Diverged;
        let stepping = d.runs.iter().filter(|r| steps(r)).count().max(1) as u64;
        let mut changes = Vec::new();
        let separable = d.separable();
        for (i, run) in d.runs.iter_mut().enumerate() {
            if !steps(run) {
                continue;
            }
            let cells = (run.trainer.rows_per_update().max(1) * run.trainer.theta().len()) as u64;
            let n = n
                .min(MAX_STEPS_PER_CALL)
                .min((CELL_EVALS_PER_CALL / stepping / cells.max(1)).max(1));
            let before = run.trainer.status();
            for _ in 0..n {
                if run.trainer.step().is_err() {
                    break;
                }
                // Stop at the step that converges (so that its message names
                // it), or diverges; a run already converged goes on.
                match run.trainer.status() {
                    Status::Diverged => break,
                    Status::Converged if before != Status::Converged => break,
                    _ => {}
                }
            }
            let after = run.trainer.status();
            if after != before && matches!(after, Status::Converged | Status::Diverged) {
                changes.push(StatusChange {
                    run: i,
                    status: after,
                    message: shown_message(&run.trainer, separable).unwrap_or_default(),
                });
            }
        }
        Ok(changes)
    }

    /// Up to `max_steps` updates of every run that is not pinned, each
    /// stopping early after an update that converges (unless its tolerance
    /// is 0) or diverges: the command line's `fit`.
    pub fn train(&mut self, max_steps: u64) -> Result<()> {
        for run in &mut self.data_mut()?.runs {
            if !run.pinned {
                run.trainer.run(max_steps);
            }
        }
        Ok(())
    }

    /// Keeps every run's full loss history (not thinned), for `fit --history`.
    pub fn keep_full_history(&mut self) -> Result<()> {
        for run in &mut self.data_mut()?.runs {
            run.trainer.keep_full_history();
        }
        Ok(())
    }

    /// Starts every run from random parameters in [−1, 1] drawn with
    /// `seed` (instead of zeros).
    pub fn set_random_start(&mut self, seed: u64) -> Result<()> {
        let rule = self.rule;
        let d = self.data_mut()?;
        d.init = Init::Random { seed };
        d.start_gradient_norm = start_gradient_norm(&d.problem, d.init);
        let theta = initial_parameters(d.init, d.problem.layout().len());
        d.start = theta.clone();
        for i in 0..d.runs.len() {
            if d.runs[i].pinned {
                continue;
            }
            let settings = d.runs[i].settings;
            let rate = settings.learning_rate.unwrap_or_else(|| {
                default_learning_rate(
                    settings.optimizer.kind,
                    d.rate_basis(settings.tolerance),
                    rule,
                )
            });
            let run = &mut d.runs[i];
            run.trainer.set_learning_rate(rate)?;
            run.trainer.set_start(&theta)?;
            run.restart_timeline();
        }
        Ok(())
    }

    /// Whether any run can take a step (one that is not pinned and has not
    /// diverged).
    pub fn can_step(&self) -> bool {
        self.runs()
            .iter()
            .any(|r| !r.pinned && r.trainer.status() != Status::Diverged)
    }

    /// Back to step 0 for every run that is not pinned (a pinned run stays
    /// as an overlay for the next attempt).
    pub fn reset(&mut self) -> Result<()> {
        for run in self.data_mut()?.runs.iter_mut().filter(|r| !r.pinned) {
            run.trainer.reset();
            run.restart_timeline();
        }
        Ok(())
    }

    /// Moves the session's start to θ (training units; empty: the default
    /// start) and resets every run that is not pinned there; runs added
    /// later start there too.
    pub fn set_start(&mut self, theta: &[f64]) -> Result<()> {
        let d = self.data_mut()?;
        let default_start;
        let theta = if theta.is_empty() {
            default_start = initial_parameters(d.init, d.problem.layout().len());
            &default_start
        } else {
            theta
        };
        // Check on a copy first: on error nothing changes.
        if let Some(run) = d.runs.first() {
            let mut probe = run.trainer.clone();
            probe.set_start(theta)?;
        }
        for run in d.runs.iter_mut().filter(|r| !r.pinned) {
            run.trainer.set_start(theta)?;
            run.restart_timeline();
        }
        d.start = theta.to_vec();
        Ok(())
    }

    /// Moves run `index`'s start to θ (training units; empty: the default
    /// start) and resets it, for replaying a link.
    pub fn set_run_start(&mut self, index: usize, theta: &[f64]) -> Result<()> {
        let d = self.data_mut()?;
        let theta = if theta.is_empty() {
            initial_parameters(d.init, d.problem.layout().len())
        } else {
            theta.to_vec()
        };
        let n = d.runs.len();
        let run = d.runs.get_mut(index).ok_or_else(|| no_run(index, n))?;
        run.trainer.set_start(&theta)?;
        run.restart_timeline();
        Ok(())
    }

    /// How to replay the race: each run's start and settings over time.
    pub fn race_record(&self) -> Result<RaceRecord> {
        let d = self.data()?;
        let default_start = initial_parameters(d.init, d.problem.layout().len());
        Ok(RaceRecord {
            runs: d
                .runs
                .iter()
                .map(|r| RunRecord {
                    start: if r.trainer.start() == default_start.as_slice() {
                        Vec::new()
                    } else {
                        r.trainer.start().to_vec()
                    },
                    timeline: r.timeline.clone(),
                    exact: r.timeline.len() < MAX_TIMELINE,
                })
                .collect(),
        })
    }

    /// Moves the start to the active run's current θ with parameters `a`
    /// and `b` set to `va` and `vb` (a click on the landscape).
    pub fn set_start_pair(&mut self, a: usize, va: f64, b: usize, vb: f64) -> Result<()> {
        let d = self.data()?;
        let mut theta = d.runs[d.active].trainer.theta().to_vec();
        let p = theta.len();
        if a >= p || b >= p || a == b {
            return Err(GradstepError::InvalidSetting {
                name: "start".into(),
                value: format!("parameters {a} and {b}"),
                reason: format!("pick two different parameters below {p}"),
            });
        }
        theta[a] = va;
        theta[b] = vb;
        self.set_start(&theta)
    }

    // ------------------------------------------------------------------
    // Background work

    /// Does about `max_rows` rows of background work: the exact optimum
    /// first, then an α-sweep if one was asked for. Returns what finished.
    pub fn background(&mut self, max_rows: usize) -> Result<Background> {
        let d = self.data_mut()?;
        if d.optimum.result.is_none() {
            let done = d.advance_optimum(max_rows);
            return Ok(Background {
                optimum_ready: done,
                sweep_ready: false,
                idle: false,
            });
        }
        if d.sweep.is_running() {
            let done = analysis::advance_sweep(d, max_rows);
            return Ok(Background {
                optimum_ready: false,
                sweep_ready: done,
                idle: false,
            });
        }
        Ok(Background {
            optimum_ready: false,
            sweep_ready: false,
            idle: true,
        })
    }

    /// The exact optimum once known.
    pub fn optimum(&self) -> Option<&Optimum> {
        self.data.as_ref()?.optimum.result.as_ref()
    }

    /// Computes the exact optimum now (the command line).
    pub fn solve_optimum(&mut self) -> Result<&Optimum> {
        let d = self.data_mut()?;
        d.advance_optimum(usize::MAX);
        d.optimum.result.as_ref().ok_or_else(no_data)
    }

    /// The fraction of the optimum's computation done.
    pub fn optimum_progress(&self) -> f64 {
        match &self.data {
            Some(d) => match (&d.optimum.result, &d.optimum.solver) {
                (Some(_), _) => 1.0,
                (None, Some(s)) => s.progress(),
                _ => 0.0,
            },
            None => 0.0,
        }
    }
}

fn too_many_runs() -> GradstepError {
    GradstepError::InvalidSetting {
        name: "runs".into(),
        value: MAX_RUNS.to_string(),
        reason: format!("at most {MAX_RUNS} runs race at once; remove one first"),
    }
}

/// A run whose status changed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StatusChange {
    /// Its index.
    pub run: usize,
    /// Converged or diverged.
    pub status: Status,
    /// Why.
    pub message: String,
}

/// What a slice of background work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Background {
    /// The exact optimum became known.
    pub optimum_ready: bool,
    /// The α-sweep finished.
    pub sweep_ready: bool,
    /// Nothing is left to do.
    pub idle: bool,
}

/// Points in the model view's sample: at most 2000, and at most
/// [`view::MAX_SAMPLE_VALUES`] numbers.
fn sample_size(rows: usize, dim: usize) -> usize {
    view::MAX_POINTS
        .min(view::MAX_SAMPLE_VALUES / dim.max(1))
        .max(1)
        .min(rows)
}

/// Target, features, model and the excluded columns for `settings`.
fn resolve(
    table: &Table,
    settings: &DataSettings,
) -> Result<(usize, Vec<usize>, ModelKind, Vec<Excluded>)> {
    let by_name = |name: &str| table.resolve(&ColumnRef::Name(name.to_string()));
    let (target, two_valued) = match &settings.target {
        Some(name) => {
            let j = by_name(name)?;
            (j, table.column(j).stats.distinct_upto3 == 2)
        }
        None => {
            let c = default_choice(table)?;
            (c.target, c.two_valued)
        }
    };
    let (default, excluded) = default_features(table, target);
    let features = match &settings.features {
        Some(names) => names
            .iter()
            .map(|n| by_name(n))
            .collect::<Result<Vec<_>>>()?,
        None => default,
    };
    let model = settings.model.unwrap_or(if two_valued {
        ModelKind::Logistic
    } else {
        ModelKind::Linear
    });
    if model == ModelKind::Linear && table.column(target).kind != ColumnKind::Numeric {
        let c = table.column(target);
        return Err(GradstepError::TextTarget {
            column: quote(&c.name),
            example: c.example(),
        });
    }
    Ok((target, features, model, excluded))
}

/// A run's status message as shown. On separable classes a run the
/// tolerance stopped is not at a minimum, whatever its gradient says.
pub fn shown_message(t: &Trainer, separable: bool) -> Option<String> {
    let m = t.message()?;
    if t.status() == Status::Converged && separable {
        let head = m.split(", so this is a minimum").next().unwrap_or(m);
        return Some(format!(
            "{head}; but this is no minimum: the classes are separable, so the loss only nears 0 as the weights keep growing (an L2 penalty gives a true minimum)"
        ));
    }
    Some(m.to_string())
}

impl Loaded {
    fn new_run(&mut self, settings: RunSettings, rule: RateRule) -> Result<Run> {
        let lipschitz = self.lipschitz();
        let basis = self.rate_basis(settings.tolerance);
        let rate = default_learning_rate(settings.optimizer.kind, basis, rule);
        let config = settings.config(rate, self.init);
        let mut trainer = Trainer::new(
            self.problem.clone(),
            self.dataset.target_sst,
            lipschitz,
            config,
        )?;
        if trainer.start() != self.start.as_slice() {
            trainer.set_start(&self.start)?;
        }
        let id = self.next_id;
        self.next_id += 1;
        Ok(Run {
            id,
            settings,
            trainer,
            pinned: false,
            origin: Origin::Fresh,
            timeline: vec![SettingsChange { step: 0, settings }],
        })
    }

    /// L, when finite and positive.
    pub fn lipschitz(&self) -> Option<f64> {
        Some(self.curvature.lipschitz).filter(|l| *l > 0.0 && l.is_finite())
    }

    /// What the default learning rate of a run with this convergence
    /// tolerance is chosen from.
    pub fn rate_basis(&self, tolerance: f64) -> RateBasis {
        RateBasis {
            lipschitz: self.lipschitz(),
            start_gradient_norm: self.start_gradient_norm,
            tolerance,
        }
    }

    fn advance_optimum(&mut self, max_rows: usize) -> bool {
        if self.optimum.result.is_some() {
            return false;
        }
        let Some(solver) = self.optimum.solver.as_mut() else {
            return false;
        };
        let Some(found) = solver.advance(&self.problem, max_rows).cloned() else {
            return false;
        };
        self.optimum.hessian = Some(match &found {
            Optimum::Found { theta, .. } if self.model == ModelKind::Logistic => {
                hessian_at(&self.problem, theta)
            }
            _ => self.curvature_exact(),
        });
        self.optimum.result = Some(found);
        self.optimum.solver = None;
        true
    }

    /// The exact Hessian's eigenvalues for linear regression (the Gram
    /// matrix is the Hessian); the logistic bound otherwise.
    fn curvature_exact(&self) -> Curvature {
        self.curvature.clone()
    }

    /// Estimates the rows' gradient covariance at θ* (one pass over at most
    /// `NOISE_MAX_ROWS` rows), once the optimum is known and some run uses
    /// mini-batches.
    pub(crate) fn ensure_noise(&mut self) {
        if self.optimum.noise.is_some() {
            return;
        }
        let Some((theta, _)) = self.optimum.result.as_ref().and_then(Optimum::found) else {
            return;
        };
        let n = self.problem.rows();
        let batched = self.runs.iter().any(|r| {
            let b = r.trainer.config().batch_size;
            b > 0 && b < n
        });
        if batched {
            self.optimum.noise = Some(crate::optim::noise::GradientNoise::at(&self.problem, theta));
        }
    }

    /// Where plain SGD with run `index`'s learning rate and batch size
    /// settles around θ* (see [`crate::optim::noise`]); `None` before the
    /// noise is estimated, with the full batch, or when there is no bound.
    pub fn noise_ball(&self, index: usize) -> Option<crate::optim::noise::NoiseBall> {
        let noise = self.optimum.noise.as_ref()?.as_ref()?;
        let h = self.optimum.hessian.as_ref()?;
        let c = self.runs.get(index)?.trainer.config();
        noise.ball(h, c.learning_rate, c.batch_size)
    }

    /// The exact optimum, once known.
    pub fn optimum_result(&self) -> Option<&Optimum> {
        self.optimum.result.as_ref()
    }

    /// Whether the loss has no minimum because the classes are separable.
    pub fn separable(&self) -> bool {
        self.optimum
            .result
            .as_ref()
            .is_some_and(Optimum::is_separable)
    }

    /// The runs.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The active run.
    pub fn active_run(&self) -> &Run {
        &self.runs[self.active]
    }

    /// The table column of the target.
    pub fn target_column(&self) -> usize {
        self.target
    }

    /// The table columns of the features.
    pub fn feature_columns(&self) -> &[usize] {
        &self.features
    }

    /// The name of the data.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parsed table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The problem being solved.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The model.
    pub fn model(&self) -> ModelKind {
        self.model
    }

    /// The settings as applied (names resolved).
    pub fn settings(&self) -> &DataSettings {
        &self.settings
    }

    /// The curvature of the loss.
    pub fn curvature(&self) -> &Curvature {
        &self.curvature
    }

    /// Columns left out of the default features, and why.
    pub fn excluded(&self) -> &[Excluded] {
        &self.excluded
    }

    /// The text of the data, when small enough to keep.
    pub fn source(&self) -> Option<&[u8]> {
        self.source.as_deref()
    }

    /// θ's entry names, as written everywhere: `w₁ (x1)`, …, `b`.
    pub fn parameter_names(&self) -> Vec<String> {
        parameter_names(&self.dataset.feature_names)
    }

    /// The loss at θ (training units) over every row.
    pub fn loss_at(&self, theta: &[f64]) -> f64 {
        self.problem.evaluate(theta, RowSet::All, None).loss
    }

    /// The starting point.
    pub fn start(&self) -> Vec<f64> {
        self.runs.first().map_or_else(
            || initial_parameters(self.init, self.problem.layout().len()),
            |r| r.trainer.start().to_vec(),
        )
    }
}

/// ‖∇L(θ₀)‖ over every row at the starting point `init`, as
/// [`RateBasis::start_gradient_norm`] wants it (infinite for the logistic
/// loss).
fn start_gradient_norm(problem: &Problem, init: Init) -> f64 {
    if problem.model() == ModelKind::Logistic {
        return f64::INFINITY;
    }
    let theta = initial_parameters(init, problem.layout().len());
    let mut grad = vec![0.0; theta.len()];
    problem.evaluate(&theta, RowSet::All, Some(&mut grad));
    grad.iter().map(|g| g * g).sum::<f64>().sqrt()
}

/// `w₁ (x1)`, …, `b`: one name per entry of θ.
pub fn parameter_names(features: &[String]) -> Vec<String> {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    features
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let sub: String = (j + 1)
                .to_string()
                .chars()
                .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
                .collect();
            format!("w{sub} ({})", quote(name))
        })
        .chain(["b".to_string()])
        .collect()
}

/// The curvature of a problem, a slice at a time (kept for callers that
/// want progress on very large data).
pub fn curvature_in_slices(problem: &Problem, max_rows: usize) -> Curvature {
    let mut acc = CurvatureAccumulator::new(problem);
    while !acc.advance(problem, max_rows) {}
    acc.finish(problem)
}
