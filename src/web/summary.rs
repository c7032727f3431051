//! The small objects that cross to JavaScript (through serde-wasm-bindgen):
//! the data set summary and the training state.

use serde::Serialize;

use crate::data::{ColumnKind, Table};
use crate::model::ModelKind;
use crate::optimum::Optimum;
use crate::plot::format::nice_floor;
use crate::plot::ViewKind;
use crate::trainer::Trainer;

/// Rows shown in the preview table.
pub const PREVIEW_ROWS: usize = 8;
/// Smallest learning rate the page offers.
pub const MIN_RATE: f64 = 1e-5;
/// Largest learning rate the page offers.
pub const MAX_RATE: f64 = 10.0;

/// What the user chose (column indices are 0-based into the table).
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub target: usize,
    pub features: Vec<usize>,
    pub model: ModelKind,
    pub standardize: bool,
    pub drop_missing: bool,
}

#[derive(Serialize)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: ColumnKind,
    pub missing: usize,
    /// Distinct values, counted up to 3.
    pub distinct: usize,
    /// The model the page picks when this column is the target.
    pub suggested_model: ModelKind,
}

#[derive(Serialize)]
pub struct ConfigInfo {
    pub target: String,
    pub features: Vec<String>,
    pub model: ModelKind,
    pub standardize: bool,
    pub drop_missing: bool,
}

#[derive(Serialize)]
pub struct DatasetInfo {
    pub rows: usize,
    pub target: String,
    pub features: Vec<String>,
    pub classes: Option<[String; 2]>,
    pub dropped_rows: usize,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct Summary {
    pub source: String,
    pub rows: usize,
    pub delimiter: String,
    pub has_header: bool,
    pub columns: Vec<ColumnInfo>,
    pub preview: Vec<Vec<String>>,
    pub config: ConfigInfo,
    pub dataset: DatasetInfo,
    /// L: the largest Hessian eigenvalue (a bound for logistic).
    pub lipschitz: f64,
    /// 1/L rounded down to 1, 2 or 5 × 10^k, within the slider's range.
    pub suggested_learning_rate: f64,
    /// 2/L: above it gradient descent diverges (linear regression).
    pub max_stable_learning_rate: f64,
    /// The exact optimum in original units; `{kind: "pending"}` on big data
    /// until the page has computed it (`advance_optimum`).
    pub optimum: OptimumInfo,
    pub views: Vec<ViewKind>,
    pub min_learning_rate: f64,
    pub max_learning_rate: f64,
}

/// The optimum, or that it is still being computed.
#[derive(Serialize)]
#[serde(untagged)]
pub enum OptimumInfo {
    Known(Optimum),
    Pending { kind: PendingKind },
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PendingKind {
    Pending,
}

#[derive(Serialize)]
pub struct StateInfo {
    pub step: u64,
    pub loss: f64,
    pub status: &'static str,
    pub message: Option<String>,
    pub learning_rate: f64,
    /// Weights and bias in the original units of the data.
    pub weights: Vec<f64>,
    pub bias: f64,
    /// ∂L/∂w and ∂L/∂b with respect to the original-units parameters.
    pub gradient_weights: Vec<f64>,
    pub gradient_bias: f64,
    pub gradient_norm: f64,
}

/// The learning rate the page starts with: 1/L rounded down nicely and
/// clamped to the slider's range.
pub fn suggested_rate(lipschitz: f64) -> f64 {
    let rate = if lipschitz.is_finite() && lipschitz > 0.0 {
        nice_floor(1.0 / lipschitz).unwrap_or(0.01)
    } else {
        0.01
    };
    rate.clamp(MIN_RATE, MAX_RATE)
}

pub fn summary(source: &str, table: &Table, choice: &Choice, trainer: &Trainer) -> Summary {
    let columns = table
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnInfo {
            name: c.name.clone(),
            kind: c.kind,
            missing: c.missing,
            distinct: table.distinct_count(i, 3),
            suggested_model: table.suggest_model(i),
        })
        .collect();
    let name = |i: usize| {
        table
            .columns()
            .get(i)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let dataset = trainer.dataset();
    let lipschitz = trainer.lipschitz();
    Summary {
        source: source.to_string(),
        rows: table.rows(),
        delimiter: match table.delimiter() {
            b'\t' => "tab".into(),
            d => char::from(d).to_string(),
        },
        has_header: table.has_header(),
        columns,
        preview: table.preview(PREVIEW_ROWS),
        config: ConfigInfo {
            target: name(choice.target),
            features: choice.features.iter().map(|&i| name(i)).collect(),
            model: choice.model,
            standardize: choice.standardize,
            drop_missing: choice.drop_missing,
        },
        dataset: DatasetInfo {
            rows: dataset.features.rows(),
            target: dataset.target_name.clone(),
            features: dataset.feature_names.clone(),
            classes: dataset
                .classes
                .as_ref()
                .map(|c| [c.negative.clone(), c.positive.clone()]),
            dropped_rows: dataset.dropped_rows,
            warnings: dataset.warnings.clone(),
        },
        lipschitz,
        suggested_learning_rate: suggested_rate(lipschitz),
        max_stable_learning_rate: if lipschitz > 0.0 {
            2.0 / lipschitz
        } else {
            f64::INFINITY
        },
        optimum: match super::insight::optimum_if_cheap(trainer) {
            Some(_) => OptimumInfo::Known(trainer.original_optimum()),
            None => OptimumInfo::Pending {
                kind: PendingKind::Pending,
            },
        },
        views: ViewKind::available(dataset.model, dataset.features.cols()),
        min_learning_rate: MIN_RATE,
        max_learning_rate: MAX_RATE,
    }
}

pub fn state(trainer: &Trainer) -> StateInfo {
    let s = trainer.state();
    let (weights, bias) = trainer.original_parameters();
    let (gradient_weights, gradient_bias) = trainer.original_gradient();
    StateInfo {
        step: s.step,
        loss: s.loss,
        status: s.status.name(),
        message: s.message.clone(),
        learning_rate: s.learning_rate,
        weights,
        bias,
        gradient_weights,
        gradient_bias,
        gradient_norm: s.gradient_norm,
    }
}
