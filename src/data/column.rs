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

/// A column of f64 in chunks of [`CHUNK_ROWS`] values.
#[derive(Clone, Default, PartialEq)]
pub struct NumericColumn {
    len: usize,
    chunks: Vec<Box<[f64]>>,
}

impl std::fmt::Debug for NumericColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumericColumn")
            .field("len", &self.len)
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
        let mut left = len;
        while left > 0 {
            let m = left.min(CHUNK_ROWS);
            let mut chunk = vec![value; CHUNK_ROWS].into_boxed_slice();
            if m < CHUNK_ROWS {
                chunk = chunk[..m].to_vec().into_boxed_slice();
            }
            c.chunks.push(chunk);
            left -= m;
        }
        c.len = len;
        c
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one value.
    #[inline]
    pub fn push(&mut self, value: f64) {
        let k = self.len % CHUNK_ROWS;
        if k == 0 {
            self.chunks.push(vec![0.0; CHUNK_ROWS].into_boxed_slice());
        }
        if let Some(last) = self.chunks.last_mut() {
            // A shrunk last chunk is regrown before it is written to.
            if last.len() <= k {
                let mut grown = vec![0.0; CHUNK_ROWS].into_boxed_slice();
                grown[..last.len()].copy_from_slice(last);
                *last = grown;
            }
            last[k] = value;
        }
        self.len += 1;
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
        assert!(i < self.len, "row {i} out of range ({} rows)", self.len);
        self.chunks[i / CHUNK_ROWS][i % CHUNK_ROWS]
    }

    /// Overwrites value `i`; panics when `i >= len()`.
    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        assert!(i < self.len, "row {i} out of range ({} rows)", self.len);
        self.chunks[i / CHUNK_ROWS][i % CHUNK_ROWS] = value;
    }

    /// Number of chunks.
    pub fn chunk_count(&self) -> usize {
        self.len.div_ceil(CHUNK_ROWS)
    }

    /// The values of chunk `k` (rows `k·CHUNK_ROWS ..`), exactly as many as
    /// the column has there.
    #[inline]
    pub fn chunk(&self, k: usize) -> &[f64] {
        let start = k * CHUNK_ROWS;
        let m = self.len.saturating_sub(start).min(CHUNK_ROWS);
        &self.chunks[k][..m]
    }

    /// The values of rows `range`, as one slice when they lie in one chunk.
    /// Panics when the range is out of bounds or crosses a chunk boundary.
    #[inline]
    pub fn rows_in_chunk(&self, range: Range<usize>) -> &[f64] {
        assert!(range.end <= self.len && range.start <= range.end);
        let k = range.start / CHUNK_ROWS;
        let a = range.start - k * CHUNK_ROWS;
        let b = range.end - k * CHUNK_ROWS;
        assert!(b <= CHUNK_ROWS || range.is_empty(), "range crosses a chunk");
        if range.is_empty() {
            return &[];
        }
        &self.chunks[k][a..b]
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.chunk_count()).flat_map(move |k| self.chunk(k).iter().copied())
    }

    /// The values, copied into one vector.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len);
        for k in 0..self.chunk_count() {
            out.extend_from_slice(self.chunk(k));
        }
        out
    }

    /// Frees the unused tail of the last chunk.
    pub fn shrink_to_fit(&mut self) {
        let m = self.len % CHUNK_ROWS;
        if m != 0 {
            if let Some(last) = self.chunks.last_mut() {
                if last.len() > m {
                    *last = last[..m].to_vec().into_boxed_slice();
                }
            }
        }
        self.chunks.shrink_to_fit();
    }

    /// Bytes of memory the values occupy.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.len() * 8).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Box<[f64]>>()
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
