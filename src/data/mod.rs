//! From CSV bytes to the numbers a model trains on: the streaming reader
//! (`csv`), the chunked column storage, and the dataset (target, features,
//! problem cells, labels, statistics).

pub mod column;
pub mod csv;
pub mod dataset;
pub mod transform;

pub use column::NumericColumn;
pub use csv::{Column, ColumnKind, ColumnRef, Table, TableReader};
pub use dataset::{ClassMapping, Dataset, DatasetSpec, MissingPolicy, TargetKind};
pub use transform::FeatureTransform;
