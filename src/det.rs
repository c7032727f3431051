//! Deterministic math for the optimizers and schedules.
//!
//! Every result here is built only from IEEE-754 `+ − × ÷ sqrt` (each
//! correctly rounded, so identical on x86_64 and wasm32), comparisons and bit
//! manipulation, in a fixed order. Nothing calls `powf`, `powi`, `exp`, `cos`
//! or `mul_add`, whose results differ between native libm and wasm.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};

/// π/2 − `FRAC_PI_2`: the part of π/2 that the f64 constant misses.
const PIO2_LO: f64 = 6.123_233_995_736_766e-17;
/// π − `PI`.
const PI_LO: f64 = 1.224_646_799_147_353_2e-16;
/// 3π/4 rounded down, the boundary between the middle and last quadrant.
const THREE_PI_4: f64 = 2.356_194_490_192_345;
/// 2²⁷ + 1, Dekker's splitting constant for 53-bit significands.
const SPLITTER: f64 = 134_217_729.0;

/// xᵏ by binary powering (repeated squaring), deterministic.
///
/// The powering runs in double-double arithmetic (≈106-bit significands,
/// Dekker products without fused multiply-add) on a significand kept in
/// [1, 2) with the binary exponent carried separately as an integer, so no
/// intermediate overflows or underflows. Plain f64 squaring would multiply
/// the first rounding error by k/2; here the relative error before the final
/// rounding is about k·2⁻¹⁰⁴, so the result is within 1 ulp of the exact xᵏ
/// for any k up to about 2⁴⁰ (normal results; subnormal results round twice).
///
/// Special values follow `powf`: x⁰ = 1 (even for NaN), NaN stays NaN, ±0
/// and ±∞ keep their sign for odd k.
pub fn pow_u64(x: f64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let negative = x.is_sign_negative() && k % 2 == 1;
    let sign = if negative { -1.0 } else { 1.0 };
    if x.is_nan() {
        return x;
    }
    if x == 0.0 {
        return if negative { -0.0 } else { 0.0 };
    }
    if x.is_infinite() {
        return sign * f64::INFINITY;
    }
    let (m, e) = split_exponent(x.abs());
    let mut result = Dd { hi: 1.0, lo: 0.0 };
    let mut result_exp: i64 = 0;
    let mut base = Dd { hi: m, lo: 0.0 };
    let mut base_exp = e;
    let mut bits = k;
    loop {
        if bits & 1 == 1 {
            let (p, carry) = result.mul(base);
            result = p;
            result_exp = result_exp.saturating_add(base_exp).saturating_add(carry);
        }
        bits >>= 1;
        if bits == 0 {
            break;
        }
        let (sq, carry) = base.mul(base);
        base = sq;
        base_exp = base_exp.saturating_mul(2).saturating_add(carry);
    }
    sign * scale_by_pow2(result.hi, result_exp)
}

/// cos x for x ∈ [0, π], deterministic, within 1 ulp of the exact cosine
/// (the tests allow 2 ulps against `f64::cos` over a dense grid).
///
/// Argument reduction: x = q·π/2 + r with q ∈ {0, 1, 2} chosen by comparing x
/// with π/4 and 3π/4, so |r| ≤ π/4. The subtraction of the f64 constant is
/// exact (Sterbenz) and the constant's missing tail is subtracted with an
/// error-free two-sum, giving r as hi + lo. Then cos x = cos r, −sin r or
/// −cos r, each from its Taylor polynomial (terms to r¹⁸ and r¹⁹, whose
/// truncation is below 10⁻²⁰ on |r| ≤ π/4). In particular cos 0 = 1 and
/// cos `PI` = −1 exactly.
///
/// NaN gives NaN; values outside [0, π] are clamped into it.
pub fn cos_0_to_pi(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let x = x.clamp(0.0, PI);
    if x <= FRAC_PI_4 {
        cos_kernel(x, 0.0)
    } else if x <= THREE_PI_4 {
        let (r, tail) = two_sum(x - FRAC_PI_2, -PIO2_LO);
        -sin_kernel(r, tail)
    } else {
        let (r, tail) = two_sum(x - PI, -PI_LO);
        -cos_kernel(r, tail)
    }
}

/// cos(r + y) for |r| ≤ π/4 and |y| ≤ ulp(r): 1 − r²/2 + r⁴·P(r²), with the
/// rounding error of 1 − r²/2 recovered exactly (the fdlibm arrangement).
fn cos_kernel(r: f64, y: f64) -> f64 {
    const C4: f64 = 1.0 / 24.0;
    const C6: f64 = -1.0 / 720.0;
    const C8: f64 = 1.0 / 40_320.0;
    const C10: f64 = -1.0 / 3_628_800.0;
    const C12: f64 = 1.0 / 479_001_600.0;
    const C14: f64 = -1.0 / 87_178_291_200.0;
    const C16: f64 = 1.0 / 20_922_789_888_000.0;
    const C18: f64 = -1.0 / 6_402_373_705_728_000.0;
    let z = r * r;
    let poly = C4 + z * (C6 + z * (C8 + z * (C10 + z * (C12 + z * (C14 + z * (C16 + z * C18))))));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    // (1 − w) − hz is exact: it is what rounding w lost.
    w + (((1.0 - w) - hz) + (z * z * poly - r * y))
}

/// sin(r + y) for |r| ≤ π/4 and |y| ≤ ulp(r): r + r³·P(r²) + y·(1 − r²/2).
fn sin_kernel(r: f64, y: f64) -> f64 {
    const S3: f64 = -1.0 / 6.0;
    const S5: f64 = 1.0 / 120.0;
    const S7: f64 = -1.0 / 5_040.0;
    const S9: f64 = 1.0 / 362_880.0;
    const S11: f64 = -1.0 / 39_916_800.0;
    const S13: f64 = 1.0 / 6_227_020_800.0;
    const S15: f64 = -1.0 / 1_307_674_368_000.0;
    const S17: f64 = 1.0 / 355_687_428_096_000.0;
    const S19: f64 = -1.0 / 121_645_100_408_832_000.0;
    let z = r * r;
    let v = z * r;
    let poly = S3
        + z * (S5 + z * (S7 + z * (S9 + z * (S11 + z * (S13 + z * (S15 + z * (S17 + z * S19)))))));
    r + (v * poly + y * (1.0 - 0.5 * z))
}

/// a + b as hi + lo exactly (Knuth's two-sum; no ordering needed).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    (s, err)
}

/// A double-double number hi + lo with |lo| ≤ ulp(hi)/2, hi ∈ [1, 2).
#[derive(Debug, Clone, Copy)]
struct Dd {
    hi: f64,
    lo: f64,
}

impl Dd {
    /// The product, renormalised into [1, 2), and how many times it was
    /// halved (the exponent to add).
    fn mul(self, other: Dd) -> (Dd, i64) {
        let (p, e) = two_prod(self.hi, other.hi);
        let e = e + (self.hi * other.lo + self.lo * other.hi);
        // Fast two-sum: |p| ≥ |e|.
        let mut hi = p + e;
        let mut lo = e - (hi - p);
        let mut carry = 0;
        // Halving is exact; the product is below 4, so once is enough except
        // when rounding reached 4 exactly.
        while hi >= 2.0 {
            hi *= 0.5;
            lo *= 0.5;
            carry += 1;
        }
        (Dd { hi, lo }, carry)
    }
}

/// a·b as p + e exactly (Dekker), for a, b ∈ [1, 4) so splitting cannot
/// overflow.
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = (((ah * bh - p) + ah * bl) + al * bh) + al * bl;
    (p, e)
}

/// a as hi + lo with 26-bit halves.
fn split(a: f64) -> (f64, f64) {
    let c = SPLITTER * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

/// a = m·2ᵉ with m ∈ [1, 2), for finite a > 0.
fn split_exponent(a: f64) -> (f64, i64) {
    const MANTISSA: u64 = (1 << 52) - 1;
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    if biased == 0 {
        // Subnormal: scale into the normal range first (exact).
        let (m, e) = split_exponent(a * pow2(64));
        return (m, e - 64);
    }
    (
        f64::from_bits((bits & MANTISSA) | (1023 << 52)),
        biased - 1023,
    )
}

/// 2ᵉ for e ∈ [−1022, 1023].
fn pow2(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// m·2ᵉ for m ∈ [1, 2), rounded once (overflow to ∞, underflow to 0).
fn scale_by_pow2(m: f64, e: i64) -> f64 {
    if e > 1023 {
        f64::INFINITY
    } else if e >= -1022 {
        m * pow2(e)
    } else if e >= -1075 {
        // Into the subnormal range: one rounding, in the second product.
        (m * pow2(-1022)) * pow2(e + 1022)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pow_small_cases_are_exact() {
        assert_eq!(pow_u64(2.0, 10), 1024.0);
        assert_eq!(pow_u64(0.5, 3), 0.125);
        assert_eq!(pow_u64(-3.0, 3), -27.0);
        assert_eq!(pow_u64(0.9, 1), 0.9);
        assert_eq!(pow_u64(0.9, 0), 1.0);
        assert_eq!(pow_u64(f64::NAN, 0), 1.0);
        assert!(pow_u64(f64::NAN, 2).is_nan());
        assert_eq!(pow_u64(0.0, 5), 0.0);
        assert_eq!(pow_u64(-0.0, 5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(pow_u64(f64::INFINITY, 2), f64::INFINITY);
        assert_eq!(pow_u64(-f64::INFINITY, 3), -f64::INFINITY);
        assert_eq!(pow_u64(1.0, u64::MAX), 1.0);
    }

    #[test]
    fn pow_overflows_and_underflows_cleanly() {
        assert_eq!(pow_u64(10.0, 400), f64::INFINITY);
        assert_eq!(pow_u64(0.1, 400), 0.0);
        assert_eq!(pow_u64(0.5, 1074), f64::from_bits(1));
        assert_eq!(pow_u64(0.5, 1075), 0.0);
        assert_eq!(pow_u64(0.999, u64::MAX), 0.0);
        assert_eq!(pow_u64(1.001, u64::MAX), f64::INFINITY);
        let tiny = f64::from_bits(3);
        assert_eq!(pow_u64(tiny, 1), tiny);
    }

    #[test]
    fn cos_endpoints_are_exact() {
        assert_eq!(cos_0_to_pi(0.0), 1.0);
        assert_eq!(cos_0_to_pi(PI), -1.0);
        assert_eq!(cos_0_to_pi(FRAC_PI_2), 6.123_233_995_736_766e-17);
        assert!(cos_0_to_pi(f64::NAN).is_nan());
        assert_eq!(cos_0_to_pi(-1.0), 1.0);
        assert_eq!(cos_0_to_pi(4.0), -1.0);
    }
}
