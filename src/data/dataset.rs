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
    ///
    /// The same as a [`DatasetBuilder`] run to its end in one call.
    pub fn from_table(table: &Table, spec: &DatasetSpec) -> Result<Dataset> {
        let mut builder = DatasetBuilder::new(table, spec)?;
        while !builder.is_done() {
            builder.step(table, usize::MAX)?;
        }
        builder.finish()
    }

    /// Convenience: parse + from_table.
    pub fn from_csv(text: &str, spec: &DatasetSpec) -> Result<Dataset> {
        Self::from_table(&Table::parse(text)?, spec)
    }
}

/// Builds a [`Dataset`] from a [`Table`] a slice of rows at a time, so that a
/// caller that must stay responsive (the browser on a million rows) can
/// spread the work over many short calls.
///
/// [`new`](Self::new) resolves the columns and checks the choice (cheap);
/// each [`step`](Self::step) gathers up to `max_rows` rows into the row-major
/// feature matrix, tracking constant columns and target values, and fails on
/// row data (problem cells, constant columns, not two classes) with the
/// errors of [`Dataset::from_table`], which is this builder run in one go.
/// Pass the same table to every call.
///
/// ```
/// use gradstep::data::dataset::{DatasetBuilder, DatasetSpec};
/// use gradstep::data::{Dataset, Table};
///
/// let table = Table::parse("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n")?;
/// let spec = DatasetSpec::default();
/// let mut builder = DatasetBuilder::new(&table, &spec)?;
/// while !builder.is_done() {
///     builder.step(&table, 2)?;
/// }
/// let sliced = builder.finish()?;
/// assert_eq!(sliced.target, Dataset::from_table(&table, &spec)?.target);
/// # Ok::<(), gradstep::GradstepError>(())
/// ```
#[derive(Debug)]
pub struct DatasetBuilder {
    target_idx: usize,
    features: Vec<usize>,
    model: ModelKind,
    drop_missing: bool,
    warnings: Vec<String>,
    /// Rows and columns of the table, to catch a different table.
    shape: (usize, usize),
    stage: Stage,
    /// Rows to keep (`None`: all).
    keep: Option<Vec<bool>>,
    dropped: usize,
    /// Next table row to gather, or next target value to map.
    cursor: usize,
    /// Work done so far (table rows gathered + target values mapped).
    work: usize,
    data: Vec<f64>,
    target: Vec<f64>,
    /// Each feature's value in the first kept row, and whether any other
    /// row differs from it.
    first_values: Vec<f64>,
    varies: Vec<bool>,
    values: TargetValues,
    classes: Option<ClassMapping>,
    /// The target value (number or text code) that maps to 1.
    positive: f64,
    feature_names: Vec<String>,
    target_name: String,
}

#[derive(Debug)]
enum Stage {
    /// Problem cells not looked at yet.
    Problems,
    /// Gathering rows.
    Gather,
    /// Logistic: mapping the gathered target values to 0/1.
    MapClasses,
    Done,
    Failed(GradstepError),
}

/// What is tracked about the target values while gathering.
#[derive(Debug)]
enum TargetValues {
    /// Numbers: distinct values (counting stops at `cap`) and the first
    /// five of them.
    Numbers {
        cap: usize,
        seen: DistinctBits,
        examples: Vec<f64>,
    },
    /// Text codes in order of first appearance.
    Codes { seen: Vec<bool>, order: Vec<u32> },
}

/// A set of f64 bit patterns, a short list while small (two-valued targets
/// are the common case) and a hash set beyond.
#[derive(Debug, Default)]
struct DistinctBits {
    small: Vec<u64>,
    big: Option<HashSet<u64>>,
}

impl DistinctBits {
    const SMALL: usize = 8;

    fn insert(&mut self, bits: u64) -> bool {
        if let Some(big) = &mut self.big {
            return big.insert(bits);
        }
        if self.small.contains(&bits) {
            return false;
        }
        self.small.push(bits);
        if self.small.len() > Self::SMALL {
            self.big = Some(self.small.drain(..).collect());
        }
        true
    }

    fn len(&self) -> usize {
        self.big.as_ref().map_or(self.small.len(), HashSet::len)
    }
}

impl DatasetBuilder {
    /// Resolves target and features and checks the choice against the column
    /// types: unknown columns, the target among the features, a feature
    /// listed twice, text features, no features, a text target for linear
    /// regression. Looks at no row.
    pub fn new(table: &Table, spec: &DatasetSpec) -> Result<Self> {
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
        let values = match (spec.model, target_col.text()) {
            (ModelKind::Logistic, Some((_, levels))) => TargetValues::Codes {
                seen: vec![false; levels.len()],
                order: Vec::new(),
            },
            (model, _) => TargetValues::Numbers {
                // Linear only needs to know whether there are two values.
                cap: if model == ModelKind::Linear {
                    3
                } else {
                    usize::MAX
                },
                seen: DistinctBits::default(),
                examples: Vec::new(),
            },
        };
        let d = features.len();
        Ok(Self {
            target_idx,
            model: spec.model,
            drop_missing: spec.drop_missing,
            warnings,
            shape: (table.rows(), cols.len()),
            stage: Stage::Problems,
            keep: None,
            dropped: 0,
            cursor: 0,
            work: 0,
            data: Vec::new(),
            target: Vec::new(),
            first_values: Vec::with_capacity(d),
            varies: vec![false; d],
            features,
            values,
            classes: None,
            positive: f64::NAN,
            feature_names: Vec::new(),
            target_name: String::new(),
        })
    }

    /// Does up to `max_rows` rows of work; returns how many it did. Fails on
    /// the row data like [`Dataset::from_table`]; after an error every call
    /// fails with it.
    pub fn step(&mut self, table: &Table, max_rows: usize) -> Result<usize> {
        if let Stage::Failed(e) = &self.stage {
            return Err(e.clone());
        }
        if (table.rows(), table.columns().len()) != self.shape {
            return Err(GradstepError::InvalidSetting {
                name: "table".into(),
                value: format!("{} rows × {} columns", table.rows(), table.columns().len()),
                reason: "the dataset is being built from another table".into(),
            });
        }
        match self.advance(table, max_rows) {
            Ok(done) => Ok(done),
            Err(e) => {
                self.stage = Stage::Failed(e.clone());
                Err(e)
            }
        }
    }

    /// Whether every row is gathered (and checked).
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done)
    }

    /// Work done and the total, in rows (the total is an estimate until
    /// problem cells have been looked at).
    pub fn progress(&self) -> (usize, usize) {
        let kept = self.shape.0 - self.dropped;
        let map = if self.model == ModelKind::Logistic {
            kept
        } else {
            0
        };
        (self.work, self.shape.0 + map)
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.features.len()
    }

    /// Rows that will be in the dataset (known after the first step).
    pub fn kept_rows(&self) -> usize {
        self.shape.0 - self.dropped
    }

    /// The dataset; fails when not [done](Self::is_done).
    pub fn finish(self) -> Result<Dataset> {
        match self.stage {
            Stage::Done => {}
            Stage::Failed(e) => return Err(e),
            _ => {
                return Err(GradstepError::InvalidSetting {
                    name: "dataset".into(),
                    value: format!("{} of {} rows", self.progress().0, self.progress().1),
                    reason: "it is not built yet: call step until is_done".into(),
                })
            }
        }
        let (n, d) = (self.target.len(), self.features.len());
        let features =
            Matrix::from_row_major(n, d, self.data).expect("data has rows × features entries");
        Ok(Dataset {
            features,
            target: self.target,
            feature_names: self.feature_names,
            target_name: self.target_name,
            model: self.model,
            classes: self.classes,
            dropped_rows: self.dropped,
            warnings: self.warnings,
        })
    }

    fn advance(&mut self, table: &Table, max_rows: usize) -> Result<usize> {
        let mut budget = max_rows.max(1);
        let start = self.work;
        loop {
            match self.stage {
                Stage::Problems => self.problems(table)?,
                Stage::Gather if budget > 0 => {
                    let used = self.gather(table, budget)?;
                    budget -= used;
                }
                Stage::MapClasses if budget > 0 => budget -= self.map_classes(budget),
                _ => break,
            }
        }
        Ok(self.work - start)
    }

    /// Problem cells in the used columns: the earliest one is reported (or
    /// the rows with one are dropped).
    fn problems(&mut self, table: &Table) -> Result<()> {
        let cols = table.columns();
        let used: Vec<usize> = self
            .features
            .iter()
            .copied()
            .chain([self.target_idx])
            .collect();
        let first = used
            .iter()
            .filter_map(|&j| cols[j].problems().first().map(|p| (j, *p)))
            .min_by_key(|(_, p)| p.row);
        let n = table.rows();
        if let Some((j, p)) = first {
            if !self.drop_missing {
                return Err(problem_error(&cols[j], &p));
            }
            let mut keep = vec![true; n];
            let mut dropped = 0;
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
            self.warnings.push(format!(
                "dropped {} with {} values (first: row {}, line {}, column '{}'); {} left",
                plural(dropped, "row"),
                what.join(" or "),
                p.row + 1,
                p.line,
                cols[j].name,
                plural(n - dropped, "row"),
            ));
            self.keep = Some(keep);
            self.dropped = dropped;
        }
        let kept = n - self.dropped;
        self.data = Vec::with_capacity(kept * self.features.len());
        self.target = Vec::with_capacity(kept);
        self.stage = Stage::Gather;
        Ok(())
    }

    /// Gathers up to `budget` table rows; returns how many it visited.
    fn gather(&mut self, table: &Table, budget: usize) -> Result<usize> {
        let cols = table.columns();
        let n = table.rows();
        let (from, to) = (self.cursor, self.cursor.saturating_add(budget).min(n));
        let d = self.features.len();
        let slices: Vec<&[f64]> = self
            .features
            .iter()
            .map(|&j| cols[j].numeric().unwrap_or(&[]))
            .collect();
        let target_col = &cols[self.target_idx];
        let codes = target_col.text().map(|(codes, _)| codes);
        let numbers = target_col.numeric().unwrap_or(&[]);
        let base = self.target.len();
        for r in from..to {
            if self.keep.as_ref().is_some_and(|keep| !keep[r]) {
                continue;
            }
            self.data.extend(slices.iter().map(|v| v[r]));
            self.target.push(match (self.model, codes) {
                (ModelKind::Logistic, Some(codes)) => f64::from(codes[r]),
                _ => numbers[r],
            });
        }
        // Constant columns: compare with each feature's first kept value.
        if self.first_values.is_empty() && self.target.len() > base {
            self.first_values
                .extend_from_slice(&self.data[base * d..(base + 1) * d]);
        }
        let fresh = &self.data[base * d..];
        for (k, varies) in self.varies.iter_mut().enumerate() {
            if !*varies {
                let v0 = self.first_values[k];
                *varies = fresh.chunks_exact(d).any(|row| !(row[k] == v0));
            }
        }
        self.track_target(base);
        self.cursor = to;
        self.work += to - from;
        if to == n {
            self.end_gather(table)?;
        }
        Ok(to - from)
    }

    /// Records the distinct target values of the rows gathered from `base`.
    fn track_target(&mut self, base: usize) {
        match &mut self.values {
            TargetValues::Numbers {
                cap,
                seen,
                examples,
            } => {
                for &v in &self.target[base..] {
                    if seen.len() >= *cap {
                        break;
                    }
                    if seen.insert((v + 0.0).to_bits()) && examples.len() < 5 {
                        examples.push(v);
                    }
                }
            }
            TargetValues::Codes { seen, order } => {
                for &v in &self.target[base..] {
                    let c = v as u32;
                    if !Column::is_missing_code(c) && !seen[c as usize] {
                        seen[c as usize] = true;
                        order.push(c);
                    }
                }
            }
        }
    }

    /// After the last row: the target's classes (or the two-values hint),
    /// then constant columns.
    fn end_gather(&mut self, table: &Table) -> Result<()> {
        let cols = table.columns();
        let target_col = &cols[self.target_idx];
        let too_many = |count: usize, examples: Vec<String>| GradstepError::TargetClasses {
            column: target_col.name.clone(),
            count,
            examples: examples.join(", "),
        };
        match &self.values {
            TargetValues::Numbers { seen, examples, .. } => {
                let count = seen.len();
                let mut sorted = examples.clone();
                sorted.sort_by(f64::total_cmp);
                let examples: Vec<String> = sorted.into_iter().map(format_number).collect();
                match self.model {
                    ModelKind::Linear => {
                        if count == 2 {
                            self.warnings.push(format!(
                                "target '{}' has only two values ({}); logistic regression may fit better",
                                target_col.name,
                                examples.join(", ")
                            ));
                        }
                    }
                    ModelKind::Logistic => {
                        if count != 2 {
                            return Err(too_many(count, examples));
                        }
                        // `examples` is sorted: [smaller, larger].
                        let (lo, hi) = (examples[0].clone(), examples[1].clone());
                        let positive_is_lo = is_positive_label(&lo) && !is_positive_label(&hi);
                        let (negative, positive) = if positive_is_lo { (hi, lo) } else { (lo, hi) };
                        self.positive = positive.parse().expect("formatted number parses");
                        self.classes = Some(ClassMapping { negative, positive });
                    }
                }
            }
            TargetValues::Codes { order, .. } => {
                let (_, levels) = target_col.text().expect("a text target has levels");
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
                self.positive = f64::from(pos_code);
                self.classes = Some(ClassMapping {
                    negative: levels[neg_code as usize].clone(),
                    positive: levels[pos_code as usize].clone(),
                });
            }
        }
        if self.first_values.is_empty() {
            return Err(GradstepError::NoRowsLeft {
                dropped: self.dropped,
            });
        }
        if let Some(k) = self.varies.iter().position(|v| !v) {
            return Err(GradstepError::ConstantColumn {
                column: cols[self.features[k]].name.clone(),
                value: self.first_values[k],
            });
        }
        self.feature_names = self
            .features
            .iter()
            .map(|&j| cols[j].name.clone())
            .collect();
        self.target_name = target_col.name.clone();
        self.cursor = 0;
        self.stage = match self.model {
            ModelKind::Linear => Stage::Done,
            ModelKind::Logistic => Stage::MapClasses,
        };
        Ok(())
    }

    /// Maps up to `budget` gathered target values to 0/1; returns how many.
    fn map_classes(&mut self, budget: usize) -> usize {
        let (from, to) = (
            self.cursor,
            self.cursor.saturating_add(budget).min(self.target.len()),
        );
        let positive = self.positive;
        for t in &mut self.target[from..to] {
            *t = f64::from(u8::from(*t == positive));
        }
        self.cursor = to;
        self.work += to - from;
        if to == self.target.len() {
            self.stage = Stage::Done;
        }
        to - from
    }
}
