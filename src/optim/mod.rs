//! Optimizers, argmin style: a solver turns the current state into the next
//! one, given a problem that knows its loss and gradient. The state is a plain
//! value that can be read after every step.

mod gradient_descent;

pub use gradient_descent::GradientDescent;

use crate::model::Objective;
use serde::Serialize;

/// Where the optimizer is after some number of steps: everything a person
/// might want to see, in the units the model is trained in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IterState {
    /// How many updates have been applied (0 = the starting point).
    pub step: u64,
    /// Loss at the current parameters.
    pub loss: f64,
    /// Current weights.
    pub weights: Vec<f64>,
    /// Current bias.
    pub bias: f64,
    /// ∂L/∂w at the current parameters.
    pub gradient_weights: Vec<f64>,
    /// ∂L/∂b at the current parameters.
    pub gradient_bias: f64,
    /// ‖(∂L/∂w, ∂L/∂b)‖₂.
    pub gradient_norm: f64,
    /// The learning rate the next step will use.
    pub learning_rate: f64,
    /// Running, converged or diverged, as judged after the last step.
    pub status: Status,
    /// Why the status is what it is, for converged and diverged.
    pub message: Option<String>,
}

/// How training stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Still improving.
    Running,
    /// The gradient norm fell below the tolerance.
    Converged,
    /// The loss became non-finite or grew far beyond its best.
    Diverged,
}

impl Status {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Converged => "converged",
            Self::Diverged => "diverged",
        }
    }
}

impl IterState {
    /// The state at (w, b) before any step, with loss and gradient evaluated.
    pub fn start<P: Objective>(
        problem: &P,
        weights: Vec<f64>,
        bias: f64,
        learning_rate: f64,
    ) -> Self {
        let mut state = Self {
            step: 0,
            loss: f64::NAN,
            gradient_weights: vec![0.0; weights.len()],
            weights,
            bias,
            gradient_bias: 0.0,
            gradient_norm: f64::NAN,
            learning_rate,
            status: Status::Running,
            message: None,
        };
        state.evaluate(problem);
        state
    }

    /// Recomputes loss, gradient and gradient norm at the current parameters.
    pub fn evaluate<P: Objective>(&mut self, problem: &P) {
        let (loss, gb) =
            problem.loss_and_gradient(&self.weights, self.bias, &mut self.gradient_weights);
        self.loss = loss;
        self.gradient_bias = gb;
        let sq: f64 = self.gradient_weights.iter().map(|g| g * g).sum::<f64>() + gb * gb;
        self.gradient_norm = sq.sqrt();
    }
}

/// A way to step: plain gradient descent now; momentum or Adam later keep
/// their velocities in `Memory`, without touching the models.
pub trait Optimizer {
    /// What the optimizer remembers between steps (nothing, for plain GD).
    type Memory: Clone + std::fmt::Debug;

    /// A short name for display.
    fn name(&self) -> &'static str;

    /// Fresh memory for a problem with `dim` weights.
    fn init_memory(&self, dim: usize) -> Self::Memory;

    /// Applies exactly one update to `state` (whose gradient is current) and
    /// re-evaluates loss and gradient at the new parameters.
    fn next_iter<P: Objective>(
        &self,
        problem: &P,
        state: &mut IterState,
        memory: &mut Self::Memory,
    );
}
