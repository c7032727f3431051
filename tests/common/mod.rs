//! Helpers shared by the integration tests.
#![allow(dead_code)]

use gradstep::session::{DataSettings, RateRule, RunSettings, Session};
use serde_json::Value;

/// The bytes of a file from tests/data.
pub fn data_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// tests/data/reference.json (scikit-learn 1.9.1 / statsmodels 0.15.0
/// answers; see tests/data/README.md).
pub fn reference() -> Value {
    serde_json::from_slice(&data_file("reference.json")).expect("reference.json parses")
}

/// A session on a file of tests/data with these data settings, α = 1/L.
pub fn session(file: &str, settings: &DataSettings) -> Session {
    let mut s = Session::new(RateRule::OneOverL);
    s.load_bytes(file, &data_file(file), settings)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    s
}

/// A session on CSV text.
pub fn session_text(text: &str, settings: &DataSettings) -> Session {
    let mut s = Session::new(RateRule::OneOverL);
    s.load_bytes("text.csv", text.as_bytes(), settings)
        .unwrap_or_else(|e| panic!("{e}"));
    s
}

/// Data settings: standardized or not, default columns.
pub fn settings(standardize: bool) -> DataSettings {
    DataSettings {
        standardize,
        ..DataSettings::default()
    }
}

/// The first run's settings with a tolerance.
pub fn run_with_tolerance(tolerance: f64) -> RunSettings {
    RunSettings {
        tolerance,
        ..RunSettings::default()
    }
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
