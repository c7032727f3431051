//! A bounded record of values over steps, for the loss curve and the path:
//! memory stays flat however many steps are taken.

/// Values of a fixed width recorded every `stride` steps; when full, every
/// other point is dropped and the stride doubles. The latest point is always
/// kept too, so a curve ends where training is.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    width: usize,
    capacity: usize,
    stride: u64,
    steps: Vec<u64>,
    values: Vec<f64>,
    last_step: Option<u64>,
    last: Vec<f64>,
}

impl Series {
    /// An empty series of points with `width` values each, keeping at most
    /// `capacity` (≥ 2) thinned points.
    pub fn new(width: usize, capacity: usize) -> Self {
        let capacity = capacity.max(2);
        Self {
            width,
            capacity,
            stride: 1,
            steps: Vec::with_capacity(capacity),
            values: Vec::with_capacity(capacity * width),
            last_step: None,
            last: vec![0.0; width],
        }
    }

    /// Forgets every point.
    pub fn clear(&mut self) {
        self.stride = 1;
        self.steps.clear();
        self.values.clear();
        self.last_step = None;
    }

    /// Records `values` (length `width`) at `step`; steps must increase.
    /// Allocates nothing.
    pub fn record(&mut self, step: u64, values: &[f64]) {
        debug_assert_eq!(values.len(), self.width);
        if step % self.stride == 0 {
            if self.steps.len() >= self.capacity {
                self.thin();
            }
            if step % self.stride == 0 {
                self.steps.push(step);
                self.values.extend_from_slice(values);
            }
        }
        self.last_step = Some(step);
        self.last.copy_from_slice(values);
    }

    fn thin(&mut self) {
        let stride = self.stride * 2;
        let w = self.width;
        let mut kept = 0;
        for k in 0..self.steps.len() {
            if self.steps[k] % stride == 0 {
                self.steps[kept] = self.steps[k];
                self.values.copy_within(k * w..(k + 1) * w, kept * w);
                kept += 1;
            }
        }
        self.steps.truncate(kept);
        self.values.truncate(kept * w);
        self.stride = stride;
    }

    /// The step distance between kept points.
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// Number of points, the latest included.
    pub fn len(&self) -> usize {
        self.steps.len() + usize::from(self.has_extra_last())
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.last_step.is_none()
    }

    fn has_extra_last(&self) -> bool {
        matches!(self.last_step, Some(s) if self.steps.last() != Some(&s))
    }

    /// The points in step order: (step, values).
    pub fn points(&self) -> impl Iterator<Item = (u64, &[f64])> + '_ {
        let w = self.width;
        let kept = self
            .steps
            .iter()
            .enumerate()
            .map(move |(k, &s)| (s, &self.values[k * w..(k + 1) * w]));
        let extra = self
            .has_extra_last()
            .then(|| (self.last_step.unwrap_or(0), &self.last[..]));
        kept.chain(extra)
    }

    /// The latest point.
    pub fn last(&self) -> Option<(u64, &[f64])> {
        self.last_step.map(|s| (s, &self.last[..]))
    }

    /// At most `max` points, evenly thinned, with the first and the last.
    pub fn sampled(&self, max: usize) -> Vec<(u64, Vec<f64>)> {
        let all: Vec<(u64, &[f64])> = self.points().collect();
        let n = all.len();
        if n <= max || max < 2 {
            return all.into_iter().map(|(s, v)| (s, v.to_vec())).collect();
        }
        (0..max)
            .map(|i| {
                let (s, v) = all[i * (n - 1) / (max - 1)];
                (s, v.to_vec())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded_and_keeps_the_latest() {
        let mut s = Series::new(2, 64);
        for step in 0..100_000u64 {
            s.record(step, &[step as f64, -(step as f64)]);
        }
        assert!(s.len() <= 65);
        let pts: Vec<_> = s.points().collect();
        assert_eq!(pts[0].0, 0);
        assert_eq!(pts.last().unwrap().0, 99_999);
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(pts.last().unwrap().1, &[99_999.0, -99_999.0]);
        assert_eq!(s.sampled(10).len(), 10);
    }

    #[test]
    fn short_series_keep_every_step() {
        let mut s = Series::new(1, 16);
        for step in 0..10u64 {
            s.record(step, &[step as f64]);
        }
        assert_eq!(s.len(), 10);
        s.clear();
        assert!(s.is_empty());
    }
}
