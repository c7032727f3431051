//! One column while the file streams: counts, the first example of every
//! number format, and storage that can become numeric or text at `finish`
//! without the cell strings.
//!
//! Storage starts numeric: one f64 per row, where non-number cells,
//! ambiguous `1,234` cells and numbers whose spelling is not the plain
//! `format!("{}", v)` are NaN boxes (a NaN with a tag and an id in its
//! payload; parsing never yields a NaN, so every NaN is a box). A column
//! whose text clearly dominates switches once to codes and levels. Either
//! storage holds enough to produce the other exactly, so the final kind
//! depends on the counts alone.

use std::borrow::Cow;

use super::date::is_date;
use super::decode::windows_1252;
use super::intern::Interner;
use super::number::{
    is_infinity, is_missing_token, read_formatted, scan_plain, scan_short, DecimalSeen, NumVal,
    NumberRead, Sep, UnitSeen,
};
use super::{
    ColumnKind, ColumnStats, DecimalMark, NumberFormat, Problem, ProblemKind, Storage, Unit,
    MISSING_CODE,
};
use crate::data::column::{NumericColumn, CHUNK_ROWS};
use crate::limits::quote;

const BOX_MASK: u64 = 0xFFFF_0000_0000_0000;
const BOX: u64 = 0xFFF8_0000_0000_0000;
const TAG_SHIFT: u32 = 44;
const PAYLOAD: u64 = (1 << TAG_SHIFT) - 1;
const TAG_MISSING: u64 = 1;
const TAG_TEXT: u64 = 2;
const TAG_DATE: u64 = 3;
const TAG_NONFINITE: u64 = 4;
const TAG_SPELLED: u64 = 5;
const TAG_AMB_COMMA: u64 = 6;
const TAG_AMB_POINT: u64 = 7;
/// A plain decimal with trailing zeros (`3.50`): sign, digits after the
/// point and the digits as an integer, so both value and spelling follow.
const TAG_FIXED: u64 = 8;
const FIXED_MANT_BITS: u32 = 39;
/// Id of a text that was not kept (its interner was full).
const OVERFLOW_ID: u64 = PAYLOAD;
const AMB_NEG: u64 = 1 << 43;
/// Codes of missing cells in text storage: this bit and the missing id.
const MISSING_BIT: u32 = 1 << 31;
/// Non-missing cells seen before a column may switch to text storage.
const SWITCH_AFTER: usize = 32;

#[inline]
fn boxed(tag: u64, payload: u64) -> f64 {
    f64::from_bits(BOX | (tag << TAG_SHIFT) | (payload & PAYLOAD))
}

#[inline]
fn unbox(v: f64) -> Option<(u64, u64)> {
    let b = v.to_bits();
    (b & BOX_MASK == BOX).then_some(((b >> TAG_SHIFT) & 0xF, b & PAYLOAD))
}

fn amb_box(int: i64, sep: Sep) -> f64 {
    let tag = match sep {
        Sep::Comma => TAG_AMB_COMMA,
        Sep::Point => TAG_AMB_POINT,
    };
    let mag = int.unsigned_abs() & (AMB_NEG - 1);
    boxed(tag, mag | if int < 0 { AMB_NEG } else { 0 })
}

fn amb_unbox(tag: u64, p: u64) -> NumVal {
    let mag = (p & (AMB_NEG - 1)) as i64;
    NumVal::Ambiguous {
        int: if p & AMB_NEG != 0 { -mag } else { mag },
        sep: if tag == TAG_AMB_COMMA {
            Sep::Comma
        } else {
            Sep::Point
        },
    }
}

fn fixed_box(neg: bool, mant: u64, k: u8) -> f64 {
    boxed(
        TAG_FIXED,
        (u64::from(neg) << 43) | (u64::from(k) << FIXED_MANT_BITS) | mant,
    )
}

/// The value of a fixed box (computed as the scan computed it).
#[inline]
fn fixed_value(p: u64) -> f64 {
    let neg = p & (1 << 43) != 0;
    let k = ((p >> FIXED_MANT_BITS) & 0xF) as usize;
    let mant = p & ((1 << FIXED_MANT_BITS) - 1);
    let m = mant as i64 as f64 / POW10_F64[k];
    f64::from_bits(m.to_bits() | (u64::from(neg) << 63))
}

/// Value and spelling of a fixed box.
fn fixed_unbox(p: u64) -> (f64, String) {
    let neg = p & (1 << 43) != 0;
    let k = ((p >> FIXED_MANT_BITS) & 0xF) as usize;
    let mant = p & ((1 << FIXED_MANT_BITS) - 1);
    let v = fixed_value(p);
    let digits = format!("{:0>width$}", mant, width = k + 1);
    let (int, frac) = digits.split_at(digits.len() - k);
    (v, format!("{}{int}.{frac}", if neg { "-" } else { "" }))
}

const POW10_F64: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The spelling of a canonical ambiguous number: `[-]d{1,3}<sep>ddd`.
fn amb_spelling(int: i64, sep: Sep) -> String {
    let sign = if int < 0 { "-" } else { "" };
    let m = int.unsigned_abs();
    format!("{sign}{}{}{:03}", m / 1000, sep.char(), m % 1000)
}

/// What a trimmed cell is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Class {
    Missing,
    Number(NumberRead),
    NonFinite,
    Date,
    Text,
}

/// Characters trimmed from both ends of a cell (U+FEFF included, so a
/// stray byte order mark mid-file reads like a space).
pub(crate) fn is_trim_char(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Trims ASCII whitespace and the UTF-8 encodings of NBSP, NNBSP, thin
/// and figure spaces, ideographic space and U+FEFF, from both ends.
#[inline]
pub(crate) fn trim_bytes(mut s: &[u8]) -> &[u8] {
    let clean = |b: u8| b > b' ' && b < 0x80;
    if let (Some(&f), Some(&l)) = (s.first(), s.last()) {
        if clean(f) && clean(l) {
            return s;
        }
    }
    loop {
        match s {
            [b' ' | b'\t' | b'\r' | b'\n' | b'\x0B' | b'\x0C', rest @ ..] => s = rest,
            [0xC2, 0xA0, rest @ ..] => s = rest,
            [0xE2, 0x80, 0x80..=0x8A | 0xAF, rest @ ..] => s = rest,
            [0xE3, 0x80, 0x80, rest @ ..] => s = rest,
            [0xEF, 0xBB, 0xBF, rest @ ..] => s = rest,
            _ => break,
        }
    }
    loop {
        match s {
            [rest @ .., b' ' | b'\t' | b'\r' | b'\n' | b'\x0B' | b'\x0C'] => s = rest,
            [rest @ .., 0xC2, 0xA0] => s = rest,
            [rest @ .., 0xE2, 0x80, 0x80..=0x8A | 0xAF] => s = rest,
            [rest @ .., 0xE3, 0x80, 0x80] => s = rest,
            [rest @ .., 0xEF, 0xBB, 0xBF] => s = rest,
            _ => break,
        }
    }
    s
}

/// A cell as text: UTF-8 when it is, else Windows-1252 (`true`).
pub(crate) fn decode_cell(cell: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(cell) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (Cow::Owned(windows_1252(cell)), true),
    }
}

/// What a trimmed cell of text is.
pub(crate) fn classify_str(t: &str) -> Class {
    if is_missing_token(t) {
        return Class::Missing;
    }
    if let Some(p) = scan_plain(t.as_bytes()) {
        return if p.value.is_finite() {
            Class::Number(p.read)
        } else {
            Class::NonFinite
        };
    }
    if is_infinity(t) {
        return Class::NonFinite;
    }
    if let Some(r) = read_formatted(t) {
        return match r.value {
            NumVal::Exact(v) if !v.is_finite() => Class::NonFinite,
            _ => Class::Number(r),
        };
    }
    if is_date(t) {
        return Class::Date;
    }
    Class::Text
}

/// A value as written and the row it is on (tentative: -1 is the first
/// record, when it turns out to be data).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ex {
    pub text: String,
    pub row: i64,
}

impl Ex {
    fn new(text: &[u8], row: i64) -> Ex {
        Ex {
            text: quote(&String::from_utf8_lossy(text)),
            row,
        }
    }
}

#[inline]
fn note(slot: &mut Option<Ex>, text: &[u8], row: i64, first: bool) {
    if first || slot.is_none() {
        *slot = Some(Ex::new(text, row));
    }
}

/// An example and what it shows about the decimal mark.
type Evidence<'a> = (&'a Ex, &'static str);

/// The first example of every way numbers are written in a column.
#[derive(Debug, Clone, Default)]
struct FormatSeen {
    point: Option<Ex>,
    comma: Option<Ex>,
    /// Ambiguous `1,234` and `1.234`: [comma, point].
    amb: [Option<Ex>; 2],
    /// Thousands separators by class: comma, point, space, apostrophe.
    thousands: [Option<(char, Ex)>; 4],
    unit_none: Option<Ex>,
    percent: Option<Ex>,
    currency: Option<(char, Ex)>,
    other_currency: Option<(char, Ex)>,
    parens: Option<Ex>,
}

fn note_char(slot: &mut Option<(char, Ex)>, c: char, text: &[u8], row: i64, first: bool) {
    if first || slot.is_none() {
        *slot = Some((c, Ex::new(text, row)));
    }
}

impl FormatSeen {
    #[inline]
    fn observe(&mut self, r: &NumberRead, text: &[u8], row: i64, first: bool) {
        match r.decimal {
            DecimalSeen::None => {}
            DecimalSeen::Point => note(&mut self.point, text, row, first),
            DecimalSeen::Comma => note(&mut self.comma, text, row, first),
            DecimalSeen::Ambiguous(Sep::Comma) => note(&mut self.amb[0], text, row, first),
            DecimalSeen::Ambiguous(Sep::Point) => note(&mut self.amb[1], text, row, first),
        }
        if let Some(t) = r.thousands {
            let slot = &mut self.thousands[t.class()];
            note_char(slot, t.char(), text, row, first);
        }
        match r.unit {
            UnitSeen::None => note(&mut self.unit_none, text, row, first),
            UnitSeen::Percent => note(&mut self.percent, text, row, first),
            UnitSeen::Currency(c) => match &self.currency {
                Some((have, _)) if *have != c && !first => {
                    note_char(&mut self.other_currency, c, text, row, false)
                }
                Some((have, ex)) if *have != c && first => {
                    self.other_currency = Some((*have, ex.clone()));
                    note_char(&mut self.currency, c, text, row, true);
                }
                _ => note_char(&mut self.currency, c, text, row, first),
            },
        }
        if r.parens {
            note(&mut self.parens, text, row, first);
        }
    }

    /// Point-like and comma-like evidence: (point, comma), earliest each.
    fn evidence(&self) -> (Option<Evidence<'_>>, Option<Evidence<'_>>) {
        fn earliest<'a>(a: Option<Evidence<'a>>, b: Option<Evidence<'a>>) -> Option<Evidence<'a>> {
            match (a, b) {
                (Some(x), Some(y)) => Some(if y.0.row < x.0.row { y } else { x }),
                (x, None) => x,
                (None, y) => y,
            }
        }
        let point = earliest(
            self.point.as_ref().map(|e| (e, "is a decimal point")),
            self.thousands[0]
                .as_ref()
                .map(|(_, e)| (e, "groups thousands with ','")),
        );
        let comma = earliest(
            self.comma.as_ref().map(|e| (e, "is a decimal comma")),
            self.thousands[1]
                .as_ref()
                .map(|(_, e)| (e, "groups thousands with '.'")),
        );
        (point, comma)
    }

    /// The decimal mark the cells seen so far show, if they show one.
    #[inline]
    fn decided(&self) -> Option<Sep> {
        let point = self.point.is_some() || self.thousands[0].is_some();
        let comma = self.comma.is_some() || self.thousands[1].is_some();
        match (point, comma) {
            (true, false) => Some(Sep::Point),
            (false, true) => Some(Sep::Comma),
            _ => None,
        }
    }

    /// The decimal mark this column shows on its own, if any.
    fn own_decimal(&self) -> Option<Sep> {
        match self.evidence() {
            (Some(_), None) => Some(Sep::Point),
            (None, Some(_)) => Some(Sep::Comma),
            _ => None,
        }
    }

    /// The column's number format, or why its formats disagree.
    fn decide(&self, convention: Sep) -> Result<NumberFormat, String> {
        // Every clash is collected, so that the message quotes one value of
        // each format in play.
        let mut clashes: Vec<(&Ex, String)> = Vec::new();
        let (point, comma) = self.evidence();
        if let (Some(p), Some(c)) = (point, comma) {
            clashes.push((p.0, p.1.to_string()));
            clashes.push((c.0, c.1.to_string()));
        }
        let has_amb = self.amb.iter().any(Option::is_some);
        let decimal = match (point, comma) {
            (Some(_), _) => Sep::Point,
            (_, Some(_)) => Sep::Comma,
            _ if has_amb => convention,
            _ => Sep::Point,
        };
        let mut thousands = self.thousands.clone();
        for (k, sep, class) in [(0, Sep::Comma, 0), (1, Sep::Point, 1)] {
            if sep != decimal {
                if let Some(e) = &self.amb[k] {
                    let slot = &mut thousands[class];
                    if slot.as_ref().is_none_or(|(_, x)| e.row < x.row) {
                        *slot = Some((sep.char(), e.clone()));
                    }
                }
            }
        }
        let seen: Vec<(&Ex, String)> = thousands
            .iter()
            .flatten()
            .map(|(c, e)| (e, format!("groups thousands with '{c}'")))
            .collect();
        if seen.len() >= 2 {
            clashes.extend(seen.iter().map(|(e, what)| (*e, what.clone())));
        }
        if let (Some((c1, e1)), Some((c2, e2))) = (&self.currency, &self.other_currency) {
            clashes.push((e1, format!("is in {c1}")));
            clashes.push((e2, format!("is in {c2}")));
        }
        let mut units: Vec<(&Ex, String)> = Vec::new();
        if let Some(e) = &self.unit_none {
            units.push((e, "has no unit".into()));
        }
        if let Some(e) = &self.percent {
            units.push((e, "is a percent".into()));
        }
        if let Some((c, e)) = &self.currency {
            units.push((e, format!("is in {c}")));
        }
        if units.len() >= 2 {
            clashes.extend(units);
        }
        if !clashes.is_empty() {
            return Err(disagree(clashes));
        }
        let unit = if self.percent.is_some() {
            Unit::Percent
        } else if let Some((c, _)) = &self.currency {
            Unit::Currency(*c)
        } else {
            Unit::None
        };
        let thousands = seen.iter().min_by_key(|(e, _)| e.row).and_then(|(e, _)| {
            thousands
                .iter()
                .flatten()
                .find(|(_, x)| x.row == e.row && x.text == e.text)
                .map(|(c, _)| *c)
        });
        Ok(NumberFormat {
            decimal: match decimal {
                Sep::Point => DecimalMark::Point,
                Sep::Comma => DecimalMark::Comma,
            },
            thousands,
            unit,
            parenthesized_negatives: self.parens.is_some(),
        })
    }
}

/// The message for examples whose formats disagree, in row order, one
/// phrase per value ("'1,5' (row 2) is a decimal comma but '1.5' (row 9)
/// is a decimal point"; three or more are listed with "and").
#[cold]
#[inline(never)]
fn disagree(clashes: Vec<(&Ex, String)>) -> String {
    // A handful of values: kept in row order by insertion (no sort, whose
    // code would weigh on the wasm bundle).
    let mut values: Vec<(&Ex, Vec<String>)> = Vec::new();
    for (e, what) in clashes {
        match values
            .iter_mut()
            .find(|(x, _)| x.row == e.row && x.text == e.text)
        {
            Some((_, whats)) if whats.contains(&what) => {}
            Some((_, whats)) => whats.push(what),
            None => {
                let at = values.iter().take_while(|(x, _)| x.row <= e.row).count();
                values.insert(at, (e, vec![what]));
            }
        }
    }
    let phrases: Vec<String> = values
        .iter()
        .map(|(e, whats)| {
            format!(
                "'{}' (row {}) {}",
                e.text,
                ROW_PLACEHOLDER.with_row(e.row),
                whats.join(" and ")
            )
        })
        .collect();
    let list = match phrases.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} but {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
        [] => String::new(),
    };
    format!("its number formats disagree: {list}")
}

/// Rows in messages are written as a marker and fixed once the header is
/// known (a tentative row becomes a 1-based data row).
struct RowMarker;
const ROW_PLACEHOLDER: RowMarker = RowMarker;
impl RowMarker {
    fn with_row(&self, row: i64) -> String {
        format!("\u{1}{row}\u{2}")
    }
}

/// Replaces row markers with 1-based data rows (`shift` is 1 when the
/// first record is data).
pub(crate) fn fix_rows(s: &str, shift: i64) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(a) = rest.find('\u{1}') {
        out.push_str(&rest[..a]);
        let tail = &rest[a + 1..];
        let Some(b) = tail.find('\u{2}') else {
            out.push_str(tail);
            return out;
        };
        let row: i64 = tail[..b].parse().unwrap_or(0);
        out.push_str(&format!("{}", row + shift + 1));
        rest = &tail[b + 1..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumKey {
    Exact(u64),
    Amb(i64, Sep),
}

/// The first distinct numbers in row order, until at least three distinct
/// values are certain whatever the ambiguous cells turn out to be.
#[derive(Debug, Clone, Default)]
struct NumDistinct {
    keys: Vec<(NumKey, NumVal, Ex)>,
    done: bool,
}

impl NumDistinct {
    #[inline]
    fn observe(&mut self, v: NumVal, text: &[u8], row: i64, first: bool) {
        if self.done && !first {
            return;
        }
        let key = match v {
            NumVal::Exact(x) => NumKey::Exact((x + 0.0).to_bits()),
            NumVal::Ambiguous { int, sep } => NumKey::Amb(int, sep),
        };
        if let Some(k) = self.keys.iter().position(|(x, _, _)| *x == key) {
            if first {
                let e = self.keys.remove(k);
                self.keys.insert(0, (e.0, e.1, Ex::new(text, row)));
            }
            return;
        }
        let e = (key, v, Ex::new(text, row));
        if first {
            self.keys.insert(0, e);
        } else {
            self.keys.push(e);
        }
        let exact = self
            .keys
            .iter()
            .filter(|k| matches!(k.0, NumKey::Exact(_)))
            .count();
        self.done = exact.max(self.keys.len() - exact) >= 3;
    }

    /// Distinct values (up to 3) and the first two as written.
    fn resolve(&self, decimal: Sep) -> (usize, Vec<String>) {
        let mut seen: Vec<(u64, &str)> = Vec::new();
        for (_, v, e) in &self.keys {
            let bits = (v.resolve(decimal) + 0.0).to_bits();
            if !seen.iter().any(|(b, _)| *b == bits) {
                seen.push((bits, &e.text));
            }
        }
        let n = seen.len().min(3);
        (n, seen.iter().take(2).map(|(_, t)| t.to_string()).collect())
    }
}

/// The first three distinct non-missing spellings.
#[derive(Debug, Clone, Default)]
struct SpellDistinct {
    seen: Vec<String>,
}

impl SpellDistinct {
    #[inline]
    fn observe(&mut self, text: &[u8], first: bool) {
        if self.seen.len() >= 3 && !first {
            return;
        }
        if let Some(k) = self.seen.iter().position(|s| s.as_bytes() == text) {
            if first {
                let s = self.seen.remove(k);
                self.seen.insert(0, s);
            }
            return;
        }
        let s = String::from_utf8_lossy(text).into_owned();
        if first {
            self.seen.insert(0, s);
            self.seen.truncate(3);
        } else {
            self.seen.push(s);
        }
    }
}

/// A level of text storage.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Level {
    Text,
    Date,
    NonFinite,
    Number(NumVal),
}

#[derive(Debug, Clone, Default)]
struct NumStore {
    values: NumericColumn,
    /// Spellings of numbers that are not canonical.
    spelled: Interner<NumVal>,
    /// Texts, dates and non-finite spellings; the info is the tag.
    texts: Interner<u64>,
    missing: Interner<()>,
    /// False once some distinct spelling could not be kept: the column then
    /// has more levels than allowed, so it can never have codes.
    levels_possible: bool,
    /// Cells stored as boxes.
    boxed: usize,
}

#[derive(Debug, Clone, Default)]
struct TextStore {
    codes: Vec<u32>,
    levels: Interner<Level>,
    missing: Interner<()>,
}

#[derive(Debug, Clone)]
enum Store {
    Num(NumStore),
    Text(TextStore),
}

impl NumStore {
    /// The stored form of a number.
    /// `decided` is the column's decimal mark when its cells already show
    /// it: an ambiguous cell is then stored as its final value.
    #[inline(always)]
    fn encode_number(
        &mut self,
        r: &NumberRead,
        text: &[u8],
        cap: usize,
        decided: Option<Sep>,
    ) -> f64 {
        let (value, canonical) = match (r.value, decided) {
            (NumVal::Ambiguous { int, sep }, Some(d)) if sep == d => (
                NumVal::Exact(int as f64 / 1000.0),
                r.canonical && int % 10 != 0,
            ),
            (v, _) => (v, r.canonical),
        };
        if canonical {
            return self.direct(value);
        }
        if self.levels_possible {
            if let Some(id) = self.spelled.code(text, || value, cap) {
                self.boxed += 1;
                return boxed(TAG_SPELLED, u64::from(id));
            }
            self.levels_possible = false;
        }
        self.direct(value)
    }

    #[inline]
    fn direct(&mut self, v: NumVal) -> f64 {
        match v {
            NumVal::Exact(x) => x,
            NumVal::Ambiguous { int, sep } => {
                self.boxed += 1;
                amb_box(int, sep)
            }
        }
    }

    fn encode_other(&mut self, tag: u64, text: &[u8], cap: usize) -> f64 {
        self.boxed += 1;
        let id = match self.texts.code(text, || tag, cap) {
            Some(id) => u64::from(id),
            None => {
                self.levels_possible = false;
                OVERFLOW_ID
            }
        };
        boxed(tag, id)
    }

    fn encode_missing(&mut self, text: &[u8], cap: usize) -> f64 {
        self.boxed += 1;
        let id = self
            .missing
            .code(text, || (), cap)
            .map_or(OVERFLOW_ID, u64::from);
        boxed(TAG_MISSING, id)
    }

    /// The spelling and level of a stored value (None for missing cells).
    fn level_of(&self, v: f64) -> Option<(Cow<'_, str>, Level)> {
        match unbox(v) {
            None => Some((Cow::Owned(format!("{v}")), Level::Number(NumVal::Exact(v)))),
            Some((tag @ (TAG_AMB_COMMA | TAG_AMB_POINT), p)) => {
                let nv = amb_unbox(tag, p);
                let NumVal::Ambiguous { int, sep } = nv else {
                    return None;
                };
                Some((Cow::Owned(amb_spelling(int, sep)), Level::Number(nv)))
            }
            Some((TAG_FIXED, p)) => {
                let (v, spelling) = fixed_unbox(p);
                Some((Cow::Owned(spelling), Level::Number(NumVal::Exact(v))))
            }
            Some((TAG_SPELLED, id)) => {
                let id = id as u32;
                Some((
                    Cow::Borrowed(self.spelled.get(id)?),
                    Level::Number(self.spelled.info(id)?),
                ))
            }
            Some((tag @ (TAG_TEXT | TAG_DATE | TAG_NONFINITE), id)) => {
                let level = match tag {
                    TAG_TEXT => Level::Text,
                    TAG_DATE => Level::Date,
                    _ => Level::NonFinite,
                };
                Some((Cow::Borrowed(self.texts.get(id as u32)?), level))
            }
            _ => None,
        }
    }

    /// Text storage holding the same cells, or `None` when the levels do
    /// not fit in `cap`.
    fn to_text(&self, cap: usize) -> Option<TextStore> {
        if !self.levels_possible {
            return None;
        }
        let mut levels: Interner<Level> = Interner::default();
        let mut codes = Vec::with_capacity(self.values.len());
        for v in self.values.iter() {
            if let Some((TAG_MISSING, id)) = unbox(v) {
                codes.push(MISSING_BIT | (id as u32 & !MISSING_BIT));
                continue;
            }
            let (s, level) = self.level_of(v)?;
            codes.push(levels.code(s.as_bytes(), || level, cap)?);
        }
        Some(TextStore {
            codes,
            levels,
            missing: self.missing.clone(),
        })
    }
}

impl TextStore {
    /// Numeric storage holding the same cells (levels are then given up).
    fn to_num(&self, cap: usize) -> NumStore {
        let mut s = NumStore {
            missing: self.missing.clone(),
            levels_possible: false,
            ..NumStore::default()
        };
        for &c in &self.codes {
            let v = if c & MISSING_BIT != 0 {
                s.boxed += 1;
                boxed(TAG_MISSING, u64::from(c & !MISSING_BIT))
            } else {
                match (self.levels.info(c), self.levels.get(c)) {
                    (Some(Level::Number(nv)), _) => s.direct(nv),
                    (Some(l), Some(text)) => {
                        let tag = match l {
                            Level::Text => TAG_TEXT,
                            Level::Date => TAG_DATE,
                            _ => TAG_NONFINITE,
                        };
                        s.encode_other(tag, text.as_bytes(), cap)
                    }
                    _ => boxed(TAG_TEXT, OVERFLOW_ID),
                }
            };
            s.values.push(v);
        }
        s
    }
}

/// Everything known about a column until the file ends.
#[derive(Debug, Clone)]
pub(crate) struct ColumnBuilder {
    cap: usize,
    /// Numbers, non-finite ones included.
    pub(crate) numbers: usize,
    pub(crate) texts: usize,
    pub(crate) dates: usize,
    pub(crate) missing: usize,
    fmt: FormatSeen,
    first_number: Option<Ex>,
    first_text: Option<Ex>,
    first_date: Option<Ex>,
    num_distinct: NumDistinct,
    spell_distinct: SpellDistinct,
    store: Store,
    /// The hot path for plain decimals applies: numeric storage, a decimal
    /// point shown, and every first example and distinct value noted.
    fast_point: bool,
    /// The hot path applies to ambiguous `12.345` cells too: one has been
    /// noted.
    fast_amb: bool,
}

/// What a column becomes, before its name is known.
pub(crate) struct Built {
    pub kind: ColumnKind,
    pub format: NumberFormat,
    pub missing: usize,
    pub text_reason: Option<String>,
    pub stats: ColumnStats,
    pub storage: Storage,
    pub problems: Vec<Problem>,
    pub problem_texts: Vec<String>,
    pub example: String,
}

impl ColumnBuilder {
    /// An empty column; `cap` is the most levels a text column keeps.
    pub(crate) fn new(cap: usize) -> Self {
        ColumnBuilder {
            cap,
            numbers: 0,
            texts: 0,
            dates: 0,
            missing: 0,
            fmt: FormatSeen::default(),
            first_number: None,
            first_text: None,
            first_date: None,
            num_distinct: NumDistinct::default(),
            spell_distinct: SpellDistinct::default(),
            store: Store::Num(NumStore {
                levels_possible: true,
                ..NumStore::default()
            }),
            fast_point: false,
            fast_amb: false,
        }
    }

    /// Whether the hot path may take the next plain decimal.
    fn refresh_fast(&mut self) {
        self.fast_point = matches!(self.store, Store::Num(_))
            && self.fmt.decided() == Some(Sep::Point)
            && self.fmt.unit_none.is_some()
            && self.fmt.point.is_some()
            && self.first_number.is_some()
            && self.num_distinct.done
            && self.spell_distinct.seen.len() >= 3;
        self.fast_amb = self.fast_point && self.fmt.amb[1].is_some();
    }

    fn non_missing(&self) -> usize {
        self.numbers + self.texts + self.dates
    }

    /// Whether numbers are a strict majority of the non-missing cells.
    pub(crate) fn numbers_win(&self) -> bool {
        self.numbers >= 1 && self.numbers * 2 > self.non_missing()
    }

    /// Whether dates are a strict majority of the non-missing cells.
    pub(crate) fn dates_win(&self) -> bool {
        self.dates >= 1 && self.dates * 2 > self.non_missing()
    }

    /// Adds the next cell (trimmed bytes). Returns whether the cell was not
    /// UTF-8 and was read as Windows-1252.
    #[inline]
    pub(crate) fn push(&mut self, cell: &[u8], row: u32, window: Option<&[u8; 16]>) -> bool {
        let row = i64::from(row);
        if let Some(w) = window {
            if cell.len() <= 16 {
                if let Some(p) = scan_short(w, cell.len()) {
                    // A decimal-point column: an ambiguous `12.345` is final,
                    // and a canonical spelling needs no keeping.
                    let amb = matches!(p.read.value, NumVal::Ambiguous { .. });
                    let trailing_zero = amb && cell.last() == Some(&b'0');
                    if if amb { self.fast_amb } else { self.fast_point } {
                        if let Store::Num(s) = &mut self.store {
                            // The value, or a fixed box for `3.50`: chosen
                            // without a branch (both are common).
                            let plain = p.read.canonical && !trailing_zero;
                            let fixed = p.fixed.filter(|&(mant, _)| mant < 1 << FIXED_MANT_BITS);
                            if plain || fixed.is_some() {
                                let (mant, k) = fixed.unwrap_or((0, 0));
                                let boxed = fixed_box(p.value.is_sign_negative(), mant, k);
                                self.numbers += 1;
                                s.boxed += usize::from(!plain);
                                s.values.push(if plain { p.value } else { boxed });
                                return false;
                            }
                        }
                    }
                    self.add_plain(&p.read, cell, row);
                    self.refresh_fast();
                    return false;
                }
            }
        }
        if let Some(&b0) = cell.first() {
            if b0.is_ascii_digit() || b0 == b'-' || b0 == b'.' || b0 == b'+' {
                if let Some(p) = scan_plain(cell) {
                    if p.value.is_finite() {
                        self.add_plain(&p.read, cell, row);
                        self.refresh_fast();
                    } else {
                        self.add(Class::NonFinite, cell, row, false);
                    }
                    return false;
                }
            }
        } else {
            self.add(Class::Missing, cell, row, false);
            return false;
        }
        self.push_slow(cell, row, false)
    }

    /// A plain decimal (no unit, no separator but the point): the hot path.
    #[inline]
    fn add_plain(&mut self, r: &NumberRead, text: &[u8], row: i64) {
        self.numbers += 1;
        if self.fmt.unit_none.is_none() {
            self.fmt.unit_none = Some(Ex::new(text, row));
        }
        match r.decimal {
            DecimalSeen::Point if self.fmt.point.is_none() => {
                self.fmt.point = Some(Ex::new(text, row));
            }
            DecimalSeen::Ambiguous(Sep::Point) if self.fmt.amb[1].is_none() => {
                self.fmt.amb[1] = Some(Ex::new(text, row));
            }
            _ => {}
        }
        if self.first_number.is_none() {
            self.first_number = Some(Ex::new(text, row));
        }
        if !self.num_distinct.done {
            self.num_distinct.observe(r.value, text, row, false);
        }
        if self.spell_distinct.seen.len() < 3 {
            self.spell_distinct.observe(text, false);
        }
        let cap = self.cap;
        let decided = match r.value {
            NumVal::Ambiguous { .. } => self.fmt.decided(),
            NumVal::Exact(_) => None,
        };
        match &mut self.store {
            Store::Num(s) => {
                let v = s.encode_number(r, text, cap, decided);
                s.values.push(v);
            }
            Store::Text(_) => self.store_entry(Entry::Level(Level::Number(r.value)), text, false),
        }
    }

    #[cold]
    fn push_slow(&mut self, cell: &[u8], row: i64, first: bool) -> bool {
        let (text, cp1252) = decode_cell(cell);
        let t = text.trim_matches(is_trim_char);
        self.add(classify_str(t), t.as_bytes(), row, first);
        self.refresh_fast();
        cp1252
    }

    /// Counts and stores one classified cell; `first` puts it before every
    /// other row (the first record, once it is known to be data).
    #[inline]
    fn add(&mut self, class: Class, text: &[u8], row: i64, first: bool) {
        let cap = self.cap;
        let v = match class {
            Class::Missing => {
                self.missing += 1;
                match &mut self.store {
                    Store::Num(s) => Entry::Value(s.encode_missing(text, cap)),
                    Store::Text(s) => {
                        Entry::Code(MISSING_BIT | s.missing.code(text, || (), cap).unwrap_or(0))
                    }
                }
            }
            Class::Number(r) => {
                self.numbers += 1;
                self.fmt.observe(&r, text, row, first);
                note(&mut self.first_number, text, row, first);
                self.num_distinct.observe(r.value, text, row, first);
                self.spell_distinct.observe(text, first);
                let decided = self.fmt.decided();
                match &mut self.store {
                    Store::Num(s) => Entry::Value(s.encode_number(&r, text, cap, decided)),
                    Store::Text(_) => Entry::Level(Level::Number(r.value)),
                }
            }
            Class::NonFinite | Class::Date | Class::Text => {
                let (tag, level) = match class {
                    Class::NonFinite => {
                        self.numbers += 1;
                        note(&mut self.first_number, text, row, first);
                        (TAG_NONFINITE, Level::NonFinite)
                    }
                    Class::Date => {
                        self.dates += 1;
                        note(&mut self.first_date, text, row, first);
                        (TAG_DATE, Level::Date)
                    }
                    _ => {
                        self.texts += 1;
                        note(&mut self.first_text, text, row, first);
                        (TAG_TEXT, Level::Text)
                    }
                };
                self.spell_distinct.observe(text, first);
                match &mut self.store {
                    Store::Num(s) => Entry::Value(s.encode_other(tag, text, cap)),
                    Store::Text(_) => Entry::Level(level),
                }
            }
        };
        self.store_entry(v, text, first);
        if !first && matches!(class, Class::Text | Class::Date) {
            self.maybe_switch();
        }
    }

    #[inline]
    fn store_entry(&mut self, e: Entry, text: &[u8], first: bool) {
        let cap = self.cap;
        match e {
            Entry::Value(v) => {
                if let Store::Num(s) = &mut self.store {
                    if first {
                        let mut values = NumericColumn::new();
                        values.push(v);
                        for x in s.values.iter() {
                            values.push(x);
                        }
                        s.values = values;
                    } else {
                        s.values.push(v);
                    }
                }
            }
            Entry::Code(c) => {
                if let Store::Text(s) = &mut self.store {
                    if first {
                        s.codes.insert(0, c);
                    } else {
                        s.codes.push(c);
                    }
                }
            }
            Entry::Level(level) => {
                let full = match &mut self.store {
                    Store::Text(s) => match s.levels.code(text, || level, cap) {
                        Some(c) => {
                            if first {
                                s.codes.insert(0, c);
                            } else {
                                s.codes.push(c);
                            }
                            false
                        }
                        None => true,
                    },
                    Store::Num(_) => false,
                };
                if full {
                    // More levels than allowed: back to numeric storage.
                    if let Store::Text(s) = &self.store {
                        self.store = Store::Num(s.to_num(cap));
                    }
                    let v = match (level, &mut self.store) {
                        (Level::Number(nv), Store::Num(s)) => s.direct(nv),
                        (Level::Text, Store::Num(s)) => s.encode_other(TAG_TEXT, text, cap),
                        (Level::Date, Store::Num(s)) => s.encode_other(TAG_DATE, text, cap),
                        (_, Store::Num(s)) => s.encode_other(TAG_NONFINITE, text, cap),
                        _ => f64::NAN,
                    };
                    self.store_entry(Entry::Value(v), text, first);
                }
            }
        }
    }

    /// Text storage once text clearly dominates (two thirds of the
    /// non-missing cells, after a few dozen).
    fn maybe_switch(&mut self) {
        let nm = self.non_missing();
        if nm < SWITCH_AFTER || (self.texts + self.dates) * 3 <= nm * 2 {
            return;
        }
        if let Store::Num(s) = &mut self.store {
            if !s.levels_possible {
                return;
            }
            match s.to_text(self.cap) {
                Some(t) => self.store = Store::Text(t),
                None => s.levels_possible = false,
            }
        }
    }

    /// Adds the first record's cell before every row (it is data).
    pub(crate) fn prepend(&mut self, cell: &[u8]) -> bool {
        let cell = trim_bytes(cell);
        if cell.is_empty() {
            self.add(Class::Missing, cell, -1, true);
            return false;
        }
        self.push_slow(cell, -1, true)
    }

    /// The decimal mark this column shows on its own, when it is a
    /// numeric column (for the file's convention).
    pub(crate) fn own_decimal(&self) -> Option<Sep> {
        if self.numbers_win() {
            self.fmt.own_decimal()
        } else {
            None
        }
    }

    /// The finished column. `shift` is 1 when the first record is data
    /// (prepended), `line_of` gives the line of a final 0-based row.
    pub(crate) fn finish(
        self,
        convention: Sep,
        shift: i64,
        line_of: &dyn Fn(usize) -> u64,
    ) -> Built {
        let non_missing = self.non_missing();
        let fix = |s: String| fix_rows(&s, shift);
        let ex_text = |e: &Option<Ex>| e.as_ref().map(|e| e.text.clone());
        let mut stats = ColumnStats {
            non_missing,
            distinct_upto3: 0,
            first_values: Vec::new(),
            all_integer: false,
            constant_step: None,
            min: f64::NAN,
            max: f64::NAN,
        };
        let format_default = NumberFormat {
            decimal: DecimalMark::Point,
            thousands: None,
            unit: Unit::None,
            parenthesized_negatives: false,
        };
        let numeric = if self.numbers_win() {
            Some(self.fmt.decide(convention))
        } else {
            None
        };
        if let Some(Ok(format)) = numeric {
            let decimal = match format.decimal {
                DecimalMark::Point => Sep::Point,
                DecimalMark::Comma => Sep::Comma,
            };
            let (n, first) = self.num_distinct.resolve(decimal);
            stats.distinct_upto3 = n;
            stats.first_values = first;
            let example = ex_text(&self.first_number).unwrap_or_default();
            let missing = self.missing;
            let (values, problems, problem_texts) =
                Self::numeric_values(self.store, decimal, line_of);
            numeric_stats(&values, problems.is_empty(), &mut stats);
            return Built {
                kind: ColumnKind::Numeric,
                format,
                missing,
                text_reason: None,
                stats,
                storage: Storage::Numeric(std::sync::Arc::new(values)),
                problems,
                problem_texts,
                example,
            };
        }
        let is_date = numeric.is_none() && self.dates_win();
        let kind = if is_date {
            ColumnKind::Date
        } else {
            ColumnKind::Text
        };
        stats.distinct_upto3 = self.spell_distinct.seen.len().min(3);
        stats.first_values = self.spell_distinct.seen.iter().take(2).cloned().collect();
        let example = ex_text(&self.first_date)
            .filter(|_| is_date)
            .or_else(|| ex_text(&self.first_text))
            .or_else(|| ex_text(&self.first_date))
            .or_else(|| ex_text(&self.first_number))
            .unwrap_or_default();
        let cap = self.cap;
        let text = match self.store {
            Store::Text(t) => Some(t),
            Store::Num(s) => s.to_text(cap),
        };
        let storage = match text {
            Some(t) => {
                let (codes, levels) = ordered_levels(t);
                Storage::Text { codes, levels }
            }
            None => Storage::None,
        };
        let reason = match (&numeric, &storage) {
            (Some(Err(why)), _) => fix(why.clone()),
            _ if non_missing == 0 => "it has no values (every cell is missing)".to_string(),
            _ if is_date => format!("it holds dates (e.g. '{example}')"),
            (_, Storage::None) => format!(
                "it has more than {} distinct values, too many to use",
                group_thousands(cap as u64)
            ),
            _ => format!("it holds text (e.g. '{example}')"),
        };
        Built {
            kind,
            format: format_default,
            missing: self.missing,
            text_reason: Some(reason),
            stats,
            storage,
            problems: Vec::new(),
            problem_texts: Vec::new(),
            example,
        }
    }

    /// Final values (NaN at problem cells) and the problem cells. Numeric
    /// storage is fixed in place: only its boxes are rewritten.
    fn numeric_values(
        store: Store,
        decimal: Sep,
        line_of: &dyn Fn(usize) -> u64,
    ) -> (NumericColumn, Vec<Problem>, Vec<String>) {
        let mut problems = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        // Per id space (missing, other): id → index in `texts`.
        let mut remap: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        let mut not_kept: Option<u32> = None;
        let mut add_problem = |row: usize, kind: ProblemKind, space: usize, id: u64, text: &str| {
            let map = &mut remap[space];
            let id = id as usize;
            if map.len() <= id && id < (1 << 31) {
                map.resize(id + 1, u32::MAX);
            }
            let t = match map.get_mut(id) {
                Some(t) if *t != u32::MAX => *t,
                Some(t) => {
                    *t = texts.len() as u32;
                    texts.push(quote(text));
                    *t
                }
                // A text that was not kept: one shared entry.
                None => match not_kept {
                    Some(t) => t,
                    None => {
                        texts.push(quote(text));
                        let t = texts.len() as u32 - 1;
                        not_kept = Some(t);
                        t
                    }
                },
            };
            problems.push(Problem {
                row,
                line: line_of(row),
                kind,
                text: t,
            });
        };
        match store {
            Store::Num(s) => {
                let mut values = s.values;
                if s.boxed == 0 {
                    return (values, problems, texts);
                }
                let mut fixes: Vec<(usize, f64)> = Vec::new();
                for k in 0..values.chunk_count() {
                    fixes.clear();
                    for (i, &v) in values.chunk(k).iter().enumerate() {
                        let Some((tag, p)) = unbox(v) else {
                            continue;
                        };
                        let row = k * CHUNK_ROWS + i;
                        let x = match tag {
                            TAG_AMB_COMMA | TAG_AMB_POINT => amb_unbox(tag, p).resolve(decimal),
                            TAG_FIXED => fixed_value(p),
                            TAG_SPELLED => s
                                .spelled
                                .info(p as u32)
                                .map_or(f64::NAN, |nv| nv.resolve(decimal)),
                            TAG_MISSING => {
                                let t = s.missing.get(p as u32).unwrap_or("");
                                add_problem(row, ProblemKind::Missing, 0, p, t);
                                f64::NAN
                            }
                            _ => {
                                let kind = if tag == TAG_NONFINITE {
                                    ProblemKind::NonFinite
                                } else {
                                    ProblemKind::Text
                                };
                                let t = s.texts.get(p as u32).unwrap_or(NOT_KEPT);
                                add_problem(row, kind, 1, p, t);
                                f64::NAN
                            }
                        };
                        fixes.push((row, x));
                    }
                    for &(row, x) in &fixes {
                        values.set(row, x);
                    }
                }
                (values, problems, texts)
            }
            Store::Text(t) => {
                let mut out = NumericColumn::new();
                for (row, &c) in t.codes.iter().enumerate() {
                    let x = if c & MISSING_BIT != 0 {
                        let id = c & !MISSING_BIT;
                        let text = t.missing.get(id).unwrap_or("");
                        add_problem(row, ProblemKind::Missing, 0, u64::from(id), text);
                        f64::NAN
                    } else {
                        match t.levels.info(c) {
                            Some(Level::Number(nv)) => nv.resolve(decimal),
                            Some(l) => {
                                let kind = if l == Level::NonFinite {
                                    ProblemKind::NonFinite
                                } else {
                                    ProblemKind::Text
                                };
                                let text = t.levels.get(c).unwrap_or(NOT_KEPT);
                                add_problem(row, kind, 1, u64::from(c), text);
                                f64::NAN
                            }
                            None => f64::NAN,
                        }
                    };
                    out.push(x);
                }
                (out, problems, texts)
            }
        }
    }
}

/// The text of a problem cell whose spelling was not kept (the column had
/// more distinct texts than a text column may keep).
pub(crate) const NOT_KEPT: &str = "(text not kept: too many distinct values)";

enum Entry {
    Value(f64),
    Code(u32),
    Level(Level),
}

/// Codes renumbered so that levels are in order of first appearance.
fn ordered_levels(t: TextStore) -> (Vec<u32>, Vec<String>) {
    let (strings, _) = t.levels.into_parts();
    let mut map = vec![u32::MAX; strings.len()];
    let mut order: Vec<u32> = Vec::new();
    let mut codes = t.codes;
    for c in codes.iter_mut() {
        if *c & MISSING_BIT != 0 {
            *c = MISSING_CODE;
            continue;
        }
        match map.get_mut(*c as usize) {
            Some(m) => {
                if *m == u32::MAX {
                    *m = order.len() as u32;
                    order.push(*c);
                }
                *c = *m;
            }
            None => *c = MISSING_CODE,
        }
    }
    let mut strings: Vec<Option<String>> = strings.into_iter().map(Some).collect();
    let levels = order
        .iter()
        .map(|&c| {
            strings
                .get_mut(c as usize)
                .and_then(Option::take)
                .unwrap_or_default()
        })
        .collect();
    (codes, levels)
}

/// min, max, all_integer and constant_step of final values.
fn numeric_stats(values: &NumericColumn, no_problems: bool, stats: &mut ColumnStats) {
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut any = false;
    let mut all_integer = true;
    for k in 0..values.chunk_count() {
        for &v in values.chunk(k) {
            if v.is_finite() {
                any = true;
                min = min.min(v);
                max = max.max(v);
                // Every f64 of magnitude 2^52 or more is an integer.
                all_integer &= v.abs() >= 4_503_599_627_370_496.0 || (v as i64) as f64 == v;
            }
        }
    }
    if any {
        stats.min = min;
        stats.max = max;
        stats.all_integer = all_integer;
    }
    if no_problems && values.len() >= 3 {
        let mut it = values.iter();
        if let (Some(a), Some(b)) = (it.next(), it.next()) {
            let step = b - a;
            let mut prev = b;
            let mut ok = step.is_finite();
            for v in it {
                if !ok {
                    break;
                }
                ok = v - prev == step;
                prev = v;
            }
            if ok {
                stats.constant_step = Some(step + 0.0);
            }
        }
    }
}

/// 1234567 → "1,234,567".
pub(crate) fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_round_trip() {
        for (int, sep) in [
            (1234, Sep::Comma),
            (-999_999, Sep::Point),
            (1000, Sep::Point),
        ] {
            let v = amb_box(int, sep);
            assert!(v.is_nan());
            let (tag, p) = unbox(v).unwrap();
            assert_eq!(amb_unbox(tag, p), NumVal::Ambiguous { int, sep });
        }
        assert_eq!(unbox(1.5), None);
        assert_eq!(unbox(f64::NAN), None);
        assert_eq!(unbox(boxed(TAG_TEXT, 77)), Some((TAG_TEXT, 77)));
    }

    #[test]
    fn fixed_boxes_keep_value_and_spelling() {
        for (neg, mant, k, want) in [
            (false, 350, 2, "3.50"),
            (true, 0, 2, "-0.00"),
            (false, 50, 3, "0.050"),
            (true, 1_234_000, 4, "-123.4000"),
        ] {
            let v = fixed_box(neg, mant, k);
            let (tag, p) = unbox(v).unwrap();
            assert_eq!(tag, TAG_FIXED);
            let (x, s) = fixed_unbox(p);
            assert_eq!(s, want);
            assert_eq!(x.to_bits(), want.parse::<f64>().unwrap().to_bits());
        }
    }

    /// Long decimals (bodies of 9 to 15 bytes), trailing zeros, columns
    /// with and without `12.345` cells, one that turns to text: cells that
    /// come whole take the hot path, cells that come a byte at a time the
    /// general one, and the tables are the same, with `str::parse` values.
    #[test]
    fn hot_path_matches_the_general_one() {
        use crate::data::csv::{ColumnKind, Table, TableReader};
        let mut s = String::from("a,b,c,d\n");
        let mut rows: Vec<[String; 4]> = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x % 2_000_000_000) as f64 / 1e6 - 1000.0;
            let c = if i % 10 == 0 {
                "12.340".to_string()
            } else {
                format!("{v:.8}")
            };
            let d = if i < 300 {
                format!("{:.7}", v / 100.0)
            } else {
                format!("t{}", i % 9)
            };
            let row = [format!("{v:.6}"), format!("{:.2}", v / 10.0), c, d];
            s.push_str(&row.join(","));
            s.push('\n');
            rows.push(row);
        }
        let bytes = s.as_bytes();
        let whole = Table::parse(bytes).unwrap();
        let mut r = TableReader::new();
        for b in bytes.chunks(1) {
            r.push(b).unwrap();
        }
        assert_eq!(whole, r.finish().unwrap());
        for j in 0..3 {
            let values: Vec<f64> = whole.column(j).numeric().unwrap().iter().collect();
            for (row, v) in rows.iter().zip(&values) {
                assert_eq!(v.to_bits(), row[j].parse::<f64>().unwrap().to_bits());
            }
        }
        let d = whole.column(3);
        assert_eq!(d.kind, ColumnKind::Text);
        let (codes, levels) = d.text().unwrap();
        for (row, &c) in rows.iter().zip(codes) {
            assert_eq!(levels[c as usize], row[3]);
        }
    }

    #[test]
    fn trims_unicode_spaces_and_bom() {
        assert_eq!(trim_bytes(" \u{feff}1\u{a0}".as_bytes()), b"1");
        assert_eq!(trim_bytes("\u{202f}x y\t".as_bytes()), b"x y");
        assert_eq!(trim_bytes(b"   "), b"");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(1_204_330), "1,204,330");
        assert_eq!(group_thousands(65_536), "65,536");
        assert_eq!(group_thousands(7), "7");
    }
}
