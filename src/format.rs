//! The one number formatter: the command line, the plots and the page (through
//! the wasm export) all write numbers with it, so a value reads the same
//! everywhere.
//!
//! * at most `digits` significant digits, trailing zeros dropped;
//! * scientific notation below 10⁻⁴ and from 10⁶ on, as `1.5e−5`;
//! * the minus sign is U+2212 (−), in the mantissa and the exponent;
//! * a value that is not finite is written `—` (callers say why in words).

/// `v` with at most `digits` (1–17) significant digits: `0.25`, `1500`,
/// `−3.142`, `1.5e6`, `2e−5`.
pub fn number(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.clamp(1, 17);
    let a = v.abs();
    let text = if !(1e-4..1e6).contains(&a) {
        scientific(v, digits)
    } else {
        let magnitude = decimal_exponent(a);
        let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
        let s = format!("{v:.decimals$}");
        // Rounding can carry into a new digit (999999.7 → 1000000).
        if s.trim_start_matches('-')
            .split('.')
            .next()
            .map_or(0, str::len)
            > 6
        {
            scientific(v, digits)
        } else {
            trim_zeros(&s).to_string()
        }
    };
    let text = if text == "-0" { "0".to_string() } else { text };
    text.replace('-', "−")
}

/// `number(v, 4)`: axis labels and compact read-outs.
pub fn compact(v: f64) -> String {
    number(v, 4)
}

/// A learning rate or another setting, as typed back into a box: the
/// shortest text that reads back as the same f64 (ASCII, so a number field
/// accepts it), with an exponent where [`number`] uses one (below 1e-4,
/// from 1e6), so that the box and the read-outs agree.
pub fn exact(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{v}");
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e6).contains(&a) {
        let e = format!("{v:e}");
        if e.len() < s.len() {
            return e;
        }
    }
    s
}

/// A value a person typed, echoed in a message: [`exact`] when finite, else
/// in words (a message never shows NaN or inf).
pub fn typed(v: f64) -> String {
    if v.is_nan() {
        "a value that is not a number".into()
    } else if v.is_infinite() {
        format!(
            "{} infinite value",
            if v > 0.0 { "a positive" } else { "a negative" }
        )
    } else {
        exact(v)
    }
}

/// Any value echoed in a message (a number typed as text, a count): its
/// `Display`, but NaN and ±inf in words, as [`typed`] writes them.
pub fn echoed(value: impl std::fmt::Display) -> String {
    match value.to_string().as_str() {
        "NaN" => typed(f64::NAN),
        "inf" => typed(f64::INFINITY),
        "-inf" => typed(f64::NEG_INFINITY),
        other => other.to_string(),
    }
}

/// A share in [0, 1] as a percentage with one decimal: `70.3%`.
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    format!("{:.1}%", v * 100.0).replace('-', "−")
}

fn scientific(v: f64, digits: usize) -> String {
    let s = format!("{:.*e}", digits - 1, v);
    match s.split_once('e') {
        Some((mantissa, exp)) => format!("{}e{}", trim_zeros(mantissa), exp),
        None => s,
    }
}

/// ⌊log₁₀ a⌋ for a > 0, exact at powers of ten (no libm, so the same on
/// every platform).
fn decimal_exponent(a: f64) -> i32 {
    let s = format!("{a:e}");
    s.split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0)
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// The largest "nice" number (1, 2 or 5 × 10ᵏ) not above `v`, computed
/// from the decimal digits (no libm, the same on every platform); `None`
/// for non-positive or non-finite `v`.
pub fn nice_floor(v: f64) -> Option<f64> {
    if !(v.is_finite() && v > 0.0) {
        return None;
    }
    let s = format!("{v:e}");
    let (mantissa, exp) = s.split_once('e')?;
    let lead: f64 = mantissa.parse().ok()?;
    let exp: i32 = exp.parse().ok()?;
    let nice = if lead >= 5.0 {
        5
    } else if lead >= 2.0 {
        2
    } else {
        1
    };
    format!("{nice}e{exp}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_same_everywhere() {
        assert_eq!(number(0.0, 4), "0");
        assert_eq!(number(0.25, 4), "0.25");
        assert_eq!(number(1500.0, 4), "1500");
        assert_eq!(number(-1.23456, 4), "−1.235");
        assert_eq!(number(1.5e6, 4), "1.5e6");
        assert_eq!(number(2e-5, 4), "2e−5");
        assert_eq!(number(-4.474e-7, 4), "−4.474e−7");
        assert_eq!(number(999_999.7, 4), "1e6");
        assert_eq!(number(12.0, 4), "12");
        assert_eq!(number(-0.0, 4), "0");
        assert_eq!(number(f64::NAN, 4), "—");
        assert_eq!(number(f64::INFINITY, 4), "—");
        assert_eq!(number(0.1 + 0.2, 6), "0.3");
        assert_eq!(percent(0.7031), "70.3%");
    }

    #[test]
    fn exact_reads_back() {
        for v in [0.01, 1e-5, 5e-8, 0.123456789, 100.0, 1.0 / 3.0] {
            assert_eq!(exact(v).parse::<f64>().unwrap(), v);
        }
        // Exponents where the read-outs use them.
        assert_eq!(exact(5e-8), "5e-8");
        assert_eq!(exact(1e-5), "1e-5");
        assert_eq!(exact(0.0001), "0.0001");
        assert_eq!(exact(0.2), "0.2");
        assert_eq!(exact(2e7), "2e7");
    }

    #[test]
    fn nice_floor_rounds_down() {
        assert_eq!(nice_floor(0.37), Some(0.2));
        assert_eq!(nice_floor(7.0), Some(5.0));
        assert_eq!(nice_floor(1.0), Some(1.0));
        assert_eq!(nice_floor(0.3), Some(0.2));
        assert_eq!(nice_floor(5.399e-8), Some(5e-8));
        assert_eq!(nice_floor(0.0), None);
        assert_eq!(nice_floor(f64::INFINITY), None);
    }
}
