//! Column storage: numbers in fixed-size chunks, so that a million-row
//! column grows without ever being copied (no reallocation of one big
//! buffer) and can be shared between the table and the datasets built from
//! it.
//!
//! Every chunk but the last holds exactly [`CHUNK_ROWS`] values; the kernel
//! walks the chunks in order, so chunk boundaries are part of the fixed
//! summation order that makes results reproducible bit for bit.

use std::ops::Range;

/// Rows per storage chunk (64 KiB of f64).
pub const CHUNK_ROWS: usize = 8192;

/// A column of f64 in chunks of [`CHUNK_ROWS`] values: full chunks, then
/// a tail that grows to one (a push is a `Vec` push).
#[derive(Clone, Default)]
pub struct NumericColumn {
    full: Vec<Box<[f64]>>,
    tail: Vec<f64>,
}

impl PartialEq for NumericColumn {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.full == other.full && self.tail == other.tail
    }
}

impl std::fmt::Debug for NumericColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumericColumn")
            .field("len", &self.len())
            .field("head", &self.iter().take(5).collect::<Vec<_>>())
            .finish()
    }
}

impl NumericColumn {
    /// An empty column.
    pub fn new() -> Self {
        Self::default()
    }

    /// A column holding `values`.
    pub fn from_slice(values: &[f64]) -> Self {
        let mut c = Self::new();
        c.extend_from_slice(values);
        c
    }

    /// A column of `len` copies of `value`.
    pub fn filled(len: usize, value: f64) -> Self {
        let mut c = Self::new();
        for _ in 0..len / CHUNK_ROWS {
            c.full.push(vec![value; CHUNK_ROWS].into_boxed_slice());
        }
        c.tail = vec![value; len % CHUNK_ROWS];
        c
    }

    /// Number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.full.len() * CHUNK_ROWS + self.tail.len()
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one value.
    #[inline]
    pub fn push(&mut self, value: f64) {
        if self.tail.len() == CHUNK_ROWS {
            self.seal();
        }
        if self.tail.capacity() == 0 {
            self.tail.reserve_exact(CHUNK_ROWS);
        }
        self.tail.push(value);
    }

    /// Moves the full tail into the chunks.
    #[cold]
    fn seal(&mut self) {
        let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK_ROWS));
        self.full.push(full.into_boxed_slice());
    }

    /// Appends every value of `values`.
    pub fn extend_from_slice(&mut self, values: &[f64]) {
        for &v in values {
            self.push(v);
        }
    }

    /// Value `i`; panics when `i >= len()`.
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        let (k, r) = (i / CHUNK_ROWS, i % CHUNK_ROWS);
        match self.full.get(k) {
            Some(c) => c[r],
            None => {
                assert!(
                    k == self.full.len() && r < self.tail.len(),
                    "row {i} out of range ({} rows)",
                    self.len()
                );
                self.tail[r]
            }
        }
    }

    /// Overwrites value `i`; panics when `i >= len()`.
    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        let (k, r) = (i / CHUNK_ROWS, i % CHUNK_ROWS);
        let n = self.len();
        match self.full.get_mut(k) {
            Some(c) => c[r] = value,
            None => {
                assert!(r < self.tail.len(), "row {i} out of range ({n} rows)");
                self.tail[r] = value;
            }
        }
    }

    /// Number of chunks.
    pub fn chunk_count(&self) -> usize {
        self.full.len() + usize::from(!self.tail.is_empty())
    }

    /// The values of chunk `k` (rows `k·CHUNK_ROWS ..`), exactly as many as
    /// the column has there.
    #[inline]
    pub fn chunk(&self, k: usize) -> &[f64] {
        match self.full.get(k) {
            Some(c) => c,
            None => {
                assert!(k == self.full.len(), "chunk {k} out of range");
                &self.tail
            }
        }
    }

    /// Chunk `k`'s values, to change in place.
    #[inline]
    pub fn chunk_mut(&mut self, k: usize) -> &mut [f64] {
        let n = self.full.len();
        match self.full.get_mut(k) {
            Some(c) => c,
            None => {
                assert!(k == n, "chunk {k} out of range");
                &mut self.tail
            }
        }
    }

    /// The values of rows `range`, as one slice when they lie in one chunk.
    /// Panics when the range is out of bounds or crosses a chunk boundary.
    #[inline]
    pub fn rows_in_chunk(&self, range: Range<usize>) -> &[f64] {
        assert!(range.end <= self.len() && range.start <= range.end);
        if range.is_empty() {
            return &[];
        }
        let k = range.start / CHUNK_ROWS;
        let a = range.start - k * CHUNK_ROWS;
        let b = range.end - k * CHUNK_ROWS;
        assert!(b <= CHUNK_ROWS, "range crosses a chunk");
        &self.chunk(k)[a..b]
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        self.full
            .iter()
            .flat_map(|c| c.iter().copied())
            .chain(self.tail.iter().copied())
    }

    /// The values, copied into one vector.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        for c in &self.full {
            out.extend_from_slice(c);
        }
        out.extend_from_slice(&self.tail);
        out
    }

    /// Frees the unused room of the tail.
    pub fn shrink_to_fit(&mut self) {
        self.tail.shrink_to_fit();
        self.full.shrink_to_fit();
    }

    /// Bytes of memory the values occupy.
    pub fn heap_bytes(&self) -> usize {
        (self.full.len() * CHUNK_ROWS + self.tail.capacity()) * 8
            + self.full.capacity() * std::mem::size_of::<Box<[f64]>>()
    }
}

/// Splits rows `range` into pieces that each lie within one storage chunk:
/// `(start, end)` pairs in order.
pub fn chunk_pieces(range: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    let mut at = range.start;
    std::iter::from_fn(move || {
        if at >= range.end {
            return None;
        }
        let next = ((at / CHUNK_ROWS + 1) * CHUNK_ROWS).min(range.end);
        let piece = at..next;
        at = next;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_across_chunks_and_reads_back() {
        let n = 2 * CHUNK_ROWS + 17;
        let mut c = NumericColumn::new();
        for i in 0..n {
            c.push(i as f64);
        }
        assert_eq!(c.len(), n);
        assert_eq!(c.chunk_count(), 3);
        assert_eq!(c.chunk(2).len(), 17);
        assert_eq!(c.get(CHUNK_ROWS), CHUNK_ROWS as f64);
        assert_eq!(c.iter().count(), n);
        c.shrink_to_fit();
        c.push(-1.0);
        assert_eq!(c.get(n), -1.0);
        assert_eq!(c.to_vec()[..3], [0.0, 1.0, 2.0]);
    }

    #[test]
    fn pieces_stay_within_chunks() {
        let pieces: Vec<_> = chunk_pieces(5..2 * CHUNK_ROWS + 3).collect();
        assert_eq!(
            pieces,
            vec![
                5..CHUNK_ROWS,
                CHUNK_ROWS..2 * CHUNK_ROWS,
                2 * CHUNK_ROWS..2 * CHUNK_ROWS + 3
            ]
        );
        assert_eq!(chunk_pieces(3..3).count(), 0);
    }

    #[test]
    fn filled_has_the_value_everywhere() {
        let c = NumericColumn::filled(CHUNK_ROWS + 2, 2.5);
        assert_eq!(c.len(), CHUNK_ROWS + 2);
        assert!(c.iter().all(|v| v == 2.5));
    }
}
