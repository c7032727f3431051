//! One training run: the parameters, an optimizer with its memory, the
//! learning-rate schedule, the mini-batches, and the bounded history and
//! path, advanced one update at a time.
//!
//! After every update the loss and gradient over all rows are evaluated at
//! the new θ (one pass), so the state is always current and the recorded
//! loss compares with the exact optimum's, whatever the batch size.

use serde::{Deserialize, Serialize};

use crate::limits::MAX_FULL_HISTORY;
use crate::model::{Evaluation, Metrics, Objective, Problem, RowSet};
use crate::optim::{Batches, Optimizer, OptimizerConfig, Schedule};
use crate::{GradstepError, Result};

use super::series::Series;

/// Loss growing this many times beyond where it started counts as divergence.
const DIVERGENCE_FACTOR: f64 = 1e3;
/// Points kept in the thinned loss history.
pub const HISTORY_CAPACITY: usize = 8192;
/// Points kept in the thinned parameter path.
pub const PATH_CAPACITY: usize = 2048;

/// Where the parameters start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Init {
    /// All weights and the bias at zero.
    #[default]
    Zeros,
    /// Weights and bias drawn uniformly from [−1, 1] with a fixed seed.
    Random {
        /// The seed; the same seed gives the same start.
        seed: u64,
    },
}

/// How one run trains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunConfig {
    /// The update rule and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// α, the base learning rate (the schedule scales it).
    pub learning_rate: f64,
    /// How α changes over the updates.
    pub schedule: Schedule,
    /// Rows per mini-batch; 0 (or ≥ n) is the full batch.
    pub batch_size: usize,
    /// Seed of the mini-batch shuffle.
    pub seed: u64,
    /// The starting point.
    pub init: Init,
    /// Converged when the gradient norm falls below this; 0 turns the
    /// convergence stop off.
    pub tolerance: f64,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            optimizer: OptimizerConfig::default(),
            learning_rate: 0.01,
            schedule: Schedule::Constant,
            batch_size: 0,
            seed: 0,
            init: Init::Zeros,
            tolerance: 1e-6,
        }
    }
}

/// How training stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// At step 0, nothing done yet.
    Ready,
    /// Still improving.
    Running,
    /// The gradient norm fell below the tolerance, or (with a constant α)
    /// [`STILL_UPDATES`] updates in a row moved no parameter at double
    /// precision: the gradient is at the data's round-off level.
    Converged,
    /// The loss grew far beyond its start, or the next step would have
    /// overflowed; the parameters stay at the last finite point.
    Diverged,
}

impl Status {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Running => "running",
            Self::Converged => "converged",
            Self::Diverged => "diverged",
        }
    }
}

/// The last mini-batch: its loss and how its gradient compares with the
/// full one at the same θ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchInfo {
    /// Rows in the batch.
    pub rows: usize,
    /// The batch's own mean loss (plus penalty) before the update.
    pub loss: f64,
    /// Angle between the batch gradient and the full gradient, in degrees
    /// (0 = same direction), when both are non-zero.
    pub angle_degrees: Option<f64>,
    /// ‖batch gradient‖ / ‖full gradient‖.
    pub norm_ratio: Option<f64>,
}

/// Updates in a row that move no parameter before a run with a constant α
/// counts as converged (one is already a fixed point for plain gradient
/// descent; momentum and Adam can still build up a step).
pub const STILL_UPDATES: u32 = 20;

/// One training run.
#[derive(Debug, Clone)]
pub struct Trainer {
    problem: Problem,
    target_sst: f64,
    lipschitz: Option<f64>,
    config: RunConfig,
    optimizer: Box<dyn Optimizer>,
    batches: Batches,
    start: Vec<f64>,
    theta: Vec<f64>,
    grad: Vec<f64>,
    eval: Evaluation,
    grad_norm: f64,
    step: u64,
    status: Status,
    message: Option<String>,
    start_loss: f64,
    last_rate: f64,
    batch: Option<BatchInfo>,
    history: Series,
    batch_history: Series,
    path: Series,
    full_history: Option<Vec<f64>>,
    /// Updates in a row that left θ exactly as it was.
    still_updates: u32,
    // Scratch, so that a step allocates nothing.
    prev_theta: Vec<f64>,
    prev_grad: Vec<f64>,
    batch_grad: Vec<f64>,
}

impl Trainer {
    /// A run at step 0. `target_sst` is Σ (t − t̄)² (for R²); `lipschitz`
    /// is L, for the advice after a divergence.
    pub fn new(
        problem: Problem,
        target_sst: f64,
        lipschitz: Option<f64>,
        config: RunConfig,
    ) -> Result<Self> {
        check_config(&config)?;
        let p = problem.layout().len();
        let batches = Batches::new(
            problem.rows().max(1),
            batch_rows(&config, &problem),
            config.seed,
        )?;
        let start = initial_parameters(config.init, p);
        let mut t = Self {
            optimizer: config.optimizer.build(p),
            batches,
            lipschitz,
            target_sst,
            config,
            theta: start.clone(),
            start,
            grad: vec![0.0; p],
            eval: Evaluation {
                loss: f64::NAN,
                data_loss: f64::NAN,
                correct: 0,
                rows: 0,
            },
            grad_norm: f64::NAN,
            step: 0,
            status: Status::Ready,
            message: None,
            start_loss: f64::NAN,
            last_rate: config.learning_rate,
            batch: None,
            history: Series::new(1, HISTORY_CAPACITY),
            batch_history: Series::new(1, HISTORY_CAPACITY),
            path: Series::new(p, PATH_CAPACITY),
            full_history: None,
            still_updates: 0,
            prev_theta: vec![0.0; p],
            prev_grad: vec![0.0; p],
            batch_grad: vec![0.0; p],
            problem,
        };
        t.restart();
        Ok(t)
    }

    /// Keeps the loss after every step (not thinned), up to
    /// [`MAX_FULL_HISTORY`] steps, for `fit --history`.
    pub fn keep_full_history(&mut self) {
        self.full_history = Some(vec![self.eval.loss]);
    }

    /// The full history, when kept.
    pub fn full_history(&self) -> Option<&[f64]> {
        self.full_history.as_deref()
    }

    /// The problem being solved.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The configuration (with the current hyperparameters).
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Steps taken.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// θ in training units.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// ∂L/∂θ over all rows at θ (training units).
    pub fn gradient(&self) -> &[f64] {
        &self.grad
    }

    /// ‖∂L/∂θ‖.
    pub fn gradient_norm(&self) -> f64 {
        self.grad_norm
    }

    /// The loss at θ over all rows.
    pub fn evaluation(&self) -> &Evaluation {
        &self.eval
    }

    /// The loss at θ.
    pub fn loss(&self) -> f64 {
        self.eval.loss
    }

    /// Fit quality at θ (from the same pass).
    pub fn metrics(&self) -> Metrics {
        Metrics::from_evaluation(self.problem.model(), &self.eval, self.target_sst)
    }

    /// How training stands.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Why the status is what it is (converged and diverged).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The learning rate the next update will use (the schedule applied).
    pub fn next_rate(&self) -> f64 {
        self.config
            .schedule
            .rate(self.config.learning_rate, self.step)
    }

    /// The learning rate the last update used.
    pub fn last_rate(&self) -> f64 {
        self.last_rate
    }

    /// Epochs done (steps / batches per epoch).
    pub fn epoch(&self) -> f64 {
        self.batches.epoch_of(self.step)
    }

    /// Batches per epoch (1 for the full batch).
    pub fn batches_per_epoch(&self) -> u64 {
        self.batches.per_epoch()
    }

    /// The last mini-batch, when the last update used one.
    pub fn batch(&self) -> Option<&BatchInfo> {
        self.batch.as_ref()
    }

    /// The optimizer, for its memory and the update written out.
    pub fn optimizer(&self) -> &dyn Optimizer {
        &*self.optimizer
    }

    /// The loss over the steps (thinned past [`HISTORY_CAPACITY`] points).
    pub fn history(&self) -> &Series {
        &self.history
    }

    /// Each mini-batch's own loss over the steps (empty for the full batch).
    pub fn batch_history(&self) -> &Series {
        &self.batch_history
    }

    /// θ over the steps (thinned past [`PATH_CAPACITY`] points).
    pub fn path(&self) -> &Series {
        &self.path
    }

    /// The starting point.
    pub fn start(&self) -> &[f64] {
        &self.start
    }

    /// The loss at the start.
    pub fn start_loss(&self) -> f64 {
        self.start_loss
    }

    /// Applies exactly one update. Refused after a divergence (reset or
    /// lower the learning rate first). Allocates nothing with the full batch.
    pub fn step(&mut self) -> Result<()> {
        if self.status == Status::Diverged {
            return Err(GradstepError::InvalidSetting {
                name: "step".into(),
                value: format!("step {}", self.step),
                reason: "training diverged; press Reset or lower the learning rate first".into(),
            });
        }
        let k = self.step;
        let rate = self.config.schedule.rate(self.config.learning_rate, k);
        self.prev_theta.copy_from_slice(&self.theta);
        self.prev_grad.copy_from_slice(&self.grad);
        let prev_eval = self.eval;
        let prev_norm = self.grad_norm;
        // The gradient this update follows: the full one, or the batch's.
        let batch_rows = self.batches.rows_for_step(k);
        let batch = match batch_rows {
            Some(rows) => {
                let e = self.problem.evaluate(
                    &self.theta,
                    RowSet::Listed(rows),
                    Some(&mut self.batch_grad),
                );
                Some(batch_info(e, &self.batch_grad, &self.grad, self.grad_norm))
            }
            None => None,
        };
        let g = if batch.is_some() {
            &self.batch_grad
        } else {
            &self.prev_grad
        };
        self.optimizer.update(&mut self.theta, g, rate);
        self.last_rate = rate;
        let finite_theta = self.theta.iter().all(|v| v.is_finite());
        if finite_theta {
            self.eval = self
                .problem
                .evaluate(&self.theta, RowSet::All, Some(&mut self.grad));
            self.grad_norm = norm(&self.grad);
        }
        if !finite_theta || !self.eval.loss.is_finite() || !self.grad_norm.is_finite() {
            // Stop at the last finite point.
            self.theta.copy_from_slice(&self.prev_theta);
            self.grad.copy_from_slice(&self.prev_grad);
            self.eval = prev_eval;
            self.grad_norm = prev_norm;
            self.status = Status::Diverged;
            self.message = Some(self.divergence_advice(
                k + 1,
                "the next step would make the loss or the parameters too large to represent",
                rate,
            ));
            return Ok(());
        }
        self.step = k + 1;
        self.batch = batch;
        if self.theta == self.prev_theta {
            self.still_updates = self.still_updates.saturating_add(1);
        } else {
            self.still_updates = 0;
        }
        self.record();
        self.judge(rate);
        Ok(())
    }

    /// Rows one update evaluates: the mini-batch, or every row.
    pub fn rows_per_update(&self) -> usize {
        batch_rows(&self.config, &self.problem)
    }

    /// Up to `max_steps` updates, stopping after one that converges (unless
    /// the tolerance is 0) or diverges; returns the steps taken.
    pub fn run(&mut self, max_steps: u64) -> u64 {
        let mut done = 0;
        while done < max_steps {
            if self.step().is_err() {
                break;
            }
            done += 1;
            if matches!(self.status, Status::Converged | Status::Diverged) {
                break;
            }
        }
        done
    }

    /// Back to step 0 at the starting point, keeping every setting.
    pub fn reset(&mut self) {
        self.restart();
    }

    /// Moves the starting point (training units) and resets to it.
    pub fn set_start(&mut self, theta: &[f64]) -> Result<()> {
        if theta.len() != self.theta.len() {
            return Err(GradstepError::InvalidSetting {
                name: "start".into(),
                value: format!("{} values", theta.len()),
                reason: format!("the model has {} parameters", self.theta.len()),
            });
        }
        if !theta.iter().all(|v| v.is_finite()) {
            return Err(GradstepError::InvalidSetting {
                name: "start".into(),
                value: "a non-finite value".into(),
                reason: "every parameter must be a finite number".into(),
            });
        }
        let mut grad = vec![0.0; theta.len()];
        let eval = self.problem.evaluate(theta, RowSet::All, Some(&mut grad));
        if !eval.loss.is_finite() || !norm(&grad).is_finite() {
            let largest = theta.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            return Err(GradstepError::InvalidSetting {
                name: "start".into(),
                value: format!("largest |θ| = {}", crate::format::number(largest, 3)),
                reason: "the loss there is too large to represent; choose a start nearer the data's scale".into(),
            });
        }
        self.start = theta.to_vec();
        // The pass that checked the start is the restart's own evaluation.
        self.restart_with(eval, grad);
        Ok(())
    }

    /// Changes α; the next step uses it, without a reset. A run that
    /// diverged may go on from its last finite point with a new α (not one
    /// whose starting loss is already too large: no α mends that).
    pub fn set_learning_rate(&mut self, rate: f64) -> Result<()> {
        check_learning_rate(rate)?;
        self.config.learning_rate = rate;
        if self.status == Status::Diverged
            && self.eval.loss.is_finite()
            && self.grad_norm.is_finite()
        {
            self.status = Status::Running;
            self.message = None;
            self.start_loss = self.start_loss.max(self.eval.loss);
        }
        Ok(())
    }

    /// Changes the optimizer's hyperparameters (same kind: memory kept, the
    /// next step uses them) or its kind (memory starts afresh, θ kept).
    pub fn set_optimizer(&mut self, config: OptimizerConfig) -> Result<()> {
        config.validate()?;
        if config.kind == self.config.optimizer.kind {
            self.optimizer.set_config(config)?;
        } else {
            self.optimizer = config.build(self.theta.len());
        }
        self.config.optimizer = config;
        Ok(())
    }

    /// Changes the schedule; k keeps counting from the current step.
    pub fn set_schedule(&mut self, schedule: Schedule) -> Result<()> {
        schedule.validate()?;
        self.config.schedule = schedule;
        Ok(())
    }

    /// Changes the batch size and shuffle seed (from the next step on).
    pub fn set_batches(&mut self, batch_size: usize, seed: u64) -> Result<()> {
        let mut c = self.config;
        c.batch_size = batch_size;
        c.seed = seed;
        self.batches = Batches::new(
            self.problem.rows().max(1),
            batch_rows(&c, &self.problem),
            seed,
        )?;
        self.config.batch_size = batch_size;
        self.config.seed = seed;
        Ok(())
    }

    /// Changes the convergence tolerance.
    pub fn set_tolerance(&mut self, tolerance: f64) -> Result<()> {
        check_non_negative("tolerance", tolerance)?;
        self.config.tolerance = tolerance;
        Ok(())
    }

    /// L, for the advice after a divergence.
    pub fn set_lipschitz(&mut self, lipschitz: Option<f64>) {
        self.lipschitz = lipschitz;
    }

    fn restart(&mut self) {
        let mut grad = std::mem::take(&mut self.grad);
        let eval = self
            .problem
            .evaluate(&self.start, RowSet::All, Some(&mut grad));
        self.restart_with(eval, grad);
    }

    /// Back to step 0 at the start, whose evaluation and gradient are given.
    fn restart_with(&mut self, eval: Evaluation, grad: Vec<f64>) {
        self.theta.copy_from_slice(&self.start);
        self.optimizer.reset();
        self.eval = eval;
        self.grad = grad;
        self.grad_norm = norm(&self.grad);
        self.step = 0;
        self.still_updates = 0;
        self.start_loss = self.eval.loss;
        self.batch = None;
        self.last_rate = self.config.learning_rate;
        self.history.clear();
        self.batch_history.clear();
        self.path.clear();
        if let Some(h) = &mut self.full_history {
            h.clear();
        }
        self.status = Status::Ready;
        self.message = None;
        if !self.eval.loss.is_finite() || !self.grad_norm.is_finite() {
            self.status = Status::Diverged;
            self.message = Some(
                "the loss at the starting point is too large to represent; rescale the data or standardize the features"
                    .into(),
            );
        }
        self.record();
    }

    fn record(&mut self) {
        self.history.record(self.step, &[self.eval.loss]);
        if let Some(b) = &self.batch {
            self.batch_history.record(self.step, &[b.loss]);
        }
        self.path.record(self.step, &self.theta);
        if let Some(h) = &mut self.full_history {
            if (h.len() as u64) <= MAX_FULL_HISTORY {
                h.push(self.eval.loss);
            }
        }
    }

    fn judge(&mut self, rate: f64) {
        let loss = self.eval.loss;
        if loss > DIVERGENCE_FACTOR * self.start_loss && loss > self.start_loss + 1e-12 {
            let what = format!(
                "the loss grew from {} at the start to {}",
                crate::format::number(self.start_loss, 4),
                crate::format::number(loss, 4)
            );
            self.status = Status::Diverged;
            self.message = Some(self.divergence_advice(self.step, &what, rate));
        } else if self.config.tolerance > 0.0 && self.grad_norm < self.config.tolerance {
            self.status = Status::Converged;
            // Enough digits that the norm never reads as the tolerance itself.
            let tolerance = crate::format::number(self.config.tolerance, 4);
            let norm = [4, 8, 17]
                .map(|digits| crate::format::number(self.grad_norm, digits))
                .into_iter()
                .find(|n| *n != tolerance)
                .unwrap_or_default();
            self.message = Some(format!(
                "the gradient norm {norm} is below the tolerance {tolerance}, so this is a minimum"
            ));
        } else if self.config.tolerance > 0.0
            && self.still_updates >= STILL_UPDATES
            && self.config.schedule == Schedule::Constant
        {
            // Far-off data (values near 1e10) can hold ‖g‖ above any fixed
            // tolerance by rounding alone, while every step α·g is smaller
            // than the spacing of the doubles in θ.
            self.status = Status::Converged;
            self.message = Some(format!(
                "the last {STILL_UPDATES} updates moved no parameter at double precision: the gradient norm {} is at the round-off level of this data, so this is a minimum as far as doubles can tell",
                crate::format::number(self.grad_norm, 4),
            ));
        } else {
            self.status = Status::Running;
            self.message = None;
        }
    }

    fn divergence_advice(&self, step: u64, what: &str, rate: f64) -> String {
        use crate::format::number;
        let mut advice = format!(
            "diverged at step {step}: {what} with learning rate {}",
            number(rate, 4)
        );
        let bound = self
            .lipschitz
            .and_then(|l| self.config.optimizer.stability_bound(l))
            .zip(self.lipschitz)
            .map(|((top, _), l)| (top, 1.0 / l));
        match bound {
            Some((top, safe)) if top.is_finite() => advice.push_str(&format!(
                ". Each step overshoots the minimum: lower the learning rate below {} (1/L = {} is safe) and press Reset",
                number(top, 4),
                number(safe, 4)
            )),
            _ => advice.push_str(". Lower the learning rate and press Reset"),
        }
        if !self.problem.design().is_standardized() {
            advice.push_str(", or standardize the features");
        }
        advice
    }
}

fn batch_rows(config: &RunConfig, problem: &Problem) -> usize {
    let n = problem.rows().max(1);
    if config.batch_size == 0 || config.batch_size >= n {
        n
    } else {
        config.batch_size
    }
}

fn batch_info(e: Evaluation, batch_grad: &[f64], full: &[f64], full_norm: f64) -> BatchInfo {
    let bn = norm(batch_grad);
    let dot: f64 = batch_grad.iter().zip(full).map(|(a, b)| a * b).sum();
    let ok = bn > 0.0 && full_norm > 0.0 && bn.is_finite() && full_norm.is_finite();
    BatchInfo {
        rows: e.rows,
        loss: e.loss,
        angle_degrees: ok.then(|| {
            (dot / (bn * full_norm))
                .clamp(-1.0, 1.0)
                .acos()
                .to_degrees()
        }),
        norm_ratio: ok.then(|| bn / full_norm),
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|g| g * g).sum::<f64>().sqrt()
}

/// The errors [`Trainer::new`] gives for a configuration.
pub fn check_config(config: &RunConfig) -> Result<()> {
    check_learning_rate(config.learning_rate)?;
    check_non_negative("tolerance", config.tolerance)?;
    config.optimizer.validate()?;
    config.schedule.validate()
}

fn check_learning_rate(value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(GradstepError::InvalidLearningRate { value })
    }
}

fn check_non_negative(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(GradstepError::InvalidSetting {
            name: name.into(),
            value: crate::format::typed(value),
            reason: "must be a finite number ≥ 0".into(),
        })
    }
}

/// Zeros, or uniform in [−1, 1] from a SplitMix64 stream (no OS randomness,
/// so it is the same natively and in the browser).
pub fn initial_parameters(init: Init, p: usize) -> Vec<f64> {
    match init {
        Init::Zeros => vec![0.0; p],
        Init::Random { seed } => {
            let mut s = seed;
            (0..p)
                .map(|_| {
                    s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = s;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    z ^= z >> 31;
                    (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
                })
                .collect()
        }
    }
}
