//! The streaming CSV reader: bytes pushed in chunks of any size become a
//! [`Table`] of typed columns, without ever holding the whole file.
//!
//! The pipeline: encoding detection and transcoding ([`decode`]), a window
//! of the first records to choose the delimiter ([`sniff`]), a resumable
//! tokenizer ([`tokenize`]) and one builder per column that classifies each
//! cell as it streams ([`column_builder`], [`number`], [`date`]). The first
//! record is kept aside: only at the end is it known to be a header or data.
//!
//! Every decision is a function of the bytes alone (never of how they were
//! split into chunks, nor of hashing), so pushing the same bytes in any
//! pieces gives the same table, or the same error.

mod column_builder;
mod date;
mod decode;
mod intern;
mod lines;
pub mod number;
pub mod select;
mod sniff;
mod tokenize;

use std::sync::Arc;

use serde::Serialize;

use crate::data::column::NumericColumn;
use crate::limits::{quote, Limits};
use crate::{GradstepError, Result};

use column_builder::{classify_str, decode_cell, trim_bytes, Class, ColumnBuilder};
use lines::LineMap;
use number::Sep;
use tokenize::{Sink, Tokenizer};

pub use select::{default_choice, default_features, DefaultChoice, Excluded, ExcludedReason};

/// Data rows kept as written for a preview.
const PREVIEW_ROWS: usize = 20;
/// Characters of a header name that are kept.
const NAME_CHARS: usize = 200;

/// Code of a missing cell in a text or date column.
pub const MISSING_CODE: u32 = u32::MAX;

/// A column chosen by name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// A column name (matched exactly, then case-insensitively and trimmed).
    Name(String),
    /// A 1-based column index.
    Index(usize),
}

impl ColumnRef {
    /// All digits → `Index`, anything else → `Name` (a column literally
    /// named "3" still wins in [`Table::resolve`]).
    pub fn parse(s: &str) -> ColumnRef {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(i) = t.parse::<usize>() {
                return ColumnRef::Index(i);
            }
        }
        ColumnRef::Name(t.to_string())
    }
}

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// UTF-16, little-endian (with a mark, or detected by its NUL bytes).
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// Not UTF-8: cells that are not valid UTF-8 were read as Windows-1252.
    Windows1252,
}

impl Encoding {
    /// The encoding in words, as the page's data card shows it.
    pub fn describe(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with a byte order mark",
            Encoding::Utf16Le => "UTF-16 little-endian",
            Encoding::Utf16Be => "UTF-16 big-endian",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Mostly numbers; other cells are recorded as problems.
    Numeric,
    /// Mostly text, or numbers whose formats disagree, or nothing at all.
    Text,
    /// Mostly dates or times.
    Date,
}

/// Why a cell of a numeric column cannot be used as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProblemKind {
    /// Empty or a missing-value token (NA, N/A, null, …).
    Missing,
    /// Text (or a date) in a numeric column.
    Text,
    /// A number that is infinite (inf, 1e400).
    NonFinite,
}

/// A cell of a numeric column that is missing, text or non-finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    /// 0-based data row.
    pub row: usize,
    /// 1-based line in the file where the row starts.
    pub line: u64,
    /// What is wrong with the cell.
    pub kind: ProblemKind,
    text: u32,
}

/// The decimal mark of a numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DecimalMark {
    /// `1.5`
    Point,
    /// `1,5`
    Comma,
}

/// A unit written with the numbers of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// Plain numbers.
    None,
    /// `11.8%` (read as 11.8).
    Percent,
    /// `$5`, `12,50 €` (the sign).
    Currency(char),
}

/// How the numbers of a column are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NumberFormat {
    /// Point or comma.
    pub decimal: DecimalMark,
    /// The thousands separator when one was seen: `,` `.` space, NBSP,
    /// NNBSP or `'`.
    pub thousands: Option<char>,
    /// Percent, a currency, or none.
    pub unit: Unit,
    /// Whether some negative number is written in parentheses, `(1,200)`.
    pub parenthesized_negatives: bool,
}

/// Facts for choosing defaults, computed while streaming.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnStats {
    /// Cells that are not missing.
    pub non_missing: usize,
    /// Distinct non-missing values, counted up to 3 (numeric: by finite
    /// value; text and date: by level).
    pub distinct_upto3: usize,
    /// The first two distinct values as written (for labels), at most 2.
    pub first_values: Vec<String>,
    /// Numeric: every finite value is an integer (and there is one).
    pub all_integer: bool,
    /// Numeric, no missing or problem cell, n ≥ 3: the constant difference
    /// between consecutive rows when there is one (1, 2, 3, … → Some(1.0);
    /// a constant column → Some(0.0)); else None.
    pub constant_step: Option<f64>,
    /// Numeric: the smallest finite value (NaN when none).
    pub min: f64,
    /// Numeric: the largest finite value (NaN when none).
    pub max: f64,
}

#[derive(Debug, Clone)]
pub(crate) enum Storage {
    Numeric(Arc<NumericColumn>),
    Text {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
    /// A text column with more levels than allowed: counts only.
    None,
}

/// One column of a [`Table`].
#[derive(Debug, Clone)]
pub struct Column {
    /// Header cell (trimmed, cut to 200 characters), or `colK`; unique
    /// (`x`, `x_2`, `x_3`).
    pub name: String,
    /// Numeric, text or date, decided from all of its cells.
    pub kind: ColumnKind,
    /// How its numbers are written (meaningful for numeric columns).
    pub format: NumberFormat,
    /// Missing cells: empty, NA, N/A, NaN, null, None, ?, -, #N/A, …
    pub missing: usize,
    /// Why the column is not numeric, in words (None for numeric columns).
    pub text_reason: Option<String>,
    /// Facts for choosing defaults.
    pub stats: ColumnStats,
    storage: Storage,
    problems: Vec<Problem>,
    problem_texts: Vec<String>,
    example: String,
}

fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

fn same_stats(a: &ColumnStats, b: &ColumnStats) -> bool {
    a.non_missing == b.non_missing
        && a.distinct_upto3 == b.distinct_upto3
        && a.first_values == b.first_values
        && a.all_integer == b.all_integer
        && match (a.constant_step, b.constant_step) {
            (Some(x), Some(y)) => same_f64(x, y),
            (None, None) => true,
            _ => false,
        }
        && same_f64(a.min, b.min)
        && same_f64(a.max, b.max)
}

/// Equal in every field, with numbers compared bit for bit (so that two
/// reads of the same file, NaN cells included, are equal).
impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        let storage = match (&self.storage, &other.storage) {
            (Storage::Numeric(a), Storage::Numeric(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_f64(x, y))
            }
            (
                Storage::Text {
                    codes: c1,
                    levels: l1,
                },
                Storage::Text {
                    codes: c2,
                    levels: l2,
                },
            ) => c1 == c2 && l1 == l2,
            (Storage::None, Storage::None) => true,
            _ => false,
        };
        storage
            && self.name == other.name
            && self.kind == other.kind
            && self.format == other.format
            && self.missing == other.missing
            && self.text_reason == other.text_reason
            && same_stats(&self.stats, &other.stats)
            && self.problems == other.problems
            && self.problem_texts == other.problem_texts
            && self.example == other.example
    }
}

impl Column {
    /// Values of a numeric column, NaN at missing and problem cells.
    pub fn numeric(&self) -> Option<&Arc<NumericColumn>> {
        match &self.storage {
            Storage::Numeric(v) => Some(v),
            _ => None,
        }
    }

    /// Codes (one per row, [`MISSING_CODE`] at missing cells) and levels
    /// (distinct values in order of first appearance, as written) of a text
    /// or date column; None for numeric columns and for columns with more
    /// than `max_text_levels` levels.
    pub fn text(&self) -> Option<(&[u32], &[String])> {
        match &self.storage {
            Storage::Text { codes, levels } => Some((codes, levels)),
            _ => None,
        }
    }

    /// Cells of a numeric column that are missing, text or non-finite, in
    /// row order (empty for text and date columns).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The text of a problem cell, as written, cut with `limits::quote`.
    pub fn problem_text(&self, p: &Problem) -> &str {
        self.problem_texts
            .get(p.text as usize)
            .map_or("", String::as_str)
    }

    /// What `gradstep inspect` prints: "numeric", "numeric · decimal
    /// comma", "numeric · thousands separators · currency $", "text", "date".
    pub fn describe(&self) -> String {
        match self.kind {
            ColumnKind::Text => "text".into(),
            ColumnKind::Date => "date".into(),
            ColumnKind::Numeric => {
                let mut parts = vec!["numeric".to_string()];
                let f = &self.format;
                if f.decimal == DecimalMark::Comma {
                    parts.push("decimal comma".into());
                }
                if f.thousands.is_some() {
                    parts.push("thousands separators".into());
                }
                match f.unit {
                    Unit::None => {}
                    Unit::Percent => parts.push("percent".into()),
                    Unit::Currency(c) => parts.push(format!("currency {c}")),
                }
                if f.parenthesized_negatives {
                    parts.push("negatives in parentheses".into());
                }
                parts.join(" · ")
            }
        }
    }

    /// Some non-missing value as written, for messages (cut with quote);
    /// "(all missing)" when there is none.
    pub fn example(&self) -> String {
        if self.example.is_empty() {
            "(all missing)".into()
        } else {
            self.example.clone()
        }
    }
}

/// A parsed CSV: typed columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    rows: usize,
    columns: Vec<Column>,
    delimiter: u8,
    has_header: bool,
    encoding: Encoding,
    preview: Vec<Vec<String>>,
    notes: Vec<String>,
    /// Line of the first record (used when it is data).
    first_line: u64,
    /// Lines of the records after the first.
    lines: LineMap,
}

impl Table {
    /// Parses a whole file: [`TableReader::new`], one push, finish.
    pub fn parse(bytes: &[u8]) -> Result<Table> {
        Self::parse_with_limits(bytes, Limits::DEFAULT)
    }

    /// [`Table::parse`] with other limits.
    pub fn parse_with_limits(bytes: &[u8], limits: Limits) -> Result<Table> {
        let mut r = TableReader::with_limits(limits);
        r.push(bytes)?;
        r.finish()
    }

    /// Data rows (header excluded).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Column `j`; panics when `j` is out of range (use `columns().get`).
    pub fn column(&self, j: usize) -> &Column {
        &self.columns[j]
    }

    /// The delimiter: `b','`, `b';'`, `b'\t'` or `b'|'` (`b','` for a file
    /// of one column).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Whether the first record is the header.
    pub fn has_header(&self) -> bool {
        self.has_header
    }

    /// The encoding the file was read in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The first (at most) 20 data rows as written (trimmed, each cell cut
    /// with `limits::quote`).
    pub fn preview(&self) -> &[Vec<String>] {
        &self.preview
    }

    /// File-level notes, e.g. "read as Windows-1252 (the file is not UTF-8)".
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// By name (exact, then trimmed and ignoring ASCII case) or 1-based index.
    /// A name that is all digits is tried as a name first, then as an index
    /// (so a header `2,x,y` works by name "2").
    pub fn resolve(&self, col: &ColumnRef) -> Result<usize> {
        match col {
            ColumnRef::Name(name) => {
                self.find_name(name)
                    .ok_or_else(|| GradstepError::UnknownColumn {
                        name: quote(name),
                        available: self.available(),
                    })
            }
            ColumnRef::Index(i) => {
                if let Some(j) = self.find_name(&i.to_string()) {
                    return Ok(j);
                }
                if (1..=self.columns.len()).contains(i) {
                    Ok(i - 1)
                } else {
                    Err(GradstepError::ColumnIndexOutOfRange {
                        index: *i,
                        count: self.columns.len(),
                    })
                }
            }
        }
    }

    fn find_name(&self, name: &str) -> Option<usize> {
        if let Some(j) = self.columns.iter().position(|c| c.name == name) {
            return Some(j);
        }
        // ASCII case only: Unicode case tables would add ~5 KB to the page.
        let want = name.trim();
        self.columns
            .iter()
            .position(|c| c.name.trim().eq_ignore_ascii_case(want))
    }

    /// The column names for an "unknown column" message (bounded).
    fn available(&self) -> String {
        names_list(self.columns.iter().map(|c| c.name.as_str()))
    }

    /// 1-based line in the file where data row `row` (0-based) starts; 0
    /// past the last row.
    pub fn line_of_row(&self, row: usize) -> u64 {
        if row >= self.rows {
            return 0;
        }
        if self.has_header {
            self.lines.get(row)
        } else if row == 0 {
            self.first_line
        } else {
            self.lines.get(row - 1)
        }
    }
}

/// The names, quoted, up to `limits::LIST_CHARS` characters, then how many more.
fn names_list<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    crate::limits::listed(names.map(|n| format!("'{}'", quote(n))))
}

/// Header names: trimmed and cut, empty → `colK`, duplicates → `x_2`, `x_3`.
fn unique_names(raw: &[Vec<u8>]) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    let mut names = Vec::with_capacity(raw.len());
    for (k, cell) in raw.iter().enumerate() {
        let (text, _) = decode_cell(cell);
        let t: String = text
            .trim_matches(column_builder::is_trim_char)
            .chars()
            .take(NAME_CHARS)
            .collect();
        let base = if t.is_empty() {
            format!("col{}", k + 1)
        } else {
            t
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        names.push(candidate);
    }
    names
}

/// The records after the encoding and the delimiter are known.
struct Body {
    limits: Limits,
    delimiter: Option<u8>,
    /// Fields in the first record and whether it ended inside the sniffing
    /// window (for the column-limit message).
    first_hint: Option<(usize, bool)>,
    ncols: usize,
    have_first: bool,
    first: Vec<Vec<u8>>,
    first_line: u64,
    /// Records completed after the first (tentative rows).
    records: u64,
    builders: Vec<ColumnBuilder>,
    lines: LineMap,
    preview: Vec<Vec<String>>,
    // The record being read.
    record_line: u64,
    field: usize,
    has_content: bool,
    pending_empty: usize,
    extra_nonempty: bool,
    row_preview: Option<Vec<String>>,
    /// First line with a cell read as Windows-1252.
    cp1252_line: Option<u64>,
}

impl Body {
    fn new(limits: Limits, delimiter: Option<u8>, first_hint: Option<(usize, bool)>) -> Body {
        Body {
            limits,
            delimiter,
            first_hint,
            ncols: 0,
            have_first: false,
            first: Vec::new(),
            first_line: 0,
            records: 0,
            builders: Vec::new(),
            lines: LineMap::default(),
            preview: Vec::new(),
            record_line: 1,
            field: 0,
            has_content: false,
            pending_empty: 0,
            extra_nonempty: false,
            row_preview: None,
            cp1252_line: None,
        }
    }

    fn first_classes(&self) -> Vec<Class> {
        self.first
            .iter()
            .map(|c| {
                let (t, _) = decode_cell(c);
                classify_str(t.trim_matches(column_builder::is_trim_char))
            })
            .collect()
    }

    /// Whether the first record is a header, from the rows read so far: some
    /// of its cells are text over a numeric (or date) column, or it has
    /// text and no numbers and rows follow.
    fn header_decision(&self, rows_follow: bool) -> bool {
        let classes = self.first_classes();
        let any_text = classes.contains(&Class::Text);
        let any_number = classes
            .iter()
            .any(|c| matches!(c, Class::Number(_) | Class::NonFinite));
        if !any_text {
            return false;
        }
        if !rows_follow || !any_number {
            return true;
        }
        classes
            .iter()
            .zip(&self.builders)
            .any(|(c, b)| *c == Class::Text && (b.numbers_win() || b.dates_win()))
    }

    /// "row 3 (line 4)" for the record being read, or "the first row".
    fn where_now(&self) -> String {
        if !self.have_first {
            return format!("the first row (line {})", self.record_line);
        }
        let header = self.header_decision(true);
        let row = self.records + if header { 1 } else { 2 };
        format!("row {} (line {})", row, self.record_line)
    }

    fn column_label(&self, j: usize) -> String {
        if self.have_first && self.header_decision(true) {
            if let Some(cell) = self.first.get(j) {
                let (t, _) = decode_cell(cell);
                let t = t.trim_matches(column_builder::is_trim_char);
                if !t.is_empty() {
                    return format!("column {} ('{}')", j + 1, quote(t));
                }
            }
        }
        format!("column {}", j + 1)
    }

    fn too_many_fields(&self) -> GradstepError {
        let max = self.limits.max_columns;
        let what = if !self.have_first {
            match self.first_hint {
                Some((n, true)) if n > max => format!(
                    "the file has {} columns, more than the limit of {}",
                    n,
                    max
                ),
                Some((n, false)) if n > max => format!(
                    "the file has more than {} columns (at least {} in its first {} bytes); the limit is {}",
                    max,
                    n,
                    sniff::SNIFF_BYTES,
                    max
                ),
                _ => format!(
                    "the file has more than {} columns, the limit",
                    max
                ),
            }
        } else {
            format!(
                "{} has more than {} fields, the limit for columns",
                self.where_now(),
                max
            )
        };
        GradstepError::TooLarge { what }
    }

    #[inline]
    fn cell(&mut self, j: usize, cell: &[u8], window: Option<&[u8; 16]>) {
        if !self.have_first {
            self.first.push(cell.to_vec());
            return;
        }
        if j >= self.ncols {
            self.extra_nonempty |= !cell.is_empty();
            return;
        }
        if let Some(p) = &mut self.row_preview {
            let (t, _) = decode_cell(cell);
            p.push(quote(t.trim_matches(column_builder::is_trim_char)));
        }
        let row = self.records as u32;
        if let Some(b) = self.builders.get_mut(j) {
            if b.push(cell, row, window) && self.cp1252_line.is_none() {
                self.cp1252_line = Some(self.record_line);
            }
        }
    }

    fn ragged(&self, found: usize) -> GradstepError {
        let header = self.header_decision(true);
        GradstepError::RaggedRow {
            row: self.records as usize + if header { 1 } else { 2 },
            line: self.record_line,
            expected: self.ncols,
            found,
        }
    }

    /// The table, once every record is read.
    fn finish(self, encoding: Encoding) -> Result<Table> {
        if !self.have_first {
            return Err(GradstepError::EmptyFile);
        }
        let has_header = self.header_decision(self.records > 0);
        let names: Vec<String> = if has_header {
            unique_names(&self.first)
        } else {
            (1..=self.ncols).map(|k| format!("col{k}")).collect()
        };
        if has_header && self.records == 0 {
            return Err(GradstepError::HeaderOnly {
                columns: names_list(names.iter().map(String::as_str)),
            });
        }
        let Body {
            delimiter,
            first,
            first_line,
            records,
            mut builders,
            lines,
            preview,
            mut cp1252_line,
            ..
        } = self;
        // A header that is not UTF-8 is the first place the encoding shows.
        if has_header && first.iter().any(|c| std::str::from_utf8(c).is_err()) {
            cp1252_line = Some(first_line);
        }
        let mut preview_rows = Vec::new();
        if !has_header {
            let mut row = Vec::with_capacity(first.len());
            for (b, cell) in builders.iter_mut().zip(&first) {
                if b.prepend(cell) {
                    cp1252_line = Some(first_line);
                }
                let (t, _) = decode_cell(trim_bytes(cell));
                row.push(quote(t.trim_matches(column_builder::is_trim_char)));
            }
            preview_rows.push(row);
        }
        preview_rows.extend(preview);
        preview_rows.truncate(PREVIEW_ROWS);
        // The file's decimal convention: the majority of columns that show
        // one, else decimal comma for ';' files and point for others.
        let (mut point, mut comma) = (0, 0);
        for b in &builders {
            match b.own_decimal() {
                Some(Sep::Point) => point += 1,
                Some(Sep::Comma) => comma += 1,
                None => {}
            }
        }
        let convention = if point > comma {
            Sep::Point
        } else if comma > point || delimiter == Some(b';') {
            Sep::Comma
        } else {
            Sep::Point
        };
        let shift = i64::from(!has_header);
        let rows = records as usize + usize::from(!has_header);
        let line_of = |row: usize| -> u64 {
            if has_header {
                lines.get(row)
            } else if row == 0 {
                first_line
            } else {
                lines.get(row - 1)
            }
        };
        let columns: Vec<Column> = builders
            .into_iter()
            .zip(names)
            .map(|(b, name)| {
                let built = b.finish(convention, shift, &line_of);
                Column {
                    name,
                    kind: built.kind,
                    format: built.format,
                    missing: built.missing,
                    text_reason: built.text_reason,
                    stats: built.stats,
                    storage: built.storage,
                    problems: built.problems,
                    problem_texts: built.problem_texts,
                    example: built.example,
                }
            })
            .collect();
        let mut notes = Vec::new();
        let encoding = match (encoding, cp1252_line) {
            (Encoding::Utf8, Some(line)) => {
                notes.push(format!(
                    "read as Windows-1252 (the file is not UTF-8; first at line {line})"
                ));
                Encoding::Windows1252
            }
            (e, Some(line)) => {
                notes.push(format!(
                    "some cells are not valid UTF-8 and were read as Windows-1252 (first at line {line})"
                ));
                e
            }
            // UTF-16 needs no note: the encoding itself says so.
            (e, None) => e,
        };
        Ok(Table {
            rows,
            columns,
            delimiter: delimiter.unwrap_or(b','),
            has_header,
            encoding,
            preview: preview_rows,
            notes,
            first_line,
            lines,
        })
    }
}

impl Sink for Body {
    #[inline]
    fn begin_record(&mut self, line: u64) {
        self.record_line = line;
        if self.have_first && self.preview.len() < PREVIEW_ROWS {
            self.row_preview = Some(Vec::with_capacity(self.ncols));
        }
    }

    #[inline]
    fn field(&mut self, raw: &[u8], quoted: bool, window: Option<&[u8; 16]>) -> Result<()> {
        let j = self.field;
        self.field += 1;
        if j >= self.limits.max_columns {
            return Err(self.too_many_fields());
        }
        let cell = trim_bytes(raw);
        // The window starts at the cell only when trimming took nothing.
        let window = window.filter(|_| cell.len() == raw.len());
        if !self.has_content {
            if cell.is_empty() && !quoted {
                self.pending_empty += 1;
                return Ok(());
            }
            self.has_content = true;
            for k in 0..self.pending_empty {
                self.cell(k, b"", None);
            }
        }
        self.cell(j, cell, window);
        Ok(())
    }

    #[inline]
    fn end_record(&mut self) -> Result<()> {
        let fields = self.field;
        self.field = 0;
        self.pending_empty = 0;
        let row_preview = self.row_preview.take();
        if !std::mem::take(&mut self.has_content) {
            // A blank record (only empty cells): skipped.
            return Ok(());
        }
        let extra = std::mem::take(&mut self.extra_nonempty);
        if !self.have_first {
            self.have_first = true;
            self.ncols = fields;
            self.first_line = self.record_line;
            let cap = self.limits.max_text_levels;
            self.builders = (0..fields).map(|_| ColumnBuilder::new(cap)).collect();
            if fields as u64 > self.limits.max_cells {
                return Err(self.too_many_cells());
            }
            return Ok(());
        }
        if fields < self.ncols || extra {
            return Err(self.ragged(fields));
        }
        self.records += 1;
        self.lines.push(self.record_line);
        if let Some(p) = row_preview {
            self.preview.push(p);
        }
        if (self.records + 1).saturating_mul(self.ncols as u64) > self.limits.max_cells
            || self.records >= u64::from(u32::MAX)
        {
            return Err(self.too_many_cells());
        }
        Ok(())
    }

    fn too_long(&self) -> GradstepError {
        GradstepError::TooLarge {
            what: format!(
                "the cell at {}, {} is longer than {} bytes, the limit for one cell",
                self.where_now(),
                self.column_label(self.field),
                self.limits.max_cell_bytes
            ),
        }
    }
}

impl Body {
    fn too_many_cells(&self) -> GradstepError {
        GradstepError::TooLarge {
            what: format!(
                "the file has more than {} cells, the limit ({} rows × {} columns by line {})",
                self.limits.max_cells,
                self.records + 1,
                self.ncols,
                self.record_line
            ),
        }
    }
}

/// Where the text goes before and after the delimiter is known.
enum Stage {
    /// Buffering the sniffing window.
    Sniffing { window: Vec<u8>, line_ends: usize },
    Reading {
        tokenizer: Box<Tokenizer>,
        body: Box<Body>,
    },
}

/// How many first bytes name a format that is not CSV.
const SIGNATURE_BYTES: usize = 16;

/// Formats people drop instead of CSV, by their first bytes.
fn known_format(signature: &[u8]) -> Option<&'static str> {
    const FORMATS: [(&[u8], &str); 8] = [
        (
            b"PK\x03\x04",
            "a ZIP archive, such as an Excel (.xlsx) or LibreOffice (.ods) workbook",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old-style Excel workbook (.xls) or another Office file",
        ),
        (b"%PDF", "a PDF document"),
        (b"\x1F\x8B", "gzip-compressed"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"PAR1", "a Parquet file"),
        (b"SQLite format 3\0", "an SQLite database"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _)| signature.starts_with(magic))
        .map(|(_, name)| *name)
}

/// A file whose first character (after a BOM and blanks) opens JSON.
fn looks_like_json(signature: &[u8]) -> bool {
    let s = signature.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(signature);
    s.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{' || b == b'[')
}

fn json_error() -> GradstepError {
    GradstepError::NotCsv {
        format: "JSON".into(),
        advice: "export the data as CSV (one header row of column names, then one row per example)"
            .into(),
    }
}

/// A reading error, named by the file's format when that is known: a
/// workbook's "NUL byte at offset 5" helps nobody.
fn not_csv(signature: &[u8], e: GradstepError) -> GradstepError {
    match known_format(signature) {
        Some(format) => {
            let advice = if format.contains("workbook") {
                "open it in Excel or LibreOffice and save it as CSV (File → Save As → CSV), then load that"
            } else if format.contains("gzip") {
                "unpack it first, then load the CSV inside"
            } else {
                "load a CSV file (a header row of column names, then one row per example)"
            };
            GradstepError::NotCsv {
                format: format.into(),
                advice: advice.into(),
            }
        }
        _ if looks_like_json(signature)
            && matches!(
                e,
                GradstepError::HeaderOnly { .. }
                    | GradstepError::RaggedRow { .. }
                    | GradstepError::Malformed { .. }
            ) =>
        {
            json_error()
        }
        _ => e,
    }
}

/// Reads a CSV pushed in chunks.
///
/// ```
/// use gradstep::data::csv::{Table, TableReader};
///
/// let text = b"x,y\n1,2\n3,4\n";
/// let mut reader = TableReader::new();
/// reader.push(&text[..5])?;
/// reader.push(&text[5..])?;
/// let table = reader.finish()?;
/// assert_eq!(table, Table::parse(text)?);
/// assert_eq!(table.rows(), 2);
/// # Ok::<(), gradstep::GradstepError>(())
/// ```
pub struct TableReader {
    limits: Limits,
    pushed: u64,
    failed: Option<GradstepError>,
    /// The first bytes, until the encoding is known.
    head: Vec<u8>,
    /// The first `SIGNATURE_BYTES` bytes, to name a format that is not CSV.
    signature: Vec<u8>,
    encoding: Option<Encoding>,
    bom: u64,
    utf16: Option<decode::Utf16>,
    transcoded: Vec<u8>,
    stage: Stage,
}

impl std::fmt::Debug for TableReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableReader")
            .field("bytes_pushed", &self.pushed)
            .field("rows_read", &self.rows_read())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl Default for TableReader {
    fn default() -> Self {
        Self::new()
    }
}

impl TableReader {
    /// A reader with [`Limits::DEFAULT`].
    pub fn new() -> Self {
        Self::with_limits(Limits::DEFAULT)
    }

    /// A reader with other limits.
    pub fn with_limits(limits: Limits) -> Self {
        TableReader {
            limits,
            pushed: 0,
            failed: None,
            head: Vec::new(),
            signature: Vec::new(),
            encoding: None,
            bom: 0,
            utf16: None,
            transcoded: Vec::new(),
            stage: Stage::Sniffing {
                window: Vec::new(),
                line_ends: 0,
            },
        }
    }

    /// Appends bytes and processes every complete record in them. Work is
    /// proportional to the bytes pushed (plus O(1)). After an error every
    /// later call returns the same error.
    pub fn push(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.signature.len() < SIGNATURE_BYTES {
            let take = (SIGNATURE_BYTES - self.signature.len()).min(bytes.len());
            self.signature.extend_from_slice(&bytes[..take]);
        }
        let r = self
            .push_inner(bytes)
            .map_err(|e| not_csv(&self.signature, e));
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }

    fn push_inner(&mut self, bytes: &[u8]) -> Result<()> {
        let room = self.limits.max_bytes.saturating_sub(self.pushed);
        let take = bytes.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let (now, over) = bytes.split_at(take);
        self.pushed += take as u64;
        self.feed_raw(now)?;
        if !over.is_empty() {
            return Err(GradstepError::TooLarge {
                what: format!(
                    "the file has more than {} bytes, the limit",
                    self.limits.max_bytes
                ),
            });
        }
        Ok(())
    }

    /// Bytes pushed so far.
    pub fn bytes_pushed(&self) -> u64 {
        self.pushed
    }

    /// Rows read so far (data rows, for progress; the first record counts
    /// as the header until the end).
    pub fn rows_read(&self) -> usize {
        match &self.stage {
            Stage::Sniffing { .. } => 0,
            Stage::Reading { body, .. } => body.records as usize,
        }
    }

    fn feed_raw(&mut self, bytes: &[u8]) -> Result<()> {
        if self.encoding.is_some() {
            return self.feed_encoded(bytes);
        }
        let want = decode::DETECT_BYTES - self.head.len();
        let (head, rest) = bytes.split_at(bytes.len().min(want));
        self.head.extend_from_slice(head);
        if self.head.len() < decode::DETECT_BYTES {
            return Ok(());
        }
        self.decide_encoding()?;
        self.feed_encoded(rest)
    }

    fn decide_encoding(&mut self) -> Result<()> {
        let (enc, bom) = decode::detect(&self.head)?;
        self.encoding = Some(enc);
        self.bom = bom as u64;
        if matches!(enc, Encoding::Utf16Le | Encoding::Utf16Be) {
            self.utf16 = Some(decode::Utf16::new(enc == Encoding::Utf16Be, bom as u64));
        }
        let head = std::mem::take(&mut self.head);
        self.feed_encoded(head.get(bom..).unwrap_or(&[]))
    }

    fn feed_encoded(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(d) = &mut self.utf16 {
            let mut out = std::mem::take(&mut self.transcoded);
            out.clear();
            // The text before a NUL is read first, so that a problem in it
            // is reported as a sliced read reports it.
            let decoded = d.feed(bytes, &mut out);
            let r = self.feed_text(&out).and(decoded);
            self.transcoded = out;
            r
        } else {
            self.feed_text(bytes)
        }
    }

    fn feed_text(&mut self, text: &[u8]) -> Result<()> {
        let rest = match &mut self.stage {
            Stage::Reading { tokenizer, body } => {
                return tokenizer
                    .feed(text, body.as_mut())
                    .map_err(|e| self.fix_offset(e));
            }
            Stage::Sniffing { window, line_ends } => {
                let room = sniff::SNIFF_BYTES - window.len();
                let mut cut = text.len().min(room);
                let mut full = cut == room;
                for (i, &b) in text[..cut].iter().enumerate() {
                    if b == b'\n' || b == b'\r' {
                        *line_ends += 1;
                        if *line_ends >= sniff::SNIFF_LINE_ENDS {
                            cut = i + 1;
                            full = true;
                            break;
                        }
                    }
                }
                window.extend_from_slice(&text[..cut]);
                if !full {
                    return Ok(());
                }
                &text[cut..]
            }
        };
        self.start_reading(false)?;
        self.feed_text(rest)
    }

    /// The window is complete: choose the delimiter and read the window.
    fn start_reading(&mut self, at_end: bool) -> Result<()> {
        let Stage::Sniffing { window, .. } = &mut self.stage else {
            return Ok(());
        };
        let window = std::mem::take(window);
        let (delimiter, hint) = sniff::sniff(&window, at_end);
        let mut tokenizer = Box::new(Tokenizer::new(delimiter, self.limits.max_cell_bytes));
        let mut body = Box::new(Body::new(self.limits, delimiter, hint));
        let r = tokenizer.feed(&window, body.as_mut());
        self.stage = Stage::Reading { tokenizer, body };
        r.map_err(|e| self.fix_offset(e))
    }

    /// Offsets in errors count from the start of the file (the BOM too).
    fn fix_offset(&self, e: GradstepError) -> GradstepError {
        match e {
            GradstepError::NotText { offset } if self.utf16.is_none() => GradstepError::NotText {
                offset: offset + self.bom,
            },
            e => e,
        }
    }

    /// Ends the input: processes the rest and types the columns.
    pub fn finish(mut self) -> Result<Table> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let signature = std::mem::take(&mut self.signature);
        let table = self.finish_inner().map_err(|e| not_csv(&signature, e))?;
        if known_format(&signature).is_some() {
            // Read without a NUL byte, it is still not a table.
            return Err(not_csv(&signature, GradstepError::EmptyFile));
        }
        // JSON read as CSV parses, into nonsense: its first name gives it away.
        let first = table.columns.first().map_or("", |c| c.name.as_str());
        let json_start = ["[", "{", "[{", "[[", "[\"", "{\""];
        if looks_like_json(&signature)
            && json_start
                .iter()
                .any(|p| first == *p || (p.len() == 2 && first.starts_with(p)))
        {
            return Err(json_error());
        }
        Ok(table)
    }

    fn finish_inner(mut self) -> Result<Table> {
        if self.encoding.is_none() {
            self.decide_encoding()?;
        }
        if let Some(d) = &mut self.utf16 {
            let mut out = Vec::new();
            d.finish(&mut out);
            self.feed_text(&out)?;
        }
        self.start_reading(true)?;
        let encoding = self.encoding.unwrap_or(Encoding::Utf8);
        match self.stage {
            Stage::Reading {
                mut tokenizer,
                mut body,
            } => {
                tokenizer.finish(body.as_mut())?;
                let _ = tokenizer.line();
                body.finish(encoding)
            }
            Stage::Sniffing { .. } => Err(GradstepError::EmptyFile),
        }
    }
}
