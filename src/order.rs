//! A small stable sort for the short lists the page sorts (eigenvalues,
//! a few labels, the top rows). core's sorts cost 4–10 KB of wasm for each
//! element type and comparison, and the worker's bundle has a size budget.

use std::cmp::Ordering;

/// Sorts `v` by `compare`, keeping equal items in their order (insertion
/// sort: O(n²), for lists of at most a few hundred items).
pub fn sort_small_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && compare(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sort_small_by;

    #[test]
    fn sorts_and_keeps_equal_items_in_order() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_small_by(&mut v, |a, b| a.0.cmp(&b.0));
        assert_eq!(v, vec![(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut empty: Vec<f64> = vec![];
        sort_small_by(&mut empty, f64::total_cmp);
        assert!(empty.is_empty());
    }
}
