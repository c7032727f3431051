//! The one error type of gradstep. Every message names what is wrong and where,
//! so that a person can fix their file or their settings without a debugger.

use thiserror::Error;

/// Everything that can go wrong between a CSV file and a trained model.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GradstepError {
    /// The input has no bytes, or only blank lines.
    #[error("the file is empty: it has no header and no data rows")]
    EmptyFile,

    /// The input has a header row and nothing else.
    #[error("the file has a header row ({columns}) but no data rows")]
    HeaderOnly {
        /// The header, joined with commas.
        columns: String,
    },

    /// The CSV reader itself failed (bad UTF-8, unterminated quote...).
    #[error("could not read the CSV at line {line}: {reason}")]
    Malformed {
        /// 1-based line in the file.
        line: u64,
        /// What the reader reported.
        reason: String,
    },

    /// A row has a different number of fields than the header (or first row).
    #[error("row {row} (line {line}) has {found} fields but the header has {expected}")]
    RaggedRow {
        /// 1-based data row.
        row: usize,
        /// 1-based line in the file.
        line: u64,
        /// Fields in the first row.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },

    /// A numeric column has cells that are not numbers.
    #[error("column '{column}' is numeric but row {row} (line {line}) holds the text '{value}' ({}); fix the cells, or set Missing values (--missing) to drop those rows or fill them with the column mean", rows_affected(*count))]
    TextInNumeric {
        /// Column name.
        column: String,
        /// First offending 1-based data row.
        row: usize,
        /// Line of that row in the file.
        line: u64,
        /// The offending cell.
        value: String,
        /// How many rows of this column are affected.
        count: usize,
    },

    /// A column used by the model has empty or NA-like cells.
    #[error("column '{column}' has a missing value{} at row {row} (line {line}) ({}); fill them in, or set Missing values (--missing) to drop those rows or fill them with the column mean", if value.is_empty() { String::new() } else { format!(" ('{value}')") }, rows_affected(*count))]
    MissingValue {
        /// Column name.
        column: String,
        /// First offending 1-based data row.
        row: usize,
        /// Line of that row in the file.
        line: u64,
        /// The cell as written (may be empty).
        value: String,
        /// How many rows of this column are affected.
        count: usize,
    },

    /// A cell parses as a number but is infinite.
    #[error("column '{column}' has the non-finite value '{value}' at row {row} (line {line}) ({}); fix the cells, or set Missing values (--missing) to drop those rows or fill them with the column mean", rows_affected(*count))]
    NonFinite {
        /// Column name.
        column: String,
        /// First offending 1-based data row.
        row: usize,
        /// Line of that row in the file.
        line: u64,
        /// The cell as written.
        value: String,
        /// How many rows of this column are affected.
        count: usize,
    },

    /// A single row to learn from.
    #[error("there is only one data row{}: a model needs at least two rows to learn from", if *dropped > 0 { format!(" left after dropping {dropped}") } else { String::new() })]
    OneRow {
        /// Rows dropped for missing values.
        dropped: usize,
    },

    /// Dropping rows with missing values left nothing to train on.
    #[error("no rows are left after dropping {dropped} row(s) with missing or non-numeric values")]
    NoRowsLeft {
        /// Rows dropped.
        dropped: usize,
    },

    /// A feature column has a single value, so it carries no information.
    #[error(
        "feature column '{column}' is constant (every row is {value}); remove it from the features"
    )]
    ConstantColumn {
        /// Column name.
        column: String,
        /// Its one value.
        value: f64,
    },

    /// A column was chosen as a feature but holds text.
    #[error("column '{column}' holds text (e.g. '{example}'), but features must be numeric")]
    TextFeature {
        /// Column name.
        column: String,
        /// One of its values.
        example: String,
    },

    /// A linear target must be numeric.
    #[error("target column '{column}' holds text (e.g. '{example}'); linear regression needs a numeric target")]
    TextTarget {
        /// Column name.
        column: String,
        /// One of its values.
        example: String,
    },

    /// A logistic target needs exactly two distinct values.
    #[error("logistic regression needs a target with exactly two classes, but column '{column}' has {count}: {examples}")]
    TargetClasses {
        /// Column name.
        column: String,
        /// How many distinct values were found, in words ("1", "more than 5").
        count: String,
        /// A few of them, comma separated.
        examples: String,
    },

    /// The target was also listed among the features.
    #[error("column '{column}' is the target, so it cannot also be a feature")]
    TargetInFeatures {
        /// Column name.
        column: String,
    },

    /// A column name that the file does not have.
    #[error("there is no column named '{name}'; the columns are: {available}")]
    UnknownColumn {
        /// What was asked for.
        name: String,
        /// The columns the file has.
        available: String,
    },

    /// A 1-based column index past the last column.
    #[error(
        "column index {index} is out of range: the file has {count} column(s), numbered from 1"
    )]
    ColumnIndexOutOfRange {
        /// What was asked for.
        index: usize,
        /// How many columns the file has.
        count: usize,
    },

    /// No usable feature columns.
    #[error("{reason}")]
    NoFeatures {
        /// Target column name.
        target: String,
        /// Why, in words: a one-column file, every feature unchecked, or
        /// no numeric column besides the target.
        reason: String,
    },

    /// A learning rate that is not a positive finite number.
    #[error("the learning rate must be a positive finite number, got {}", crate::format::typed(*value))]
    InvalidLearningRate {
        /// The rejected value.
        value: f64,
    },

    /// A setting outside its valid range.
    #[error("invalid setting {name} = {value}: {reason}")]
    InvalidSetting {
        /// Setting name.
        name: String,
        /// The rejected value, as text.
        value: String,
        /// Why it is rejected.
        reason: String,
    },

    /// The input is larger than gradstep accepts.
    #[error("the data is too large: {what}")]
    TooLarge {
        /// What exceeded which limit.
        what: String,
    },

    /// The input holds NUL bytes that are not UTF-16: it is binary.
    #[error("the file is not text (NUL byte at offset {offset})")]
    NotText {
        /// 0-based byte offset of the first NUL in the file.
        offset: u64,
    },

    /// The file is a known binary or non-CSV format (a workbook, a PDF, JSON).
    #[error("the file is {format}, not CSV text: {advice}")]
    NotCsv {
        /// What it is, e.g. "an Excel workbook (.xlsx) or another ZIP archive".
        format: String,
        /// What to do instead.
        advice: String,
    },

    /// A Predict form value that makes no feature.
    #[error("cannot predict: {reason}")]
    PredictInput {
        /// What is wrong, naming the column and the value.
        reason: String,
    },

    /// No column of the table can be the target.
    #[error("no column can be the target (a target is numeric with two or more values and not a row ID, or text with exactly two values); choose one explicitly; the columns are: {columns}")]
    NoTarget {
        /// The columns, with what they hold.
        columns: String,
    },
}

/// Shorthand for results in gradstep.
pub type Result<T> = std::result::Result<T, GradstepError>;

/// "1 row affected", "183 rows affected".
fn rows_affected(count: usize) -> String {
    if count == 1 {
        "1 row affected".into()
    } else {
        format!("{count} rows affected")
    }
}
