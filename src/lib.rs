//! gradstep: watch gradient descent train linear and logistic regression on
//! your own CSV, one update at a time.
//!
//! The core (`data`, `model`, `optim`, `optimum`, `trainer`, `plot`) builds
//! and tests natively with no browser types; `web` is the thin wasm façade.

pub mod data;
pub mod diagnostics;
pub mod error;
pub mod limits;
pub mod model;
pub mod optim;
pub mod optim2;
pub mod optimum;
pub mod plot;
pub mod prepare;
pub mod report;
pub mod trainer;

pub use error::{GradstepError, Result};

#[cfg(target_arch = "wasm32")]
pub mod web;
