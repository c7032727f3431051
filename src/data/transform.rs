//! The feature-transform stage: between the table's columns and the model's
//! features, a transform makes new feature columns from chosen columns
//! (powers of a number for polynomial features, the levels of a text column
//! as 0/1 columns). Standardization is not one of them: it is the affine
//! map the design applies on the fly (`model::Design`), so it costs no copy.

use serde::{Deserialize, Serialize};

use super::column::NumericColumn;
use super::csv::{ColumnKind, Table, MISSING_CODE};
use crate::limits::quote;
use crate::{GradstepError, Result};

/// Most 0/1 columns a one-hot transform makes.
pub const MAX_ONE_HOT_LEVELS: usize = 50;

/// Whether a text column can be one-hot encoded as a feature: three to
/// `MAX_ONE_HOT_LEVELS + 1` levels (two levels are one 0/1 feature).
pub fn can_one_hot(c: &super::csv::Column) -> bool {
    c.kind == ColumnKind::Text
        && c.text()
            .is_some_and(|(_, levels)| (3..=MAX_ONE_HOT_LEVELS + 1).contains(&levels.len()))
}

/// A transform, as settings name it (columns by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureTransform {
    /// x², …, x^degree of a numeric column (x itself stays a feature when
    /// chosen): polynomial features, so a line can bend.
    Powers {
        /// The column.
        column: String,
        /// The highest power, 2 to 6.
        degree: u32,
    },
    /// One 0/1 column per level of a text column but the first (so the
    /// columns and the bias are not collinear).
    OneHot {
        /// The column.
        column: String,
    },
}

/// A feature column made by a transform.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Its name: `x^2`, `color=red`.
    pub name: String,
    /// Its values, one per table row (NaN where the source cell is unusable).
    pub values: NumericColumn,
}

impl FeatureTransform {
    /// The columns this transform makes from `table`.
    pub fn apply(&self, table: &Table) -> Result<Vec<Derived>> {
        match self {
            Self::Powers { column, degree } => {
                if !(2..=6).contains(degree) {
                    return Err(GradstepError::InvalidSetting {
                        name: "powers".into(),
                        value: degree.to_string(),
                        reason: "the degree must be 2 to 6".into(),
                    });
                }
                let j = table.resolve(&super::ColumnRef::Name(column.clone()))?;
                let c = table.column(j);
                let Some(values) = c.numeric().filter(|_| c.kind == ColumnKind::Numeric) else {
                    return Err(GradstepError::TextFeature {
                        column: quote(&c.name),
                        example: c.example(),
                    });
                };
                Ok((2..=*degree)
                    .map(|k| {
                        let mut out = NumericColumn::new();
                        for v in values.iter() {
                            out.push(crate::det::pow_u64(v, u64::from(k)));
                        }
                        Derived {
                            name: format!("{}^{k}", c.name),
                            values: out,
                        }
                    })
                    .collect())
            }
            Self::OneHot { column } => {
                let j = table.resolve(&super::ColumnRef::Name(column.clone()))?;
                let c = table.column(j);
                let Some((codes, levels)) = c.text() else {
                    return Err(GradstepError::InvalidSetting {
                        name: "one-hot".into(),
                        value: quote(&c.name),
                        reason: "only a text column with a list of values can be one-hot encoded"
                            .into(),
                    });
                };
                if levels.len() > MAX_ONE_HOT_LEVELS + 1 {
                    return Err(GradstepError::InvalidSetting {
                        name: "one-hot".into(),
                        value: quote(&c.name),
                        reason: format!(
                            "it has {} values, more than the {} a one-hot encoding may make",
                            levels.len(),
                            MAX_ONE_HOT_LEVELS + 1
                        ),
                    });
                }
                Ok((1..levels.len())
                    .map(|level| {
                        let mut out = NumericColumn::new();
                        for &code in codes {
                            out.push(if code == MISSING_CODE {
                                f64::NAN
                            } else {
                                f64::from(u8::from(code as usize == level))
                            });
                        }
                        Derived {
                            name: format!("{}={}", c.name, levels[level]),
                            values: out,
                        }
                    })
                    .collect())
            }
        }
    }
}
