//! gradstep: watch gradient descent train linear and logistic regression on
//! your own CSV, one update at a time.

pub mod data;
pub mod error;
pub mod format;
pub mod limits;
pub mod model;
pub mod optim;
pub mod optimum;

pub use error::{GradstepError, Result};
pub mod train;
