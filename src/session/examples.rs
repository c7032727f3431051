//! The built-in example data sets, embedded so the page needs no request.

use crate::model::ModelKind;

/// One built-in data set.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// Stable id used by the page.
    pub id: &'static str,
    /// Menu label.
    pub name: &'static str,
    /// One sentence about what to look for.
    pub description: &'static str,
    /// The CSV text.
    pub csv: &'static str,
    /// Target column.
    pub target: &'static str,
    /// Model to train.
    pub model: ModelKind,
}

/// All examples; the first is the default.
pub const EXAMPLES: &[Example] = &[
    Example {
        id: "classic",
        name: "Classic: y = x1 − x2 + x3 − x4 (linear, 4 features)",
        description: "200 rows where the label is exactly x1 − x2 + x3 − x4: gradient descent should find w = [1, −1, 1, −1], b = 0.",
        csv: include_str!("../../www/examples/classic.csv"),
        target: "y",
        model: ModelKind::Linear,
    },
    Example {
        id: "study-hours",
        name: "Study hours → pass (logistic, 1 feature)",
        description: "Pass or fail against hours studied; the classes overlap between 12 and 15 hours, so the best sigmoid is finite.",
        csv: include_str!("../../www/examples/study-hours.csv"),
        target: "pass",
        model: ModelKind::Logistic,
    },
    Example {
        id: "study-sleep",
        name: "Study + sleep → pass/fail (logistic, 2 features)",
        description: "Hours studied and hours slept against the result; the data is noisy, so no line separates the classes perfectly.",
        csv: include_str!("../../www/examples/study-sleep.csv"),
        target: "result",
        model: ModelKind::Logistic,
    },
    Example {
        id: "house-prices",
        name: "House size → price (linear, 1 feature)",
        description: "Price against floor area with noise: watch the line tilt into place.",
        csv: include_str!("../../www/examples/house-prices.csv"),
        target: "price",
        model: ModelKind::Linear,
    },
];

/// The example with this id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}
