//! Helpers shared by the integration tests.
#![allow(dead_code)]

use gradstep::data::{ColumnRef, Dataset, DatasetSpec};
use gradstep::model::ModelKind;
use serde_json::Value;

/// A file from tests/data.
pub fn data_file(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// tests/data/reference.json (scikit-learn 1.9.1 / statsmodels 0.15.0
/// answers; see tests/data/README.md).
pub fn reference() -> Value {
    serde_json::from_str(&data_file("reference.json")).expect("reference.json parses")
}

/// A dataset with the default target (last column) and features.
pub fn dataset(file: &str, model: ModelKind) -> Dataset {
    let spec = DatasetSpec {
        target: None,
        features: None,
        model,
        drop_missing: false,
    };
    Dataset::from_csv(&data_file(file), &spec).expect("dataset loads")
}

/// A dataset from CSV text with a target by name or 1-based index.
pub fn from_text(text: &str, target: &str, model: ModelKind) -> Dataset {
    let spec = DatasetSpec {
        target: Some(ColumnRef::parse(target)),
        features: None,
        model,
        drop_missing: false,
    };
    Dataset::from_csv(text, &spec).expect("dataset loads")
}

/// A JSON array of numbers as a Vec.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// |a − b| / max(|b|, tiny).
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Deterministic numbers in [−1, 1).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number.
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}
