//! Which rows each update uses: the full data, or mini-batches of a seeded
//! shuffle made anew each epoch.

use crate::{GradstepError, Result};

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Full batch, or mini-batches of B rows from a per-epoch shuffle.
///
/// Update k belongs to epoch ⌊k/P⌋ with P = ⌈n/B⌉ batches per epoch. The
/// epoch's order is a permutation of 0..n made by Fisher–Yates from a
/// SplitMix64 stream seeded with (seed, epoch) alone, so any update's rows
/// can be recomputed in any order. Batch j of the epoch is rows
/// [j·B, min((j+1)·B, n)) of that permutation: the last one is shorter when
/// B does not divide n. One epoch's permutation is cached (as `u32`), so
/// walking k upwards costs O(B) per update, amortised.
///
/// Equality compares (rows, batch size, seed), not the cache.
#[derive(Debug, Clone)]
pub struct Batches {
    rows: usize,
    batch_size: usize,
    seed: u64,
    /// The epoch whose permutation `order` holds.
    cached_epoch: Option<u64>,
    order: Vec<u32>,
}

impl PartialEq for Batches {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows && self.batch_size == other.batch_size && self.seed == other.seed
    }
}

impl Batches {
    /// Batches of `batch_size` ≥ 1 rows out of `rows`, shuffled with `seed`;
    /// `batch_size >= rows` means full batch (no shuffle, no index list).
    /// Mini-batches index rows with `u32`, so they need rows < 2³².
    pub fn new(rows: usize, batch_size: usize, seed: u64) -> Result<Batches> {
        if batch_size == 0 {
            return Err(GradstepError::InvalidSetting {
                name: "batch size".into(),
                value: "0".into(),
                reason: "must be at least 1 (or the number of rows, for full batch)".into(),
            });
        }
        if batch_size < rows && u32::try_from(rows).is_err() {
            return Err(GradstepError::InvalidSetting {
                name: "rows".into(),
                value: rows.to_string(),
                reason: format!("mini-batches handle at most {} rows", u32::MAX),
            });
        }
        Ok(Batches {
            rows,
            batch_size,
            seed,
            cached_epoch: None,
            order: Vec::new(),
        })
    }

    /// Whether every update uses all rows.
    pub fn is_full(&self) -> bool {
        self.batch_size >= self.rows
    }

    /// Updates per epoch, ⌈n/B⌉ (1 when full).
    pub fn per_epoch(&self) -> u64 {
        if self.is_full() {
            1
        } else {
            self.rows.div_ceil(self.batch_size) as u64
        }
    }

    /// The rows of update `k` (0-based), or None when full batch: the
    /// ⌊k mod P⌋-th slice of B rows of epoch ⌊k/P⌋'s permutation.
    pub fn rows_for_step(&mut self, k: u64) -> Option<&[u32]> {
        if self.is_full() {
            return None;
        }
        let per_epoch = self.per_epoch();
        let epoch = k / per_epoch;
        let index = (k % per_epoch) as usize;
        if self.cached_epoch != Some(epoch) {
            self.shuffle(epoch);
        }
        let start = index * self.batch_size;
        let end = (start + self.batch_size).min(self.rows);
        Some(&self.order[start..end])
    }

    /// k/P as a fraction, for an "epochs" axis.
    pub fn epoch_of(&self, k: u64) -> f64 {
        k as f64 / self.per_epoch() as f64
    }

    /// Fills `order` with epoch `epoch`'s permutation: Fisher–Yates from the
    /// identity, position i (from n − 1 down to 1) swapped with a uniform
    /// j ∈ [0, i].
    fn shuffle(&mut self, epoch: u64) {
        self.order.clear();
        // `new` checked that rows fit in u32.
        self.order.extend(0..self.rows as u32);
        let mut rng = SplitMix64::for_epoch(self.seed, epoch);
        for i in (1..self.rows).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            self.order.swap(i, j);
        }
        self.cached_epoch = Some(epoch);
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): state += golden; output = mix(state).
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// The stream of (seed, epoch): its state starts at
    /// mix(seed + mix(epoch + golden)), so streams of different epochs are
    /// not shifts of one another.
    fn for_epoch(seed: u64, epoch: u64) -> Self {
        Self {
            state: mix(seed.wrapping_add(mix(epoch.wrapping_add(GOLDEN)))),
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A uniform integer in [0, bound), bound ≥ 1, without bias (Lemire's
    /// multiply-and-reject).
    fn below(&mut self, bound: u64) -> u64 {
        let mut product = u128::from(self.next()) * u128::from(bound);
        let mut low = product as u64;
        if low < bound {
            let threshold = bound.wrapping_neg() % bound;
            while low < threshold {
                product = u128::from(self.next()) * u128::from(bound);
                low = product as u64;
            }
        }
        (product >> 64) as u64
    }
}

/// SplitMix64's output function.
fn mix(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_published_stream() {
        // Reference outputs of SplitMix64 started from state 0.
        let mut rng = SplitMix64 { state: 0 };
        assert_eq!(rng.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::for_epoch(7, 0);
        for bound in 1..200u64 {
            assert!(rng.below(bound) < bound);
        }
    }

    #[test]
    fn zero_batch_size_is_refused() {
        assert!(Batches::new(10, 0, 1).is_err());
        assert!(Batches::new(0, 1, 1).unwrap().is_full());
    }
}
