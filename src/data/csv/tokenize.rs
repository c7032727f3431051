//! A resumable RFC 4180 tokenizer: bytes in chunks of any size, fields and
//! record ends out, exactly as if the bytes came in one piece.
//!
//! A field that lies inside one chunk and is not quoted is handed out as a
//! slice of that chunk (no copy); only fields that cross a chunk boundary or
//! are quoted go through the carry buffer, which is bounded by the cell
//! limit.

use crate::{GradstepError, Result};

const NORMAL: u8 = 0;
const DELIM: u8 = 1;
const LF: u8 = 2;
const CR: u8 = 3;
const QUOTE: u8 = 4;
const NUL: u8 = 5;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (high bit of each byte) the zero bytes of `x`; the lowest flag is
/// exactly the first zero byte.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Where the tokenizer hands fields and records.
pub(crate) trait Sink {
    /// A record starts on `line` (blank lines included; the sink skips them).
    fn begin_record(&mut self, line: u64);
    /// The next field of the record (unquoted, not trimmed). `window`, when
    /// given, is 16 bytes of the text starting where `cell` starts (so a
    /// short cell can be read a word at a time).
    fn field(&mut self, cell: &[u8], quoted: bool, window: Option<&[u8; 16]>) -> Result<()>;
    /// The record ends.
    fn end_record(&mut self) -> Result<()>;
    /// The error for a field longer than the cell limit.
    fn too_long(&self) -> GradstepError;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
    AfterQuote,
    AfterCr,
}

/// The tokenizer's state between chunks.
#[derive(Debug, Clone)]
pub(crate) struct Tokenizer {
    class: [u8; 256],
    state: State,
    carry: Vec<u8>,
    /// The current line, 1-based.
    line: u64,
    /// Line where the open quoted field started.
    quote_line: u64,
    /// Inside quotes, the last byte was a CR (so an LF is no new line).
    quoted_cr: bool,
    /// Offset in the text of the next chunk's first byte.
    offset: u64,
    max_cell: usize,
    /// The delimiter repeated in every byte (LF when there is none).
    delim_pattern: u64,
}

impl Tokenizer {
    /// A tokenizer splitting fields at `delimiter` (`None`: one column).
    pub(crate) fn new(delimiter: Option<u8>, max_cell: usize) -> Self {
        let mut class = [NORMAL; 256];
        class[usize::from(b'\n')] = LF;
        class[usize::from(b'\r')] = CR;
        class[usize::from(b'"')] = QUOTE;
        class[0] = NUL;
        if let Some(d) = delimiter {
            class[usize::from(d)] = DELIM;
        }
        Tokenizer {
            class,
            state: State::RecordStart,
            carry: Vec::new(),
            line: 1,
            quote_line: 1,
            quoted_cr: false,
            offset: 0,
            max_cell,
            delim_pattern: u64::from(delimiter.unwrap_or(b'\n')) * ONES,
        }
    }

    /// The first byte at or after `j` that is the delimiter, CR, LF, a
    /// quote or NUL (or `data.len()`): eight bytes at a time (sixteen in
    /// the browser).
    #[inline]
    fn find_special(&self, data: &[u8], mut j: usize) -> usize {
        // In the browser: sixteen bytes at a time with simd128 (the same
        // candidates as the word loop below, which takes the rest).
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        while let Some(w) = data.get(j..j + 16) {
            use core::arch::wasm32::*;
            let mut b = [0u8; 16];
            b.copy_from_slice(w);
            let x = u128::from_le_bytes(b);
            let v = u64x2(x as u64, (x >> 64) as u64);
            let m = v128_or(
                v128_or(
                    u8x16_lt(v, u8x16_splat(0x0E)),
                    u8x16_eq(v, u8x16_splat(self.delim_pattern as u8)),
                ),
                u8x16_eq(v, u8x16_splat(b'"')),
            );
            let mask = u8x16_bitmask(m);
            if mask != 0 {
                let at = j + mask.trailing_zeros() as usize;
                if self.class[usize::from(data[at])] != NORMAL {
                    return at;
                }
                j = at + 1;
                continue;
            }
            j += 16;
        }
        while let Some(w) = data.get(j..j + 8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            let x = u64::from_le_bytes(b);
            // Bytes below 0x0E (NUL, LF, CR and a few other controls), the
            // delimiter and the quote; a control that is not special is
            // skipped below.
            let m = (x.wrapping_sub(0x0E * ONES) & !x & HIGHS)
                | zero_bytes(x ^ self.delim_pattern)
                | zero_bytes(x ^ (u64::from(b'"') * ONES));
            if m != 0 {
                let at = j + (m.trailing_zeros() / 8) as usize;
                if self.class[usize::from(data[at])] != NORMAL {
                    return at;
                }
                j = at + 1;
                continue;
            }
            j += 8;
        }
        while j < data.len() && self.class[usize::from(data[j])] == NORMAL {
            j += 1;
        }
        j
    }

    /// The line being read (1-based).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    fn append<S: Sink>(&mut self, bytes: &[u8], sink: &S) -> Result<()> {
        if self.carry.len() + bytes.len() > self.max_cell {
            return Err(sink.too_long());
        }
        self.carry.extend_from_slice(bytes);
        Ok(())
    }

    /// What follows a field: another field, a record end, or a NUL byte.
    #[inline]
    fn after_field<S: Sink>(&mut self, class: u8, at: u64, sink: &mut S) -> Result<()> {
        match class {
            DELIM => self.state = State::FieldStart,
            LF => {
                sink.end_record()?;
                self.line += 1;
                self.state = State::RecordStart;
            }
            CR => {
                sink.end_record()?;
                self.line += 1;
                self.state = State::AfterCr;
            }
            _ => return Err(GradstepError::NotText { offset: at }),
        }
        Ok(())
    }

    /// Reads `data`, the next bytes of the text.
    pub(crate) fn feed<S: Sink>(&mut self, data: &[u8], sink: &mut S) -> Result<()> {
        let n = data.len();
        let mut i = 0;
        while i < n {
            match self.state {
                State::RecordStart => {
                    sink.begin_record(self.line);
                    self.state = State::FieldStart;
                }
                State::FieldStart => {
                    // Unquoted fields that end inside this chunk, one after
                    // another without going through the state machine.
                    loop {
                        if data[i] == b'"' {
                            self.open_quote();
                            i += 1;
                            break;
                        }
                        let start = i;
                        let j = self.find_special(data, i);
                        if j - start > self.max_cell {
                            return Err(sink.too_long());
                        }
                        if j == n {
                            self.carry.clear();
                            self.append(&data[start..], sink)?;
                            self.state = State::Unquoted;
                            i = n;
                            break;
                        }
                        let c = self.class[usize::from(data[j])];
                        if c == QUOTE {
                            if data[start..j].iter().all(|&b| b == b' ' || b == b'\t') {
                                self.open_quote();
                            } else {
                                self.carry.clear();
                                self.append(&data[start..=j], sink)?;
                                self.state = State::Unquoted;
                            }
                            i = j + 1;
                            break;
                        }
                        let window = data.get(start..start + 16).and_then(|w| w.try_into().ok());
                        sink.field(&data[start..j], false, window)?;
                        i = j + 1;
                        self.after_field(c, self.offset + j as u64, sink)?;
                        if i >= n {
                            break;
                        }
                        match self.state {
                            State::FieldStart => {}
                            State::RecordStart => {
                                sink.begin_record(self.line);
                                self.state = State::FieldStart;
                            }
                            _ => break,
                        }
                    }
                }
                State::Unquoted => {
                    let j = self.find_special(data, i);
                    self.append(&data[i..j], sink)?;
                    if j == n {
                        break;
                    }
                    let c = self.class[usize::from(data[j])];
                    if c == QUOTE {
                        // Only spaces so far: the quote opens a quoted field,
                        // as it does when the spaces are not split off.
                        if self.carry.iter().all(|&b| b == b' ' || b == b'\t') {
                            self.open_quote();
                        } else {
                            self.append(b"\"", sink)?;
                        }
                        i = j + 1;
                        continue;
                    }
                    let carry = std::mem::take(&mut self.carry);
                    let r = sink.field(&carry, false, None);
                    self.carry = carry;
                    r?;
                    i = j + 1;
                    self.after_field(c, self.offset + j as u64, sink)?;
                }
                State::Quoted => {
                    let mut j = i;
                    while j < n {
                        let b = data[j];
                        match b {
                            b'"' => break,
                            b'\n' => {
                                if !self.quoted_cr {
                                    self.line += 1;
                                }
                                self.quoted_cr = false;
                            }
                            b'\r' => {
                                self.line += 1;
                                self.quoted_cr = true;
                            }
                            0 => {
                                return Err(GradstepError::NotText {
                                    offset: self.offset + j as u64,
                                })
                            }
                            _ => self.quoted_cr = false,
                        }
                        j += 1;
                    }
                    self.append(&data[i..j], sink)?;
                    if j == n {
                        break;
                    }
                    self.quoted_cr = false;
                    i = j + 1;
                    self.state = State::QuoteInQuoted;
                }
                State::QuoteInQuoted => {
                    if data[i] == b'"' {
                        self.append(b"\"", sink)?;
                        i += 1;
                        self.state = State::Quoted;
                    } else {
                        self.state = State::AfterQuote;
                    }
                }
                State::AfterQuote => {
                    let b = data[i];
                    let c = self.class[usize::from(b)];
                    if c == NORMAL || c == QUOTE {
                        // Text after a closing quote is kept (as most
                        // readers do); spaces there are dropped.
                        if b != b' ' && b != b'\t' {
                            self.append(&[b], sink)?;
                        }
                        i += 1;
                    } else {
                        let carry = std::mem::take(&mut self.carry);
                        let r = sink.field(&carry, true, None);
                        self.carry = carry;
                        r?;
                        i += 1;
                        self.after_field(c, self.offset + (i - 1) as u64, sink)?;
                    }
                }
                State::AfterCr => {
                    if data[i] == b'\n' {
                        i += 1;
                    }
                    self.state = State::RecordStart;
                }
            }
        }
        self.offset += n as u64;
        Ok(())
    }

    fn open_quote(&mut self) {
        self.carry.clear();
        self.quote_line = self.line;
        self.quoted_cr = false;
        self.state = State::Quoted;
    }

    /// The end of the text: the last field and record, or the error for a
    /// quote that is never closed.
    pub(crate) fn finish<S: Sink>(&mut self, sink: &mut S) -> Result<()> {
        let state = self.state;
        self.state = State::RecordStart;
        match state {
            State::RecordStart | State::AfterCr => Ok(()),
            State::FieldStart => {
                sink.field(b"", false, None)?;
                sink.end_record()
            }
            State::Unquoted | State::QuoteInQuoted | State::AfterQuote => {
                let carry = std::mem::take(&mut self.carry);
                sink.field(&carry, state != State::Unquoted, None)?;
                sink.end_record()
            }
            State::Quoted => Err(GradstepError::Malformed {
                line: self.quote_line,
                reason: "a quoted field starting on this line is never closed (missing '\"')"
                    .into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        records: Vec<(u64, Vec<(String, bool)>)>,
        cur: Vec<(String, bool)>,
        line: u64,
    }

    impl Sink for Collect {
        fn begin_record(&mut self, line: u64) {
            self.line = line;
        }
        fn field(&mut self, cell: &[u8], quoted: bool, _: Option<&[u8; 16]>) -> Result<()> {
            self.cur
                .push((String::from_utf8_lossy(cell).into_owned(), quoted));
            Ok(())
        }
        fn end_record(&mut self) -> Result<()> {
            let cur = std::mem::take(&mut self.cur);
            self.records.push((self.line, cur));
            Ok(())
        }
        fn too_long(&self) -> GradstepError {
            GradstepError::TooLarge {
                what: "cell".into(),
            }
        }
    }

    type Records = Vec<(u64, Vec<(String, bool)>)>;

    fn run(text: &[u8], cuts: &[usize]) -> Result<Records> {
        let mut t = Tokenizer::new(Some(b','), 1000);
        let mut c = Collect::default();
        let mut at = 0;
        for &cut in cuts {
            t.feed(&text[at..cut], &mut c)?;
            at = cut;
        }
        t.feed(&text[at..], &mut c)?;
        t.finish(&mut c)?;
        Ok(c.records)
    }

    #[test]
    fn quotes_line_ends_and_every_split() {
        let text = b"a,\"b,\"\"c\"\"\nd\"\r\n\r1, \"x\" ,z\rlast,";
        let whole = run(text, &[]).unwrap();
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[0].1[1].0, "b,\"c\"\nd");
        assert_eq!(whole[1].1.len(), 1); // the blank line
        assert_eq!(whole[2].0, 4);
        assert_eq!(whole[2].1[1], ("x".to_string(), true));
        assert_eq!(whole[3].0, 5);
        assert_eq!(whole[3].1[1].0, "");
        for a in 0..=text.len() {
            for b in a..=text.len() {
                assert_eq!(run(text, &[a, b]).unwrap(), whole, "cuts {a} {b}");
            }
        }
    }

    #[test]
    fn unclosed_quote_names_its_line() {
        let e = run(b"a\nb,\"x\n\ny", &[]).unwrap_err();
        assert_eq!(
            e,
            GradstepError::Malformed {
                line: 2,
                reason: "a quoted field starting on this line is never closed (missing '\"')"
                    .into()
            }
        );
    }
}
