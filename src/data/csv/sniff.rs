//! Choosing the delimiter from the first records.

use super::column_builder::{classify_str, decode_cell, is_trim_char, Class};
use super::tokenize::{Sink, Tokenizer};
use crate::{GradstepError, Result};

/// Text buffered before the delimiter is chosen (less when the file ends).
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;
/// Line-end bytes (CR or LF) that end the sniffing window early.
pub(crate) const SNIFF_LINE_ENDS: usize = 256;
/// Records looked at per candidate.
const SNIFF_RECORDS: usize = 100;
/// The candidates, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A record: each cell (trimmed) and whether it was quoted.
type Record = Vec<(Vec<u8>, bool)>;

/// Records of the window as split by one candidate.
#[derive(Default)]
struct Collect {
    records: Vec<Record>,
    cur: Record,
    content: bool,
}

impl Sink for Collect {
    fn begin_record(&mut self, _line: u64) {}

    fn field(&mut self, cell: &[u8], quoted: bool, _: Option<&[u8; 16]>) -> Result<()> {
        let text = String::from_utf8_lossy(cell);
        let t = text.trim_matches(is_trim_char);
        self.content |= quoted || !t.is_empty();
        self.cur.push((t.as_bytes().to_vec(), quoted));
        Ok(())
    }

    fn end_record(&mut self) -> Result<()> {
        let cur = std::mem::take(&mut self.cur);
        if std::mem::take(&mut self.content) {
            self.records.push(cur);
        }
        if self.records.len() >= SNIFF_RECORDS {
            // Enough: stop the tokenizer (the caller ignores this error).
            return Err(GradstepError::EmptyFile);
        }
        Ok(())
    }

    fn too_long(&self) -> GradstepError {
        GradstepError::EmptyFile
    }
}

/// The records of `window` under `delimiter`; the last one only if it is
/// complete (or the file ends there, or it is the only one). Also whether
/// the first record is complete.
fn records(window: &[u8], delimiter: Option<u8>, at_end: bool) -> (Vec<Record>, bool) {
    let mut t = Tokenizer::new(delimiter, usize::MAX);
    let mut c = Collect::default();
    let stopped = t.feed(window, &mut c).is_err();
    let complete = !c.records.is_empty() || stopped;
    if !stopped && (at_end || c.records.is_empty()) {
        let _ = t.finish(&mut c);
    }
    (c.records, complete || at_end)
}

/// Whether a cell read under one delimiter holds another candidate between
/// two digits ("5;2" under ','): a sign the split is wrong.
fn unclean(cell: &[u8], quoted: bool, delimiter: u8) -> bool {
    if quoted {
        return false;
    }
    let hit = cell.windows(3).any(|w| {
        w[0].is_ascii_digit()
            && w[2].is_ascii_digit()
            && w[1] != delimiter
            && CANDIDATES.contains(&w[1])
    });
    hit && {
        let (text, _) = decode_cell(cell);
        classify_str(&text) == Class::Text
    }
}

/// The chosen delimiter (`None`: one column) and the first record's field
/// count under it, with whether that record ended inside the window.
pub(crate) fn sniff(window: &[u8], at_end: bool) -> (Option<u8>, Option<(usize, bool)>) {
    let mut best: Option<(u8, f64, usize)> = None;
    let mut first_of_best = None;
    for d in CANDIDATES {
        let (recs, first_complete) = records(window, Some(d), at_end);
        if recs.is_empty() {
            continue;
        }
        // (fields per record, records with that many): few distinct
        // counts, as their sum is at most the window's cells.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for r in &recs {
            match tally.iter_mut().find(|(c, _)| *c == r.len()) {
                Some((_, n)) => *n += 1,
                None => tally.push((r.len(), 1)),
            }
        }
        // Most frequent count; ties go to the larger count.
        let (mode, hits) = tally.iter().fold((0, 0), |(m, h), &(c, n)| {
            if n > h || (n == h && c > m) {
                (c, n)
            } else {
                (m, h)
            }
        });
        if mode <= 1 {
            continue;
        }
        let consistency = hits as f64 / recs.len() as f64;
        let cells: usize = recs.iter().map(Vec::len).sum();
        let bad = recs
            .iter()
            .flatten()
            .filter(|(c, q)| unclean(c, *q, d))
            .count();
        let score = consistency * (1.0 - bad as f64 / cells.max(1) as f64);
        let better = match best {
            None => true,
            Some((_, s, m)) => score > s + 1e-12 || ((score - s).abs() <= 1e-12 && mode > m),
        };
        if better {
            best = Some((d, score, mode));
            first_of_best = recs.first().map(|r| (r.len(), first_complete));
        }
    }
    match best {
        Some((d, _, _)) => (Some(d), first_of_best),
        None => {
            let (recs, complete) = records(window, None, at_end);
            (None, recs.first().map(|r| (r.len(), complete)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_commas_pick_the_semicolon() {
        assert_eq!(sniff(b"1,5;2,5;3,5\n4,5;5,5;6,5\n", true).0, Some(b';'));
        assert_eq!(sniff(b"a;b;c\n1,5;2,5;3,5\n", true).0, Some(b';'));
        assert_eq!(sniff(b"a,b\n1,2\n", true).0, Some(b','));
        assert_eq!(sniff(b"a\tb\n1,5\t2\n", true).0, Some(b'\t'));
        assert_eq!(sniff(b"a|b\n1|2\n", true).0, Some(b'|'));
        assert_eq!(sniff(b"x\n1\n2\n", true).0, None);
        assert_eq!(sniff(b"name,note\nbob,\"a;b\"\n", true).0, Some(b','));
    }
}
