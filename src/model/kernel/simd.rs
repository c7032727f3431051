//! The logistic per-row loss for a whole sub-block with explicit 128-bit
//! vectors (wasm simd128), two rows at a time.
//!
//! The compiler does not vectorize the scalar `CrossEntropy::eval` (its
//! exponential plays with the bits of floats), so in the browser this
//! spells out the same operations, in the same order, on f64x2: each lane
//! computes exactly what the scalar code computes, bit for bit, and the
//! lane sums are the scalar code's lanes (`eval_block`'s `la[k]`).

use core::arch::wasm32::*;

use super::fastmath::{LN2_HI, LN2_LO, ROUND_SHIFT, TWO_POW_M64};
use super::LANES;

#[inline(always)]
fn splat(v: f64) -> v128 {
    f64x2_splat(v)
}

/// a·b + c with two roundings, as the scalar `mla`.
#[inline(always)]
fn mla(a: v128, b: v128, c: v128) -> v128 {
    f64x2_add(f64x2_mul(a, b), c)
}

/// `fastmath::exp_nonpos` on two lanes.
#[inline(always)]
fn exp_nonpos(x: v128) -> v128 {
    let limit = splat(-746.0);
    let x = v128_bitselect(limit, x, f64x2_lt(x, limit));
    let shift = splat(ROUND_SHIFT);
    let shifted = mla(x, splat(std::f64::consts::LOG2_E), shift);
    let nf = f64x2_sub(shifted, shift);
    let n = i64x2_sub(shifted, i64x2_splat(ROUND_SHIFT.to_bits() as i64));
    let r = mla(nf, splat(-LN2_LO), mla(nf, splat(-LN2_HI), x));
    const C: [f64; 12] = super::fastmath::EXP_COEFFICIENTS;
    let r2 = f64x2_mul(r, r);
    let mut even = splat(C[10]);
    let mut odd = splat(C[11]);
    for k in (0..5).rev() {
        even = mla(even, r2, splat(C[2 * k]));
        odd = mla(odd, r2, splat(C[2 * k + 1]));
    }
    let p = mla(odd, r, even);
    let tiny = f64x2_lt(x, splat(-708.0));
    let bias = v128_bitselect(i64x2_splat(1023 + 64), i64x2_splat(1023), tiny);
    let scale = i64x2_shl(i64x2_add(n, bias), 52);
    let unscale = v128_bitselect(splat(TWO_POW_M64), splat(1.0), tiny);
    f64x2_mul(f64x2_mul(p, scale), unscale)
}

/// `fastmath::ln_1p_and_recip` on two lanes.
#[inline(always)]
fn ln_1p_and_recip(e: v128) -> (v128, v128) {
    let big = f64x2_gt(e, splat(std::f64::consts::SQRT_2 - 1.0));
    let f = v128_bitselect(mla(e, splat(0.5), splat(-0.5)), e, big);
    let one = splat(1.0);
    let recip = f64x2_div(one, f64x2_add(one, e));
    let s = f64x2_div(f, f64x2_add(splat(2.0), f));
    let z = f64x2_mul(s, s);
    const C: [f64; 7] = super::fastmath::LN_COEFFICIENTS;
    let z2 = f64x2_mul(z, z);
    let even = mla(
        mla(mla(splat(C[6]), z2, splat(C[4])), z2, splat(C[2])),
        z2,
        splat(C[0]),
    );
    let odd = mla(mla(splat(C[5]), z2, splat(C[3])), z2, splat(C[1]));
    let poly = mla(odd, z, even);
    let ff = f64x2_mul(f, f);
    let k = v128_bitselect(one, splat(0.0), big);
    let head = mla(
        k,
        splat(LN2_HI),
        mla(k, splat(LN2_LO), mla(splat(-0.5), ff, f)),
    );
    let tail = mla(f64x2_mul(splat(0.5), s), ff, head);
    (mla(f64x2_mul(s, z), poly, tail), recip)
}

/// `CrossEntropy::eval` on two lanes: (ℓ, ∂ℓ/∂z, right-mask).
#[inline(always)]
fn cross_entropy(z: v128, t: v128) -> (v128, v128, v128) {
    let zero = splat(0.0);
    let e = exp_nonpos(f64x2_neg(f64x2_abs(z)));
    let (ln_1p, inv) = ln_1p_and_recip(e);
    let nonneg = f64x2_ge(z, zero);
    let p = v128_bitselect(inv, f64x2_mul(e, inv), nonneg);
    let relu = v128_bitselect(z, zero, f64x2_gt(z, zero));
    let loss = f64x2_add(ln_1p, f64x2_sub(relu, f64x2_mul(t, z)));
    let positive = f64x2_ge(t, splat(0.5));
    let right = v128_not(v128_xor(nonneg, positive));
    (loss, f64x2_sub(p, t), right)
}

/// The logistic `eval_block`: turns z into ∂ℓ/∂z in place and returns the
/// lane sums (Σ ℓ, Σ ∂ℓ/∂z) and the right count, exactly as the scalar code.
// One copy for every pass (it is large, and called once per 512 rows).
#[inline(never)]
pub(super) fn cross_entropy_block(z: &mut [f64], t: &[f64]) -> ([f64; LANES], [f64; LANES], u64) {
    let mut la = [splat(0.0); LANES / 2];
    let mut ga = [splat(0.0); LANES / 2];
    let mut ca = [i64x2_splat(0); LANES / 2];
    let full = z.len() / LANES * LANES;
    // Two lane pairs at a time: each accumulator sees the rows it would see
    // with the four pairs interleaved, in the same order (the same bits),
    // while fewer accumulators and constants compete for registers.
    for q in (0..LANES / 2).step_by(2) {
        let mut at = 2 * q;
        while at < full {
            // SAFETY: at + 3 < full ≤ len of both slices; unaligned loads
            // and stores of two f64 are allowed.
            unsafe {
                for h in 0..2 {
                    let at = at + 2 * h;
                    let zv = v128_load(z.as_ptr().add(at).cast());
                    let tv = v128_load(t.as_ptr().add(at).cast());
                    let (l, g, right) = cross_entropy(zv, tv);
                    la[q + h] = f64x2_add(la[q + h], l);
                    ga[q + h] = f64x2_add(ga[q + h], g);
                    ca[q + h] = i64x2_sub(ca[q + h], right);
                    v128_store(z.as_mut_ptr().add(at).cast(), g);
                }
            }
            at += LANES;
        }
    }
    let mut lsum = [0.0; LANES];
    let mut gsum = [0.0; LANES];
    let mut right = 0u64;
    for q in 0..LANES / 2 {
        lsum[2 * q] = f64x2_extract_lane::<0>(la[q]);
        lsum[2 * q + 1] = f64x2_extract_lane::<1>(la[q]);
        gsum[2 * q] = f64x2_extract_lane::<0>(ga[q]);
        gsum[2 * q + 1] = f64x2_extract_lane::<1>(ga[q]);
        right += (i64x2_extract_lane::<0>(ca[q]) + i64x2_extract_lane::<1>(ca[q])) as u64;
    }
    // The rest, one row at a time, into lanes 0.. as the scalar code does.
    for (k, (zi, &ti)) in z[full..].iter_mut().zip(&t[full..]).enumerate() {
        use super::RowLoss;
        let (l, g, c) = super::CrossEntropy::eval(*zi, ti);
        lsum[k] += l;
        gsum[k] += g;
        right += c;
        *zi = g;
    }
    (lsum, gsum, right)
}
