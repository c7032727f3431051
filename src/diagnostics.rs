//! Warnings about the problem itself, not the settings: no finite optimum,
//! ill-conditioning and collinear columns, a categorical target fitted as
//! a continuous one.

use crate::model::ModelKind;
use crate::optimum::Optimum;
use crate::session::Loaded;
use serde::Serialize;

/// Condition numbers above this make plain gradient descent visibly slow.
const ILL_CONDITIONED: f64 = 1e3;
/// |correlation| above this calls two features (almost) collinear.
const COLLINEAR: f64 = 0.99;

/// What kind of warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// Logistic classes are (quasi-)separable: no finite optimum.
    NoFiniteOptimum,
    /// The Hessian's condition number is high: gradient descent crawls.
    IllConditioned,
    /// Two features are almost linear functions of each other.
    Collinear,
    /// A linear model on a target that looks like classes.
    CategoricalTarget,
}

/// One warning, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// What kind of warning.
    pub kind: DiagnosticKind,
    /// The explanation and what to do.
    pub message: String,
}

/// Every warning that applies to the loaded problem (the one that needs
/// the exact optimum only once it is known).
pub fn diagnose(d: &Loaded) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let data = d.dataset();
    if let Some(Optimum::NoFiniteOptimum { reason }) = d.optimum_result() {
        out.push(Diagnostic {
            kind: DiagnosticKind::NoFiniteOptimum,
            // The separable reason already says what L2 does.
            message: if reason.contains("L2") {
                format!("No finite optimum: {reason}.")
            } else {
                format!(
                    "No finite optimum: {reason}. Gradient descent will keep lowering the loss forever while the \
                     weights grow; an L2 penalty gives a finite answer."
                )
            },
        });
    }
    // Everything below comes from the curvature's sums: no pass over the data.
    let curvature = d.curvature();
    let here = curvature.condition_number.unwrap_or(f64::INFINITY);
    if here > ILL_CONDITIONED {
        let message = if !here.is_finite() {
            "The loss surface has a flat valley floor: some features are redundant (a combination of them is \
             constant, so the Hessian is singular). Many weights fit equally well; the optimum shown is the one \
             of least norm, and gradient descent from another start ends at another. Removing redundant \
             features makes the optimum unique."
                .to_string()
        } else if d.problem().design().is_standardized() {
            format!(
                "The loss surface is a long narrow valley even after standardizing (condition number {}): \
                 plain gradient descent needs on the order of that many steps. Removing redundant features helps.",
                compact(here)
            )
        } else {
            format!(
                "The loss surface is a long narrow valley (condition number {}): plain gradient descent needs on \
                 the order of that many steps. Standardizing the features brings it to {}.",
                compact(here),
                compact(curvature.standardized_condition_number.unwrap_or(f64::INFINITY))
            )
        };
        out.push(Diagnostic {
            kind: DiagnosticKind::IllConditioned,
            message,
        });
    }
    for (a, b, r) in collinear_pairs(&curvature.correlations, data.feature_names.len()) {
        out.push(Diagnostic {
            kind: DiagnosticKind::Collinear,
            message: format!(
                "Features '{}' and '{}' are almost collinear (correlation {r:.4}): many weight combinations fit \
                 equally well, so the optimum is poorly determined. Consider dropping one.",
                data.feature_names[a], data.feature_names[b]
            ),
        });
    }
    if d.model() == ModelKind::Linear {
        if let Some(values) = categorical_values(&data.target.to_vec()) {
            out.push(Diagnostic {
                kind: DiagnosticKind::CategoricalTarget,
                message: format!(
                    "The target '{}' takes only the values {values}: it looks like classes, not a quantity. {}",
                    data.target_name,
                    if values.matches(',').count() == 1 {
                        "Logistic regression models a two-class target as a probability."
                    } else {
                        "Linear regression treats the codes as distances between classes."
                    }
                ),
            });
        }
    }
    out
}

/// Feature pairs with |correlation| above [`COLLINEAR`], from the d × d
/// correlation matrix.
fn collinear_pairs(correlations: &[f64], d: usize) -> Vec<(usize, usize, f64)> {
    let mut pairs = Vec::new();
    for i in 0..d {
        for j in i + 1..d {
            let r = correlations.get(i * d + j).copied().unwrap_or(0.0);
            if r.abs() > COLLINEAR {
                pairs.push((i, j, r));
            }
        }
    }
    pairs
}

/// "0, 1" or "1, 2, 3" when the target has at most 10 distinct integer
/// values and clearly more rows than values.
fn categorical_values(target: &[f64]) -> Option<String> {
    let mut values: Vec<f64> = Vec::new();
    for &t in target {
        if t.fract() != 0.0 {
            return None;
        }
        if !values.contains(&t) {
            values.push(t);
            if values.len() > 10 {
                return None;
            }
        }
    }
    let plausible = values.len() == 2 || (values.len() <= 10 && target.len() >= 10 * values.len());
    crate::order::sort_small_by(&mut values, f64::total_cmp);
    plausible.then(|| {
        values
            .iter()
            .map(|v| format!("{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

fn compact(x: f64) -> String {
    if x.is_infinite() {
        "infinite".into()
    } else if x < 1e4 {
        format!("{x:.0}")
    } else {
        format!("{x:.1e}")
    }
}
