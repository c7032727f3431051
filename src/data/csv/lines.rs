//! Where each row starts in the file, kept cheaply: a block of rows that
//! each take one line costs one number; only blocks with blank lines or
//! multi-line cells store a line per row.

const BLOCK: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Offsets {
    /// Row `i` of the block is at `base + i`.
    Regular,
    Small(Vec<u32>),
    Large(Vec<u64>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    base: u64,
    offsets: Offsets,
}

/// The 1-based start line of each row, in row order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LineMap {
    len: usize,
    blocks: Vec<Block>,
}

impl LineMap {
    /// Appends the start line of the next row.
    #[inline]
    pub(crate) fn push(&mut self, line: u64) {
        let i = self.len % BLOCK;
        self.len += 1;
        if i == 0 {
            self.blocks.push(Block {
                base: line,
                offsets: Offsets::Regular,
            });
            return;
        }
        let Some(block) = self.blocks.last_mut() else {
            return;
        };
        let delta = line.saturating_sub(block.base);
        match &mut block.offsets {
            Offsets::Regular => {
                if delta != i as u64 {
                    let mut v: Vec<u32> = (0..i as u32).collect();
                    v.reserve(BLOCK - i);
                    block.offsets = match u32::try_from(delta) {
                        Ok(d) => {
                            v.push(d);
                            Offsets::Small(v)
                        }
                        Err(_) => {
                            let mut w: Vec<u64> = v.into_iter().map(u64::from).collect();
                            w.push(delta);
                            Offsets::Large(w)
                        }
                    };
                }
            }
            Offsets::Small(v) => match u32::try_from(delta) {
                Ok(d) => v.push(d),
                Err(_) => {
                    let mut w: Vec<u64> = v.iter().map(|&x| u64::from(x)).collect();
                    w.push(delta);
                    block.offsets = Offsets::Large(w);
                }
            },
            Offsets::Large(v) => v.push(delta),
        }
    }

    /// The start line of row `row`; 0 past the end.
    pub(crate) fn get(&self, row: usize) -> u64 {
        if row >= self.len {
            return 0;
        }
        let Some(block) = self.blocks.get(row / BLOCK) else {
            return 0;
        };
        let i = row % BLOCK;
        block.base
            + match &block.offsets {
                Offsets::Regular => i as u64,
                Offsets::Small(v) => v.get(i).map_or(0, |&d| u64::from(d)),
                Offsets::Large(v) => v.get(i).copied().unwrap_or(0),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_and_irregular_blocks_read_back() {
        let mut m = LineMap::default();
        let lines: Vec<u64> = (0..3000u64)
            .map(|r| 2 + r + (r / 700) * 3 + u64::from(r == 2500) * 9)
            .collect();
        let mut fixed = lines.clone();
        for k in 1..fixed.len() {
            fixed[k] = fixed[k].max(fixed[k - 1] + 1);
        }
        for &l in &fixed {
            m.push(l);
        }
        for (r, &l) in fixed.iter().enumerate() {
            assert_eq!(m.get(r), l);
        }
        assert_eq!(m.get(5000), 0);
    }
}
