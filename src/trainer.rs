//! The trainer: a dataset, the parameters, the optimizer's state and the
//! history, advanced one gradient step at a time.

use crate::data::{Dataset, Matrix, Scaler};
use crate::model::{gradient_check, GradientCheck, Metrics, Objective, Problem};
use crate::optim::{GradientDescent, IterState, Optimizer, Status};
use crate::optimum::{Curvature, Optimum, OptimumSolver};
use crate::{GradstepError, Result};
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;

/// The state after a step, as a person reads it (training units).
pub type StepState = IterState;

/// Loss growing this many times beyond where it started counts as divergence.
const DIVERGENCE_FACTOR: f64 = 1e3;

/// The parameter path keeps at most this many points; past it, it is thinned.
const PATH_CAPACITY: usize = 4096;

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

/// How to train.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainerConfig {
    /// α in W ← W − α·∂L/∂W.
    pub learning_rate: f64,
    /// Train on z-scored features (reported parameters stay in original units).
    pub standardize: bool,
    /// The starting point.
    pub init: Init,
    /// Converged when the gradient norm falls below this.
    pub tolerance: f64,
    /// L2 penalty strength λ in (λ/2)‖w‖² (0 = none).
    pub l2: f64,
}

impl Default for TrainerConfig {
    fn default() -> Self {
        Self {
            learning_rate: 0.01,
            standardize: false,
            init: Init::Zeros,
            tolerance: 1e-6,
            l2: 0.0,
        }
    }
}

/// Trains one model on one dataset, one full-batch gradient step at a time.
#[derive(Debug)]
pub struct Trainer {
    dataset: Dataset,
    scaler: Scaler,
    x: Matrix,
    config: TrainerConfig,
    start: (Vec<f64>, f64),
    state: IterState,
    memory: <GradientDescent as Optimizer>::Memory,
    start_loss: f64,
    history: Vec<f64>,
    path: Vec<f64>,
    path_stride: u64,
    curvature: OnceCell<Curvature>,
    optimum: OnceCell<Optimum>,
    solver: Option<OptimumSolver>,
}

impl Trainer {
    /// A trainer at step 0. Fails on an invalid learning rate, tolerance or
    /// penalty; the dataset itself was validated when it was built.
    pub fn new(dataset: Dataset, config: TrainerConfig) -> Result<Self> {
        check_config(&config)?;
        let scaler = if config.standardize {
            Scaler::fit(&dataset.features)
        } else {
            Scaler::identity(dataset.features.cols())
        };
        let x = if config.standardize {
            scaler.transform(&dataset.features)
        } else {
            dataset.features.clone()
        };
        Self::from_parts(dataset, scaler, x, config, None, None)
    }

    /// A trainer at step 0 from parts computed elsewhere, e.g. a slice at a
    /// time by [`crate::prepare::TrainerBuilder`]; [`Trainer::new`] is this
    /// with the parts computed in one go.
    ///
    /// `x` is the training matrix: `dataset.features` transformed by
    /// `scaler` when `config.standardize`, else a copy of them with the
    /// identity scaler. `start_state` is the state at the starting point of
    /// `config.init` (loss and gradient evaluated on `x`), evaluated here when
    /// `None`; `curvature` is that of the training problem, computed on first
    /// use when `None`. Fails like [`Trainer::new`] on an invalid learning
    /// rate, tolerance or penalty. Panics if the parts do not fit together
    /// (shapes, or a start state at other parameters).
    pub fn from_parts(
        dataset: Dataset,
        scaler: Scaler,
        x: Matrix,
        config: TrainerConfig,
        start_state: Option<StepState>,
        curvature: Option<Curvature>,
    ) -> Result<Self> {
        check_config(&config)?;
        assert_eq!(
            x.rows(),
            dataset.target.len(),
            "one training row per target"
        );
        assert_eq!(
            x.cols(),
            dataset.features.cols(),
            "one training column per feature"
        );
        assert_eq!(
            scaler.mean().len(),
            x.cols(),
            "one scaler entry per feature"
        );
        let start = initial_parameters(config.init, x.cols());
        let state = match start_state {
            Some(mut state) => {
                assert!(
                    state.weights == start.0 && state.bias.to_bits() == start.1.to_bits(),
                    "the start state is at the starting point of config.init"
                );
                state.learning_rate = config.learning_rate;
                state
            }
            None => {
                let problem = Problem::new(dataset.model, &x, &dataset.target).with_l2(config.l2);
                IterState::start(&problem, start.0.clone(), start.1, config.learning_rate)
            }
        };
        let mut trainer = Self {
            memory: GradientDescent.init_memory(x.cols()),
            dataset,
            scaler,
            x,
            config,
            start,
            start_loss: state.loss,
            state,
            history: Vec::new(),
            path: Vec::new(),
            path_stride: 1,
            curvature: curvature.map(OnceCell::from).unwrap_or_default(),
            optimum: OnceCell::new(),
            solver: None,
        };
        trainer.settle();
        Ok(trainer)
    }

    fn problem(&self) -> Problem<'_> {
        Problem::new(self.dataset.model, &self.x, &self.dataset.target).with_l2(self.config.l2)
    }

    /// Applies exactly one update and returns the new state. A state whose
    /// parameters are no longer finite is left as it is (reset to go on).
    pub fn step(&mut self) -> &StepState {
        if !self.parameters_finite() {
            return &self.state;
        }
        let problem =
            Problem::new(self.dataset.model, &self.x, &self.dataset.target).with_l2(self.config.l2);
        GradientDescent.next_iter(&problem, &mut self.state, &mut self.memory);
        self.record();
        self.judge();
        &self.state
    }

    /// Up to `max_steps` updates, stopping early after a step that converges
    /// or diverges.
    pub fn run(&mut self, max_steps: u64) -> &StepState {
        self.history.reserve(max_steps.min(1 << 20) as usize);
        for _ in 0..max_steps {
            self.step();
            if self.state.status != Status::Running {
                break;
            }
        }
        &self.state
    }

    /// Back to step 0 at the starting parameters, keeping the learning rate.
    pub fn reset(&mut self) {
        self.restart();
    }

    /// Moves the starting point (training units) and resets to it.
    pub fn set_start(&mut self, weights: &[f64], bias: f64) -> Result<()> {
        if weights.len() != self.x.cols() {
            return Err(GradstepError::InvalidSetting {
                name: "start".into(),
                value: format!("{} weights", weights.len()),
                reason: format!("the model has {} features", self.x.cols()),
            });
        }
        if !weights.iter().chain([&bias]).all(|v| v.is_finite()) {
            return Err(GradstepError::InvalidSetting {
                name: "start".into(),
                value: format!("{weights:?}, {bias}"),
                reason: "every parameter must be a finite number".into(),
            });
        }
        self.start = (weights.to_vec(), bias);
        self.restart();
        Ok(())
    }

    /// Changes α; the next step uses it, without a reset.
    pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<()> {
        check_learning_rate(learning_rate)?;
        self.config.learning_rate = learning_rate;
        self.state.learning_rate = learning_rate;
        Ok(())
    }

    /// The current learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.state.learning_rate
    }

    /// The current state (training units).
    pub fn state(&self) -> &StepState {
        &self.state
    }

    /// The loss at steps 0, 1, …, current.
    pub fn loss_history(&self) -> &[f64] {
        &self.history
    }

    /// The parameters visited, flattened as (w…, b) per point, and the step
    /// distance between points (it doubles whenever the path is thinned).
    pub fn parameter_path(&self) -> (&[f64], u64) {
        (&self.path, self.path_stride)
    }

    /// The dataset, in original units.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The features the model trains on (standardized when enabled).
    pub fn training_features(&self) -> &Matrix {
        &self.x
    }

    /// The standardization in use (the identity when off).
    pub fn scaler(&self) -> &Scaler {
        &self.scaler
    }

    /// Whether features are standardized.
    pub fn standardized(&self) -> bool {
        self.config.standardize
    }

    /// The configuration, with the current learning rate.
    pub fn config(&self) -> &TrainerConfig {
        &self.config
    }

    /// Current weights and bias in the original units of the data.
    pub fn original_parameters(&self) -> (Vec<f64>, f64) {
        self.scaler
            .to_original(&self.state.weights, self.state.bias)
    }

    /// ∂L/∂w and ∂L/∂b with respect to the original-units parameters.
    /// With w_std = w·s and b_std = b + Σ w·m, the chain rule gives
    /// ∂L/∂w_j = s_j·∂L/∂w_std_j + m_j·∂L/∂b_std, and ∂L/∂b = ∂L/∂b_std.
    pub fn original_gradient(&self) -> (Vec<f64>, f64) {
        let gb = self.state.gradient_bias;
        let gw = self
            .state
            .gradient_weights
            .iter()
            .zip(self.scaler.std().iter().zip(self.scaler.mean()))
            .map(|(g, (s, m))| g * s + gb * m)
            .collect();
        (gw, gb)
    }

    /// The model's output for one example given in original units: the
    /// predicted value (linear) or the probability of the positive class.
    pub fn predict(&self, features: &[f64]) -> f64 {
        let mut row = features.to_vec();
        row.resize(self.x.cols(), 0.0);
        self.scaler.transform_row_in_place(&mut row);
        self.problem()
            .predict(&row, &self.state.weights, self.state.bias)
    }

    /// Fit quality at the current parameters.
    pub fn metrics(&self) -> Metrics {
        Metrics::compute(
            self.dataset.model,
            &self.x,
            &self.dataset.target,
            &self.state.weights,
            self.state.bias,
        )
    }

    /// The curvature of the loss (computed once, on first use).
    pub fn curvature(&self) -> &Curvature {
        self.curvature
            .get_or_init(|| Curvature::of(&self.problem()))
    }

    /// L, the largest Hessian eigenvalue (a bound for logistic): α < 2/L
    /// descends, α ≤ 1/L is the safe choice.
    pub fn lipschitz(&self) -> f64 {
        self.curvature().lipschitz
    }

    /// The exact optimum in training units (computed once, on first use).
    pub fn optimum(&self) -> &Optimum {
        self.optimum.get_or_init(|| {
            let problem = self.problem();
            let mut solver = OptimumSolver::new(&problem);
            loop {
                if let Some(found) = solver.advance(&problem, usize::MAX) {
                    return found.clone();
                }
            }
        })
    }

    /// Works on the exact optimum for about `max_rows` rows' worth of passes
    /// and returns it once known, so that a page can spread the work over
    /// animation frames instead of freezing on a large dataset.
    pub fn advance_optimum(&mut self, max_rows: usize) -> Option<&Optimum> {
        if self.optimum.get().is_none() {
            let problem = Problem::new(self.dataset.model, &self.x, &self.dataset.target)
                .with_l2(self.config.l2);
            let solver = self
                .solver
                .get_or_insert_with(|| OptimumSolver::new(&problem));
            if let Some(found) = solver.advance(&problem, max_rows) {
                let _ = self.optimum.set(found.clone());
                self.solver = None;
            }
        }
        self.optimum.get()
    }

    /// The exact optimum if it has been computed already.
    pub fn optimum_if_ready(&self) -> Option<&Optimum> {
        self.optimum.get()
    }

    /// The exact optimum in original units.
    pub fn original_optimum(&self) -> Optimum {
        match self.optimum() {
            Optimum::Found {
                weights,
                bias,
                loss,
            } => {
                let (weights, bias) = self.scaler.to_original(weights, *bias);
                Optimum::Found {
                    weights,
                    bias,
                    loss: *loss,
                }
            }
            other => other.clone(),
        }
    }

    /// The loss at any parameters (training units), e.g. for a landscape.
    pub fn loss_at(&self, weights: &[f64], bias: f64) -> f64 {
        self.problem().loss(weights, bias)
    }

    /// Each row's share of the current gradient: the projection of the row's
    /// term (1/n)·(∂ℓᵢ/∂z)·(xᵢ, 1) onto the full gradient g, divided by ‖g‖².
    /// Shares sum to 1; a negative share pulls against the step.
    pub fn gradient_shares(&self) -> Vec<f64> {
        let share = self.share_of_row();
        (0..self.x.rows()).map(share).collect()
    }

    /// [`Trainer::gradient_shares`] of the listed rows only (0 for a row out
    /// of range), so that a view of a few rows stays cheap on big data.
    pub fn gradient_shares_of(&self, rows: &[usize]) -> Vec<f64> {
        let share = self.share_of_row();
        let n = self.x.rows();
        rows.iter()
            .map(|&r| if r < n { share(r) } else { 0.0 })
            .collect()
    }

    /// Changes the L2 penalty λ (finite, ≥ 0) and resets to the starting
    /// point, keeping the learning rate; the curvature and the exact optimum
    /// of the new loss are computed on next use (or by `advance_optimum`).
    pub fn set_l2(&mut self, lambda: f64) -> Result<()> {
        check_non_negative("l2", lambda)?;
        if lambda != self.config.l2 {
            self.config.l2 = lambda;
            self.curvature = OnceCell::new();
            self.optimum = OnceCell::new();
            self.solver = None;
        }
        self.restart();
        Ok(())
    }

    /// Row `i`'s share of the current gradient (see `gradient_shares`).
    fn share_of_row(&self) -> impl Fn(usize) -> f64 + '_ {
        let s = &self.state;
        let n = self.dataset.target.len().max(1) as f64;
        // With an L2 penalty, g = (data terms) + λw: share out the data part.
        let penalty: f64 =
            self.config.l2 * crate::model::problem::dot(&s.weights, &s.gradient_weights);
        let data_part = s.gradient_norm * s.gradient_norm - penalty;
        move |i| {
            let (row, t) = (self.x.row(i), self.dataset.target[i]);
            let z = s.bias + crate::model::problem::dot(row, &s.weights);
            let dz = match self.dataset.model {
                crate::model::ModelKind::Linear => crate::model::linear::squared_error(z, t).1,
                crate::model::ModelKind::Logistic => crate::model::logistic::cross_entropy(z, t).1,
            };
            let along = row
                .iter()
                .zip(&s.gradient_weights)
                .map(|(x, g)| x * g)
                .sum::<f64>()
                + s.gradient_bias;
            if data_part > 0.0 {
                dz * along / n / data_part
            } else {
                0.0
            }
        }
    }

    /// Analytic vs central-difference gradient at the current parameters.
    pub fn gradient_check(&self, h: f64) -> Vec<GradientCheck> {
        gradient_check(&self.problem(), &self.state.weights, self.state.bias, h)
    }

    fn restart(&mut self) {
        let problem = self.problem();
        let state = IterState::start(
            &problem,
            self.start.0.clone(),
            self.start.1,
            self.config.learning_rate,
        );
        self.state = state;
        self.settle();
    }

    /// Step 0 at the current (freshly evaluated) state: clears the optimizer
    /// memory, the history and the path, and judges the start.
    fn settle(&mut self) {
        self.memory = GradientDescent.init_memory(self.x.cols());
        self.start_loss = self.state.loss;
        self.history.clear();
        self.path.clear();
        self.path_stride = 1;
        self.record();
        self.judge();
    }

    fn parameters_finite(&self) -> bool {
        self.state.bias.is_finite() && self.state.weights.iter().all(|w| w.is_finite())
    }

    fn record(&mut self) {
        self.history.push(self.state.loss);
        if self.state.step % self.path_stride == 0 {
            if self.path.len() / (self.x.cols() + 1) >= PATH_CAPACITY {
                self.thin_path();
            }
            if self.state.step % self.path_stride == 0 {
                self.path.extend_from_slice(&self.state.weights);
                self.path.push(self.state.bias);
            }
        }
    }

    /// Keeps every other point of the path, doubling its stride.
    fn thin_path(&mut self) {
        let p = self.x.cols() + 1;
        let points = self.path.len() / p;
        for k in 0..points.div_ceil(2) {
            self.path.copy_within(2 * k * p..(2 * k + 1) * p, k * p);
        }
        self.path.truncate(points.div_ceil(2) * p);
        self.path_stride *= 2;
    }

    fn judge(&mut self) {
        let s = &self.state;
        let (status, message) = if !s.loss.is_finite() || !self.parameters_finite() {
            (
                Status::Diverged,
                Some(self.divergence_advice(&format!("the loss became {}", s.loss))),
            )
        } else if s.loss > DIVERGENCE_FACTOR * self.start_loss && s.loss > self.start_loss + 1e-12 {
            let what = format!(
                "the loss grew from {:.4e} to {:.4e}",
                self.start_loss, s.loss
            );
            (Status::Diverged, Some(self.divergence_advice(&what)))
        } else if s.gradient_norm < self.config.tolerance {
            let msg = format!(
                "the gradient norm {:.3e} is below the tolerance {:.1e}, so this is a minimum",
                s.gradient_norm, self.config.tolerance
            );
            (Status::Converged, Some(msg))
        } else {
            (Status::Running, None)
        };
        self.state.status = status;
        self.state.message = message;
    }

    fn divergence_advice(&self, what: &str) -> String {
        let l = self.lipschitz();
        let mut advice = format!(
            "diverged at step {}: {what} with learning rate {:.3e}. Each step overshoots the minimum; \
             lower the learning rate below 2/L = {:.3e} (1/L = {:.3e} is safe) and press Reset",
            self.state.step,
            self.state.learning_rate,
            2.0 / l,
            1.0 / l
        );
        if !self.config.standardize {
            advice.push_str(", or standardize the features");
        }
        advice
    }
}

/// The errors [`Trainer::new`] gives for a configuration, in its order.
pub(crate) fn check_config(config: &TrainerConfig) -> Result<()> {
    check_learning_rate(config.learning_rate)?;
    check_non_negative("tolerance", config.tolerance)?;
    check_non_negative("l2", config.l2)
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
            value: value.to_string(),
            reason: "must be a finite number ≥ 0".into(),
        })
    }
}

/// Zeros, or uniform in [−1, 1] from a SplitMix64 stream (no OS randomness,
/// so it works the same natively and in the browser).
pub(crate) fn initial_parameters(init: Init, d: usize) -> (Vec<f64>, f64) {
    match init {
        Init::Zeros => (vec![0.0; d], 0.0),
        Init::Random { seed } => {
            let mut s = seed;
            let mut next = || {
                s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = s;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
            };
            let w = (0..d).map(|_| next()).collect();
            (w, next())
        }
    }
}
