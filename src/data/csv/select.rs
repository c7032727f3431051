//! The default target and features, one rule for the command line and the
//! page alike.

use serde::Serialize;

use super::{Column, ColumnKind, Table};
use crate::limits::quote;
use crate::{GradstepError, Result};

/// Names that say "this is what to predict" (compared case-insensitively,
/// whole name after trimming).
pub const LABEL_NAMES: &[&str] = &[
    "target",
    "label",
    "labels",
    "class",
    "y",
    "outcome",
    "diagnosis",
    "result",
    "response",
    "survived",
    "churn",
    "churned",
    "default",
    "species",
    "status",
    "exited",
    "fraud",
    "spam",
];

/// What gradstep picks when the person has not chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefaultChoice {
    /// The target column.
    pub target: usize,
    /// The target has exactly two distinct values (so logistic regression is
    /// the default model).
    pub two_valued: bool,
    /// Feature columns, in file order.
    pub features: Vec<usize>,
    /// Columns left out of the features, each with a reason a person can read.
    pub excluded: Vec<Excluded>,
}

/// A column that is not a feature, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    /// The column.
    pub column: usize,
    /// Why, as a code.
    pub reason: ExcludedReason,
    /// Why, in words.
    pub message: String,
}

/// Why a column is not a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcludedReason {
    /// It is the target.
    Target,
    /// It numbers the rows (by its name, or its values run 1, 2, 3, …).
    RowId,
    /// It holds dates.
    Date,
    /// It holds text (or numbers whose formats disagree).
    Text,
    /// It has one value.
    Constant,
    /// Every cell is missing.
    AllMissing,
}

/// Names of the quantities people most often predict: a numeric column
/// named so is the default target before "the last numeric column".
pub const OUTCOME_NAMES: &[&str] = &[
    "price",
    "saleprice",
    "sale_price",
    "charges",
    "cost",
    "costs",
    "sales",
    "revenue",
    "salary",
    "income",
    "wage",
    "wages",
    "earnings",
    "profit",
    "medv",
    "rent",
    "demand",
    "quality",
    "score",
    "rating",
    "grade",
    "amount",
    "yield",
];

/// Names of columns that are almost never what is predicted (places and
/// codes): the last numeric column is taken only from the others.
const NOT_OUTCOME_NAMES: &[&str] = &[
    "lat",
    "latitude",
    "lon",
    "lng",
    "long",
    "longitude",
    "zip",
    "zipcode",
    "zip_code",
    "postcode",
    "postal_code",
    "fips",
];

fn is_outcome_name(name: &str) -> bool {
    let t = name.trim();
    OUTCOME_NAMES.iter().any(|l| t.eq_ignore_ascii_case(l))
}

fn is_not_outcome_name(name: &str) -> bool {
    let t = name.trim();
    NOT_OUTCOME_NAMES.iter().any(|l| t.eq_ignore_ascii_case(l))
}

fn is_label_name(name: &str) -> bool {
    let t = name.trim();
    LABEL_NAMES.iter().any(|l| t.eq_ignore_ascii_case(l))
}

fn id_by_name(name: &str) -> bool {
    let t = name.trim();
    t.eq_ignore_ascii_case("id")
        || t.eq_ignore_ascii_case("index")
        || t.to_ascii_lowercase().ends_with("_id")
        || (t.len() > 2 && (t.ends_with("ID") || t.ends_with("Id")))
}

/// A number as short as it can be written: 1 → "1", 2.5 → "2.5".
fn short(x: f64) -> String {
    format!("{}", x + 0.0)
}

/// Why a numeric column is a row ID, when it is one.
fn row_id_message(c: &Column) -> Option<String> {
    if c.kind != ColumnKind::Numeric || !c.stats.all_integer {
        return None;
    }
    let name = quote(&c.name);
    let first = c
        .numeric()
        .and_then(|v| v.iter().next())
        .unwrap_or(f64::NAN);
    // A row number runs 0, 1, 2, … or 1, 2, 3, …; years 2000, 2001, … and
    // weeks 5, 6, 7, … are quantities.
    if let Some(step) = c
        .stats
        .constant_step
        .filter(|s| *s == 1.0 && (first == 0.0 || first == 1.0))
    {
        return Some(format!(
            "'{name}' looks like a row ID (its values run {}, {}, {}, … in row order), so it is not a feature",
            short(first),
            short(first + step),
            short(first + 2.0 * step)
        ));
    }
    id_by_name(&c.name)
        .then(|| format!("'{name}' looks like a row ID (by its name), so it is not a feature"))
}

/// Whether a column can be the target: numeric with two or more values,
/// or text with exactly two.
fn can_be_target(c: &Column) -> bool {
    match c.kind {
        ColumnKind::Numeric => c.stats.distinct_upto3 >= 2,
        ColumnKind::Text => c.stats.distinct_upto3 == 2 && c.text().is_some(),
        ColumnKind::Date => false,
    }
}

/// Features for an explicit target (the page's target select): every
/// usable numeric column but the target and row IDs, with the reasons.
/// When that leaves nothing, the columns that only look like row IDs by
/// their values (hours 2, 4, 6, … in a small sorted table) are used after all.
pub fn default_features(table: &Table, target: usize) -> (Vec<usize>, Vec<Excluded>) {
    let (features, excluded) = default_features_strict(table, target);
    if !features.is_empty() {
        return (features, excluded);
    }
    let by_values: Vec<usize> = excluded
        .iter()
        .filter(|e| e.reason == ExcludedReason::RowId && !id_by_name(&table.column(e.column).name))
        .map(|e| e.column)
        .collect();
    if by_values.is_empty() {
        return (features, excluded);
    }
    let excluded = excluded
        .into_iter()
        .filter(|e| !by_values.contains(&e.column))
        .collect();
    (by_values, excluded)
}

fn default_features_strict(table: &Table, target: usize) -> (Vec<usize>, Vec<Excluded>) {
    let mut features = Vec::new();
    let mut excluded = Vec::new();
    for (j, c) in table.columns().iter().enumerate() {
        let name = quote(&c.name);
        let mut out = |reason, message: String| {
            excluded.push(Excluded {
                column: j,
                reason,
                message,
            })
        };
        if j == target {
            out(ExcludedReason::Target, format!("'{name}' is the target"));
            continue;
        }
        if c.stats.non_missing == 0 {
            out(
                ExcludedReason::AllMissing,
                format!("'{name}' has no values (every cell is missing), so it is not a feature"),
            );
            continue;
        }
        match c.kind {
            ColumnKind::Date => {
                let why = c.text_reason.clone().unwrap_or_default();
                out(
                    ExcludedReason::Date,
                    format!("'{name}' is not a feature: {why}"),
                );
            }
            ColumnKind::Text if crate::data::dataset::is_two_level_text(c) => features.push(j),
            ColumnKind::Text if crate::data::transform::can_one_hot(c) => {
                let levels = c.text().map_or(&[][..], |(_, l)| l);
                out(
                    ExcludedReason::Text,
                    format!(
                        "'{name}' is text with {} values: choose it as a feature to use it one-hot ({} columns of 0/1, '{}' as the reference)",
                        levels.len(),
                        levels.len() - 1,
                        quote(levels.first().map_or("", String::as_str))
                    ),
                );
            }
            ColumnKind::Text => {
                let why = c.text_reason.clone().unwrap_or_default();
                out(
                    ExcludedReason::Text,
                    format!("'{name}' is not a feature: {why}"),
                );
            }
            ColumnKind::Numeric => {
                if c.stats.distinct_upto3 <= 1 {
                    out(
                        ExcludedReason::Constant,
                        format!(
                            "'{name}' is constant (every value is {}), so it is not a feature",
                            c.example()
                        ),
                    );
                } else if let Some(m) = row_id_message(c) {
                    out(ExcludedReason::RowId, m);
                } else {
                    features.push(j);
                }
            }
        }
    }
    (features, excluded)
}

/// What gradstep picks when the person has not chosen: a label-named
/// column (the last one), else the only two-valued column (or a two-word
/// one in the last place), else a numeric column named like an outcome
/// (price, charges, sales, …), else the last numeric column that is not a
/// row ID nor a place or code (lat, zipcode); then [`default_features`].
pub fn default_choice(table: &Table) -> Result<DefaultChoice> {
    if table.rows() == 1 {
        return Err(crate::GradstepError::OneRow { dropped: 0 });
    }
    let cols = table.columns();
    let labelled = cols
        .iter()
        .rposition(|c| is_label_name(&c.name) && can_be_target(c));
    let two_valued: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stats.distinct_upto3 == 2 && can_be_target(c))
        .map(|(j, _)| j)
        .collect();
    // The only two-valued column is the target when it is text (M/B,
    // passed yes/no) or sits where targets sit (the first or the last
    // column that is not a row ID): a 0/1 column in the middle of numbers
    // (diabetes' sex) is usually a feature.
    let edges: Vec<usize> = {
        let usable: Vec<usize> = (0..cols.len())
            .filter(|&j| row_id_message(&cols[j]).is_none())
            .collect();
        usable
            .first()
            .into_iter()
            .chain(usable.last())
            .copied()
            .collect()
    };
    let only_two_valued = (two_valued.len() == 1)
        .then(|| two_valued[0])
        .filter(|&j| cols[j].kind == ColumnKind::Text || edges.contains(&j));
    // Among several two-valued columns, a text one in the last place is the
    // label (smoker, sex, …, passed); elsewhere they are features.
    let last_text = two_valued
        .last()
        .copied()
        .filter(|&j| cols[j].kind == ColumnKind::Text && edges.last() == Some(&j));
    let numeric_target = |c: &Column| {
        c.kind == ColumnKind::Numeric && can_be_target(c) && row_id_message(c).is_none()
    };
    let outcome = cols
        .iter()
        .rposition(|c| numeric_target(c) && is_outcome_name(&c.name));
    let target = labelled
        .or(only_two_valued)
        .or(last_text)
        .or(outcome)
        .or_else(|| {
            cols.iter()
                .rposition(|c| numeric_target(c) && !is_not_outcome_name(&c.name))
        })
        .or_else(|| cols.iter().rposition(numeric_target))
        // No numeric column at all: a two-word column wherever it is.
        .or_else(|| two_valued.last().copied());
    let Some(target) = target else {
        let columns = crate::limits::listed(cols.iter().map(|c| {
            let why = if row_id_message(c).is_some() {
                ", looks like a row ID"
            } else if c.kind == ColumnKind::Numeric && c.stats.distinct_upto3 < 2 {
                ", constant"
            } else {
                ""
            };
            format!("'{}' ({}{why})", quote(&c.name), c.describe())
        }));
        return Err(GradstepError::NoTarget { columns });
    };
    let (features, excluded) = default_features(table, target);
    Ok(DefaultChoice {
        target,
        two_valued: cols
            .get(target)
            .is_some_and(|c| c.stats.distinct_upto3 == 2),
        features,
        excluded,
    })
}
