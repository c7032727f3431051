//! What the page draws, as plain values: the contract between the session
//! (in the training worker) and the painter (on the main thread).
//!
//! A [`Scene`] is sent once per configuration, a [`Frame`] after every
//! update, a [`Grid`] when the landscape is recomputed and a [`Sweep`] when
//! an α-sweep is done. All are bounded in size (so a redraw costs the same
//! at a hundred rows as at a million) and cross the worker boundary as
//! bytes ([`encode`], [`decode`]): JavaScript never looks inside.

use serde::{Deserialize, Serialize};

use crate::model::ModelKind;
use crate::plot::ViewKind;

/// Most data points a scene carries for the model view.
pub const MAX_POINTS: usize = 2000;
/// Most numbers (points × features) a scene's sample carries.
pub const MAX_SAMPLE_VALUES: usize = 200_000;
/// Most points of a run's loss history in a frame.
pub const MAX_HISTORY_POINTS: usize = 4096;
/// Most points of a run's path in a frame.
pub const MAX_PATH_POINTS: usize = 1024;

/// Per-configuration facts for drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    /// Linear or logistic.
    pub model: ModelKind,
    /// Feature names, in θ order.
    pub feature_names: Vec<String>,
    /// Target name.
    pub target_name: String,
    /// `[negative, positive]` labels of a two-class target.
    pub classes: Option<[String; 2]>,
    /// One name per entry of θ, as written everywhere: `w₁ (x1)`, …, `b`.
    pub parameter_names: Vec<String>,
    /// Whether training units are standardized.
    pub standardized: bool,
    /// Training units: feature j is `(x − shift[j]) · scale[j]`.
    pub shift: Vec<f64>,
    /// See `shift`.
    pub scale: Vec<f64>,
    /// Feature means in original units (the held values of a slice).
    pub means: Vec<f64>,
    /// Rows of the dataset in the sample (1-based for display).
    pub sample_rows: Vec<u32>,
    /// Sample features, original units, column-major: feature j of point i
    /// is `sample_features[j * m + i]` with m = `sample_rows.len()`.
    pub sample_features: Vec<f64>,
    /// Sample targets (0/1 for two classes).
    pub sample_target: Vec<f64>,
    /// Rows in the dataset.
    pub total_rows: usize,
    /// Views of the model that make sense, the default first.
    pub views: Vec<ViewKind>,
    /// L, the largest curvature (training units), when known.
    pub lipschitz: Option<f64>,
}

/// The state of every run after an update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Index of the active run in `runs`.
    pub active: usize,
    /// The runs, in order (colours by index).
    pub runs: Vec<RunView>,
    /// θ* (training units) and L*, once known.
    pub optimum: Option<OptimumView>,
    /// Where one Newton step from the active run's θ lands (training
    /// units), when asked for.
    pub newton: Option<Vec<f64>>,
    /// The landscape pair the paths are projected on.
    pub pair: Option<(u32, u32)>,
    /// Errors along the Hessian's eigendirections for the active run, when
    /// asked for.
    pub eigen: Option<EigenView>,
    /// The active run's SGD noise ball on the pair, when it has one: the
    /// cloud's covariance (Pₐₐ, Pₐᵦ, Pᵦᵦ) around θ* (training units).
    #[serde(default)]
    pub noise: Option<[f64; 3]>,
}

/// θ* and L*.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimumView {
    /// θ* in training units.
    pub theta: Vec<f64>,
    /// L*.
    pub loss: f64,
}

/// One run's state and records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    /// Stable id (survives removing other runs).
    pub id: u32,
    /// A short label: "Adam α = 0.001".
    pub label: String,
    /// θ in training units.
    pub theta: Vec<f64>,
    /// ∂L/∂θ over all rows at θ (training units).
    pub gradient: Vec<f64>,
    /// Steps taken.
    pub step: u64,
    /// Loss at θ.
    pub loss: f64,
    /// `ready`, `running`, `converged` or `diverged`.
    pub status: String,
    /// Whether it is pinned (kept as an overlay, not stepped).
    pub pinned: bool,
    /// Steps per epoch (1 for full batch).
    pub batches_per_epoch: f64,
    /// Steps of the loss history points.
    pub history_steps: Vec<f64>,
    /// Loss at those steps.
    pub history_loss: Vec<f64>,
    /// Steps and losses of the mini-batches' own losses (empty for full batch).
    pub batch_steps: Vec<f64>,
    /// See `batch_steps`.
    pub batch_loss: Vec<f64>,
    /// The path projected on the landscape pair: (a, b) per point.
    pub path: Vec<f64>,
    /// Predicted factor by which L − L* shrinks per step (from the Hessian's
    /// eigenvalues: max|1 − αλᵢ|² for gradient descent, the 2×2 iteration's
    /// spectral radius squared for momentum), when there is a linear rate.
    pub predicted_rate: Option<f64>,
}

/// Errors along the eigendirections of the Hessian (at θ* for logistic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EigenView {
    /// Eigenvalues, ascending.
    pub eigenvalues: Vec<f64>,
    /// Steps of the points.
    pub steps: Vec<f64>,
    /// |vᵢᵀ(θₖ − θ*)| per point, row-major: point k, eigenvalue i.
    pub errors: Vec<f64>,
}

/// The loss over two parameters, the others held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Index in θ on the x axis.
    pub a: u32,
    /// Index in θ on the y axis.
    pub b: u32,
    /// x range (training units).
    pub a_range: (f64, f64),
    /// y range (training units).
    pub b_range: (f64, f64),
    /// Points per axis.
    pub resolution: u32,
    /// Loss values, row-major with y as the row: `values[iy * res + ix]`.
    pub values: Vec<f64>,
    /// Rows the loss was evaluated on when a sample (`None`: all rows).
    pub sampled_rows: Option<u32>,
}

/// Loss after K steps against α.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Steps per try.
    pub steps: u32,
    /// The learning rates tried, ascending.
    pub rates: Vec<f64>,
    /// Loss after `steps` steps at each rate (NaN when it diverged).
    pub losses: Vec<f64>,
    /// 1/L and 2/L, when they apply to the optimizer.
    pub marks: Vec<(String, f64)>,
    /// Rows used, when a sample.
    pub sampled_rows: Option<u32>,
}

/// Bytes of a value, for the worker boundary.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).unwrap_or_default()
}

/// The value of `encode`'s bytes; an error names what could not be read.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> crate::Result<T> {
    postcard::from_bytes(bytes).map_err(|e| crate::GradstepError::InvalidSetting {
        name: "plot data".into(),
        value: format!("{} bytes", bytes.len()),
        reason: format!("could not be read: {e}"),
    })
}
