//! A dense row-major matrix of f64: the feature data X, one row per example.

/// A dense `rows × cols` matrix stored row by row, so that one pass over the
/// data visits each example's features together (what a gradient step needs).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A matrix from row-major data; `None` when `data.len() != rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Option<Self> {
        (rows.checked_mul(cols) == Some(data.len())).then_some(Self { rows, cols, data })
    }

    /// A matrix from equally long rows; `None` when rows differ in length.
    pub fn from_rows(rows: &[Vec<f64>]) -> Option<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for row in rows {
            if row.len() != cols {
                return None;
            }
            data.extend_from_slice(row);
        }
        Some(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// Number of rows (examples).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (features).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i` as a slice. Panics when `i >= rows()`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterator over the rows.
    pub fn row_iter(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        // `max(1)` keeps chunks_exact valid for a matrix with no columns.
        let cols = self.cols.max(1);
        self.data
            .chunks_exact(cols)
            .take(if self.cols == 0 { 0 } else { self.rows })
    }

    /// Column `j` copied out. Panics when `j >= cols()`.
    pub fn column(&self, j: usize) -> Vec<f64> {
        assert!(j < self.cols, "column {j} out of range");
        self.row_iter().map(|r| r[j]).collect()
    }

    /// The row-major data.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The row-major data, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_round_trip() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]).unwrap();
        assert_eq!((m.rows(), m.cols()), (3, 2));
        assert_eq!(m.row(1), &[3.0, 4.0]);
        assert_eq!(m.column(1), vec![2.0, 4.0, 6.0]);
        assert_eq!(m.row_iter().count(), 3);
    }

    #[test]
    fn rejects_mismatched_shapes() {
        assert!(Matrix::from_row_major(2, 2, vec![1.0; 3]).is_none());
        assert!(Matrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_none());
    }
}
