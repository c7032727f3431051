//! From the bytes of a file to UTF-8: byte order marks, UTF-16 (with or
//! without a mark) transcoded while streaming, and Windows-1252 for cells
//! that are not UTF-8. A NUL byte outside UTF-16 means the file is binary.

use super::Encoding;
use crate::{GradstepError, Result};

/// Bytes looked at to choose the encoding.
pub(crate) const DETECT_BYTES: usize = 1024;

/// The error for a file that is not text.
pub(crate) fn binary_error(offset: u64) -> GradstepError {
    GradstepError::NotText { offset }
}

/// The encoding of a file from its first bytes (`head` is the whole file
/// when it is shorter than [`DETECT_BYTES`]), and the length of its BOM.
pub(crate) fn detect(head: &[u8]) -> Result<(Encoding, usize)> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((Encoding::Utf8Bom, 3));
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok((Encoding::Utf16Le, 2));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok((Encoding::Utf16Be, 2));
    }
    let Some(first_nul) = head.iter().position(|&b| b == 0) else {
        return Ok((Encoding::Utf8, 0));
    };
    let pairs = head.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in head.iter().enumerate().take(pairs * 2) {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    // ASCII text in UTF-16 has a NUL in every other byte.
    if odd * 2 >= pairs && even * 4 < odd {
        return Ok((Encoding::Utf16Le, 0));
    }
    if even * 2 >= pairs && odd * 4 < even {
        return Ok((Encoding::Utf16Be, 0));
    }
    Err(binary_error(first_nul as u64))
}

/// UTF-16 to UTF-8, one chunk at a time: an odd byte or a high surrogate at
/// the end of a chunk waits for the next.
#[derive(Debug, Clone)]
pub(crate) struct Utf16 {
    big_endian: bool,
    odd: Option<u8>,
    high: Option<u16>,
    /// Offset in the file of the next byte fed.
    offset: u64,
}

impl Utf16 {
    pub(crate) fn new(big_endian: bool, offset: u64) -> Self {
        Utf16 {
            big_endian,
            odd: None,
            high: None,
            offset,
        }
    }

    fn unit(&self, a: u8, b: u8) -> u16 {
        if self.big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        }
    }

    fn put(out: &mut Vec<u8>, c: char) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    fn code_unit(&mut self, u: u16, at: u64, out: &mut Vec<u8>) -> Result<()> {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                Self::put(out, char::from_u32(c).unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            Self::put(out, '\u{FFFD}');
        }
        match u {
            0 => Err(binary_error(at)),
            0xD800..=0xDBFF => {
                self.high = Some(u);
                Ok(())
            }
            0xDC00..=0xDFFF => {
                Self::put(out, '\u{FFFD}');
                Ok(())
            }
            _ => {
                if u < 0x80 {
                    out.push(u as u8);
                } else {
                    Self::put(out, char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
                }
                Ok(())
            }
        }
    }

    /// Transcodes `bytes`, appending UTF-8 to `out`.
    pub(crate) fn feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut rest = bytes;
        if let Some(a) = self.odd.take() {
            let Some((&b, tail)) = rest.split_first() else {
                self.odd = Some(a);
                return Ok(());
            };
            let at = self.offset - 1;
            let u = self.unit(a, b);
            self.offset += 1;
            self.code_unit(u, at, out)?;
            rest = tail;
        }
        out.reserve(rest.len() / 2 + 4);
        let mut pairs = rest.chunks_exact(2);
        for p in &mut pairs {
            let at = self.offset;
            self.offset += 2;
            let u = self.unit(p[0], p[1]);
            self.code_unit(u, at, out)?;
        }
        if let [a] = pairs.remainder() {
            self.odd = Some(*a);
            self.offset += 1;
        }
        Ok(())
    }

    /// The end of the input: a dangling byte or surrogate becomes U+FFFD.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        if self.high.take().is_some() || self.odd.take().is_some() {
            Self::put(out, '\u{FFFD}');
        }
    }
}

/// Windows-1252 for the bytes 0x80..=0x9F (the rest is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Bytes read as Windows-1252.
pub(crate) fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_marks_and_nul_patterns() {
        assert_eq!(detect(b"a,b\n").unwrap(), (Encoding::Utf8, 0));
        assert_eq!(detect(b"\xEF\xBB\xBFa").unwrap(), (Encoding::Utf8Bom, 3));
        assert_eq!(detect(b"\xFF\xFEa\0").unwrap(), (Encoding::Utf16Le, 2));
        assert_eq!(detect(b"a\0,\0b\0").unwrap(), (Encoding::Utf16Le, 0));
        assert_eq!(detect(b"\0a\0,\0b").unwrap(), (Encoding::Utf16Be, 0));
        assert!(detect(b"abc\0def,ghi").is_err());
    }

    #[test]
    fn utf16_survives_any_split() {
        let text = "a,é\n😀,1\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        for cut in 0..bytes.len() {
            let mut d = Utf16::new(false, 0);
            let mut out = Vec::new();
            d.feed(&bytes[..cut], &mut out).unwrap();
            d.feed(&bytes[cut..], &mut out).unwrap();
            d.finish(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), text);
        }
    }

    #[test]
    fn windows_1252_maps_the_high_bytes() {
        assert_eq!(windows_1252(b"\x80 caf\xE9"), "€ café");
    }
}
