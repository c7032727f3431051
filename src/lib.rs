//! gradstep: watch gradient descent train linear and logistic regression on
//! your own CSV, one update at a time.
//!
//! The core builds and tests natively with no browser types: `data` (the
//! streaming CSV reader and the dataset), `model` (the design matrix, the
//! losses and the data passes), `optim` (the update rules, schedules and
//! mini-batches), `optimum` (the exact answer and the curvature), `train`
//! (one run), `session` (loading, settings, races and everything the page
//! shows) and `plot` (the pictures, for any plotters backend). `web` is the
//! thin wasm façade: the worker's session and the main thread's painter.

pub mod data;
pub mod det;
pub mod diagnostics;
pub mod error;
pub mod format;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
pub mod limits;
pub mod model;
pub mod optim;
pub mod optimum;
pub mod order;
pub mod plot;
pub mod report;
pub mod session;
pub mod train;

pub use error::{GradstepError, Result};

#[cfg(target_arch = "wasm32")]
pub mod web;
