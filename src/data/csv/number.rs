//! Numbers as people write them in spreadsheets, read from one trimmed cell.
//!
//! Two layers: [`scan_plain`] reads what `str::parse::<f64>` reads (sign,
//! digits, point, exponent) with Clinger's fast path, bit-identical to the
//! standard parser; [`read_formatted`] strips units, parentheses and
//! separators and hands the digits back to the first layer.

/// Exact powers of ten up to 10^22 (all exactly representable in f64).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A separator that can be a decimal mark or a thousands separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sep {
    Comma,
    Point,
}

impl Sep {
    pub(crate) fn char(self) -> char {
        match self {
            Sep::Comma => ',',
            Sep::Point => '.',
        }
    }
}

/// A number's value: exact, or one of two readings of `1,234` / `1.234`
/// that the column decides (`int` is the digits as an integer, 1234).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumVal {
    Exact(f64),
    Ambiguous { int: i64, sep: Sep },
}

impl NumVal {
    /// The value once the column's decimal mark is known: an ambiguous
    /// separator that is the decimal mark divides by 1000 (one correctly
    /// rounded IEEE division), otherwise it separates thousands.
    #[inline]
    pub(crate) fn resolve(self, decimal: Sep) -> f64 {
        match self {
            NumVal::Exact(v) => v,
            NumVal::Ambiguous { int, sep } => {
                if sep == decimal {
                    int as f64 / 1000.0
                } else {
                    int as f64
                }
            }
        }
    }
}

/// Evidence a cell gives about the column's decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalSeen {
    None,
    Point,
    Comma,
    Ambiguous(Sep),
}

/// Thousands separators, by kind (all kinds of space are one kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Thousands {
    Comma,
    Point,
    Space(char),
    Apostrophe,
}

impl Thousands {
    pub(crate) fn class(self) -> usize {
        match self {
            Thousands::Comma => 0,
            Thousands::Point => 1,
            Thousands::Space(_) => 2,
            Thousands::Apostrophe => 3,
        }
    }
    pub(crate) fn char(self) -> char {
        match self {
            Thousands::Comma => ',',
            Thousands::Point => '.',
            Thousands::Space(c) => c,
            Thousands::Apostrophe => '\'',
        }
    }
}

/// A unit written around a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitSeen {
    None,
    Percent,
    Currency(char),
}

/// What one number cell says: its value and how it is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumberRead {
    pub value: NumVal,
    pub decimal: DecimalSeen,
    pub thousands: Option<Thousands>,
    pub unit: UnitSeen,
    pub parens: bool,
    /// The spelling can be rebuilt from the value: it is `format!("{}", v)`
    /// for an exact value, or `[-]d{1,3}<sep>ddd` for an ambiguous one.
    pub canonical: bool,
}

/// A plain decimal as `str::parse::<f64>` reads it, with its shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plain {
    pub value: f64,
    pub read: NumberRead,
    /// The digits as an integer and how many follow the point, when the
    /// spelling is `[-]digits.digits` with no leading zero (trailing zeros
    /// allowed), so that the spelling can be rebuilt from these two.
    pub fixed: Option<(u64, u8)>,
}

/// Reads `s` when it is a plain decimal in the grammar of
/// `str::parse::<f64>` (without inf/nan); `None` otherwise.
#[inline(always)]
pub(crate) fn scan_plain(s: &[u8]) -> Option<Plain> {
    let n = s.len();
    let (neg, plus, int_start) = match s.first()? {
        b'-' => (true, false, 1),
        b'+' => (false, true, 1),
        _ => (false, false, 0),
    };
    let mut i = int_start;
    while i < n && s[i].is_ascii_digit() {
        i += 1;
    }
    let int_end = i;
    let mut has_point = false;
    let mut frac_start = i;
    if i < n && s[i] == b'.' {
        has_point = true;
        i += 1;
        frac_start = i;
        while i < n && s[i].is_ascii_digit() {
            i += 1;
        }
    }
    let frac_end = i;
    let int_digits = int_end - int_start;
    let frac_digits = frac_end - frac_start;
    let ndigits = int_digits + frac_digits;
    if ndigits == 0 {
        return None;
    }
    let mut has_exp = false;
    let mut exp: i64 = 0;
    if i < n && (s[i] | 0x20) == b'e' {
        has_exp = true;
        i += 1;
        let eneg = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while i < n && s[i].is_ascii_digit() {
            exp = (exp * 10 + i64::from(s[i] - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    if i != n {
        return None;
    }
    let mut value = f64::NAN;
    let mut mant: u64 = 0;
    if ndigits <= 19 {
        for &d in &s[int_start..int_end] {
            mant = mant * 10 + u64::from(d - b'0');
        }
        for &d in &s[frac_start..frac_end] {
            mant = mant * 10 + u64::from(d - b'0');
        }
        let exp10 = exp - frac_digits as i64;
        if mant == 0 {
            value = if neg { -0.0 } else { 0.0 };
        } else if mant <= 1 << 53 && (-22..=22).contains(&exp10) {
            // Clinger's fast path: both operands exact, one rounding.
            let m = mant as f64;
            let v = if exp10 >= 0 {
                m * POW10[exp10 as usize]
            } else {
                m / POW10[(-exp10) as usize]
            };
            value = if neg { -v } else { v };
        }
    }
    if value.is_nan() {
        // The cell is ASCII here (the grammar above admits nothing else).
        value = std::str::from_utf8(s).ok()?.parse().ok()?;
    }
    let first_int = if int_digits > 0 { s[int_start] } else { b'0' };
    let ambiguous =
        has_point && !has_exp && int_digits <= 3 && first_int != b'0' && frac_digits == 3;
    if ambiguous {
        let int = mant as i64;
        return Some(Plain {
            value,
            fixed: None,
            read: NumberRead {
                value: NumVal::Ambiguous {
                    int: if neg { -int } else { int },
                    sep: Sep::Point,
                },
                decimal: DecimalSeen::Ambiguous(Sep::Point),
                thousands: None,
                unit: UnitSeen::None,
                parens: false,
                canonical: !plus,
            },
        });
    }
    let last_frac_zero = frac_digits > 0 && s[frac_end - 1] == b'0';
    let canonical = !plus
        && !has_exp
        && int_digits >= 1
        && (int_digits == 1 || first_int != b'0')
        && (!has_point || (frac_digits >= 1 && !last_frac_zero))
        && (ndigits <= 15 || significant_digits(&s[int_start..frac_end]) <= 15);
    Some(Plain {
        value,
        fixed: None,
        read: NumberRead {
            value: NumVal::Exact(value),
            decimal: if has_point && frac_digits >= 1 {
                DecimalSeen::Point
            } else {
                DecimalSeen::None
            },
            thousands: None,
            unit: UnitSeen::None,
            parens: false,
            canonical,
        },
    })
}

/// Eight digit values (0..=9, one per byte, the first in the lowest byte)
/// as an integer: the first digit is the most significant.
#[inline(always)]
fn eight_digits(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    (((v & MASK).wrapping_mul(MUL1)).wrapping_add(((v >> 16) & MASK).wrapping_mul(MUL2)) >> 32)
        & 0xFFFF_FFFF
}

/// The low `n` bytes of `x` (n ≤ 8) as `n` digits right-aligned in a word
/// of eight (leading zeros), for [`eight_digits`].
#[inline(always)]
fn right_align(x: u64, n: usize) -> u64 {
    if n == 0 {
        0
    } else {
        x << (8 * (8 - n))
    }
}

const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// [`scan_plain`] for a cell of at most 16 bytes written `[-]digits[.digits]`
/// (at most 8 digits on each side), read eight bytes at a time. `window`
/// holds the cell in its first `len` bytes (what follows is ignored).
/// `None` means "not this shape": the caller falls back to [`scan_plain`].
#[inline(always)]
pub(crate) fn scan_short(window: &[u8; 16], len: usize) -> Option<Plain> {
    let neg = window[0] == b'-';
    let start = usize::from(neg);
    let body = len.checked_sub(start)?;
    if body == 0 || body > 15 {
        return None;
    }
    if body <= 8 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&window[start..start + 8]);
        return scan_word(u64::from_le_bytes(w), body, neg);
    }
    let x = u128::from_le_bytes(*window) >> (8 * start);
    let keep = (1u128 << (8 * body)) - 1;
    let a = (x ^ 0x3030_3030_3030_3030_3030_3030_3030_3030) & keep;
    const LOW7: u128 = 0x7F7F_7F7F_7F7F_7F7F_7F7F_7F7F_7F7F_7F7F;
    const SIX: u128 = 0x7676_7676_7676_7676_7676_7676_7676_7676;
    const HIGH: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;
    let non_digit = (((a & LOW7) + SIX) | a) & HIGH & keep;
    let (int_len, frac_len, has_point) = if non_digit == 0 {
        (body, 0, false)
    } else {
        let p = (non_digit.trailing_zeros() / 8) as usize;
        // Exactly one non-digit, and it is the point ('.' ^ '0' = 0x1E).
        if non_digit & (non_digit - 1) != 0 || (a >> (8 * p)) as u8 != 0x1E {
            return None;
        }
        (p, body - p - 1, true)
    };
    if int_len > 8 || frac_len > 8 || int_len + frac_len == 0 {
        return None;
    }
    let int_word = right_align(a as u64, int_len);
    let frac_word = right_align((a >> (8 * (int_len + 1))) as u64, frac_len);
    let mant = eight_digits(int_word) * POW10_U64[frac_len] + eight_digits(frac_word);
    if mant > 1 << 53 {
        return None;
    }
    let m = if frac_len == 0 {
        mant as f64
    } else {
        mant as f64 / POW10[frac_len]
    };
    let value = if neg { -m } else { m };
    let first_zero = int_len > 0 && a as u8 == 0;
    let ndigits = int_len + frac_len;
    if has_point && !first_zero && (1..=3).contains(&int_len) && frac_len == 3 {
        let int = mant as i64;
        return Some(Plain {
            value,
            fixed: None,
            read: NumberRead {
                value: NumVal::Ambiguous {
                    int: if neg { -int } else { int },
                    sep: Sep::Point,
                },
                decimal: DecimalSeen::Ambiguous(Sep::Point),
                thousands: None,
                unit: UnitSeen::None,
                parens: false,
                canonical: true,
            },
        });
    }
    let last_zero = frac_len > 0 && (a >> (8 * (body - 1))) as u8 == 0;
    let canonical = int_len >= 1
        && (int_len == 1 || !first_zero)
        && (!has_point || (frac_len >= 1 && !last_zero))
        && (ndigits <= 15 || significant_digits(&window[start..len]) <= 15);
    let fixed_ok = has_point && frac_len >= 1 && int_len >= 1 && (int_len == 1 || !first_zero);
    Some(Plain {
        value,
        fixed: fixed_ok.then_some((mant, frac_len as u8)),
        read: NumberRead {
            value: NumVal::Exact(value),
            decimal: if has_point && frac_len >= 1 {
                DecimalSeen::Point
            } else {
                DecimalSeen::None
            },
            thousands: None,
            unit: UnitSeen::None,
            parens: false,
            canonical,
        },
    })
}

/// [`scan_short`] for a body (after the sign) of at most 8 bytes, in `x`.
#[inline(always)]
fn scan_word(x: u64, body: usize, neg: bool) -> Option<Plain> {
    let keep = if body == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * body)) - 1
    };
    let a = (x ^ 0x3030_3030_3030_3030) & keep;
    let non_digit =
        (((a & 0x7F7F_7F7F_7F7F_7F7F) + 0x7676_7676_7676_7676) | a) & 0x8080_8080_8080_8080 & keep;
    let (int_len, frac_len, has_point) = if non_digit == 0 {
        (body, 0, false)
    } else {
        let p = (non_digit.trailing_zeros() / 8) as usize;
        if non_digit & (non_digit - 1) != 0 || (a >> (8 * p)) as u8 != 0x1E {
            return None;
        }
        (p, body - p - 1, true)
    };
    if int_len + frac_len == 0 {
        return None;
    }
    let int_word = right_align(a, int_len);
    let frac_word = if frac_len == 0 {
        0
    } else {
        right_align(a >> (8 * (int_len + 1)), frac_len)
    };
    let mant = eight_digits(int_word) * POW10_U64[frac_len] + eight_digits(frac_word);
    // Branch-free from here: signs and lengths vary from cell to cell.
    let m = mant as i64 as f64 / POW10[frac_len];
    let value = f64::from_bits(m.to_bits() | (u64::from(neg) << 63));
    let first_zero = (int_len > 0) & (a as u8 == 0);
    let ambiguous = has_point & !first_zero & (1..=3).contains(&int_len) & (frac_len == 3);
    let last_zero = (frac_len > 0) & ((a >> (8 * (body - 1))) as u8 == 0);
    let canonical = (int_len >= 1)
        & ((int_len == 1) | !first_zero)
        & (!has_point | ((frac_len >= 1) & !last_zero));
    let int = mant as i64;
    let amb = NumVal::Ambiguous {
        int: if neg { -int } else { int },
        sep: Sep::Point,
    };
    let fixed_ok = has_point & (frac_len >= 1) & (int_len >= 1) & ((int_len == 1) | !first_zero);
    Some(Plain {
        value,
        fixed: if fixed_ok {
            Some((mant, frac_len as u8))
        } else {
            None
        },
        read: NumberRead {
            value: if ambiguous { amb } else { NumVal::Exact(value) },
            decimal: if ambiguous {
                DecimalSeen::Ambiguous(Sep::Point)
            } else if has_point & (frac_len >= 1) {
                DecimalSeen::Point
            } else {
                DecimalSeen::None
            },
            thousands: None,
            unit: UnitSeen::None,
            parens: false,
            canonical: canonical | ambiguous,
        },
    })
}

/// Digits after the leading zeros (the point skipped).
fn significant_digits(digits: &[u8]) -> usize {
    let mut seen = false;
    digits
        .iter()
        .filter(|&&d| {
            seen |= d.is_ascii_digit() && d != b'0';
            seen && d.is_ascii_digit()
        })
        .count()
}

/// `str::parse::<f64>` for plain decimals, through the fast path; `None`
/// where the standard parser would fail (or for inf/nan).
pub fn parse_decimal(s: &str) -> Option<f64> {
    scan_plain(s.as_bytes()).map(|p| p.value)
}

/// Currency signs read before or after a number.
const CURRENCIES: &[char] = &[
    '$', '€', '£', '¥', '₹', '₩', '₽', '₺', '₪', '₫', '฿', '₴', '₦', '¢', '₱', '₡', '₲', '₵', '₸',
    '₼', '₾',
];

fn is_minus(c: char) -> bool {
    c == '-' || c == '\u{2212}'
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\t'
}

/// Groups of a number's core: at most this many digit runs.
const MAX_GROUPS: usize = 16;

/// Reads a number with units, separators or parentheses (anything that is
/// not a plain decimal). `None` when `s` is not such a number.
pub(crate) fn read_formatted(s: &str) -> Option<NumberRead> {
    let mut t = s.trim_matches(is_space);
    let mut parens = false;
    if t.len() >= 2 && t.starts_with('(') && t.ends_with(')') {
        parens = true;
        t = t[1..t.len() - 1].trim_matches(is_space);
    }
    let mut neg = false;
    let mut signed = false;
    let mut unit = UnitSeen::None;
    // Leading sign and currency, in either order ("-$5", "$-5").
    for _ in 0..2 {
        let c = t.chars().next()?;
        if !signed && (is_minus(c) || c == '+') {
            signed = true;
            neg = is_minus(c);
            t = t[c.len_utf8()..].trim_start_matches(is_space);
        } else if unit == UnitSeen::None && CURRENCIES.contains(&c) {
            unit = UnitSeen::Currency(c);
            t = t[c.len_utf8()..].trim_start_matches(is_space);
        }
    }
    // A trailing percent or currency sign ("12,5 %", "12,50 €").
    if let Some(c) = t.chars().next_back() {
        if c == '%' && unit == UnitSeen::None {
            unit = UnitSeen::Percent;
            t = t[..t.len() - 1].trim_end_matches(is_space);
        } else if CURRENCIES.contains(&c) && unit == UnitSeen::None {
            unit = UnitSeen::Currency(c);
            t = t[..t.len() - c.len_utf8()].trim_end_matches(is_space);
        }
    }
    if parens && neg {
        return None;
    }
    let neg = neg || parens;
    let _ = signed;
    let (value, decimal, thousands) = read_core(t, neg)?;
    Some(NumberRead {
        value,
        decimal,
        thousands,
        unit,
        parens,
        canonical: false,
    })
}

/// Digits with separators (and an optional exponent after a decimal).
fn read_core(t: &str, neg: bool) -> Option<(NumVal, DecimalSeen, Option<Thousands>)> {
    let b = t.as_bytes();
    if b.is_empty() {
        return None;
    }
    // Digit runs and the separators between them.
    let mut runs: [(usize, usize); MAX_GROUPS] = [(0, 0); MAX_GROUPS];
    let mut seps: [char; MAX_GROUPS] = ['\0'; MAX_GROUPS];
    let mut k = 0; // separators seen
    let mut run_start = 0;
    let mut exp_at = None;
    for (pos, c) in t.char_indices() {
        if c.is_ascii_digit() {
            continue;
        }
        if c == 'e' || c == 'E' {
            exp_at = Some(pos);
            break;
        }
        let is_sep = matches!(c, ',' | '.' | '\'' | ' ' | '\u{a0}' | '\u{202f}');
        if !is_sep || k + 1 >= MAX_GROUPS {
            return None;
        }
        runs[k] = (run_start, pos);
        seps[k] = c;
        k += 1;
        run_start = pos + c.len_utf8();
    }
    let end = exp_at.unwrap_or(b.len());
    runs[k] = (run_start, end);
    let run = |i: usize| -> &[u8] { b.get(runs[i].0..runs[i].1).unwrap_or(&[]) };
    let exponent = match exp_at {
        Some(p) => {
            let e = &t[p + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
                return None;
            }
            Some(e)
        }
        None => None,
    };
    let class = |c: char| -> u8 {
        match c {
            ',' => 0,
            '.' => 1,
            ' ' | '\u{a0}' | '\u{202f}' => 2,
            _ => 3,
        }
    };
    let thousands_of = |c: char| -> Thousands {
        match c {
            ',' => Thousands::Comma,
            '.' => Thousands::Point,
            '\'' => Thousands::Apostrophe,
            other => Thousands::Space(other),
        }
    };
    // Every run but possibly the first (",5") and the fraction holds digits.
    for i in 1..=k {
        if run(i).is_empty() {
            return None;
        }
    }
    if k == 0 {
        if run(0).is_empty() {
            return None;
        }
        let v = number_from(neg, &[run(0)], &[], exponent)?;
        return Some((NumVal::Exact(v), DecimalSeen::None, None));
    }
    let first = run(0);
    let grouped = |upto: usize| -> bool {
        // Runs 0..=upto separated by thousands: 1–3 then 3s (western) or
        // 1–2, then 2s, then a last 3 (Indian).
        let f = run(0);
        if f.is_empty() || f[0] == b'0' {
            return false;
        }
        let western = f.len() <= 3 && (1..=upto).all(|i| run(i).len() == 3);
        let indian = upto >= 2
            && f.len() <= 2
            && (1..upto).all(|i| run(i).len() == 2)
            && run(upto).len() == 3;
        western || indian
    };
    let c0 = class(seps[0]);
    let all_same = (1..k).all(|i| class(seps[i]) == c0);
    if all_same {
        let c = seps[0];
        if k == 1 && (c == ',' || c == '.') {
            let sep = if c == ',' { Sep::Comma } else { Sep::Point };
            if exponent.is_none()
                && (1..=3).contains(&first.len())
                && first[0] != b'0'
                && run(1).len() == 3
            {
                let mut int: i64 = 0;
                for &d in first.iter().chain(run(1)) {
                    int = int * 10 + i64::from(d - b'0');
                }
                return Some((
                    NumVal::Ambiguous {
                        int: if neg { -int } else { int },
                        sep,
                    },
                    DecimalSeen::Ambiguous(sep),
                    None,
                ));
            }
            let v = number_from(neg, &[first], run(1), exponent)?;
            let d = if c == ',' {
                DecimalSeen::Comma
            } else {
                DecimalSeen::Point
            };
            return Some((NumVal::Exact(v), d, None));
        }
        // Thousands only: an integer.
        if exponent.is_some() || !grouped(k) {
            return None;
        }
        let parts: Vec<&[u8]> = (0..=k).map(run).collect();
        let v = number_from(neg, &parts, &[], None)?;
        // Thousands imply the other decimal mark; the column reads that
        // from the separator itself.
        return Some((NumVal::Exact(v), DecimalSeen::None, Some(thousands_of(c))));
    }
    // Thousands separators, then one decimal mark.
    let d = seps[k - 1];
    let t0 = seps[0];
    if !(d == ',' || d == '.') || class(d) == class(t0) {
        return None;
    }
    if !(1..k - 1).all(|i| class(seps[i]) == class(t0)) || !grouped(k - 1) {
        return None;
    }
    let parts: Vec<&[u8]> = (0..k).map(run).collect();
    let v = number_from(neg, &parts, run(k), exponent)?;
    let dec = if d == ',' {
        DecimalSeen::Comma
    } else {
        DecimalSeen::Point
    };
    Some((NumVal::Exact(v), dec, Some(thousands_of(t0))))
}

/// The value of digits `int` (concatenated), fraction `frac` and an
/// exponent, correctly rounded through [`scan_plain`].
fn number_from(neg: bool, int: &[&[u8]], frac: &[u8], exponent: Option<&str>) -> Option<f64> {
    let mut buf: Vec<u8> = Vec::with_capacity(32);
    if neg {
        buf.push(b'-');
    }
    for part in int {
        buf.extend_from_slice(part);
    }
    if !frac.is_empty() {
        buf.push(b'.');
        buf.extend_from_slice(frac);
    }
    if let Some(e) = exponent {
        buf.push(b'e');
        buf.extend_from_slice(e.as_bytes());
    }
    scan_plain(&buf).map(|p| p.value)
}

/// Spellings of infinity (case-insensitive, with an optional sign).
pub(crate) fn is_infinity(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-', '\u{2212}']).unwrap_or(s);
    t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("infinity") || t == "∞"
}

/// Tokens that mean "no value" (compared case-insensitively).
pub const MISSING_TOKENS: &[&str] = &[
    "na", "n/a", "n.a.", "nan", "null", "none", "nil", "?", "-", "--", "#n/a", "#na", "n/d", ".",
    "#value!", "#div/0!", "#ref!", "#num!", "#name?", "#null!", "missing",
];

/// Whether a trimmed cell is a missing-value token (the empty cell too).
pub(crate) fn is_missing_token(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 8 && MISSING_TOKENS.iter().any(|t| s.eq_ignore_ascii_case(t)))
        || s == "\u{2212}"
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(s: &str) {
        let got = parse_decimal(s).map(f64::to_bits);
        let lower = s.to_ascii_lowercase();
        if lower.contains("inf") || lower.contains("nan") {
            assert_eq!(got, None, "{s}");
            return;
        }
        let want = s.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(got, want, "{s}");
    }

    #[test]
    fn float_edge_cases_match_std() {
        for s in [
            "0",
            "-0",
            "+0",
            "0.1",
            "0.2",
            "0.3",
            "1",
            "-1",
            "12",
            "-3.5",
            "+4",
            "1e5",
            "1.5E-03",
            ".5",
            "5.",
            "-.5",
            "+.5",
            ".",
            "",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1.2.3",
            "9007199254740993",
            "9007199254740992",
            "9007199254740991",
            "18014398509481985",
            "12345678901234567890123",
            "0.1234567890123456789012345",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "2e308",
            "1e400",
            "-1e400",
            "1e-400",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1e22",
            "1e23",
            "1e-22",
            "1e-23",
            "123456789e22",
            "9007199254740993e-22",
            "0.000000000000000000000000000001",
            "00000000000000000000001.5",
            "1_000",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "inf",
            "nan",
            "1e2147483648",
            "1e-2147483649",
            "0e999999999",
            "0.0000e-5",
            "100000000000000000000000000000000000000001e-40",
        ] {
            same(s);
        }
    }

    #[test]
    fn canonical_spellings_print_back() {
        for s in [
            "0",
            "-0",
            "5",
            "-3.57",
            "0.5",
            "123456789012345",
            "0.000123",
            "12.3",
        ] {
            let p = scan_plain(s.as_bytes()).unwrap();
            assert!(p.read.canonical, "{s}");
            assert_eq!(format!("{}", p.value), s);
        }
        for s in [
            "+4",
            "1e5",
            ".5",
            "5.",
            "3.50",
            "007",
            "1234567890123456",
            "12.345",
        ] {
            let p = scan_plain(s.as_bytes()).unwrap();
            assert!(
                !p.read.canonical || matches!(p.read.value, NumVal::Ambiguous { .. }),
                "{s}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn random_decimals_match_std(
            sign in prop::sample::select(vec!["", "-", "+"]),
            int in "[0-9]{0,25}",
            point in any::<bool>(),
            frac in "[0-9]{0,25}",
            exp in prop::option::of(-400i32..400),
        ) {
            let mut s = format!("{sign}{int}");
            if point { s.push('.'); s.push_str(&frac); }
            if let Some(e) = exp { s.push_str(&format!("e{e}")); }
            same(&s);
        }

        #[test]
        fn random_floats_round_trip(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            if v.is_finite() {
                same(&format!("{v}"));
                same(&format!("{v:e}"));
                same(&format!("{v:.3}"));
            }
        }

        #[test]
        fn short_scan_agrees_with_the_general_one(s in "[-+]?[0-9.eE,a ]{0,17}") {
            let b = s.as_bytes();
            if b.len() <= 16 {
                let mut w = [b'7'; 16];
                w[..b.len()].copy_from_slice(b);
                if let Some(p) = scan_short(&w, b.len()) {
                    let q = scan_plain(b).expect("the general scan reads it too");
                    prop_assert_eq!(p.value.to_bits(), q.value.to_bits());
                    prop_assert_eq!(p.read, q.read);
                }
            }
        }

        #[test]
        fn short_scan_reads_short_decimals(int in "[0-9]{0,8}", frac in "[0-9]{0,8}", neg in any::<bool>(), point in any::<bool>()) {
            let s = format!("{}{int}{}{}", if neg { "-" } else { "" }, if point { "." } else { "" }, if point { frac.as_str() } else { "" });
            let b = s.as_bytes();
            prop_assume!(b.len() <= 16);
            let mut w = [0u8; 16];
            w[..b.len()].copy_from_slice(b);
            match (scan_short(&w, b.len()), scan_plain(b)) {
                (Some(p), Some(q)) => {
                    prop_assert_eq!(p.value.to_bits(), q.value.to_bits());
                    prop_assert_eq!(p.read, q.read);
                    // The digits and decimals give back the spelling and the value.
                    if let Some((mant, k)) = p.fixed {
                        let k = usize::from(k);
                        let digits = format!("{:0>width$}", mant, width = k + 1);
                        let (i, f) = digits.split_at(digits.len() - k);
                        prop_assert_eq!(format!("{}{i}.{f}", if neg { "-" } else { "" }), s.clone());
                        let m = mant as f64 / POW10[k];
                        prop_assert_eq!((if neg { -m } else { m }).to_bits(), p.value.to_bits());
                    }
                }
                (None, _) => {}
                (Some(_), None) => prop_assert!(false, "{} read only by the short scan", s),
            }
        }

        #[test]
        fn canonical_means_display(s in "-?(0|[1-9][0-9]{0,8})(\\.[0-9]{1,8})?") {
            let p = scan_plain(s.as_bytes()).unwrap();
            if p.read.canonical {
                if let NumVal::Exact(v) = p.read.value {
                    prop_assert_eq!(format!("{}", v), s);
                }
            }
        }
    }
}
