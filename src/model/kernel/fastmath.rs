//! Branch-free e^x and ln(1 + x), accurate to a few ulps, built from IEEE
//! operations only (+ − × ÷, no fused multiply-add and no libm): the same
//! bits on every platform, so that a run in the browser repeats a run on
//! the command line exactly, and a loop over them vectorizes.

/// a·b + c with two roundings (never fused: see the module doc).
#[inline(always)]
fn mla(a: f64, b: f64, c: f64) -> f64 {
    a * b + c
}

/// ln 2 in two parts; `LN2_HI` has 32 significant bits, so n·LN2_HI is exact
/// for |n| < 2²¹ (fdlibm's split).
pub(super) const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
pub(super) const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1.5·2⁵²: adding it rounds a value below 2⁵¹ in magnitude to an integer,
/// which then sits in the low mantissa bits.
pub(super) const ROUND_SHIFT: f64 = 6_755_399_441_055_744.0;
pub(super) const TWO_POW_M64: f64 = f64::from_bits((1023 - 64) << 52);

/// e^r on |r| ≤ ln 2 / 2: the minimax polynomial of degree 11 (relative
/// error 3e-18; 2e-17 with the coefficients rounded to f64), by Remez.
pub(super) const EXP_COEFFICIENTS: [f64; 12] = [
    1.0,
    1.0,
    0.500_000_000_000_001_8,
    0.166_666_666_666_661_7,
    0.041_666_666_666_492_63,
    0.008_333_333_333_559_451,
    0.001_388_888_895_126_120_4,
    0.000_198_412_694_324_344_38,
    2.480_148_648_128_35e-5,
    2.755_762_265_202_448_7e-6,
    2.763_230_822_445_254_3e-7,
    2.499_429_334_573_046_3e-8,
];

/// P(z) = (2 atanh(s)/s − 2)/z on 0 ≤ z ≤ 0.0295: its minimax polynomial of
/// degree 6 (Remez; relative error 5e-16).
pub(super) const LN_COEFFICIENTS: [f64; 7] = [
    0.666_666_666_666_667,
    0.399_999_999_998_990_5,
    0.285_714_286_261_619_2,
    0.222_222_111_067_345_46,
    0.181_828_910_312_842_15,
    0.153_316_620_119_083_2,
    0.146_171_474_034_834_33,
];

/// e^x for x ≤ 0 (also −0, −∞ and NaN), relative error ≈ 1 ulp for normal
/// results; subnormal results are rounded once, as with libm.
#[inline(always)]
pub(crate) fn exp_nonpos(x: f64) -> f64 {
    // Below −746 the result rounds to 0; the clamp keeps 2ⁿ representable.
    let x = if x < -746.0 { -746.0 } else { x };
    // n = round(x / ln 2), both as a float and as an integer.
    let shifted = mla(x, std::f64::consts::LOG2_E, ROUND_SHIFT);
    let nf = shifted - ROUND_SHIFT;
    let n = (shifted.to_bits() as i64).wrapping_sub(ROUND_SHIFT.to_bits() as i64);
    // r = x − n·ln 2 ∈ [−0.35, 0.35], Cody–Waite.
    let r = mla(nf, -LN2_LO, mla(nf, -LN2_HI, x));
    // e^r by its minimax polynomial of degree 11 on |r| ≤ ln 2 / 2 (relative
    // error 3e-18; 2e-17 with the coefficients rounded to f64), by Remez.
    const C: [f64; 12] = EXP_COEFFICIENTS;
    // Even and odd parts by Horner in r²: two independent chains of half
    // the length, for one multiplication more than plain Horner.
    let r2 = r * r;
    let mut even = C[10];
    let mut odd = C[11];
    for k in (0..5).rev() {
        even = mla(even, r2, C[2 * k]);
        odd = mla(odd, r2, C[2 * k + 1]);
    }
    let p = mla(odd, r, even);
    // Times 2ⁿ via the exponent bits; when 2ⁿ would be subnormal (x < −708),
    // scale by 2ⁿ⁺⁶⁴ and then 2⁻⁶⁴, so that the only rounding is the last.
    let tiny = x < -708.0;
    let bias: i64 = if tiny { 1023 + 64 } else { 1023 };
    let scale = f64::from_bits((n.wrapping_add(bias) as u64) << 52);
    let unscale = if tiny { TWO_POW_M64 } else { 1.0 };
    p * scale * unscale
}

/// (ln(1 + e), 1/(1 + e)) for e ∈ [0, 1] (NaN in, NaN out), each with a
/// relative error of a few ulps at most.
///
/// 1 + e = 2ᵏ(1 + f) with k ∈ {0, 1} and f ∈ [√2/2 − 1, √2 − 1], then
/// ln(1 + f) = 2 atanh(s) with s = f/(2 + f), |s| ≤ 0.1716, that is
/// f − f²/2 + s(f²/2 + R) with R = 2s²/3 + 2s⁴/5 + … (fdlibm's `log`, with
/// coefficients refitted here). For k = 0, f is e itself, so small e keeps
/// its full precision. The smallest terms are added last, which keeps the
/// chain of dependent operations short (at ~2 ulps instead of fdlibm's < 1).
#[inline(always)]
pub(crate) fn ln_1p_and_recip(e: f64) -> (f64, f64) {
    let big = e > std::f64::consts::SQRT_2 - 1.0;
    let f = if big { mla(e, 0.5, -0.5) } else { e };
    // Two divisions: they run beside the other arithmetic, so they cost
    // less than the four multiplications that would make them one.
    let recip = 1.0 / (1.0 + e);
    let s = f / (2.0 + f);
    let z = s * s;
    // R = z·P(z), P(z) = (2 atanh(s)/s − 2)/z = 2/3 + 2z/5 + …, by its
    // minimax polynomial of degree 6 on 0 ≤ z ≤ 0.0295 (Remez; relative
    // error 5e-16 in P, which moves ln(1 + f) by < 1e-17 relative).
    const C: [f64; 7] = LN_COEFFICIENTS;
    // Even and odd parts, as in `exp_nonpos`.
    let z2 = z * z;
    let even = mla(mla(mla(C[6], z2, C[4]), z2, C[2]), z2, C[0]);
    let odd = mla(mla(C[5], z2, C[3]), z2, C[1]);
    let poly = mla(odd, z, even);
    let ff = f * f;
    let k = if big { 1.0 } else { 0.0 };
    // k·ln 2 + f − f²/2, then + s·f²/2 + s·z·P(z).
    let head = mla(k, LN2_HI, mla(k, LN2_LO, mla(-0.5, ff, f)));
    let tail = mla(0.5 * s, ff, head);
    (mla(s * z, poly, tail), recip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if a == b {
            0.0
        } else {
            (a - b).abs() / b.abs()
        }
    }

    fn check_exp() {
        let mut worst = 0.0f64;
        let mut xs: Vec<f64> = (0..=2_000_000).map(|i| -(i as f64) * 3.6e-4).collect(); // [−720, 0]
        xs.extend((0..=10_000).map(|i| -(i as f64) * 1e-4 * 1e-12)); // tiny
        xs.extend([
            0.0,
            -0.0,
            -f64::MIN_POSITIVE,
            -1e-300,
            -1e-20,
            -0.5 * std::f64::consts::LN_2,
            -std::f64::consts::LN_2,
            -707.9,
            -708.0,
            -708.1,
            -709.78,
            -1e4,
        ]);
        for &x in &xs {
            let (got, want) = (exp_nonpos(x), x.exp());
            if want >= f64::MIN_POSITIVE {
                worst = worst.max(rel(got, want));
            } else {
                // Subnormal: within one unit of the last place there.
                assert!(
                    (got - want).abs() <= 5e-324,
                    "exp({x}) = {got}, want {want}"
                );
            }
        }
        // Subnormal and zero range, exactly at the libm boundary.
        for i in 0..=40_000 {
            let x = -708.0 - i as f64 * 1e-3;
            let (got, want) = (exp_nonpos(x), x.exp());
            assert!(
                (got - want).abs() <= 5e-324 || rel(got, want) < 1e-15,
                "exp({x}) = {got}, want {want}"
            );
        }
        assert_eq!(exp_nonpos(-800.0), 0.0);
        assert_eq!(exp_nonpos(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_nonpos(0.0), 1.0);
        assert_eq!(exp_nonpos(-0.0), 1.0);
        assert!(exp_nonpos(f64::NAN).is_nan());
        assert!(worst < 1e-15, "worst exp relative error {worst:e}");
    }

    fn check_ln_1p() {
        let (mut worst, mut worst_recip) = (0.0f64, 0.0f64);
        let grid = (0..=2_000_000).map(|i| i as f64 / 2e6);
        let tiny = (0..=4000).map(|i| 10f64.powf(-320.0 + i as f64 * 0.08));
        let edges = [
            0.0,
            5e-324,
            f64::MIN_POSITIVE,
            1e-17,
            1.0,
            1.0 - f64::EPSILON,
            std::f64::consts::SQRT_2 - 1.0,
            f64::from_bits((std::f64::consts::SQRT_2 - 1.0).to_bits() + 1),
            f64::from_bits((std::f64::consts::SQRT_2 - 1.0).to_bits() - 1),
            0.5,
        ];
        for e in grid.chain(tiny).chain(edges) {
            let ((got, recip), want) = (ln_1p_and_recip(e), e.ln_1p());
            worst_recip = worst_recip.max(rel(recip, 1.0 / (1.0 + e)));
            if want >= f64::MIN_POSITIVE || want == 0.0 {
                worst = worst.max(rel(got, want));
            } else {
                assert!(
                    (got - want).abs() <= 5e-324,
                    "ln_1p({e}) = {got}, want {want}"
                );
            }
        }
        let (l, r) = ln_1p_and_recip(f64::NAN);
        assert!(l.is_nan() && r.is_nan());
        assert!(worst < 1e-15, "worst ln_1p relative error {worst:e}");
        assert!(
            worst_recip < 1e-15,
            "worst 1/(1 + e) relative error {worst_recip:e}"
        );
    }

    #[test]
    fn exp_matches_std() {
        check_exp();
    }

    #[test]
    fn ln_1p_matches_std() {
        check_ln_1p();
    }
}
