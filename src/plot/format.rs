//! Compact number formatting for axis labels and read-outs.

/// Formats `v` with at most four significant digits, switching to
/// scientific notation for very large or very small magnitudes:
/// `0.25`, `1500`, `-3.142`, `1.5e6`, `2e-5`.
pub fn compact(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let s = if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.2e}");
        match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{}", trim_zeros(mantissa), exp),
            None => s,
        }
    } else {
        let magnitude = a.log10().floor() as i32;
        let decimals = (3 - magnitude).clamp(0, 6) as usize;
        trim_zeros(&format!("{v:.decimals$}")).to_string()
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// The largest "nice" number (1, 2 or 5 times a power of ten) that is not
/// above `v`; used to round a safe learning rate down. Returns `None` for
/// non-positive or non-finite input.
pub fn nice_floor(v: f64) -> Option<f64> {
    if !(v.is_finite() && v > 0.0) {
        return None;
    }
    let exp = v.log10().floor();
    let base = 10f64.powf(exp);
    let mantissa = v / base;
    // Guard against rounding (e.g. 0.3 / 0.1 = 2.9999999999999996).
    let m = mantissa * (1.0 + 1e-12);
    let nice = if m >= 5.0 {
        5.0
    } else if m >= 2.0 {
        2.0
    } else {
        1.0
    };
    Some(nice * base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(1500.0), "1500");
        assert_eq!(compact(-1.23456), "-1.235");
        assert_eq!(compact(1.5e6), "1.5e6");
        assert_eq!(compact(2e-5), "2e-5");
        assert_eq!(compact(12.0), "12");
        assert_eq!(compact(f64::NAN), "NaN");
        assert_eq!(compact(-0.0), "0");
    }

    #[test]
    fn nice_floor_rounds_down() {
        assert_eq!(nice_floor(0.37), Some(0.2));
        assert_eq!(nice_floor(7.0), Some(5.0));
        assert_eq!(nice_floor(1.0), Some(1.0));
        assert_eq!(nice_floor(0.3), Some(0.2));
        assert_eq!(nice_floor(0.0), None);
        assert_eq!(nice_floor(f64::INFINITY), None);
    }
}
