//! Distinct strings coded in order of first appearance, each with a small
//! piece of information. The codes never depend on hashing (only equality
//! decides), so the hasher is free to be keyed at random, which keeps a
//! hostile file from forcing collisions.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

const EMPTY: u32 = u32::MAX;

/// Strings with codes 0, 1, 2, … in order of first appearance.
#[derive(Debug, Clone)]
pub(crate) struct Interner<T> {
    strings: Vec<String>,
    info: Vec<T>,
    /// Open addressing: codes, `EMPTY` where free; length a power of two.
    slots: Vec<u32>,
    hasher: RandomState,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            strings: Vec::new(),
            info: Vec::new(),
            slots: Vec::new(),
            hasher: RandomState::new(),
        }
    }
}

impl<T: Copy> Interner<T> {
    fn hash(&self, s: &[u8]) -> usize {
        self.hasher.hash_one(s) as usize
    }

    /// The code of `s` if it is known.
    pub(crate) fn find(&self, s: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.hash(s) & mask;
        loop {
            let code = *self.slots.get(i)?;
            if code == EMPTY {
                return None;
            }
            if self.strings.get(code as usize).map(|x| x.as_bytes()) == Some(s) {
                return Some(code);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        self.slots = vec![EMPTY; cap];
        let mask = cap - 1;
        for (code, s) in self.strings.iter().enumerate() {
            let mut i = self.hasher.hash_one(s.as_bytes()) as usize & mask;
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = code as u32;
        }
    }

    /// The code of `s`, adding it (with `info`) when new and fewer than
    /// `cap` strings are held; `None` when it is new and the interner full.
    pub(crate) fn code(&mut self, s: &[u8], info: impl FnOnce() -> T, cap: usize) -> Option<u32> {
        if let Some(c) = self.find(s) {
            return Some(c);
        }
        if self.strings.len() >= cap || self.strings.len() >= EMPTY as usize - 1 {
            return None;
        }
        if (self.strings.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let code = self.strings.len() as u32;
        self.strings.push(String::from_utf8_lossy(s).into_owned());
        self.info.push(info());
        let mask = self.slots.len() - 1;
        let mut i = self.hash(s) & mask;
        while self.slots[i] != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = code;
        Some(code)
    }

    /// The string of `code`.
    pub(crate) fn get(&self, code: u32) -> Option<&str> {
        self.strings.get(code as usize).map(String::as_str)
    }

    /// The information of `code`.
    pub(crate) fn info(&self, code: u32) -> Option<T> {
        self.info.get(code as usize).copied()
    }

    /// The strings and their information, in code order.
    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<T>) {
        (self.strings, self.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_first_appearance() {
        let mut i: Interner<u8> = Interner::default();
        let words = ["b", "a", "b", "c", "a"];
        let codes: Vec<_> = words
            .iter()
            .map(|w| i.code(w.as_bytes(), || 0, 10))
            .collect();
        assert_eq!(codes, vec![Some(0), Some(1), Some(0), Some(2), Some(1)]);
        assert_eq!(i.code(b"d", || 0, 3), None);
        for k in 0..1000 {
            i.code(format!("w{k}").as_bytes(), || 1, usize::MAX);
        }
        assert_eq!(i.find(b"w999"), Some(1002));
        assert_eq!(i.get(1), Some("a"));
    }
}
