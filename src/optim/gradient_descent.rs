//! Plain full-batch gradient descent.

use super::{IterState, Optimizer};
use crate::model::Objective;

/// W ← W − α·∂L/∂W, b ← b − α·∂L/∂b, with α = `state.learning_rate`, so the
/// rate can change between any two steps.
#[derive(Debug, Clone, Copy, Default)]
pub struct GradientDescent;

impl Optimizer for GradientDescent {
    type Memory = ();

    fn name(&self) -> &'static str {
        "gradient descent"
    }

    fn init_memory(&self, _dim: usize) -> Self::Memory {}

    fn next_iter<P: Objective>(&self, problem: &P, state: &mut IterState, _memory: &mut ()) {
        let alpha = state.learning_rate;
        for (w, g) in state.weights.iter_mut().zip(&state.gradient_weights) {
            *w -= alpha * g;
        }
        state.bias -= alpha * state.gradient_bias;
        state.step += 1;
        state.evaluate(problem);
    }
}
