//! CSV text to typed columns: delimiter sniffing, header detection, column
//! typing, and a record of every cell that is missing, text or non-finite.
//!
//! Numeric columns are stored as `Vec<f64>` (no string per cell) so that a
//! file of a million rows stays cheap; text columns are interned codes.

use std::collections::hash_map::{Entry, RandomState};
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use csv::{Reader, ReaderBuilder, StringRecord};
use serde::Serialize;

use crate::model::ModelKind;
use crate::{GradstepError, Result};

/// Cells accepted in one file; beyond this the browser would run out of memory.
pub const MAX_CELLS: usize = 50_000_000;

/// Rows whose raw strings are kept for a preview.
const PREVIEW_ROWS: usize = 20;

/// Records looked at when sniffing the delimiter.
const SNIFF_RECORDS: usize = 50;

/// Code of a missing cell in a text column.
const MISSING_CODE: u32 = u32::MAX;

/// A parsed CSV: typed columns.
#[derive(Debug, Clone)]
pub struct Table {
    delimiter: u8,
    has_header: bool,
    rows: usize,
    columns: Vec<Column>,
    /// Trimmed cells of the first records, header included if there is one.
    preview: Vec<Vec<String>>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone)]
pub struct Column {
    /// Name from the header, or `colK` (1-based) when there is none.
    pub name: String,
    /// Numeric or text, decided from the majority of its non-missing cells.
    pub kind: ColumnKind,
    /// Number of missing cells (empty, `NA`, `NaN`, ...).
    pub missing: usize,
    storage: Storage,
    /// Problem cells in row order.
    problems: Vec<Problem>,
    /// Raw texts of problem cells, indexed by `Problem::text`.
    problem_texts: Vec<String>,
}

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Mostly numbers; other cells are recorded as problems.
    Numeric,
    /// Mostly text (or nothing but missing cells).
    Text,
}

/// A column chosen by name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// A column name (matched exactly, then case-insensitively and trimmed).
    Name(String),
    /// A 1-based column index.
    Index(usize),
}

impl ColumnRef {
    /// "3" → `Index(3)` (a column literally named "3" still wins in
    /// [`Table::resolve`]); anything else → `Name`.
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

#[derive(Debug, Clone)]
enum Storage {
    /// Problem cells hold NaN.
    Numeric(Vec<f64>),
    /// `MISSING_CODE` marks a missing cell.
    Text {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

/// Why a cell cannot be used as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    Missing,
    Text,
    NonFinite,
}

/// A cell that is missing, text in a numeric column, or infinite.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Problem {
    /// 0-based data row.
    pub(crate) row: usize,
    /// 1-based line in the file where the record starts.
    pub(crate) line: u64,
    pub(crate) kind: ProblemKind,
    text: u32,
}

impl Column {
    /// Problem cells in row order (text columns only record missing cells).
    pub(crate) fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The cell text of a problem, as written (trimmed).
    pub(crate) fn problem_text(&self, p: &Problem) -> &str {
        &self.problem_texts[p.text as usize]
    }

    /// Values of a numeric column (NaN at problem cells).
    pub(crate) fn numeric(&self) -> Option<&[f64]> {
        match &self.storage {
            Storage::Numeric(v) => Some(v),
            Storage::Text { .. } => None,
        }
    }

    /// Codes and levels of a text column.
    pub(crate) fn text(&self) -> Option<(&[u32], &[String])> {
        match &self.storage {
            Storage::Text { codes, levels } => Some((codes, levels)),
            Storage::Numeric(_) => None,
        }
    }

    /// Whether a code of a text column means a missing cell.
    pub(crate) fn is_missing_code(code: u32) -> bool {
        code == MISSING_CODE
    }

    /// Some non-missing cell, for messages.
    pub(crate) fn example(&self) -> String {
        match &self.storage {
            Storage::Text { levels, .. } => levels
                .first()
                .cloned()
                .unwrap_or_else(|| "(all missing)".into()),
            Storage::Numeric(v) => v
                .iter()
                .find(|x| x.is_finite())
                .map_or_else(|| "(all missing)".into(), |x| format_number(*x)),
        }
    }
}

/// A number as short as it can be written: 1 → "1", -0.0 → "0", 2.5 → "2.5".
pub(crate) fn format_number(x: f64) -> String {
    format!("{}", x + 0.0)
}

/// How one trimmed cell reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Number(f64),
    NonFinite,
    Missing,
    Text,
}

fn is_missing_token(s: &str) -> bool {
    s.len() <= 4
        && ["na", "n/a", "nan", "null", "none", "?", "-"]
            .iter()
            .any(|t| s.eq_ignore_ascii_case(t))
}

fn classify(s: &str) -> Cell {
    if s.is_empty() {
        return Cell::Missing;
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Number(v),
        Ok(v) if v.is_nan() => Cell::Missing,
        Ok(_) => Cell::NonFinite,
        Err(_) if is_missing_token(s) => Cell::Missing,
        Err(_) => Cell::Text,
    }
}

/// Distinct strings, coded in order of first appearance.
///
/// The table maps a string's 64-bit hash to its code, so growing it moves
/// small entries and never hashes a string again: with a million distinct
/// cells (an id column) no single insertion stalls the parse for long.
#[derive(Default)]
struct Interner {
    strings: Vec<String>,
    by_hash: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
    /// Strings whose hash is another one's (practically never).
    collided: HashMap<String, u32>,
    hasher: RandomState,
}

impl Interner {
    fn code(&mut self, s: &str) -> u32 {
        let next = self.strings.len() as u32;
        match self.by_hash.entry(self.hasher.hash_one(s)) {
            Entry::Vacant(e) => {
                e.insert(next);
            }
            Entry::Occupied(e) => {
                let c = *e.get();
                if self.strings[c as usize] == s {
                    return c;
                }
                if let Some(&c) = self.collided.get(s) {
                    return c;
                }
                self.collided.insert(s.to_owned(), next);
            }
        }
        self.strings.push(s.to_owned());
        next
    }

    /// The strings in code order.
    fn into_strings(self) -> Vec<String> {
        self.strings
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Pass-one state of a column, kept as if it were numeric.
#[derive(Default)]
struct NumBuilder {
    values: Vec<f64>,
    problems: Vec<Problem>,
    texts: Interner,
    numbers: usize,
    nonmissing: usize,
    missing: usize,
}

impl NumBuilder {
    fn push(&mut self, row: usize, line: u64, cell: &str) -> Cell {
        let c = classify(cell);
        let kind = match c {
            Cell::Number(v) => {
                self.values.push(v);
                self.numbers += 1;
                self.nonmissing += 1;
                return c;
            }
            Cell::NonFinite => {
                self.numbers += 1;
                self.nonmissing += 1;
                ProblemKind::NonFinite
            }
            Cell::Text => {
                self.nonmissing += 1;
                ProblemKind::Text
            }
            Cell::Missing => {
                self.missing += 1;
                ProblemKind::Missing
            }
        };
        self.values.push(f64::NAN);
        let text = self.texts.code(cell);
        self.problems.push(Problem {
            row,
            line,
            kind,
            text,
        });
        c
    }

    /// Forgets row 0 (it turned out to be the header).
    fn drop_first(&mut self, first: Cell) {
        self.values.remove(0);
        match first {
            Cell::Number(_) | Cell::NonFinite => {
                self.numbers -= 1;
                self.nonmissing -= 1;
            }
            Cell::Text => self.nonmissing -= 1,
            Cell::Missing => self.missing -= 1,
        }
        if self.problems.first().is_some_and(|p| p.row == 0) {
            self.problems.remove(0);
        }
        for p in &mut self.problems {
            p.row -= 1;
        }
    }

    /// A text column from a builder whose every cell is a problem (so every
    /// cell's text is interned already).
    fn into_text_column(self, name: String) -> Column {
        let mut texts = self.texts.into_strings();
        let mut remap = vec![MISSING_CODE; texts.len()];
        let mut levels: Vec<String> = Vec::new();
        let mut codes = Vec::with_capacity(self.problems.len());
        let mut problems = Vec::new();
        for p in self.problems {
            if p.kind == ProblemKind::Missing {
                codes.push(MISSING_CODE);
                problems.push(p);
            } else {
                let t = p.text as usize;
                if remap[t] == MISSING_CODE {
                    remap[t] = levels.len() as u32;
                    // A text is never both missing and not, so taking it
                    // leaves the missing problems' texts intact.
                    levels.push(std::mem::take(&mut texts[t]));
                }
                codes.push(remap[t]);
            }
        }
        Column {
            name,
            kind: ColumnKind::Text,
            missing: problems.len(),
            storage: Storage::Text { codes, levels },
            problems,
            problem_texts: texts,
        }
    }

    /// Numeric when numbers are a strict majority of the non-missing cells.
    fn is_numeric(&self) -> bool {
        self.numbers >= 1 && self.numbers * 2 > self.nonmissing
    }
}

fn reader(bytes: &[u8], delimiter: u8) -> Reader<&[u8]> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes)
}

/// A place in the text (BOM excluded): byte offset and 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pos {
    byte: usize,
    line: u64,
}

impl Pos {
    const START: Pos = Pos { byte: 0, line: 1 };
}

/// A csv reader over the text from `base` on, reporting positions in the
/// whole text. Records end where a fresh reader would start again (csv_core
/// is back in its start state after every record), so a parse cut into
/// cursors reads exactly what one reader over the whole text reads.
struct Cursor<'a> {
    rdr: Reader<&'a [u8]>,
    base: Pos,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a [u8], delimiter: u8, base: Pos) -> Self {
        Cursor {
            rdr: reader(&text[base.byte..], delimiter),
            base,
        }
    }

    fn abs(base: Pos, p: &csv::Position) -> Pos {
        Pos {
            byte: base.byte + p.byte() as usize,
            line: base.line + p.line() - 1,
        }
    }

    /// Where the next record starts.
    fn position(&self) -> Pos {
        Self::abs(self.base, self.rdr.position())
    }

    /// Where `rec` (read by this cursor) starts.
    fn record_pos(&self, rec: &StringRecord) -> Pos {
        rec.position()
            .map_or(Pos { byte: 0, line: 0 }, |p| Self::abs(self.base, p))
    }

    /// Reads the next record; `false` at the end.
    fn next(&mut self, rec: &mut StringRecord, last_line: u64) -> Result<bool> {
        let base = self.base;
        // The text is a `str` and the reader splits it at ASCII bytes only, so
        // no error can happen in practice (a UTF-8 error would be the one).
        self.rdr
            .read_record(rec)
            .map_err(|e| GradstepError::Malformed {
                line: e.position().map_or(last_line, |p| Self::abs(base, p).line),
                reason: e.to_string(),
            })
    }
}

/// A line of only whitespace (the reader already skips empty lines).
fn is_blank(rec: &StringRecord) -> bool {
    rec.len() == 1 && rec[0].trim().is_empty()
}

/// The reader runs an unclosed quote to the end of the input silently; this
/// finds it by rescanning the record that starts at `start`. Returns how many
/// line breaks precede the record's first field (a start can point at the
/// line end left over from a CRLF), so the caller can name the right line.
fn unterminated_quote(text: &[u8], start: usize, delim: u8) -> Option<u64> {
    let mut in_quotes = false;
    let mut field_start = true;
    let mut i = start;
    let mut skipped_lines = 0;
    while let Some(&b @ (b'\r' | b'\n')) = text.get(i) {
        skipped_lines += u64::from(b == b'\n');
        i += 1;
    }
    while i < text.len() {
        let b = text[i];
        if in_quotes {
            if b == b'"' {
                if text.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else {
            match b {
                b'"' if field_start => in_quotes = true,
                b'\n' | b'\r' => return None,
                _ => {}
            }
            field_start = b == delim;
        }
        i += 1;
    }
    in_quotes.then_some(skipped_lines)
}

fn unterminated_error(line: u64) -> GradstepError {
    GradstepError::Malformed {
        line,
        reason: "a quoted field starting on this line is never closed (missing '\"')".into(),
    }
}

/// Picks the delimiter whose field count is most consistent (and > 1) over
/// the first records; ties go to more fields, then to `,` `;` tab `|`.
fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0.0_f64, 1_usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut rdr = reader(text.as_bytes(), d);
        let mut rec = StringRecord::new();
        let mut counts: Vec<usize> = Vec::with_capacity(SNIFF_RECORDS);
        while counts.len() < SNIFF_RECORDS && matches!(rdr.read_record(&mut rec), Ok(true)) {
            if !is_blank(&rec) {
                counts.push(rec.len());
            }
        }
        if counts.is_empty() {
            continue;
        }
        let mut freq: HashMap<usize, usize> = HashMap::new();
        for &c in &counts {
            *freq.entry(c).or_default() += 1;
        }
        let (mode, hits) = freq
            .into_iter()
            .max_by_key(|&(c, n)| (n, c))
            .unwrap_or((1, 0));
        if mode <= 1 {
            continue;
        }
        let consistency = hits as f64 / counts.len() as f64;
        if consistency > best.1 || (consistency == best.1 && mode > best.2) {
            best = (d, consistency, mode);
        }
    }
    best.0
}

/// Header names: empty → `colK`, duplicates → `x_2`, `x_3`, ...
fn unique_names(raw: Vec<String>) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    for (k, name) in raw.into_iter().enumerate() {
        let base = if name.is_empty() {
            format!("col{}", k + 1)
        } else {
            name
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while names.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        names.push(candidate);
    }
    names
}

fn too_large(records: usize, cols: usize, limit: usize) -> GradstepError {
    GradstepError::TooLarge {
        what: format!(
            "the file has {} cells ({records} rows × {cols} columns), more than the limit of {limit}",
            records.saturating_mul(cols)
        ),
    }
}

impl Table {
    /// Parses CSV text: sniffs the delimiter, detects the header, types the
    /// columns and records problem cells.
    ///
    /// The same parse as [`TableBuilder`] done in one go.
    pub fn parse(text: &str) -> Result<Table> {
        Self::parse_with_limit(text, MAX_CELLS)
    }

    /// [`Table::parse`] with a different cell limit than [`MAX_CELLS`].
    pub fn parse_with_limit(text: &str, max_cells: usize) -> Result<Table> {
        Parser::new(max_cells).finish(text)
    }

    /// Number of data rows (header excluded).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The sniffed delimiter: `b','`, `b';'`, `b'\t'` or `b'|'`.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Whether the first row was taken as a header.
    pub fn has_header(&self) -> bool {
        self.has_header
    }

    /// The columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column names, in file order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Resolve a column by name (exact match first, then case-insensitive/trimmed) or 1-based index.
    pub fn resolve(&self, col: &ColumnRef) -> Result<usize> {
        match col {
            ColumnRef::Name(name) => {
                self.find_name(name)
                    .ok_or_else(|| GradstepError::UnknownColumn {
                        name: name.clone(),
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
        let want = name.trim().to_lowercase();
        self.columns
            .iter()
            .position(|c| c.name.trim().to_lowercase() == want)
    }

    /// The column names for an "unknown column" message.
    fn available(&self) -> String {
        const SHOWN: usize = 30;
        let mut s = self
            .columns
            .iter()
            .take(SHOWN)
            .map(|c| format!("'{}'", c.name))
            .collect::<Vec<_>>()
            .join(", ");
        if self.columns.len() > SHOWN {
            s.push_str(&format!(", ... ({} more)", self.columns.len() - SHOWN));
        }
        s
    }

    /// First `n` data rows as the raw cell strings (for a preview table).
    pub fn preview(&self, n: usize) -> Vec<Vec<String>> {
        let skip = usize::from(self.has_header);
        self.preview
            .iter()
            .skip(skip)
            .take(n.min(PREVIEW_ROWS))
            .cloned()
            .collect()
    }

    /// Number of distinct non-missing values of column `idx`, capped at `cap` (stop counting beyond it).
    pub fn distinct_count(&self, idx: usize, cap: usize) -> usize {
        let Some(col) = self.columns.get(idx) else {
            return 0;
        };
        match &col.storage {
            Storage::Text { levels, .. } => levels.len().min(cap),
            Storage::Numeric(values) => {
                let mut seen = std::collections::HashSet::new();
                for v in values.iter().filter(|v| !v.is_nan()) {
                    if seen.len() >= cap {
                        break;
                    }
                    seen.insert((v + 0.0).to_bits());
                }
                seen.len().min(cap)
            }
        }
    }

    /// Logistic if the column has exactly two distinct non-missing values, else Linear.
    pub fn suggest_model(&self, target_idx: usize) -> ModelKind {
        if self.distinct_count(target_idx, 3) == 2 {
            ModelKind::Logistic
        } else {
            ModelKind::Linear
        }
    }
}

/// Parses a CSV in slices, for callers that must stay responsive.
///
/// Push the whole text with [`push_text`](Self::push_text), then call
/// [`parse_step`](Self::parse_step) once per animation frame until
/// [`is_done`](Self::is_done), then [`finish`](Self::finish). The table is
/// exactly what [`Table::parse`] gives for the same text (`Table::parse` is
/// this builder run in one go), and so is the error, if any.
///
/// ```
/// use gradstep::data::table::{Table, TableBuilder};
///
/// let text = "x,y\n1,2\n3,4\n5,6\n";
/// let mut builder = TableBuilder::new();
/// builder.push_text(&text[..5]);
/// builder.push_text(&text[5..]);
/// while !builder.is_done() {
///     let consumed = builder.parse_step(2)?;
///     assert!(consumed <= builder.total_bytes());
/// }
/// let table = builder.finish()?;
/// assert_eq!(table.rows(), Table::parse(text)?.rows());
/// # Ok::<(), gradstep::GradstepError>(())
/// ```
pub struct TableBuilder {
    text: String,
    parser: Parser,
}

impl std::fmt::Debug for TableBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableBuilder")
            .field("total_bytes", &self.total_bytes())
            .field("consumed", &self.parser.consumed(self.text.len()))
            .field("done", &self.is_done())
            .finish_non_exhaustive()
    }
}

impl Default for TableBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TableBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        TableBuilder {
            text: String::new(),
            parser: Parser::new(MAX_CELLS),
        }
    }

    /// Appends text. All text is pushed before the first `parse_step`.
    ///
    /// Chunks may split lines and records anywhere (a `&str` always ends on
    /// a character boundary).
    ///
    /// # Panics
    ///
    /// If called after [`parse_step`](Self::parse_step): the delimiter and
    /// the header are decided from the text as it was then.
    pub fn push_text(&mut self, chunk: &str) {
        assert!(
            !self.parser.started(),
            "TableBuilder::push_text called after parse_step: push all text first"
        );
        self.text.push_str(chunk);
    }

    /// Bytes pushed so far.
    pub fn total_bytes(&self) -> usize {
        self.text.len()
    }

    /// Parses up to `max_rows` more records; returns the bytes consumed so far
    /// (progress = consumed / total_bytes). Errors exactly as Table::parse would
    /// (same variant and message for the same input).
    ///
    /// `max_rows` bounds the work of one call: the first call also sniffs the
    /// delimiter (a look at the first 50 records), and the call that reads
    /// the last record also builds the columns. `0` is taken as `1`.
    ///
    /// The value returned never decreases and is `total_bytes()` exactly
    /// when [`is_done`](Self::is_done). A text column holding some numbers
    /// (say `007` among words) needs the spelling of those numbers, which the
    /// first pass does not keep: the records holding them are read again in
    /// later steps, while the value stays just below `total_bytes()`.
    ///
    /// After an error, every later call returns the same error.
    pub fn parse_step(&mut self, max_rows: usize) -> crate::Result<usize> {
        self.parser.step(&self.text, max_rows)?;
        Ok(self.parser.consumed(self.text.len()))
    }

    /// True when every record is parsed.
    ///
    /// Also true once a step has failed: there is nothing left to do, and
    /// [`finish`](Self::finish) returns the error.
    pub fn is_done(&self) -> bool {
        self.parser.is_done()
    }

    /// The table; parses whatever is left first. Equal to Table::parse(all text).
    pub fn finish(self) -> crate::Result<Table> {
        self.parser.finish(&self.text)
    }
}

/// Records between two saved reader positions (for the second pass).
const CHECKPOINT: usize = 32;

/// Work units of the second pass: reading a record costs this many, putting
/// together one row of text columns from what pass one kept costs one.
const REREAD_RECORD_COST: usize = 16;

/// The resumable state of one parse; the text is passed to every call.
struct Parser {
    max_cells: usize,
    /// Length of a leading byte order mark, 0 or 3.
    bom: usize,
    state: State,
}

enum State {
    /// Nothing read yet.
    Start,
    /// Pass one: reading and typing records.
    Body(Box<Body>),
    /// Too many cells: counting the records left, for the message.
    Count {
        delimiter: u8,
        at: Pos,
        total: usize,
        ncols: usize,
    },
    /// Reading again the records that hold numbers in text columns.
    Reread(Box<Reread>),
    Done(Box<Table>),
    Failed(GradstepError),
}

/// How a slice of pass one ended.
enum BodyEnd {
    /// Budget spent; more to read.
    More,
    /// End of the text, or a ragged record (index, line, fields).
    End(Option<(usize, u64, usize)>),
    /// The record at this index would pass the cell limit; `at` is after it.
    TooLarge { at: Pos, total: usize },
}

impl Parser {
    fn new(max_cells: usize) -> Self {
        Parser {
            max_cells,
            bom: 0,
            state: State::Start,
        }
    }

    fn started(&self) -> bool {
        !matches!(self.state, State::Start)
    }

    fn is_done(&self) -> bool {
        matches!(self.state, State::Done(_) | State::Failed(_))
    }

    /// Bytes of the text (`total` long) consumed; `total` only when done.
    fn consumed(&self, total: usize) -> usize {
        let at = match &self.state {
            State::Start => 0,
            State::Body(body) => self.bom + body.at.byte,
            State::Count { at, .. } => self.bom + at.byte,
            State::Reread(_) => total,
            State::Done(_) | State::Failed(_) => return total,
        };
        at.min(total.saturating_sub(1))
    }

    /// Runs the parse to its end.
    fn finish(mut self, text: &str) -> Result<Table> {
        while !self.is_done() {
            self.step(text, usize::MAX)?;
        }
        match self.state {
            State::Done(table) => Ok(*table),
            State::Failed(e) => Err(e),
            _ => unreachable!("a finished parse is done or failed"),
        }
    }

    /// Reads up to `max_rows` records (at least one); a failure sticks.
    fn step(&mut self, text: &str, max_rows: usize) -> Result<()> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        self.run(text, max_rows.max(1)).inspect_err(|e| {
            self.state = State::Failed(e.clone());
        })
    }

    fn run(&mut self, text: &str, mut left: usize) -> Result<()> {
        if matches!(self.state, State::Start) {
            self.bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        }
        let text = &text[self.bom..];
        let max_cells = self.max_cells;
        while left > 0 {
            // `Start` is only a placeholder here: an error below replaces it
            // with `Failed`.
            self.state = match std::mem::replace(&mut self.state, State::Start) {
                State::Start => {
                    left -= 1;
                    State::Body(Box::new(Body::start(text, max_cells)?))
                }
                State::Body(mut body) => match body.read(text, max_cells, &mut left)? {
                    BodyEnd::More => State::Body(body),
                    BodyEnd::End(ragged) => (*body).end(text, ragged)?,
                    BodyEnd::TooLarge { at, total } => State::Count {
                        delimiter: body.delimiter,
                        at,
                        total,
                        ncols: body.ncols,
                    },
                },
                State::Count {
                    delimiter,
                    at,
                    mut total,
                    ncols,
                } => {
                    // Count the rest without storing it, so the message is exact.
                    let mut cur = Cursor::new(text.as_bytes(), delimiter, at);
                    let mut brec = csv::ByteRecord::new();
                    while left > 0 {
                        left -= 1;
                        if !matches!(cur.rdr.read_byte_record(&mut brec), Ok(true)) {
                            return Err(too_large(total, ncols, max_cells));
                        }
                        if !(brec.len() == 1 && brec[0].trim_ascii().is_empty()) {
                            total += 1;
                        }
                    }
                    State::Count {
                        delimiter,
                        at: cur.position(),
                        total,
                        ncols,
                    }
                }
                State::Reread(mut reread) => {
                    if reread.run(text, &mut left)? {
                        State::Done(Box::new(reread.into_table()))
                    } else {
                        State::Reread(reread)
                    }
                }
                done @ (State::Done(_) | State::Failed(_)) => {
                    self.state = done;
                    break;
                }
            };
        }
        Ok(())
    }
}

/// Pass one: every record typed as it comes.
struct Body {
    delimiter: u8,
    /// Where the next record starts.
    at: Pos,
    ncols: usize,
    /// Trimmed cells of the first record: header or first data row.
    first: Vec<String>,
    first_cells: Vec<Cell>,
    /// Whether the first record is the header, when it is clear from that
    /// record alone (then it is not in `builders`); `None` when the body
    /// decides.
    header: Option<bool>,
    builders: Vec<NumBuilder>,
    preview: Vec<Vec<String>>,
    /// Non-blank records read, the first included.
    records: usize,
    last_line: u64,
    last_start: usize,
    /// Start of record `k * CHECKPOINT`, for every such record read.
    checkpoints: Vec<Pos>,
}

impl Body {
    /// Sniffs the delimiter and reads the first non-blank record.
    fn start(text: &str, max_cells: usize) -> Result<Body> {
        let delimiter = sniff_delimiter(text);
        let mut cur = Cursor::new(text.as_bytes(), delimiter, Pos::START);
        let mut rec = StringRecord::new();
        loop {
            if !cur.next(&mut rec, 1)? {
                return Err(GradstepError::EmptyFile);
            }
            if !is_blank(&rec) {
                break;
            }
        }
        let ncols = rec.len();
        if ncols > max_cells {
            return Err(too_large(1, ncols, max_cells));
        }
        let start = cur.record_pos(&rec);
        let first: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
        let first_cells: Vec<Cell> = first.iter().map(|s| classify(s)).collect();
        let (first_text, first_num) = first_counts(&first_cells);
        // A first record without text is data; one with text and no number
        // is a header. Otherwise the body columns decide, at the end.
        let header = if first_text == 0 {
            Some(false)
        } else if first_num == 0 {
            Some(true)
        } else {
            None
        };
        let mut builders: Vec<NumBuilder> = (0..ncols).map(|_| NumBuilder::default()).collect();
        for (b, cell) in builders.iter_mut().zip(&first) {
            if header == Some(true) {
                // What pushing it and dropping it again would leave.
                b.texts.code(cell);
            } else {
                b.push(0, start.line, cell);
            }
        }
        Ok(Body {
            delimiter,
            at: cur.position(),
            ncols,
            preview: vec![first.clone()],
            first,
            first_cells,
            header,
            builders,
            records: 1,
            last_line: start.line,
            last_start: start.byte,
            checkpoints: vec![start],
        })
    }

    /// Reads records until `left` is spent, the text ends or a record stops
    /// the parse.
    fn read(&mut self, text: &str, max_cells: usize, left: &mut usize) -> Result<BodyEnd> {
        let bytes = text.as_bytes();
        let mut cur = Cursor::new(bytes, self.delimiter, self.at);
        let mut rec = StringRecord::new();
        let skip = usize::from(self.header == Some(true));
        while *left > 0 {
            *left -= 1;
            if !cur.next(&mut rec, self.last_line)? {
                return Ok(BodyEnd::End(None));
            }
            if is_blank(&rec) {
                continue;
            }
            let pos = cur.record_pos(&rec);
            if rec.len() != self.ncols {
                if let Some(skipped) = unterminated_quote(bytes, pos.byte, self.delimiter) {
                    return Err(unterminated_error(pos.line + skipped));
                }
                return Ok(BodyEnd::End(Some((self.records, pos.line, rec.len()))));
            }
            if (self.records + 1).saturating_mul(self.ncols) > max_cells {
                return Ok(BodyEnd::TooLarge {
                    at: cur.position(),
                    total: self.records + 1,
                });
            }
            if self.records % CHECKPOINT == 0 {
                self.checkpoints.push(pos);
            }
            let row = self.records - skip;
            for (b, cell) in self.builders.iter_mut().zip(rec.iter()) {
                b.push(row, pos.line, cell.trim());
            }
            if self.preview.len() <= PREVIEW_ROWS {
                self.preview
                    .push(rec.iter().map(|s| s.trim().to_string()).collect());
            }
            self.records += 1;
            self.last_line = pos.line;
            self.last_start = pos.byte;
        }
        self.at = cur.position();
        Ok(BodyEnd::More)
    }

    /// Pass one is over: decides the header and types the columns.
    fn end(self, text: &str, ragged: Option<(usize, u64, usize)>) -> Result<State> {
        let Body {
            delimiter,
            ncols,
            first,
            first_cells,
            header,
            mut builders,
            preview,
            records,
            last_line,
            last_start,
            checkpoints,
            ..
        } = self;
        if let Some(skipped) = ragged
            .is_none()
            .then(|| unterminated_quote(text.as_bytes(), last_start, delimiter))
            .flatten()
        {
            return Err(unterminated_error(last_line + skipped));
        }

        // Header: some first-row text sits over a numeric body column, or the
        // first row has text and no numbers at all.
        let has_header = header.unwrap_or_else(|| {
            let (first_text, first_num) = first_counts(&first_cells);
            first_text > 0
                && (records == 1
                    || first_num == 0
                    || first_cells.iter().zip(&builders).any(|(c, b)| {
                        *c == Cell::Text && {
                            let nonmissing = b.nonmissing - 1;
                            b.numbers >= 1 && b.numbers * 2 > nonmissing
                        }
                    }))
        });

        if let Some((record, line, found)) = ragged {
            let row = if has_header { record } else { record + 1 };
            return Err(GradstepError::RaggedRow {
                row,
                line,
                expected: ncols,
                found,
            });
        }

        let names = if has_header {
            if header.is_none() {
                for (b, c) in builders.iter_mut().zip(&first_cells) {
                    b.drop_first(*c);
                }
            }
            unique_names(first)
        } else {
            (1..=ncols).map(|k| format!("col{k}")).collect()
        };
        let rows = if has_header { records - 1 } else { records };
        if rows == 0 {
            return Err(GradstepError::HeaderOnly {
                columns: names.join(", "),
            });
        }

        // Text columns with no number in them already have every cell
        // interned; only mixed ones need the spelling of their numbers.
        let mut mixed: Vec<Mixed> = Vec::new();
        let mut columns: Vec<Column> = Vec::with_capacity(ncols);
        for (j, (b, name)) in builders.into_iter().zip(names).enumerate() {
            columns.push(if b.is_numeric() {
                Column {
                    name,
                    kind: ColumnKind::Numeric,
                    missing: b.missing,
                    storage: Storage::Numeric(b.values),
                    problems: b.problems,
                    problem_texts: b.texts.into_strings(),
                }
            } else if b.problems.len() == rows {
                b.into_text_column(name)
            } else {
                mixed.push(Mixed::new(j, b, rows));
                Column {
                    name,
                    kind: ColumnKind::Text,
                    missing: 0,
                    storage: Storage::Text {
                        codes: Vec::new(),
                        levels: Vec::new(),
                    },
                    problems: Vec::new(),
                    problem_texts: Vec::new(),
                }
            });
        }
        let table = Table {
            delimiter,
            has_header,
            rows,
            columns,
            preview,
        };
        Ok(if mixed.is_empty() {
            State::Done(Box::new(table))
        } else {
            State::Reread(Box::new(Reread {
                delimiter,
                skip: usize::from(has_header),
                rows,
                row: 0,
                checkpoints,
                at: None,
                table,
                mixed,
            }))
        })
    }
}

fn first_counts(first_cells: &[Cell]) -> (usize, usize) {
    let text = first_cells.iter().filter(|c| **c == Cell::Text).count();
    let num = first_cells
        .iter()
        .filter(|c| matches!(c, Cell::Number(_) | Cell::NonFinite))
        .count();
    (text, num)
}

/// Second pass: text columns whose numbers (kept as values only) need their
/// spelling. Rows are put together in order; only records holding such a
/// number are read again, reached from the nearest checkpoint.
struct Reread {
    delimiter: u8,
    /// 1 when the first record is the header.
    skip: usize,
    rows: usize,
    /// Next row to put together.
    row: usize,
    checkpoints: Vec<Pos>,
    /// Index and start of the record after the last one read.
    at: Option<(usize, Pos)>,
    /// The table, with empty placeholders for the mixed columns.
    table: Table,
    mixed: Vec<Mixed>,
}

impl Reread {
    /// Works until `left` is spent; `true` when every row is done.
    fn run(&mut self, text: &str, left: &mut usize) -> Result<bool> {
        let bytes = text.as_bytes();
        let mut cur: Option<(usize, Cursor)> = self
            .at
            .map(|(k, at)| (k, Cursor::new(bytes, self.delimiter, at)));
        let mut rec = StringRecord::new();
        let mut units = left.saturating_mul(REREAD_RECORD_COST);
        while self.row < self.rows && units > 0 {
            units -= 1;
            let row = self.row;
            if self.mixed.iter().any(|m| m.values[row].is_finite()) {
                let k = row + self.skip;
                let c = k / CHECKPOINT;
                if !matches!(&cur, Some((next, _)) if *next <= k && *next >= c * CHECKPOINT) {
                    cur = Some((
                        c * CHECKPOINT,
                        Cursor::new(bytes, self.delimiter, self.checkpoints[c]),
                    ));
                }
                let Some((next, rdr)) = cur.as_mut() else {
                    unreachable!("the cursor was just set");
                };
                while *next <= k {
                    units = units.saturating_sub(REREAD_RECORD_COST);
                    if !rdr.next(&mut rec, 0)? {
                        // Pass one read this record, so this cannot happen.
                        rec.clear();
                        break;
                    }
                    if !is_blank(&rec) {
                        *next += 1;
                    }
                }
            }
            for m in &mut self.mixed {
                m.push(row, &rec);
            }
            self.row += 1;
        }
        self.at = cur.map(|(k, c)| (k, c.position()));
        *left = units / REREAD_RECORD_COST;
        Ok(self.row == self.rows)
    }

    fn into_table(self) -> Table {
        let mut table = self.table;
        for m in self.mixed {
            let col = &mut table.columns[m.j];
            col.missing = m.problems.len();
            col.problems = m.problems;
            col.problem_texts = m.missing_texts;
            col.storage = Storage::Text {
                codes: m.codes,
                levels: m.levels,
            };
        }
        table
    }
}

/// A text column with numbers in it, put together row by row: levels in
/// order of first appearance, missing cells as problems whose texts are the
/// missing spellings in order of first appearance.
struct Mixed {
    j: usize,
    /// From pass one: finite at the numbers, NaN at the problem cells.
    values: Vec<f64>,
    /// From pass one, in row order.
    pass_one: Vec<Problem>,
    next_problem: usize,
    texts: Vec<String>,
    /// Pass-one text code → level code, or `MISSING_CODE` when not yet seen.
    level_of: Vec<u32>,
    /// Pass-one text code → code among the missing spellings.
    missing_of: Vec<u32>,
    /// Spellings of the numbers, and the level code of each.
    numbers: Interner,
    number_level: Vec<u32>,
    levels: Vec<String>,
    missing_texts: Vec<String>,
    codes: Vec<u32>,
    problems: Vec<Problem>,
}

impl Mixed {
    fn new(j: usize, b: NumBuilder, rows: usize) -> Self {
        let texts = b.texts.into_strings();
        Mixed {
            j,
            values: b.values,
            pass_one: b.problems,
            next_problem: 0,
            level_of: vec![MISSING_CODE; texts.len()],
            missing_of: vec![MISSING_CODE; texts.len()],
            texts,
            numbers: Interner::default(),
            number_level: Vec::new(),
            levels: Vec::new(),
            missing_texts: Vec::new(),
            codes: Vec::with_capacity(rows),
            problems: Vec::new(),
        }
    }

    /// Adds row `row`; `rec` is its record when this column holds a number
    /// there.
    fn push(&mut self, row: usize, rec: &StringRecord) {
        if self.values[row].is_finite() {
            let cell = rec.get(self.j).unwrap_or("").trim();
            let n = self.numbers.code(cell) as usize;
            if n == self.number_level.len() {
                self.number_level.push(self.levels.len() as u32);
                self.levels.push(cell.to_owned());
            }
            self.codes.push(self.number_level[n]);
            return;
        }
        let p = self.pass_one[self.next_problem];
        self.next_problem += 1;
        debug_assert_eq!(p.row, row, "pass-one problems are in row order");
        let t = p.text as usize;
        if p.kind == ProblemKind::Missing {
            if self.missing_of[t] == MISSING_CODE {
                self.missing_of[t] = self.missing_texts.len() as u32;
                self.missing_texts.push(self.texts[t].clone());
            }
            self.codes.push(MISSING_CODE);
            self.problems.push(Problem {
                row,
                line: p.line,
                kind: ProblemKind::Missing,
                text: self.missing_of[t],
            });
        } else {
            // A number's spelling never reads as text, so the two kinds of
            // level never collide.
            if self.level_of[t] == MISSING_CODE {
                self.level_of[t] = self.levels.len() as u32;
                self.levels.push(self.texts[t].clone());
            }
            self.codes.push(self.level_of[t]);
        }
    }
}
