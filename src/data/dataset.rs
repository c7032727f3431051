//! From a parsed [`Table`] to the numbers a model trains on: the target and
//! feature columns (shared with the table when nothing changes them),
//! problem cells (error, drop or mean imputation), two-class labels, and
//! the statistics standardization needs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::column::NumericColumn;
use super::csv::{Column, ColumnKind, ProblemKind, Table, MISSING_CODE};
use super::transform::{Derived, FeatureTransform};
use crate::limits::quote;
use crate::{GradstepError, Result};

/// What to do with rows whose cells in the used columns are missing, text
/// or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MissingPolicy {
    /// Refuse the data, naming the first such cell.
    #[default]
    Error,
    /// Leave those rows out.
    Drop,
    /// Fill a feature's bad cells with the mean of its other cells (rows
    /// whose target is bad are left out: a target cannot be made up).
    Mean,
}

impl MissingPolicy {
    /// The lowercase name, as the CLI and the page spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Drop => "drop",
            Self::Mean => "mean",
        }
    }
}

impl std::str::FromStr for MissingPolicy {
    type Err = GradstepError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(Self::Error),
            "drop" => Ok(Self::Drop),
            "mean" => Ok(Self::Mean),
            _ => Err(GradstepError::InvalidSetting {
                name: "missing".into(),
                value: quote(s),
                reason: "expected 'error', 'drop' or 'mean'".into(),
            }),
        }
    }
}

/// How the target is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A quantity (linear regression).
    Continuous,
    /// Two classes mapped to 0 and 1 (logistic regression).
    Binary,
}

/// The columns to use, by 0-based index into the table.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSpec {
    /// Target column.
    pub target: usize,
    /// Feature columns, in this order.
    pub features: Vec<usize>,
    /// How the target is read.
    pub target_kind: TargetKind,
    /// What to do with problem cells.
    pub missing: MissingPolicy,
    /// Feature columns made by transforms, after `features`.
    pub transforms: Vec<FeatureTransform>,
}

/// Two-class labels mapped to 0/1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassMapping {
    /// The label mapped to 0, as written.
    pub negative: String,
    /// The label mapped to 1, as written.
    pub positive: String,
}

/// A feature whose problem cells were filled with its mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imputed {
    /// Index among the features.
    pub feature: usize,
    /// Cells filled.
    pub cells: usize,
    /// The mean they were filled with (original units).
    pub value: f64,
}

/// Training data in original units, with the statistics of each feature.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Feature columns in original units (shared with the table when kept
    /// as they are).
    pub features: Vec<Arc<NumericColumn>>,
    /// The target: values (continuous) or 0/1 (binary).
    pub target: Arc<NumericColumn>,
    /// Feature names, in the order of `features`.
    pub feature_names: Vec<String>,
    /// Target name.
    pub target_name: String,
    /// Table columns of the features (those made by transforms come after
    /// these and have none).
    pub feature_columns: Vec<usize>,
    /// Table column of the target.
    pub target_column: usize,
    /// How the target is read.
    pub target_kind: TargetKind,
    /// The labels, for a binary target.
    pub classes: Option<ClassMapping>,
    /// Table row of each dataset row, when rows were dropped.
    pub table_rows: Option<Vec<u32>>,
    /// Rows left out for problem cells.
    pub dropped_rows: usize,
    /// Features whose problem cells were filled with the mean.
    pub imputed: Vec<Imputed>,
    /// Sentences about what was dropped or filled.
    pub warnings: Vec<String>,
    /// Mean of each feature (population).
    pub mean: Vec<f64>,
    /// Standard deviation of each feature (population, ddof = 0).
    pub std: Vec<f64>,
    /// Mean of the target.
    pub target_mean: f64,
    /// Σ (t − t̄)², for R².
    pub target_sst: f64,
}

/// Labels that mean "the positive class" whoever wrote them (English,
/// German, French, Spanish, Italian, Portuguese, Dutch).
const POSITIVE_TOKENS: [&str; 20] = [
    "1",
    "true",
    "yes",
    "y",
    "pass",
    "passed",
    "positive",
    "t",
    "success",
    "ja",
    "j",
    "wahr",
    "oui",
    "vrai",
    "si",
    "sí",
    "sim",
    "verdadero",
    "vero",
    "waar",
];

/// Labels that mean "the negative class".
const NEGATIVE_TOKENS: [&str; 18] = [
    "0", "false", "no", "n", "fail", "failed", "negative", "f", "failure", "nein", "falsch", "non",
    "faux", "não", "nao", "falso", "nee", "onwaar",
];

fn is_positive_label(label: &str) -> bool {
    let t = label.trim();
    POSITIVE_TOKENS.iter().any(|p| t.eq_ignore_ascii_case(p)) || t.parse::<f64>() == Ok(1.0)
}

fn is_negative_label(label: &str) -> bool {
    let t = label.trim();
    NEGATIVE_TOKENS.iter().any(|p| t.eq_ignore_ascii_case(p)) || t.parse::<f64>() == Ok(0.0)
}

/// Which of two labels is the positive class: the one that reads as
/// positive ("yes", "ja", "1", "pass", …) when exactly one does, else the
/// one that does not read as negative ("no", "nein", "0", …), else the
/// larger (by value for numbers, by text otherwise: "M" over "B").
pub fn positive_of(a: &str, b: &str) -> bool {
    match (is_positive_label(a), is_positive_label(b)) {
        (true, false) => true,
        (false, true) => false,
        _ => match (is_negative_label(a), is_negative_label(b)) {
            (false, true) => true,
            (true, false) => false,
            _ => match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
                (Ok(x), Ok(y)) => x > y,
                _ => a > b,
            },
        },
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{} {word}s", crate::format::number(n as f64, 15))
    }
}

/// The error for the first problem cell of a column.
fn problem_error(col: &Column, p: &super::csv::Problem) -> GradstepError {
    let count = col.problems().iter().filter(|q| q.kind == p.kind).count();
    let (column, row, line, value) = (
        quote(&col.name),
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

impl Dataset {
    /// Takes the columns of `spec` from `table`.
    pub fn build(table: &Table, spec: &DatasetSpec) -> Result<Dataset> {
        let cols = table.columns();
        let n = table.rows();
        let tcol = cols
            .get(spec.target)
            .ok_or(GradstepError::ColumnIndexOutOfRange {
                index: spec.target + 1,
                count: cols.len(),
            })?;
        if n == 1 {
            return Err(GradstepError::OneRow { dropped: 0 });
        }
        // The choice against the column types.
        let mut seen = vec![false; cols.len()];
        for &j in &spec.features {
            let c = cols.get(j).ok_or(GradstepError::ColumnIndexOutOfRange {
                index: j + 1,
                count: cols.len(),
            })?;
            if j == spec.target {
                return Err(GradstepError::TargetInFeatures {
                    column: quote(&c.name),
                });
            }
            if seen[j] {
                return Err(GradstepError::InvalidSetting {
                    name: "features".into(),
                    value: quote(&c.name),
                    reason: format!("column '{}' is listed twice", quote(&c.name)),
                });
            }
            seen[j] = true;
            if (c.kind != ColumnKind::Numeric || c.numeric().is_none()) && !is_two_level_text(c) {
                return Err(GradstepError::TextFeature {
                    column: quote(&c.name),
                    example: c.example(),
                });
            }
        }
        let derived: Vec<Derived> = spec
            .transforms
            .iter()
            .map(|t| t.apply(table))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        if spec.features.is_empty() && derived.is_empty() {
            let target = quote(&tcol.name);
            let reason = if cols.len() == 1 {
                format!("the file has only one column, '{target}', so there is nothing to predict it from: a model needs a target and at least one feature column (if the file has more, its delimiter was not recognized)")
            } else if !super::csv::select::default_features(table, spec.target)
                .0
                .is_empty()
            {
                "no feature is chosen: you unchecked every feature; check at least one".to_string()
            } else {
                format!("there are no numeric feature columns besides the target '{target}'")
            };
            return Err(GradstepError::NoFeatures { target, reason });
        }
        let binary = spec.target_kind == TargetKind::Binary;
        if !binary && (tcol.kind != ColumnKind::Numeric || tcol.numeric().is_none()) {
            return Err(GradstepError::TextTarget {
                column: quote(&tcol.name),
                example: tcol.example(),
            });
        }
        if binary && tcol.kind != ColumnKind::Numeric && tcol.text().is_none() {
            return Err(GradstepError::TargetClasses {
                column: quote(&tcol.name),
                count: if tcol.stats.distinct_upto3 >= 3 {
                    "3 or more".into()
                } else {
                    tcol.stats.distinct_upto3.to_string()
                },
                examples: tcol.example(),
            });
        }

        // Problem cells: the first one (error), or the rows to drop.
        let mut drop = vec![false; n];
        let mut dropped = 0usize;
        let mut warnings = Vec::new();
        let used: Vec<usize> = spec.features.iter().copied().chain([spec.target]).collect();
        let bad: Vec<(usize, Vec<usize>, Option<GradstepError>)> = used
            .iter()
            .map(|&j| {
                let (rows, first) = bad_rows(table, &cols[j]);
                (j, rows, first)
            })
            .collect();
        // Derived columns' unusable cells come from their source columns
        // (or overflow): they count like a feature's.
        let derived_bad: Vec<Vec<usize>> = derived
            .iter()
            .map(|c| {
                c.values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_finite())
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let first = bad
            .iter()
            .filter_map(|(j, rows, e)| rows.first().map(|&r| (r, *j, e.clone())))
            .chain(derived.iter().zip(&derived_bad).filter_map(|(c, rows)| {
                rows.first().map(|&r| {
                    (
                        r,
                        spec.target,
                        Some(GradstepError::InvalidSetting {
                            name: "feature".into(),
                            value: quote(&c.name),
                            reason: format!(
                                "row {} (line {}) has no usable value ({} rows affected); fix the cells, or set Missing values (--missing) to drop those rows or fill them with the column mean",
                                r + 1,
                                table.line_of_row(r),
                                rows.len()
                            ),
                        }),
                    )
                })
            }))
            .min_by_key(|(r, _, _)| *r);
        if let Some((_, _, error)) = first {
            if spec.missing == MissingPolicy::Error {
                if let Some(e) = error {
                    return Err(e);
                }
            }
            // Drop: every bad row. Mean: rows whose target is bad (features
            // are filled below).
            // The first row dropped and the column that dropped it (not the
            // first bad cell: under Mean a feature's cell is filled instead).
            let mut first_dropped: Option<(usize, String)> = None;
            let mut note = |r: usize, name: &str| {
                if first_dropped.as_ref().is_none_or(|(f, _)| r < *f) {
                    first_dropped = Some((r, name.to_owned()));
                }
            };
            for (k, rows, _) in &bad {
                if spec.missing == MissingPolicy::Mean && *k != spec.target {
                    continue;
                }
                for &r in rows {
                    note(r, &cols[*k].name);
                    if !drop[r] {
                        drop[r] = true;
                        dropped += 1;
                    }
                }
            }
            if spec.missing == MissingPolicy::Drop {
                for (c, rows) in derived.iter().zip(&derived_bad) {
                    for &r in rows {
                        note(r, &c.name);
                        if !drop[r] {
                            drop[r] = true;
                            dropped += 1;
                        }
                    }
                }
            }
            if dropped == n {
                return Err(GradstepError::NoRowsLeft { dropped });
            }
            if let Some((row, name)) = first_dropped.filter(|_| dropped > 0) {
                let name = name.as_str();
                warnings.push(if spec.missing == MissingPolicy::Mean {
                    format!(
                        "dropped {} whose target '{}' is missing or unusable: a target is not filled with a mean (first: row {}, line {}); {} left",
                        plural(dropped, "row"),
                        quote(name),
                        row + 1,
                        table.line_of_row(row),
                        plural(n - dropped, "row"),
                    )
                } else {
                    format!(
                        "dropped {} with missing or unusable values (first: row {}, line {}, column '{}'); {} left",
                        plural(dropped, "row"),
                        row + 1,
                        table.line_of_row(row),
                        quote(name),
                        plural(n - dropped, "row"),
                    )
                });
            }
        }
        let kept = n - dropped;
        if kept == 1 {
            return Err(GradstepError::OneRow { dropped });
        }
        let table_rows: Option<Vec<u32>> =
            (dropped > 0).then(|| (0..n).filter(|&i| !drop[i]).map(|i| i as u32).collect());
        let compact = |src: &NumericColumn| -> Arc<NumericColumn> {
            let mut out = NumericColumn::new();
            for (i, v) in src.iter().enumerate() {
                if !drop[i] {
                    out.push(v);
                }
            }
            out.shrink_to_fit();
            Arc::new(out)
        };

        // Features: shared, compacted, or filled with the mean.
        let mut features = Vec::with_capacity(spec.features.len());
        let mut imputed = Vec::new();
        for (fi, &j) in spec.features.iter().enumerate() {
            let c = &cols[j];
            // Numeric, or two text levels read as 0/1 (checked above).
            let coded;
            let (values, bad) = match c.numeric().filter(|_| c.kind == ColumnKind::Numeric) {
                Some(values) => (values, c.problems().iter().filter(|p| !drop[p.row]).count()),
                None => {
                    let Some((values, classes)) = two_levels(c) else {
                        unreachable!("checked above: features are numeric or two-level text");
                    };
                    warnings.push(format!(
                        "feature '{}' is read as 1 for '{}' and 0 for '{}'",
                        quote(&c.name),
                        quote(&classes.positive),
                        quote(&classes.negative)
                    ));
                    coded = Arc::new(values);
                    let bad = coded
                        .iter()
                        .enumerate()
                        .filter(|(i, v)| !drop[*i] && v.is_nan())
                        .count();
                    (&coded, bad)
                }
            };
            if bad == 0 {
                features.push(if dropped == 0 {
                    Arc::clone(values)
                } else {
                    compact(values)
                });
                continue;
            }
            // Mean of the usable cells of the kept rows.
            let (mut sum, mut count) = (Compensated::default(), 0usize);
            for (i, v) in values.iter().enumerate() {
                if !drop[i] && v.is_finite() {
                    sum.add(v);
                    count += 1;
                }
            }
            if count == 0 {
                return Err(GradstepError::InvalidSetting {
                    name: "missing".into(),
                    value: "mean".into(),
                    reason: format!(
                        "feature column '{}' has no usable value to take the mean of",
                        quote(&c.name)
                    ),
                });
            }
            let mean = sum.value() / count as f64;
            let mut out = NumericColumn::new();
            for (i, v) in values.iter().enumerate() {
                if !drop[i] {
                    out.push(if v.is_finite() { v } else { mean });
                }
            }
            out.shrink_to_fit();
            features.push(Arc::new(out));
            imputed.push(Imputed {
                feature: fi,
                cells: bad,
                value: mean,
            });
        }
        let mut names: Vec<String> = spec
            .features
            .iter()
            .map(|&j| cols[j].name.clone())
            .collect();
        for (c, rows) in derived.iter().zip(&derived_bad) {
            let fi = features.len();
            let bad = rows.iter().filter(|&&r| !drop[r]).count();
            let (mut sum, mut count) = (Compensated::default(), 0usize);
            if bad > 0 {
                for (i, v) in c.values.iter().enumerate() {
                    if !drop[i] && v.is_finite() {
                        sum.add(v);
                        count += 1;
                    }
                }
                if count == 0 {
                    return Err(GradstepError::InvalidSetting {
                        name: "missing".into(),
                        value: "mean".into(),
                        reason: format!(
                            "feature '{}' has no usable value to take the mean of",
                            quote(&c.name)
                        ),
                    });
                }
            }
            let mean = if count > 0 {
                sum.value() / count as f64
            } else {
                0.0
            };
            let mut out = NumericColumn::new();
            for (i, v) in c.values.iter().enumerate() {
                if !drop[i] {
                    out.push(if v.is_finite() { v } else { mean });
                }
            }
            out.shrink_to_fit();
            features.push(Arc::new(out));
            if bad > 0 {
                imputed.push(Imputed {
                    feature: fi,
                    cells: bad,
                    value: mean,
                });
            }
            names.push(c.name.clone());
        }
        if !imputed.is_empty() {
            let cells: usize = imputed.iter().map(|i| i.cells).sum();
            let names: Vec<String> = imputed
                .iter()
                .take(5)
                .map(|i| format!("'{}'", quote(&names[i.feature])))
                .collect();
            warnings.push(format!(
                "filled {} with the column mean ({}{})",
                plural(cells, "missing or unusable cell"),
                names.join(", "),
                if imputed.len() > 5 { ", …" } else { "" }
            ));
        }

        // The target.
        let (target, classes) = if binary {
            binary_target(tcol, &drop, kept)?
        } else {
            let values = tcol
                .numeric()
                .expect("checked above: the target is numeric");
            (
                if dropped == 0 {
                    Arc::clone(values)
                } else {
                    compact(values)
                },
                None,
            )
        };

        // Statistics, with a constant or unrepresentable column refused.
        let mut mean = Vec::with_capacity(features.len());
        let mut std = Vec::with_capacity(features.len());
        for (fi, f) in features.iter().enumerate() {
            let name = &names[fi];
            let (m, s) = mean_std(f);
            if s == 0.0 {
                return Err(GradstepError::ConstantColumn {
                    column: quote(name),
                    value: f.iter().next().unwrap_or(0.0),
                });
            }
            if !(m.is_finite() && s.is_finite()) {
                return Err(GradstepError::InvalidSetting {
                    name: "feature".into(),
                    value: quote(name),
                    reason:
                        "its values are too large to take a mean and spread of; rescale the column"
                            .into(),
                });
            }
            mean.push(m);
            std.push(s);
        }
        let (target_mean, target_std) = mean_std(&target);
        let target_sst = target_std * target_std * target.len() as f64;
        let table_row = |r: usize| table_rows.as_ref().map_or(r, |t| t[r] as usize);
        let used: Vec<(&String, &Arc<NumericColumn>)> = names
            .iter()
            .zip(&features)
            .chain([(&tcol.name, &target)])
            .collect();
        let summed = used.iter().find(|(_, values)| totals_row(values));
        if let Some((name, _)) = summed {
            let row = table_row(kept - 1);
            warnings.push(format!(
                "the last row {} (line {}) looks like a totals row: its '{}' is the sum of the rows above; remove it from the file, or it counts as one more example",
                row + 1,
                table.line_of_row(row),
                quote(name)
            ));
        }
        for (name, values) in used {
            if let Some((r, v, typical)) = outlier(values) {
                let row = table_row(r);
                if v.abs() > 1e150 && typical > 1e140 {
                    warnings.push(format!(
                        "column '{}' holds values as large as {} (row {}, line {}): beyond 1e150 their squares overflow, so the loss and L may be undefined; rescale the column",
                        quote(name),
                        crate::format::number(v, 3),
                        row + 1,
                        table.line_of_row(row)
                    ));
                    continue;
                }
                warnings.push(format!(
                    "column '{}' holds {} at row {} (line {}), far beyond its other values (typically {}): check that cell; one such value dominates the scaling and the fit",
                    quote(name),
                    crate::format::number(v, 3),
                    row + 1,
                    table.line_of_row(row),
                    crate::format::number(typical, 3)
                ));
            }
        }

        Ok(Dataset {
            feature_names: names,
            target_name: tcol.name.clone(),
            feature_columns: spec.features.clone(),
            target_column: spec.target,
            target_kind: spec.target_kind,
            features,
            target,
            classes,
            table_rows,
            dropped_rows: dropped,
            imputed,
            warnings,
            mean,
            std,
            target_mean,
            target_sst,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.target.len()
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.features.len()
    }

    /// The table row of dataset row `i` (0-based).
    pub fn table_row(&self, i: usize) -> usize {
        self.table_rows
            .as_ref()
            .and_then(|r| r.get(i).map(|&v| v as usize))
            .unwrap_or(i)
    }
}

/// Rows of a column that cannot be used: its problem cells (numeric), or
/// its missing cells (a text target), with the error for the first one.
fn bad_rows(table: &Table, col: &Column) -> (Vec<usize>, Option<GradstepError>) {
    if col.kind == ColumnKind::Numeric {
        let first = col.problems().first().map(|p| problem_error(col, p));
        return (col.problems().iter().map(|p| p.row).collect(), first);
    }
    let rows: Vec<usize> = match col.text() {
        Some((codes, _)) => codes
            .iter()
            .enumerate()
            .filter(|(_, &c)| c == MISSING_CODE)
            .map(|(row, _)| row)
            .collect(),
        None => Vec::new(),
    };
    let first = rows.first().map(|&row| GradstepError::MissingValue {
        column: quote(&col.name),
        row: row + 1,
        line: table.line_of_row(row),
        value: String::new(),
        count: rows.len(),
    });
    (rows, first)
}

/// The value far outside the rest of its column (a typo like 1e300, an
/// extra zero or two, a unit slip): its index, the value and the mean size
/// of the others. Far means a lone value, over 10 times the next largest
/// and over 50 times the others' mean; or one so large (> 10¹⁵⁰) that its
/// square overflows.
fn outlier(values: &NumericColumn) -> Option<(usize, f64, f64)> {
    let n = values.len();
    if n < 3 {
        return None;
    }
    let (mut big, mut at, mut second) = (0.0f64, 0usize, 0.0f64);
    for (i, v) in values.iter().enumerate() {
        let a = v.abs();
        if a > big {
            (second, big, at) = (big, a, i);
        } else if a > second {
            second = a;
        }
    }
    if big == 0.0 || !big.is_finite() {
        return None;
    }
    let mut others = Compensated::default();
    for (i, v) in values.iter().enumerate() {
        if i != at {
            others.add(v.abs());
        }
    }
    let typical = others.value() / (n - 1) as f64;
    let lone = n >= 5 && second > 0.0 && big > 10.0 * second && big > 50.0 * typical;
    (lone || big > 1e150).then(|| (at, values.get(at), typical))
}

/// Whether the last row is the sum of the ones above (a spreadsheet's
/// totals row), in some column that does not sum to 0.
fn totals_row(values: &NumericColumn) -> bool {
    let n = values.len();
    if n < 4 {
        return false;
    }
    let mut above = Compensated::default();
    for v in values.iter().take(n - 1) {
        above.add(v);
    }
    let (sum, last) = (above.value(), values.get(n - 1));
    // Within 10⁻⁶: a total of rounded cells can be off by a cent or two.
    sum != 0.0 && sum.is_finite() && (last - sum).abs() <= 1e-6 * sum.abs()
}

/// Whether a column is text with exactly two levels, so a 0/1 feature.
pub fn is_two_level_text(col: &Column) -> bool {
    col.kind == ColumnKind::Text && col.text().is_some_and(|(_, levels)| levels.len() == 2)
}

/// Which of exactly two levels a 0/1 feature reads as 1 ([`positive_of`]);
/// None for any other number of levels.
pub fn positive_level(levels: &[String]) -> Option<usize> {
    match levels {
        [a, b] => Some(usize::from(!positive_of(a, b))),
        _ => None,
    }
}

/// A text column with exactly two levels as a 0/1 feature: 1 for the
/// level [`positive_of`] picks ("TRUE", "yes", "ja"), NaN at missing cells;
/// with both labels. None for any other column.
pub fn two_levels(col: &Column) -> Option<(NumericColumn, ClassMapping)> {
    if col.kind != ColumnKind::Text {
        return None;
    }
    let (codes, levels) = col.text()?;
    let positive = positive_level(levels)?;
    let (a, b) = (&levels[0], &levels[1]);
    let positive = positive as u32;
    let mut out = NumericColumn::new();
    for &c in codes {
        out.push(if c == MISSING_CODE {
            f64::NAN
        } else {
            f64::from(u8::from(c == positive))
        });
    }
    out.shrink_to_fit();
    let (pos, neg) = if positive == 0 { (a, b) } else { (b, a) };
    Some((
        out,
        ClassMapping {
            negative: neg.clone(),
            positive: pos.clone(),
        },
    ))
}

/// A binary target mapped to 0/1, with its labels.
fn binary_target(
    col: &Column,
    drop: &[bool],
    kept: usize,
) -> Result<(Arc<NumericColumn>, Option<ClassMapping>)> {
    // Counting stops after 6 distinct values: "more than 5" is all we know.
    let too_many = |count: usize, examples: Vec<String>| GradstepError::TargetClasses {
        column: quote(&col.name),
        count: if count > 5 {
            "more than 5".into()
        } else {
            count.to_string()
        },
        examples: if count > 5 {
            format!("{}, …", examples.join(", "))
        } else {
            examples.join(", ")
        },
    };
    let mut out = NumericColumn::new();
    if let Some(values) = col.numeric().filter(|_| col.kind == ColumnKind::Numeric) {
        let mut distinct: Vec<f64> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if drop[i] || !v.is_finite() {
                continue;
            }
            if !distinct.iter().any(|d| d.to_bits() == (v + 0.0).to_bits()) {
                distinct.push(v + 0.0);
                if distinct.len() > 5 {
                    break;
                }
            }
        }
        crate::order::sort_small_by(&mut distinct, f64::total_cmp);
        let labels: Vec<String> = distinct.iter().map(|v| crate::format::exact(*v)).collect();
        if distinct.len() != 2 {
            let shown = labels.iter().take(5).cloned().collect();
            return Err(too_many(distinct.len(), shown));
        }
        let (lo, hi) = (distinct[0], distinct[1]);
        let hi_positive = positive_of(&labels[1], &labels[0]);
        let positive = if hi_positive { hi } else { lo };
        for (i, v) in values.iter().enumerate() {
            if !drop[i] {
                out.push(f64::from(u8::from(v == positive)));
            }
        }
        let (neg, pos) = if hi_positive {
            (labels[0].clone(), labels[1].clone())
        } else {
            (labels[1].clone(), labels[0].clone())
        };
        out.shrink_to_fit();
        debug_assert_eq!(out.len(), kept);
        return Ok((
            Arc::new(out),
            Some(ClassMapping {
                negative: neg,
                positive: pos,
            }),
        ));
    }
    let Some((codes, levels)) = col.text() else {
        return Err(too_many(col.stats.distinct_upto3, vec![col.example()]));
    };
    let mut order: Vec<u32> = Vec::new();
    for (i, &c) in codes.iter().enumerate() {
        if drop[i] || c == MISSING_CODE {
            continue;
        }
        if !order.contains(&c) {
            order.push(c);
            if order.len() > 5 {
                break;
            }
        }
    }
    if order.len() != 2 {
        let mut examples: Vec<String> = order
            .iter()
            .take(5)
            .map(|&c| quote(&levels[c as usize]))
            .collect();
        crate::order::sort_small_by(&mut examples, Ord::cmp);
        // Levels count every row, also the dropped ones: only a bound.
        let count = if order.len() > 5 {
            levels.len().max(6)
        } else {
            order.len()
        };
        return Err(too_many(count, examples));
    }
    let (a, b) = (order[0], order[1]);
    let (la, lb) = (&levels[a as usize], &levels[b as usize]);
    let pos = if positive_of(la, lb) { a } else { b };
    let neg = if pos == a { b } else { a };
    for (i, &c) in codes.iter().enumerate() {
        if !drop[i] {
            out.push(f64::from(u8::from(c == pos)));
        }
    }
    out.shrink_to_fit();
    Ok((
        Arc::new(out),
        Some(ClassMapping {
            negative: levels[neg as usize].clone(),
            positive: levels[pos as usize].clone(),
        }),
    ))
}

/// Kahan–Babuška summation: the mean of a million values to full precision.
#[derive(Debug, Clone, Copy, Default)]
struct Compensated {
    sum: f64,
    c: f64,
}

impl Compensated {
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.c += (self.sum - t) + v;
        } else {
            self.c += (v - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.c
    }
}

/// Mean and population standard deviation, computed on values divided by
/// the largest |value| so that nothing overflows even near 1e308.
pub fn mean_std(col: &NumericColumn) -> (f64, f64) {
    let n = col.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let big = col.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 {
        return (0.0, 0.0);
    }
    if !big.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let mut s = Compensated::default();
    for v in col.iter() {
        s.add(v / big);
    }
    let mean_scaled = s.value() / n as f64;
    let mut q = Compensated::default();
    for v in col.iter() {
        let d = v / big - mean_scaled;
        q.add(d * d);
    }
    let var_scaled = q.value() / n as f64;
    (mean_scaled * big, var_scaled.sqrt() * big)
}
