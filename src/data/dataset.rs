//! From a parsed [`Table`] to the numbers a model trains on: target and
//! feature selection, problem cells (error or drop), and two-class labels.

use std::collections::HashSet;

use serde::Serialize;

use super::table::{format_number, Column, ColumnKind, ColumnRef, Problem, ProblemKind, Table};
use super::Matrix;
use crate::model::ModelKind;
use crate::{GradstepError, Result};

/// What to take from a table: target, features, model, and how to treat
/// rows with problem cells.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSpec {
    /// Target column; the last column when `None`.
    pub target: Option<ColumnRef>,
    /// Feature columns in this order; every other numeric column when `None`.
    pub features: Option<Vec<ColumnRef>>,
    /// The model, which decides how the target is read.
    pub model: ModelKind,
    /// Drop rows with missing, text or non-finite cells instead of failing.
    pub drop_missing: bool,
}

impl Default for DatasetSpec {
    /// Last column as target, all other numeric columns, linear, strict.
    fn default() -> Self {
        Self {
            target: None,
            features: None,
            model: ModelKind::Linear,
            drop_missing: false,
        }
    }
}

/// Two-class labels mapped to 0/1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMapping {
    /// The label mapped to 0, as written.
    pub negative: String,
    /// The label mapped to 1, as written.
    pub positive: String,
}

/// Training data in original units, ready for scaling.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// n × d, original units, rows that survived.
    pub features: Matrix,
    /// Linear: the values; logistic: 0.0/1.0.
    pub target: Vec<f64>,
    /// Feature column names, in matrix column order.
    pub feature_names: Vec<String>,
    /// Target column name.
    pub target_name: String,
    /// The model the target was prepared for.
    pub model: ModelKind,
    /// Some for logistic.
    pub classes: Option<ClassMapping>,
    /// Rows dropped for problem cells (only with `drop_missing`).
    pub dropped_rows: usize,
    /// Human sentences about what was skipped or dropped.
    pub warnings: Vec<String>,
}

/// Labels that mean "the positive class" whoever wrote them.
const POSITIVE_TOKENS: [&str; 7] = ["1", "true", "yes", "y", "pass", "passed", "positive"];

fn is_positive_label(label: &str) -> bool {
    let t = label.trim();
    POSITIVE_TOKENS.iter().any(|p| t.eq_ignore_ascii_case(p)) || t.parse::<f64>() == Ok(1.0)
}

/// The error for the first problem cell of a column.
fn problem_error(col: &Column, p: &Problem) -> GradstepError {
    let count = col.problems().iter().filter(|q| q.kind == p.kind).count();
    let (column, row, line, value) = (
        col.name.clone(),
        p.row + 1,
        p.line,
        col.problem_text(p).to_string(),
    );
    match p.kind {
        ProblemKind::Missing => GradstepError::MissingValue {
            column,
            row,
            line,
            value,
            count,
        },
        ProblemKind::Text => GradstepError::TextInNumeric {
            column,
            row,
            line,
            value,
            count,
        },
        ProblemKind::NonFinite => GradstepError::NonFinite {
            column,
            row,
            line,
            value,
            count,
        },
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Dataset {
    /// Selects target and features from `table` and turns them into numbers.
    pub fn from_table(table: &Table, spec: &DatasetSpec) -> Result<Dataset> {
        let cols = table.columns();
        let target_idx = match &spec.target {
            Some(r) => table.resolve(r)?,
            None => cols.len() - 1,
        };
        let target_col = &cols[target_idx];
        let mut warnings = Vec::new();

        let features = match &spec.features {
            Some(list) => {
                let mut out: Vec<usize> = Vec::with_capacity(list.len());
                for r in list {
                    let j = table.resolve(r)?;
                    if j == target_idx {
                        return Err(GradstepError::TargetInFeatures {
                            column: target_col.name.clone(),
                        });
                    }
                    if out.contains(&j) {
                        return Err(GradstepError::InvalidSetting {
                            name: "features".into(),
                            value: cols[j].name.clone(),
                            reason: format!("column '{}' is listed twice", cols[j].name),
                        });
                    }
                    if cols[j].kind == ColumnKind::Text {
                        return Err(GradstepError::TextFeature {
                            column: cols[j].name.clone(),
                            example: cols[j].example(),
                        });
                    }
                    out.push(j);
                }
                out
            }
            None => {
                let skipped: Vec<String> = (0..cols.len())
                    .filter(|&j| j != target_idx && cols[j].kind == ColumnKind::Text)
                    .map(|j| format!("'{}'", cols[j].name))
                    .collect();
                if !skipped.is_empty() {
                    warnings.push(format!(
                        "skipped non-numeric column{} {}; features must be numeric",
                        if skipped.len() == 1 { "" } else { "s" },
                        skipped.join(", ")
                    ));
                }
                (0..cols.len())
                    .filter(|&j| j != target_idx && cols[j].kind == ColumnKind::Numeric)
                    .collect()
            }
        };
        if features.is_empty() {
            return Err(GradstepError::NoFeatures {
                target: target_col.name.clone(),
            });
        }
        if spec.model == ModelKind::Linear && target_col.kind == ColumnKind::Text {
            return Err(GradstepError::TextTarget {
                column: target_col.name.clone(),
                example: target_col.example(),
            });
        }

        // Problem cells in the used columns: the earliest one is reported
        // (or the row dropped).
        let used: Vec<usize> = features.iter().copied().chain([target_idx]).collect();
        let first = used
            .iter()
            .filter_map(|&j| cols[j].problems().first().map(|p| (j, *p)))
            .min_by_key(|(_, p)| p.row);
        let n = table.rows();
        let mut keep = vec![true; n];
        let mut dropped = 0;
        if let Some((j, p)) = first {
            if !spec.drop_missing {
                return Err(problem_error(&cols[j], &p));
            }
            let mut kinds = [false; 3];
            for &j in &used {
                for q in cols[j].problems() {
                    kinds[q.kind as usize] = true;
                    if keep[q.row] {
                        keep[q.row] = false;
                        dropped += 1;
                    }
                }
            }
            if dropped == n {
                return Err(GradstepError::NoRowsLeft { dropped });
            }
            let what: Vec<&str> = ["missing", "non-numeric", "non-finite"]
                .into_iter()
                .zip(kinds)
                .filter_map(|(w, k)| k.then_some(w))
                .collect();
            warnings.push(format!(
                "dropped {} with {} values (first: row {}, line {}, column '{}'); {} left",
                plural(dropped, "row"),
                what.join(" or "),
                p.row + 1,
                p.line,
                cols[j].name,
                plural(n - dropped, "row"),
            ));
        }
        let rows: Vec<usize> = (0..n).filter(|&r| keep[r]).collect();

        let (target, classes) = match spec.model {
            ModelKind::Linear => {
                let values = target_col.numeric().unwrap_or(&[]);
                let target: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
                let (count, examples) = distinct_numbers(&target, 3);
                if count == 2 {
                    warnings.push(format!(
                        "target '{}' has only two values ({}); logistic regression may fit better",
                        target_col.name,
                        examples.join(", ")
                    ));
                }
                (target, None)
            }
            ModelKind::Logistic => {
                let (target, classes) = two_classes(target_col, &rows)?;
                (target, Some(classes))
            }
        };

        let slices: Vec<&[f64]> = features
            .iter()
            .map(|&j| cols[j].numeric().unwrap_or(&[]))
            .collect();
        for (&j, values) in features.iter().zip(&slices) {
            let v0 = values[rows[0]];
            if rows.iter().all(|&r| values[r] == v0) {
                return Err(GradstepError::ConstantColumn {
                    column: cols[j].name.clone(),
                    value: v0,
                });
            }
        }
        let mut data = Vec::with_capacity(rows.len() * features.len());
        for &r in &rows {
            data.extend(slices.iter().map(|v| v[r]));
        }
        let features_matrix = Matrix::from_row_major(rows.len(), features.len(), data)
            .expect("data has rows × features entries");

        Ok(Dataset {
            features: features_matrix,
            target,
            feature_names: features.iter().map(|&j| cols[j].name.clone()).collect(),
            target_name: target_col.name.clone(),
            model: spec.model,
            classes,
            dropped_rows: dropped,
            warnings,
        })
    }

    /// Convenience: parse + from_table.
    pub fn from_csv(text: &str, spec: &DatasetSpec) -> Result<Dataset> {
        Self::from_table(&Table::parse(text)?, spec)
    }
}

/// Distinct values (counting stops past `cap`) and up to five of them, sorted
/// and formatted.
fn distinct_numbers(values: &[f64], cap: usize) -> (usize, Vec<String>) {
    let mut seen = HashSet::new();
    let mut examples: Vec<f64> = Vec::new();
    for &v in values {
        if seen.len() >= cap {
            break;
        }
        if seen.insert((v + 0.0).to_bits()) && examples.len() < 5 {
            examples.push(v);
        }
    }
    examples.sort_by(f64::total_cmp);
    (
        seen.len(),
        examples.into_iter().map(format_number).collect(),
    )
}

/// Maps a two-valued target to 0/1, or says how many classes it has.
fn two_classes(col: &Column, rows: &[usize]) -> Result<(Vec<f64>, ClassMapping)> {
    let too_many = |count: usize, examples: Vec<String>| GradstepError::TargetClasses {
        column: col.name.clone(),
        count,
        examples: examples.join(", "),
    };
    if let Some(values) = col.numeric() {
        let picked: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
        let (count, examples) = distinct_numbers(&picked, usize::MAX);
        if count != 2 {
            return Err(too_many(count, examples));
        }
        // `examples` is sorted: [smaller, larger].
        let (lo, hi) = (examples[0].clone(), examples[1].clone());
        let positive_is_lo = is_positive_label(&lo) && !is_positive_label(&hi);
        let (negative, positive) = if positive_is_lo { (hi, lo) } else { (lo, hi) };
        let pos_value: f64 = positive.parse().expect("formatted number parses");
        let target = picked
            .iter()
            .map(|&v| f64::from(u8::from(v == pos_value)))
            .collect();
        return Ok((target, ClassMapping { negative, positive }));
    }
    let (codes, levels) = col.text().expect("a column is numeric or text");
    let mut seen = vec![false; levels.len()];
    let mut order: Vec<u32> = Vec::new();
    for &r in rows {
        let c = codes[r];
        if !Column::is_missing_code(c) && !seen[c as usize] {
            seen[c as usize] = true;
            order.push(c);
        }
    }
    if order.len() != 2 {
        let mut examples: Vec<String> = order
            .iter()
            .take(5)
            .map(|&c| levels[c as usize].clone())
            .collect();
        examples.sort();
        return Err(too_many(order.len(), examples));
    }
    let (a, b) = (order[0], order[1]);
    let (la, lb) = (&levels[a as usize], &levels[b as usize]);
    let pos_code = match (is_positive_label(la), is_positive_label(lb)) {
        (true, false) => a,
        (false, true) => b,
        _ if la > lb => a,
        _ => b,
    };
    let neg_code = if pos_code == a { b } else { a };
    let target = rows
        .iter()
        .map(|&r| f64::from(u8::from(codes[r] == pos_code)))
        .collect();
    Ok((
        target,
        ClassMapping {
            negative: levels[neg_code as usize].clone(),
            positive: levels[pos_code as usize].clone(),
        },
    ))
}
