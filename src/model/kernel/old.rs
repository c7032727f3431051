//! The data pass behind every loss and gradient: for each row, z = b + w·x,
//! the per-row loss ℓ(z, t) and dℓ/dz, summed, and Σ (dℓ/dz)·x.
//!
//! Layout of the work, chosen so that the compiler vectorizes each part:
//!
//! * Rows are processed in blocks of up to [`BLOCK`] rows (small enough that
//!   the block's features stay in L1 between the two reads). First z for the
//!   block: one short dot product per row, fully unrolled when d ≤ 16 (each
//!   width is monomorphized, natively; not on wasm32, to keep the download
//!   small); with AVX2, whole-vector loads per row and four
//!   rows' sums reduced together. Then one branch-free element-wise pass over
//!   the block's z, in groups of eight, giving ℓ and dℓ/dz (vectorized across
//!   rows; for logistic this uses the polynomial [`exp_nonpos`] and
//!   [`ln_1p_and_recip`] below instead of libm, and asks for the next block
//!   to be prefetched meanwhile, so that memory transfers overlap with the
//!   arithmetic). Then Σ (dℓ/dz)·x, vectorized across the row's features,
//!   with two sets of accumulators so that consecutive rows do not wait on
//!   each other.
//! * Sums are kept per block and added to running totals, so rounding error
//!   grows with the number of blocks, not rows.
//! * On x86_64 the same source is compiled a second time with AVX2 and FMA
//!   enabled, chosen at run time; elsewhere (wasm32 included) only the
//!   portable build exists.
//! * Problems of at least [`SPLIT_MIN_VALUES`] values are split at a fixed
//!   row into two halves; natively the second half goes to one persistent
//!   helper thread, and the halves are combined in a fixed order. The split
//!   depends only on the problem's size, never on the machine, the thread
//!   count or on who computed which half, so every run gives bit-identical
//!   results (for one instruction set). Nothing allocates per call once the
//!   helper thread exists.

use super::ModelKind;
use crate::data::Matrix;

/// Rows per block in the monomorphized kernels (z, ℓ and dℓ/dz buffers).
const BLOCK: usize = 128;
/// Widest feature count with a monomorphized kernel.
const MAX_CONST_DIM: usize = 16;
/// Problems with at least this many values (n·(d+1)) are split in two.
const SPLIT_MIN_VALUES: usize = 1 << 15;
/// Widest problem whose second-half gradient lives on the stack.
const STACK_DIM: usize = 64;

/// Σ ℓ(zᵢ, tᵢ) and Σ ∂ℓ/∂zᵢ over the rows of `x`, with zᵢ = b + w·xᵢ; writes
/// Σ (∂ℓ/∂zᵢ)·xᵢ into `grad_w` (overwriting it). Sums, not means.
pub(crate) fn loss_and_gradient_sums(
    model: ModelKind,
    x: &Matrix,
    t: &[f64],
    w: &[f64],
    b: f64,
    grad_w: &mut [f64],
) -> (f64, f64) {
    let d = check_shapes(x, t, w);
    assert_eq!(grad_w.len(), d, "gradient and weights differ in length");
    let xs = x.as_slice();
    let Some(mid) = split_point(t.len(), d) else {
        return chunk::<true>(model, xs, t, w, b, grad_w);
    };
    let (x0, x1) = xs.split_at(mid * d);
    let (t0, t1) = t.split_at(mid);
    with_scratch(d, |g1| {
        let ((l0, gb0), (l1, gb1)) = join(
            || chunk::<true>(model, x0, t0, w, b, grad_w),
            || chunk::<true>(model, x1, t1, w, b, g1),
        );
        for (g, h) in grad_w.iter_mut().zip(g1.iter()) {
            *g += *h;
        }
        (l0 + l1, gb0 + gb1)
    })
}

/// Σ ℓ(zᵢ, tᵢ) over the rows of `x`: the loss-only twin of
/// [`loss_and_gradient_sums`].
pub(crate) fn loss_sum(model: ModelKind, x: &Matrix, t: &[f64], w: &[f64], b: f64) -> f64 {
    let d = check_shapes(x, t, w);
    let xs = x.as_slice();
    let Some(mid) = split_point(t.len(), d) else {
        return chunk::<false>(model, xs, t, w, b, &mut []).0;
    };
    let (x0, x1) = xs.split_at(mid * d);
    let (t0, t1) = t.split_at(mid);
    let ((l0, _), (l1, _)) = join(
        || chunk::<false>(model, x0, t0, w, b, &mut []),
        || chunk::<false>(model, x1, t1, w, b, &mut []),
    );
    l0 + l1
}

fn check_shapes(x: &Matrix, t: &[f64], w: &[f64]) -> usize {
    let d = w.len();
    assert_eq!(x.rows(), t.len(), "features and targets differ in length");
    assert_eq!(x.cols(), d, "features and weights differ in length");
    assert_eq!(
        x.as_slice().len(),
        t.len() * d,
        "matrix data has the wrong length"
    );
    d
}

/// Where a problem of n rows × d features is split in two, if it is.
fn split_point(n: usize, d: usize) -> Option<usize> {
    (n >= 2 && n.saturating_mul(d + 1) >= SPLIT_MIN_VALUES).then_some(n / 2)
}

/// Runs `f` with a zeroed buffer of `d` values: on the stack when small,
/// else a per-thread buffer that is reused (allocated once per size growth).
fn with_scratch<R>(d: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    if d <= STACK_DIM {
        let mut buf = [0.0; STACK_DIM];
        return f(&mut buf[..d]);
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut v) => {
            v.clear();
            v.resize(d, 0.0);
            f(&mut v[..])
        }
        // Not reachable (the kernel does not re-enter), but stay correct.
        Err(_) => f(&mut vec![0.0; d]),
    })
}

/// `a()` here and `b()` on the helper thread when it is free, else both here.
#[cfg(not(target_arch = "wasm32"))]
fn join<RA, RB: Send>(a: impl FnOnce() -> RA, b: impl FnOnce() -> RB + Send) -> (RA, RB) {
    helper::join(a, b)
}

#[cfg(target_arch = "wasm32")]
fn join<RA, RB>(a: impl FnOnce() -> RA, b: impl FnOnce() -> RB) -> (RA, RB) {
    (a(), b())
}

// ---------------------------------------------------------------------------
// Instruction-set dispatch

/// One contiguous run of rows: returns (Σ ℓ, Σ ∂ℓ/∂z) and, when `GRAD`,
/// writes Σ (∂ℓ/∂z)·x into `grad` (len d).
fn chunk<const GRAD: bool>(
    model: ModelKind,
    x: &[f64],
    t: &[f64],
    w: &[f64],
    b: f64,
    grad: &mut [f64],
) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports the features the function is compiled for.
        return unsafe { chunk_avx2_fma::<GRAD>(model, x, t, w, b, grad) };
    }
    chunk_with::<Plain, GRAD>(model, x, t, w, b, grad)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn chunk_avx2_fma<const GRAD: bool>(
    model: ModelKind,
    x: &[f64],
    t: &[f64],
    w: &[f64],
    b: f64,
    grad: &mut [f64],
) -> (f64, f64) {
    chunk_with::<Fused, GRAD>(model, x, t, w, b, grad)
}

#[inline(always)]
fn chunk_with<A: Arith, const GRAD: bool>(
    model: ModelKind,
    x: &[f64],
    t: &[f64],
    w: &[f64],
    b: f64,
    grad: &mut [f64],
) -> (f64, f64) {
    match model {
        ModelKind::Linear => by_dim::<A, Squared, GRAD>(x, t, w, b, grad),
        ModelKind::Logistic => by_dim::<A, CrossEntropy, GRAD>(x, t, w, b, grad),
    }
}

#[inline(always)]
fn by_dim<A: Arith, M: RowLoss, const GRAD: bool>(
    x: &[f64],
    t: &[f64],
    w: &[f64],
    b: f64,
    grad: &mut [f64],
) -> (f64, f64) {
    macro_rules! dims {
        ($($d:literal)*) => {
            match w.len() {
                $($d => fixed::<A, M, GRAD, $d>(x, t, w, b, grad),)*
                _ => dynamic::<A, M, GRAD>(x, t, w, b, grad),
            }
        };
    }
    const _: () = assert!(MAX_CONST_DIM == 16);
    // In the browser, download size matters more than speed on the small
    // data sets people train there: the 16 widths would add ~165 KB of wasm.
    if cfg!(target_arch = "wasm32") {
        return dynamic::<A, M, GRAD>(x, t, w, b, grad);
    }
    dims!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

/// What differs between the instruction-set builds of the one kernel source.
trait Arith: Sized {
    /// a·b + c, fused (one rounding) or not.
    fn mla(a: f64, b: f64, c: f64) -> f64;

    /// z[i] = b + w·x[i] for the rows of a block (`x.len() == z.len()·D`).
    #[inline(always)]
    fn z_block<const D: usize>(x: &[f64], w: &[f64; D], b: f64, z: &mut [f64]) {
        for (zi, row) in z.iter_mut().zip(x.chunks_exact(D)) {
            let row: &[f64; D] = row.try_into().expect("row of D");
            *zi = b + dot_fixed::<Self, D>(row, w);
        }
    }
}

/// Asks for the cache lines of `data` to be brought into L1 (a hint: no
/// effect on results, nothing happens where there is no such instruction).
#[inline(always)]
fn prefetch(data: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    for line in data.chunks(8) {
        // SAFETY: a prefetch never faults and has no observable effect.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<{ _MM_HINT_T0 }>(line.as_ptr().cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

struct Plain;

impl Arith for Plain {
    #[inline(always)]
    fn mla(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// The AVX2 + FMA build. Only ever used inside `chunk_avx2_fma`, i.e. after
/// the CPU was checked for both features.
#[cfg(target_arch = "x86_64")]
struct Fused;

#[cfg(target_arch = "x86_64")]
impl Arith for Fused {
    #[inline(always)]
    fn mla(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }

    #[inline(always)]
    fn z_block<const D: usize>(x: &[f64], w: &[f64; D], b: f64, z: &mut [f64]) {
        if D < 4 {
            // Rows narrower than a vector: the generic code vectorizes
            // across rows instead.
            for (zi, row) in z.iter_mut().zip(x.chunks_exact(D)) {
                let row: &[f64; D] = row.try_into().expect("row of D");
                *zi = b + dot_fixed::<Self, D>(row, w);
            }
        } else {
            // SAFETY: `Fused` only runs where AVX2 and FMA are available.
            unsafe { avx2::z_block::<D>(x, w, b, z) }
        }
    }
}

/// Row dot products with AVX2: each row's features are loaded as whole
/// vectors (the last one overlapping the previous and blended to zero, so no
/// load leaves the row), and four rows' lane sums are reduced together.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// Sum of row `x` times `w` as four lanes, for 4 ≤ D ≤ 16.
    ///
    /// # Safety
    ///
    /// AVX2 and FMA as for `z_block`, and `x..x + D` must be readable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn row_lanes<const D: usize>(x: *const f64, w: &[__m256d; 5]) -> __m256d {
        let mut acc = _mm256_mul_pd(_mm256_loadu_pd(x), w[0]);
        let mut q = 1;
        while q < D / 4 {
            acc = _mm256_fmadd_pd(_mm256_loadu_pd(x.add(4 * q)), w[q], acc);
            q += 1;
        }
        if D % 4 != 0 {
            let last = _mm256_loadu_pd(x.add(D - 4));
            let zero = _mm256_setzero_pd();
            let tail = match D % 4 {
                1 => _mm256_blend_pd::<0b1000>(zero, last),
                2 => _mm256_blend_pd::<0b1100>(zero, last),
                _ => _mm256_blend_pd::<0b1110>(zero, last),
            };
            acc = _mm256_fmadd_pd(tail, w[4], acc);
        }
        acc
    }

    /// `Arith::z_block` for 4 ≤ D ≤ 16.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2 and FMA.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn z_block<const D: usize>(x: &[f64], w: &[f64; D], b: f64, z: &mut [f64]) {
        assert!((4..=16).contains(&D) && x.len() == z.len() * D);
        // w in vectors; w[4] holds the last four weights, for the tail.
        let mut wv = [_mm256_setzero_pd(); 5];
        for (q, v) in wv.iter_mut().enumerate().take(D / 4) {
            *v = _mm256_loadu_pd(w.as_ptr().add(4 * q));
        }
        wv[4] = _mm256_loadu_pd(w.as_ptr().add(D - 4));
        let bv = _mm256_set1_pd(b);
        let m = z.len();
        let (xp, zp) = (x.as_ptr(), z.as_mut_ptr());
        let mut i = 0;
        while i + 4 <= m {
            let a0 = row_lanes::<D>(xp.add(i * D), &wv);
            let a1 = row_lanes::<D>(xp.add((i + 1) * D), &wv);
            let a2 = row_lanes::<D>(xp.add((i + 2) * D), &wv);
            let a3 = row_lanes::<D>(xp.add((i + 3) * D), &wv);
            // [a0₀+a0₁, a1₀+a1₁, a0₂+a0₃, a1₂+a1₃] and the same for rows 2, 3.
            let s01 = _mm256_hadd_pd(a0, a1);
            let s23 = _mm256_hadd_pd(a2, a3);
            let lo = _mm256_permute2f128_pd::<0x20>(s01, s23);
            let hi = _mm256_permute2f128_pd::<0x31>(s01, s23);
            _mm256_storeu_pd(zp.add(i), _mm256_add_pd(bv, _mm256_add_pd(lo, hi)));
            i += 4;
        }
        while i < m {
            let a = row_lanes::<D>(xp.add(i * D), &wv);
            let h = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd::<1>(a));
            let s = _mm_add_sd(h, _mm_unpackhi_pd(h, h));
            *zp.add(i) = b + _mm_cvtsd_f64(s);
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------------
// The per-row losses

/// ℓ(z, t) and ∂ℓ/∂z, branch-free so that a loop over a block vectorizes.
trait RowLoss {
    /// Whether to prefetch the next block during the element-wise pass: worth
    /// it when that pass is long enough to hide the transfers.
    const PREFETCH: bool;
    fn eval<A: Arith>(z: f64, t: f64) -> (f64, f64);
}

/// (z − t)², 2(z − t): as `linear::squared_error`.
struct Squared;

impl RowLoss for Squared {
    const PREFETCH: bool = false;
    #[inline(always)]
    fn eval<A: Arith>(z: f64, t: f64) -> (f64, f64) {
        let r = z - t;
        (r * r, 2.0 * r)
    }
}

/// softplus(z) − t·z, σ(z) − t: as `logistic::cross_entropy`, stable for any z.
struct CrossEntropy;

impl RowLoss for CrossEntropy {
    const PREFETCH: bool = true;
    #[inline(always)]
    fn eval<A: Arith>(z: f64, t: f64) -> (f64, f64) {
        let e = exp_nonpos::<A>(-z.abs());
        let (ln_1p, inv) = ln_1p_and_recip::<A>(e);
        let p = if z >= 0.0 { inv } else { e * inv };
        let relu = if z > 0.0 { z } else { 0.0 };
        (ln_1p + A::mla(-t, z, relu), p - t)
    }
}

// ---------------------------------------------------------------------------
// Branch-free exp and ln(1 + x), accurate to a few ulps

/// ln 2 in two parts; `LN2_HI` has 32 significant bits, so n·LN2_HI is exact
/// for |n| < 2²¹ (fdlibm's split).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1.5·2⁵²: adding it rounds a value below 2⁵¹ in magnitude to an integer,
/// which then sits in the low mantissa bits.
const ROUND_SHIFT: f64 = 6_755_399_441_055_744.0;
const TWO_POW_M64: f64 = f64::from_bits((1023 - 64) << 52);

/// e^x for x ≤ 0 (also −0, −∞ and NaN), relative error ≈ 1 ulp for normal
/// results; subnormal results are rounded once, as with libm.
#[inline(always)]
fn exp_nonpos<A: Arith>(x: f64) -> f64 {
    // Below −746 the result rounds to 0; the clamp keeps 2ⁿ representable.
    let x = if x < -746.0 { -746.0 } else { x };
    // n = round(x / ln 2), both as a float and as an integer.
    let shifted = A::mla(x, std::f64::consts::LOG2_E, ROUND_SHIFT);
    let nf = shifted - ROUND_SHIFT;
    let n = (shifted.to_bits() as i64).wrapping_sub(ROUND_SHIFT.to_bits() as i64);
    // r = x − n·ln 2 ∈ [−0.35, 0.35], Cody–Waite.
    let r = A::mla(nf, -LN2_LO, A::mla(nf, -LN2_HI, x));
    // e^r by its minimax polynomial of degree 11 on |r| ≤ ln 2 / 2 (relative
    // error 3e-18; 2e-17 with the coefficients rounded to f64), by Remez.
    const C: [f64; 12] = [
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
    // Even and odd parts by Horner in r²: two independent chains of half
    // the length, for one multiplication more than plain Horner.
    let r2 = r * r;
    let mut even = C[10];
    let mut odd = C[11];
    for k in (0..5).rev() {
        even = A::mla(even, r2, C[2 * k]);
        odd = A::mla(odd, r2, C[2 * k + 1]);
    }
    let p = A::mla(odd, r, even);
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
fn ln_1p_and_recip<A: Arith>(e: f64) -> (f64, f64) {
    let big = e > std::f64::consts::SQRT_2 - 1.0;
    let f = if big { A::mla(e, 0.5, -0.5) } else { e };
    // Two divisions: they run beside the other arithmetic, so they cost
    // less than the four multiplications that would make them one.
    let recip = 1.0 / (1.0 + e);
    let s = f / (2.0 + f);
    let z = s * s;
    // R = z·P(z), P(z) = (2 atanh(s)/s − 2)/z = 2/3 + 2z/5 + …, by its
    // minimax polynomial of degree 6 on 0 ≤ z ≤ 0.0295 (Remez; relative
    // error 5e-16 in P, which moves ln(1 + f) by < 1e-17 relative).
    const C: [f64; 7] = [
        0.666_666_666_666_667,
        0.399_999_999_998_990_5,
        0.285_714_286_261_619_2,
        0.222_222_111_067_345_46,
        0.181_828_910_312_842_15,
        0.153_316_620_119_083_2,
        0.146_171_474_034_834_33,
    ];
    // Even and odd parts, as in `exp_nonpos`.
    let z2 = z * z;
    let even = A::mla(A::mla(A::mla(C[6], z2, C[4]), z2, C[2]), z2, C[0]);
    let odd = A::mla(A::mla(C[5], z2, C[3]), z2, C[1]);
    let poly = A::mla(odd, z, even);
    let ff = f * f;
    let k = if big { 1.0 } else { 0.0 };
    // k·ln 2 + f − f²/2, then + s·f²/2 + s·z·P(z).
    let head = A::mla(k, LN2_HI, A::mla(k, LN2_LO, A::mla(-0.5, ff, f)));
    let tail = A::mla(0.5 * s, ff, head);
    (A::mla(s * z, poly, tail), recip)
}

// ---------------------------------------------------------------------------
// The kernels

/// Σ of a block's values with eight independent lanes (vectorizes).
#[inline(always)]
fn lane_sum(v: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let chunks = v.chunks_exact(8);
    for (a, x) in acc.iter_mut().zip(chunks.remainder()) {
        *a += *x;
    }
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// Turns a block's z into ∂ℓ/∂z in place; returns (Σ ℓ, Σ ∂ℓ/∂z). Works in
/// groups of eight, a fixed count that the compiler turns into whole
/// vectors; the last group of a short block is padded. Asks for `ahead`
/// (the next block) to be fetched a little at a time meanwhile.
#[inline(always)]
fn eval_block<A: Arith, M: RowLoss>(
    z: &mut [f64],
    losses: &mut [f64],
    t: &[f64],
    ahead: &[f64],
) -> (f64, f64) {
    const G: usize = 8;
    #[inline(always)]
    fn group<A: Arith, M: RowLoss>(z: &mut [f64; G], losses: &mut [f64; G], t: &[f64; G]) {
        for k in 0..G {
            let (l, dz) = M::eval::<A>(z[k], t[k]);
            losses[k] = l;
            z[k] = dz;
        }
    }
    let m = z.len();
    let groups = m.div_ceil(G).max(1);
    let per = ahead.len().div_ceil(8 * groups).max(1) * 8;
    let mut pf = ahead.chunks(per);
    let mut zc = z.chunks_exact_mut(G);
    let mut lc = losses.chunks_exact_mut(G);
    let mut tc = t.chunks_exact(G);
    for ((zg, lg), tg) in zc.by_ref().zip(lc.by_ref()).zip(tc.by_ref()) {
        if M::PREFETCH {
            if let Some(p) = pf.next() {
                prefetch(p);
            }
        }
        let zg: &mut [f64; G] = zg.try_into().expect("group");
        let lg: &mut [f64; G] = lg.try_into().expect("group");
        group::<A, M>(zg, lg, tg.try_into().expect("group"));
    }
    let r = tc.remainder().len();
    if r > 0 {
        let (mut zp, mut lp, mut tp) = ([0.0; G], [0.0; G], [0.0; G]);
        zp[..r].copy_from_slice(zc.into_remainder());
        tp[..r].copy_from_slice(tc.remainder());
        group::<A, M>(&mut zp, &mut lp, &tp);
        z[m - r..].copy_from_slice(&zp[..r]);
        losses[m - r..].copy_from_slice(&lp[..r]);
    }
    (lane_sum(losses), lane_sum(z))
}

/// The kernel for d = D, unrolled over the features.
#[inline(always)]
fn fixed<A: Arith, M: RowLoss, const GRAD: bool, const D: usize>(
    x: &[f64],
    t: &[f64],
    w: &[f64],
    b: f64,
    grad: &mut [f64],
) -> (f64, f64) {
    let w: &[f64; D] = w.try_into().expect("D = w.len()");
    let mut z = [0.0; BLOCK];
    let mut losses = [0.0; BLOCK];
    let mut total = [0.0; D];
    let (mut loss, mut gb) = (0.0, 0.0);
    for (k, (xb, tb)) in x.chunks(BLOCK * D).zip(t.chunks(BLOCK)).enumerate() {
        let m = tb.len();
        // The next block is fetched while this one is computed.
        let next = (k + 1) * BLOCK;
        if M::PREFETCH {
            prefetch(t.get(next..).map_or(&[], |r| &r[..r.len().min(BLOCK)]));
        }
        let ahead = x
            .get(next * D..)
            .map_or(&[][..], |r| &r[..r.len().min(BLOCK * D)]);
        let (z, losses) = (&mut z[..m], &mut losses[..m]);
        A::z_block::<D>(xb, w, b, z);
        let (l, g) = eval_block::<A, M>(z, losses, tb, ahead);
        loss += l;
        gb += g;
        if GRAD {
            // Two accumulator sets (even and odd rows) halve the dependency
            // chain through the gradient sums.
            let mut acc = [[0.0; D]; 2];
            let pairs = xb.chunks_exact(2 * D);
            let last = pairs.remainder();
            for (pair, dz) in pairs.zip(z.chunks_exact(2)) {
                for j in 0..D {
                    acc[0][j] = A::mla(dz[0], pair[j], acc[0][j]);
                    acc[1][j] = A::mla(dz[1], pair[D + j], acc[1][j]);
                }
            }
            if let (Some(&dz), false) = (z.last(), last.is_empty()) {
                for j in 0..D {
                    acc[0][j] = A::mla(dz, last[j], acc[0][j]);
                }
            }
            for j in 0..D {
                total[j] += acc[0][j] + acc[1][j];
            }
        }
    }
    if GRAD {
        grad.copy_from_slice(&total);
    }
    (loss, gb)
}

/// w·x for d = D with four lanes of partial sums.
#[inline(always)]
fn dot_fixed<A: Arith, const D: usize>(x: &[f64; D], w: &[f64; D]) -> f64 {
    let mut acc = [0.0; 4];
    for j in 0..D {
        acc[j % 4] = A::mla(x[j], w[j], acc[j % 4]);
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3])
}

/// The kernel for any d (including 0), with blocks sized to stay in L1.
#[inline(always)]
fn dynamic<A: Arith, M: RowLoss, const GRAD: bool>(
    x: &[f64],
    t: &[f64],
    w: &[f64],
    b: f64,
    grad: &mut [f64],
) -> (f64, f64) {
    let d = w.len();
    let rows = (4096 / d.max(1)).clamp(16, BLOCK);
    let mut z = [0.0; BLOCK];
    let mut losses = [0.0; BLOCK];
    let (mut loss, mut gb) = (0.0, 0.0);
    if GRAD {
        grad.fill(0.0);
    }
    for (bi, tb) in t.chunks(rows).enumerate() {
        let m = tb.len();
        let xb = &x[bi * rows * d..(bi * rows + m) * d];
        let (z, losses) = (&mut z[..m], &mut losses[..m]);
        for (i, zi) in z.iter_mut().enumerate() {
            *zi = b + dot_dyn::<A>(&xb[i * d..(i + 1) * d], w);
        }
        let (l, g) = eval_block::<A, M>(z, losses, tb, &[]);
        loss += l;
        gb += g;
        if GRAD && d > 0 {
            for (row, &dz) in xb.chunks_exact(d).zip(z.iter()) {
                for (g, &xv) in grad.iter_mut().zip(row) {
                    *g = A::mla(dz, xv, *g);
                }
            }
        }
    }
    (loss, gb)
}

/// w·x with four lanes of partial sums.
#[inline(always)]
fn dot_dyn<A: Arith>(x: &[f64], w: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (x4, w4) = (x.chunks_exact(4), w.chunks_exact(4));
    let mut tail = 0.0;
    for (a, c) in x4.remainder().iter().zip(w4.remainder()) {
        tail = A::mla(*a, *c, tail);
    }
    for (a, c) in x4.zip(w4) {
        for k in 0..4 {
            acc[k] = A::mla(a[k], c[k], acc[k]);
        }
    }
    ((acc[0] + acc[2]) + (acc[1] + acc[3])) + tail
}

// ---------------------------------------------------------------------------
// The helper thread

/// One persistent helper thread, started on first use, that runs the second
/// half of a split pass. The task is a pointer to a closure on the caller's
/// stack, which the caller outlives: it waits for the helper to finish
/// before returning or unwinding. Handing over takes an uncontended mutex;
/// both sides spin briefly before sleeping on a condition variable (futex
/// based, allocation-free), since waking a sleeping thread costs tens of
/// microseconds and steps usually come back to back. If the helper has not
/// picked the task up by the time the caller is done with its own half, the
/// caller takes it back and runs it itself, so a late or busy helper never
/// makes a pass slower than doing it all on one thread.
#[cfg(not(target_arch = "wasm32"))]
mod helper {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
    use std::time::{Duration, Instant};

    /// How long the helper stays awake after a task, for the next step:
    /// waking a sleeping thread takes tens of microseconds.
    const HELPER_SPIN: Duration = Duration::from_micros(200);
    /// How long a caller spins for the helper's half before sleeping.
    const CALLER_SPIN: Duration = Duration::from_micros(500);

    type Task = *const (dyn Fn() + Sync + 'static);

    struct SendTask(Task);
    // SAFETY: the closure is `Sync`, and the pointer is only dereferenced while
    // the caller that owns the closure waits for completion.
    unsafe impl Send for SendTask {}

    /// The hand-over state; the atomics in `Helper` only mirror it so that
    /// either side can spin without the lock.
    #[derive(Default)]
    struct Slot {
        task: Option<SendTask>,
        done: bool,
        panicked: bool,
        helper_asleep: bool,
        caller_asleep: bool,
    }

    #[derive(Default)]
    struct Helper {
        /// Held by the one caller that currently uses the helper.
        claimed: AtomicBool,
        /// A task is waiting in the slot.
        posted: AtomicBool,
        /// The task in the slot has finished.
        finished: AtomicBool,
        slot: Mutex<Slot>,
        wake_helper: Condvar,
        wake_caller: Condvar,
    }

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Spins until `flag` is set or `limit` has passed, yielding the core now
    /// and then: on a busy machine the thread being waited for may be queued
    /// behind this one.
    fn spin_on(flag: &AtomicBool, limit: Duration) {
        let start = Instant::now();
        loop {
            for _ in 0..64 {
                if flag.load(Ordering::Acquire) {
                    return;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= limit {
                return;
            }
            std::thread::yield_now();
        }
    }

    /// The helper, or `None` on a single core or when no thread can start.
    fn helper() -> Option<&'static Helper> {
        static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();
        *HELPER.get_or_init(|| {
            if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
                return None;
            }
            let h: &'static Helper = Box::leak(Box::default());
            std::thread::Builder::new()
                .name("gradstep-kernel".into())
                .spawn(move || h.serve())
                .ok()
                .map(|_| h)
        })
    }

    impl Helper {
        fn serve(&self) {
            loop {
                spin_on(&self.posted, HELPER_SPIN);
                let mut slot = lock(&self.slot);
                let task = loop {
                    if let Some(SendTask(task)) = slot.task.take() {
                        break task;
                    }
                    slot.helper_asleep = true;
                    slot = self
                        .wake_helper
                        .wait(slot)
                        .unwrap_or_else(PoisonError::into_inner);
                    slot.helper_asleep = false;
                };
                self.posted.store(false, Ordering::Relaxed);
                drop(slot);
                // SAFETY: see `join`: the closure outlives this call.
                let ok = catch_unwind(AssertUnwindSafe(|| unsafe { (*task)() })).is_ok();
                let mut slot = lock(&self.slot);
                slot.done = true;
                slot.panicked = !ok;
                self.finished.store(true, Ordering::Release);
                if slot.caller_asleep {
                    self.wake_caller.notify_one();
                }
            }
        }

        fn post(&self, task: Task) {
            let mut slot = lock(&self.slot);
            slot.task = Some(SendTask(task));
            slot.done = false;
            slot.panicked = false;
            self.finished.store(false, Ordering::Relaxed);
            self.posted.store(true, Ordering::Release);
            if slot.helper_asleep {
                self.wake_helper.notify_one();
            }
        }
    }

    /// Waits for the helper's task (also when unwinding) and releases it.
    struct Pending {
        helper: &'static Helper,
        finished: Option<bool>,
    }

    impl Pending {
        /// Takes the task back if the helper has not started it (it may be
        /// asleep or busy elsewhere): then the caller runs it, rather than
        /// wait for the helper. Returns whether it did.
        fn reclaim(&mut self) -> bool {
            if self.finished.is_some() {
                return false;
            }
            let h = self.helper;
            let mut slot = lock(&h.slot);
            if slot.task.take().is_none() {
                return false;
            }
            h.posted.store(false, Ordering::Relaxed);
            drop(slot);
            self.finished = Some(false);
            h.claimed.store(false, Ordering::Release);
            true
        }

        /// Waits; returns whether the task panicked.
        fn wait(&mut self) -> bool {
            if let Some(p) = self.finished {
                return p;
            }
            let h = self.helper;
            spin_on(&h.finished, CALLER_SPIN);
            let mut slot = lock(&h.slot);
            while !slot.done {
                slot.caller_asleep = true;
                slot = h
                    .wake_caller
                    .wait(slot)
                    .unwrap_or_else(PoisonError::into_inner);
                slot.caller_asleep = false;
            }
            let panicked = slot.panicked;
            drop(slot);
            self.finished = Some(panicked);
            h.claimed.store(false, Ordering::Release);
            panicked
        }
    }

    impl Drop for Pending {
        fn drop(&mut self) {
            if !self.reclaim() {
                self.wait();
            }
        }
    }

    pub(super) fn join<RA, RB: Send>(
        a: impl FnOnce() -> RA,
        b: impl FnOnce() -> RB + Send,
    ) -> (RA, RB) {
        let Some(h) = helper().filter(|h| {
            h.claimed
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        }) else {
            return (a(), b());
        };
        let b = Mutex::new(Some(b));
        let rb = Mutex::new(None);
        let task = || {
            let f = lock(&b).take();
            if let Some(f) = f {
                let r = f();
                *lock(&rb) = Some(r);
            }
        };
        let task: &(dyn Fn() + Sync + '_) = &task;
        // SAFETY: only the lifetime is erased; `pending` below waits for the
        // helper to finish with the task before `task`, `b` or `rb` can be
        // dropped, on return and on unwinding alike.
        let task: Task =
            unsafe { std::mem::transmute::<*const (dyn Fn() + Sync + '_), Task>(task) };
        let mut pending = Pending {
            helper: h,
            finished: None,
        };
        h.post(task);
        let ra = a();
        if pending.reclaim() {
            // SAFETY: as above; the helper no longer has the pointer.
            unsafe { (*task)() };
        } else if pending.wait() {
            panic!("gradstep kernel: the helper thread's half of the pass panicked");
        }
        let rb = lock(&rb).take().expect("helper ran the task");
        (ra, rb)
    }
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

    fn check_exp<A: Arith>() {
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
            let (got, want) = (exp_nonpos::<A>(x), x.exp());
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
            let (got, want) = (exp_nonpos::<A>(x), x.exp());
            assert!(
                (got - want).abs() <= 5e-324 || rel(got, want) < 1e-15,
                "exp({x}) = {got}, want {want}"
            );
        }
        assert_eq!(exp_nonpos::<A>(-800.0), 0.0);
        assert_eq!(exp_nonpos::<A>(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_nonpos::<A>(0.0), 1.0);
        assert_eq!(exp_nonpos::<A>(-0.0), 1.0);
        assert!(exp_nonpos::<A>(f64::NAN).is_nan());
        assert!(worst < 1e-15, "worst exp relative error {worst:e}");
    }

    fn check_ln_1p<A: Arith>() {
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
            let ((got, recip), want) = (ln_1p_and_recip::<A>(e), e.ln_1p());
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
        let (l, r) = ln_1p_and_recip::<A>(f64::NAN);
        assert!(l.is_nan() && r.is_nan());
        assert!(worst < 1e-15, "worst ln_1p relative error {worst:e}");
        assert!(
            worst_recip < 1e-15,
            "worst 1/(1 + e) relative error {worst_recip:e}"
        );
    }

    fn check_cross_entropy<A: Arith>() {
        use crate::model::logistic::cross_entropy;
        let mut zs: Vec<f64> = (-40_000..=40_000).map(|i| i as f64 * 1e-3).collect();
        zs.extend((-2000..=2000).map(|i| i as f64 * 5.0));
        zs.extend([
            0.0, -0.0, 1e-300, -1e-300, 708.5, -708.5, 745.5, -745.5, 1e4, -1e4, 1e300, -1e300,
        ]);
        for &z in &zs {
            for t in [0.0, 1.0, 0.3] {
                let (l, g) = CrossEntropy::eval::<A>(z, t);
                let (wl, wg) = cross_entropy(z, t);
                // Both round (relu + ln 1p) − t·z, so compare on the scale of the
                // terms: at z = 3, t = 1, ℓ ≈ 0.05 comes from 3.05 − 3.
                let scale = wl.abs() + (z.abs() * (1.0 + t)).min(f64::MAX);
                assert!(
                    (l - wl).abs() <= 4e-16 * scale + 1e-300,
                    "ℓ({z}, {t}) = {l}, want {wl}"
                );
                assert!(
                    (g - wg).abs() <= 1e-15 * wg.abs().max(1.0),
                    "ℓ'({z}, {t}) = {g}, want {wg}"
                );
            }
        }
    }

    /// One pass over (x, t) by a named build and path, with or without the
    /// gradient.
    fn pass(
        path: &str,
        model: ModelKind,
        grad: bool,
        x: &[f64],
        t: &[f64],
        w: &[f64],
        g: &mut [f64],
    ) -> (f64, f64) {
        let b = 0.25;
        match (path, model, grad) {
            ("portable", _, true) => chunk_with::<Plain, true>(model, x, t, w, b, g),
            ("portable", _, false) => chunk_with::<Plain, false>(model, x, t, w, b, &mut []),
            ("generic", ModelKind::Linear, true) => dynamic::<Plain, Squared, true>(x, t, w, b, g),
            ("generic", ModelKind::Linear, false) => {
                dynamic::<Plain, Squared, false>(x, t, w, b, &mut [])
            }
            ("generic", ModelKind::Logistic, true) => {
                dynamic::<Plain, CrossEntropy, true>(x, t, w, b, g)
            }
            ("generic", ModelKind::Logistic, false) => {
                dynamic::<Plain, CrossEntropy, false>(x, t, w, b, &mut [])
            }
            // SAFETY: callers check for AVX2 and FMA first.
            #[cfg(target_arch = "x86_64")]
            ("avx2+fma", _, true) => unsafe { chunk_avx2_fma::<true>(model, x, t, w, b, g) },
            #[cfg(target_arch = "x86_64")]
            ("avx2+fma", _, false) => unsafe {
                chunk_avx2_fma::<false>(model, x, t, w, b, &mut [])
            },
            _ => unreachable!("{path}"),
        }
    }

    /// (Σ ℓ, Σ ∂ℓ/∂z, Σ (∂ℓ/∂z)·x) by every build and path that runs here:
    /// portable and AVX2 + FMA, monomorphized and generic, with and without
    /// the gradient. They must agree to rounding (measured against the sizes
    /// of the terms) and each loss-only pass must repeat its loss exactly.
    #[test]
    fn builds_and_paths_agree() {
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        let mut paths = vec!["portable", "generic"];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            paths.push("avx2+fma");
        }
        for model in [ModelKind::Linear, ModelKind::Logistic] {
            for d in [0, 1, 2, 3, 4, 5, 8, 10, 13, 16, 17, 40] {
                for n in [0, 1, 3, 4, 5, 127, 128, 129, 1000, 3001] {
                    // Features of mixed size, so that some |z| are in the hundreds.
                    let x: Vec<f64> = (0..n * d)
                        .map(|i| rnd() * [1.0, 50.0, 400.0][i % 3])
                        .collect();
                    let t: Vec<f64> = (0..n).map(|_| (rnd() + 1.0) / 2.0).collect();
                    let w: Vec<f64> = (0..d).map(|_| rnd() * 3.0).collect();
                    let size: f64 = 1.0
                        + (0..n)
                            .map(|i| {
                                1.25 + (0..d).map(|j| (x[i * d + j] * w[j]).abs()).sum::<f64>()
                            })
                            .map(|m| m * m)
                            .sum::<f64>();
                    let tol = 1e-13 * size;
                    let mut first: Option<(f64, f64, Vec<f64>)> = None;
                    for path in &paths {
                        let tag = format!("{model} {path} n={n} d={d}");
                        let mut g = vec![f64::NAN; d];
                        let (l, gb) = pass(path, model, true, &x, &t, &w, &mut g);
                        let (l_only, _) = pass(path, model, false, &x, &t, &w, &mut []);
                        assert_eq!(
                            l.to_bits(),
                            l_only.to_bits(),
                            "{tag}: loss-only pass differs"
                        );
                        let Some((l0, gb0, g0)) = &first else {
                            first = Some((l, gb, g));
                            continue;
                        };
                        assert!((l - l0).abs() <= tol, "{tag}: loss {l} vs {l0}");
                        assert!((gb - gb0).abs() <= tol, "{tag}: ∂/∂b {gb} vs {gb0}");
                        for (a, c) in g.iter().zip(g0) {
                            assert!((a - c).abs() <= 400.0 * tol, "{tag}: ∂/∂w {a} vs {c}");
                        }
                    }
                }
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn join_runs_each_side_once_and_survives_panics() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::{Duration, Instant};
        let busy = |micros: u64| {
            let start = Instant::now();
            while start.elapsed() < Duration::from_micros(micros) {
                std::hint::spin_loop();
            }
        };
        // With a() instant the helper rarely gets there first and the caller
        // takes b back; with a() slower the helper runs b.
        for i in 0..600u64 {
            let (ca, cb) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let (ra, rb) = join(
                || {
                    busy(i % 3 * 30);
                    ca.fetch_add(1, Ordering::Relaxed);
                    i
                },
                || {
                    cb.fetch_add(1, Ordering::Relaxed);
                    2 * i
                },
            );
            assert_eq!((ra, rb), (i, 2 * i));
            assert_eq!((ca.into_inner(), cb.into_inner()), (1, 1));
        }
        for slow in [0, 200] {
            let b_panics = std::panic::catch_unwind(|| {
                join(|| busy(slow), || -> u32 { panic!("test panic in b") })
            });
            assert!(b_panics.is_err());
            let a_panics = std::panic::catch_unwind(|| {
                join(|| -> u32 { panic!("test panic in a") }, || busy(slow))
            });
            assert!(a_panics.is_err());
        }
        // And the helper still works.
        assert_eq!(join(|| busy(100), || 7), ((), 7));
    }

    #[test]
    fn exp_matches_std() {
        check_exp::<Plain>();
    }

    #[test]
    fn ln_1p_matches_std() {
        check_ln_1p::<Plain>();
    }

    #[test]
    fn cross_entropy_matches_reference() {
        check_cross_entropy::<Plain>();
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn fused_variants_match_std() {
        // `Fused` only needs FMA to be fast, not to be right: mul_add is exact
        // everywhere (in software where the CPU lacks it).
        check_exp::<Fused>();
        check_ln_1p::<Fused>();
        check_cross_entropy::<Fused>();
    }
}
