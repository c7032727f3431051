//! Training runs: one [`Trainer`] per run, stepping any optimizer with any
//! schedule and batch size, and the bounded [`Series`] it records.

pub mod series;
pub mod trainer;

pub use series::Series;
pub use trainer::{
    check_config, initial_parameters, BatchInfo, Init, RunConfig, Status, Trainer,
    HISTORY_CAPACITY, PATH_CAPACITY,
};
