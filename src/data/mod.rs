//! From CSV text to a numeric dataset: parsing, column typing, target and
//! feature selection, and standardization.

pub mod column;
pub mod csv;
pub mod dataset;
pub mod matrix;
pub mod scaler;
pub mod table;

pub use dataset::{ClassMapping, Dataset, DatasetSpec};
pub use matrix::Matrix;
pub use scaler::Scaler;
pub use table::TableBuilder;
pub use table::{Column, ColumnKind, ColumnRef, Table};
