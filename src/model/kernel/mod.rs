//! The data passes behind every loss, gradient and curvature: for each row,
//! z = b + w·x in training units, the per-row loss ℓ(z, t) and dℓ/dz, summed,
//! and Σ (dℓ/dz)·x.
//!
//! Layout of the work, chosen so that every part vectorizes on every target
//! (SSE2 or AVX2 natively, simd128 in the browser) and gives the same bits
//! everywhere:
//!
//! * The data is column-major in chunks of [`CHUNK_ROWS`] rows (see
//!   `data::column`). A chunk is worked through in sub-blocks of [`SUB`]
//!   rows: z for the sub-block is built one column at a time
//!   (`z += w_j·(x_j − m_j)`, element-wise), then one branch-free pass turns
//!   z into dℓ/dz while summing ℓ, then Σ dℓ/dz·(x_j − m_j) per column. A
//!   sub-block's columns stay in L1 between the two reads.
//! * Sums use eight explicit lanes combined in a fixed order, and only IEEE
//!   `+ − × ÷` (no fused multiply-add, no libm: see `fastmath`). The source
//!   fixes every rounding, so the vector width does not matter: the command
//!   line and the browser produce the same run bit for bit.
//! * Problems of at least [`SPLIT_MIN_VALUES`] values are split at a fixed
//!   chunk into two halves summed separately and then added. Natively the
//!   second half runs on one persistent helper thread; in the browser both
//!   run here. The split depends only on the size, so the result does not
//!   depend on who computed what.
//! * Nothing allocates per pass once scratch buffers exist.

mod fastmath;
#[cfg(not(target_arch = "wasm32"))]
mod helper;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;

pub(crate) use fastmath::{exp_nonpos, ln_1p_and_recip};

use super::design::Design;
use super::ModelKind;
use crate::data::column::CHUNK_ROWS;

/// Rows per sub-block: z, dℓ/dz and the block's columns stay in L1.
pub(crate) const SUB: usize = 512;
/// Independent partial sums per reduction.
pub(crate) const LANES: usize = 8;
/// Problems with at least this many values (n·(d+1)) are split in two.
const SPLIT_MIN_VALUES: usize = 1 << 15;
/// Widest problem whose second-half gradient lives on the stack.
const STACK_DIM: usize = 64;

/// The sums of one pass over some rows (sums, not means).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct PassSums {
    /// Σ ℓ(zᵢ, tᵢ).
    pub loss: f64,
    /// Σ ∂ℓ/∂zᵢ (the bias gradient's sum).
    pub dz: f64,
    /// Rows whose predicted class is right (logistic; 0 for linear).
    pub correct: u64,
    /// Rows visited.
    pub rows: usize,
}

impl PassSums {
    fn add(self, o: PassSums) -> PassSums {
        PassSums {
            loss: self.loss + o.loss,
            dz: self.dz + o.dz,
            correct: self.correct + o.correct,
            rows: self.rows + o.rows,
        }
    }
}

/// Which rows a pass visits.
#[derive(Debug, Clone, Copy)]
pub enum RowSet<'a> {
    /// Every row, in order.
    All,
    /// These rows (0-based), in this order: a mini-batch.
    Listed(&'a [u32]),
}

/// One pass of `model` over `rows` of `design` at θ = (w, b) in training
/// units. With `grad` (length d + 1), writes Σ (∂ℓ/∂z)·zⱼ (training units)
/// into `grad[j]` and Σ ∂ℓ/∂z into `grad[d]`, overwriting it.
///
/// Panics when lengths disagree (callers build θ from the design's layout)
/// or a listed row is out of range.
pub(crate) fn pass(
    model: ModelKind,
    design: &Design,
    theta: &[f64],
    rows: RowSet<'_>,
    grad: Option<&mut [f64]>,
) -> PassSums {
    let d = design.dim();
    assert_eq!(theta.len(), d + 1, "θ has d + 1 entries");
    match grad {
        Some(g) => {
            assert_eq!(g.len(), d + 1, "the gradient has d + 1 entries");
            let (gw, gb) = g.split_at_mut(d);
            let sums = dispatch::<true>(model, design, theta, rows, gw);
            if design.is_standardized() {
                for (g, s) in gw.iter_mut().zip(design.scale()) {
                    *g *= s;
                }
            }
            gb[0] = sums.dz;
            sums
        }
        // In the browser the loss-only pass is the full one with the
        // gradient thrown away (the same loss, bit for bit): one code path
        // less to download.
        #[cfg(target_arch = "wasm32")]
        None => with_scratch(d, |gw| dispatch::<true>(model, design, theta, rows, gw)),
        #[cfg(not(target_arch = "wasm32"))]
        None => dispatch::<false>(model, design, theta, rows, &mut []),
    }
}

fn dispatch<const GRAD: bool>(
    model: ModelKind,
    design: &Design,
    theta: &[f64],
    rows: RowSet<'_>,
    gw: &mut [f64],
) -> PassSums {
    // Original units are the standardized path with shift 0 and scale 1
    // (x − 0 = x and w·1 = w exactly): the browser only has that path.
    #[cfg(target_arch = "wasm32")]
    return match model {
        ModelKind::Linear => over_rows::<Squared, GRAD, true>(design, theta, rows, gw),
        ModelKind::Logistic => over_rows::<CrossEntropy, GRAD, true>(design, theta, rows, gw),
    };
    #[cfg(not(target_arch = "wasm32"))]
    match (model, design.is_standardized()) {
        (ModelKind::Linear, false) => over_rows::<Squared, GRAD, false>(design, theta, rows, gw),
        (ModelKind::Linear, true) => over_rows::<Squared, GRAD, true>(design, theta, rows, gw),
        (ModelKind::Logistic, false) => {
            over_rows::<CrossEntropy, GRAD, false>(design, theta, rows, gw)
        }
        (ModelKind::Logistic, true) => {
            over_rows::<CrossEntropy, GRAD, true>(design, theta, rows, gw)
        }
    }
}

fn over_rows<L: RowLoss, const GRAD: bool, const STD: bool>(
    design: &Design,
    theta: &[f64],
    rows: RowSet<'_>,
    gw: &mut [f64],
) -> PassSums {
    gw.fill(0.0);
    match rows {
        RowSet::All => all_rows::<L, GRAD, STD>(design, theta, gw),
        RowSet::Listed(list) => listed_rows::<L, GRAD, STD>(design, theta, list, gw),
    }
}

/// Where a problem of n rows × d features is split, as a chunk index.
fn split_chunk(n: usize, d: usize) -> Option<usize> {
    let chunks = n.div_ceil(CHUNK_ROWS);
    (chunks >= 2 && n.saturating_mul(d + 1) >= SPLIT_MIN_VALUES).then_some(chunks / 2)
}

fn all_rows<L: RowLoss, const GRAD: bool, const STD: bool>(
    design: &Design,
    theta: &[f64],
    gw: &mut [f64],
) -> PassSums {
    let (n, d) = (design.rows(), design.dim());
    let chunks = n.div_ceil(CHUNK_ROWS);
    let Some(mid) = split_chunk(n, d) else {
        return chunk_range::<L, GRAD, STD>(design, theta, 0, chunks, gw);
    };
    if !GRAD {
        let (a, b) = join(
            || chunk_range::<L, false, STD>(design, theta, 0, mid, &mut []),
            || chunk_range::<L, false, STD>(design, theta, mid, chunks, &mut []),
        );
        return a.add(b);
    }
    with_scratch(d, |g1| {
        let (a, b) = join(
            || chunk_range::<L, GRAD, STD>(design, theta, 0, mid, gw),
            || chunk_range::<L, GRAD, STD>(design, theta, mid, chunks, g1),
        );
        for (g, h) in gw.iter_mut().zip(g1.iter()) {
            *g += *h;
        }
        a.add(b)
    })
}

/// Chunks `from..to`, summed in order; the gradient sums go into `gw`
/// (zeroed by the caller).
fn chunk_range<L: RowLoss, const GRAD: bool, const STD: bool>(
    design: &Design,
    theta: &[f64],
    from: usize,
    to: usize,
    gw: &mut [f64],
) -> PassSums {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports the feature the function is compiled for.
        return unsafe { chunk_range_avx2::<L, GRAD, STD>(design, theta, from, to, gw) };
    }
    chunk_range_portable::<L, GRAD, STD>(design, theta, from, to, gw)
}

/// The same code with 256-bit vectors. Without FMA: the results are those
/// of the portable build, bit for bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn chunk_range_avx2<L: RowLoss, const GRAD: bool, const STD: bool>(
    design: &Design,
    theta: &[f64],
    from: usize,
    to: usize,
    gw: &mut [f64],
) -> PassSums {
    chunk_range_portable::<L, GRAD, STD>(design, theta, from, to, gw)
}

#[inline(always)]
fn chunk_range_portable<L: RowLoss, const GRAD: bool, const STD: bool>(
    design: &Design,
    theta: &[f64],
    from: usize,
    to: usize,
    gw: &mut [f64],
) -> PassSums {
    let d = design.dim();
    let (w, b) = theta.split_at(d);
    let b = b[0];
    let mut sums = PassSums::default();
    for k in from..to {
        let t = design.target().chunk(k);
        block::<L, GRAD, STD, _>(
            |j| design.feature(j).chunk(k),
            t,
            w,
            design.shift(),
            design.scale(),
            b,
            gw,
            &mut sums,
        );
    }
    sums
}

/// Rows listed one by one (a mini-batch): gathered a chunk at a time into a
/// contiguous buffer, then summed like a chunk. One thread, in order.
fn listed_rows<L: RowLoss, const GRAD: bool, const STD: bool>(
    design: &Design,
    theta: &[f64],
    list: &[u32],
    gw: &mut [f64],
) -> PassSums {
    thread_local! {
        static GATHER: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let d = design.dim();
    let (w, b) = theta.split_at(d);
    let b = b[0];
    let mut sums = PassSums::default();
    let mut run = |buf: &mut Vec<f64>| {
        for piece in list.chunks(CHUNK_ROWS) {
            let m = piece.len();
            buf.clear();
            buf.resize((d + 1) * m, 0.0);
            for j in 0..d {
                let col = design.feature(j);
                for (o, &r) in buf[j * m..(j + 1) * m].iter_mut().zip(piece) {
                    *o = col.get(r as usize);
                }
            }
            let t = design.target();
            for (o, &r) in buf[d * m..].iter_mut().zip(piece) {
                *o = t.get(r as usize);
            }
            let (xs, ts) = buf.split_at(d * m);
            block::<L, GRAD, STD, _>(
                |j| &xs[j * m..(j + 1) * m],
                ts,
                w,
                design.shift(),
                design.scale(),
                b,
                gw,
                &mut sums,
            );
        }
    };
    GATHER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => run(&mut buf),
        // Not reachable (the kernel does not re-enter), but stay correct.
        Err(_) => run(&mut Vec::new()),
    });
    sums
}

/// One chunk (at most [`CHUNK_ROWS`] rows): `x(j)` is feature j's values
/// for the chunk's rows, `t` the targets.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn block<'a, L: RowLoss, const GRAD: bool, const STD: bool, F: Fn(usize) -> &'a [f64]>(
    x: F,
    t: &[f64],
    w: &[f64],
    shift: &[f64],
    scale: &[f64],
    b: f64,
    gw: &mut [f64],
    sums: &mut PassSums,
) {
    let m = t.len();
    let mut zbuf = [0.0f64; SUB];
    let mut s0 = 0;
    while s0 < m {
        let s1 = (s0 + SUB).min(m);
        let z = &mut zbuf[..s1 - s0];
        z.fill(b);
        // Four columns per sweep over z: the same additions in the same
        // order as one column at a time, with a quarter of the loads and
        // stores of z.
        let d = w.len();
        let mut j = 0;
        while j + 4 <= d {
            let (x0, x1, x2, x3) = (
                &x(j)[s0..s1],
                &x(j + 1)[s0..s1],
                &x(j + 2)[s0..s1],
                &x(j + 3)[s0..s1],
            );
            if STD {
                let c = [
                    w[j] * scale[j],
                    w[j + 1] * scale[j + 1],
                    w[j + 2] * scale[j + 2],
                    w[j + 3] * scale[j + 3],
                ];
                let m = [shift[j], shift[j + 1], shift[j + 2], shift[j + 3]];
                for ((((zi, &a), &b), &cc), &dd) in z.iter_mut().zip(x0).zip(x1).zip(x2).zip(x3) {
                    let mut v = *zi;
                    v += c[0] * (a - m[0]);
                    v += c[1] * (b - m[1]);
                    v += c[2] * (cc - m[2]);
                    v += c[3] * (dd - m[3]);
                    *zi = v;
                }
            } else {
                let c = [w[j], w[j + 1], w[j + 2], w[j + 3]];
                for ((((zi, &a), &b), &cc), &dd) in z.iter_mut().zip(x0).zip(x1).zip(x2).zip(x3) {
                    let mut v = *zi;
                    v += c[0] * a;
                    v += c[1] * b;
                    v += c[2] * cc;
                    v += c[3] * dd;
                    *zi = v;
                }
            }
            j += 4;
        }
        for j in j..d {
            let xs = &x(j)[s0..s1];
            if STD {
                let (c, mj) = (w[j] * scale[j], shift[j]);
                for (zi, &xi) in z.iter_mut().zip(xs) {
                    *zi += c * (xi - mj);
                }
            } else {
                let c = w[j];
                for (zi, &xi) in z.iter_mut().zip(xs) {
                    *zi += c * xi;
                }
            }
        }
        let (l, g, c) = eval_block::<L>(z, &t[s0..s1]);
        sums.loss += l;
        sums.dz += g;
        sums.correct += c;
        if GRAD {
            let d = gw.len();
            let mut j = 0;
            while j + GRAD_GROUP <= d {
                let xs: [&[f64]; GRAD_GROUP] = std::array::from_fn(|c| &x(j + c)[s0..s1]);
                let m: [f64; GRAD_GROUP] =
                    std::array::from_fn(|c| if STD { shift[j + c] } else { 0.0 });
                let group = dot_group::<STD, GRAD_GROUP>(z, xs, m);
                for (g, v) in gw[j..j + GRAD_GROUP].iter_mut().zip(group) {
                    *g += v;
                }
                j += GRAD_GROUP;
            }
            for (j, gj) in gw.iter_mut().enumerate().skip(j) {
                let xs = &x(j)[s0..s1];
                *gj += if STD {
                    dot_shifted(z, xs, shift[j])
                } else {
                    dot(z, xs)
                };
            }
        }
        s0 = s1;
    }
    sums.rows += m;
}

/// Eight lane sums added in a fixed tree.
#[inline(always)]
fn combine(a: &[f64; LANES]) -> f64 {
    ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

/// Σ aᵢ·bᵢ in eight lanes.
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    let (mut ac, mut bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    for (x, y) in ac.by_ref().zip(bc.by_ref()) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    for (k, (x, y)) in ac.remainder().iter().zip(bc.remainder()).enumerate() {
        acc[k] += x * y;
    }
    combine(&acc)
}

/// Σ aᵢ·(bᵢ − m) in eight lanes.
#[inline(always)]
fn dot_shifted(a: &[f64], b: &[f64], m: f64) -> f64 {
    let mut acc = [0.0; LANES];
    let (mut ac, mut bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    for (x, y) in ac.by_ref().zip(bc.by_ref()) {
        for k in 0..LANES {
            acc[k] += x[k] * (y[k] - m);
        }
    }
    for (k, (x, y)) in ac.remainder().iter().zip(bc.remainder()).enumerate() {
        acc[k] += x * (y - m);
    }
    combine(&acc)
}

/// Columns per [`dot_group`] in the gradient sweep: four share each load
/// of dℓ/dz natively; two in the browser, whose compiler has 16 vector
/// registers for the 2·8/2 accumulators and would spill four columns' 16.
#[cfg(not(target_arch = "wasm32"))]
const GRAD_GROUP: usize = 4;
#[cfg(target_arch = "wasm32")]
const GRAD_GROUP: usize = 2;

/// [`dot_shifted`] (or [`dot`] when not `STD`) of `a` with `C` columns at
/// once, sharing the loads of `a`: each column's lanes are those of the
/// single-column functions, so the bits are theirs.
#[inline(always)]
fn dot_group<const STD: bool, const C: usize>(a: &[f64], xs: [&[f64]; C], m: [f64; C]) -> [f64; C] {
    let mut acc = [[0.0; LANES]; C];
    let n = a.len();
    let full = n / LANES * LANES;
    let mut i = 0;
    while i < full {
        let av: &[f64; LANES] = a[i..i + LANES].try_into().expect("a lane group");
        for (c, x) in xs.iter().enumerate() {
            let xv: &[f64; LANES] = x[i..i + LANES].try_into().expect("a lane group");
            for k in 0..LANES {
                acc[c][k] += av[k] * if STD { xv[k] - m[c] } else { xv[k] };
            }
        }
        i += LANES;
    }
    for k in 0..n - full {
        for (c, x) in xs.iter().enumerate() {
            acc[c][k] += a[full + k] * if STD { x[full + k] - m[c] } else { x[full + k] };
        }
    }
    std::array::from_fn(|c| combine(&acc[c]))
}

/// Σ aᵢ in eight lanes.
#[inline(always)]
fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    let mut ac = a.chunks_exact(LANES);
    for x in ac.by_ref() {
        for k in 0..LANES {
            acc[k] += x[k];
        }
    }
    for (k, x) in ac.remainder().iter().enumerate() {
        acc[k] += x;
    }
    combine(&acc)
}

/// Turns a sub-block's z into ∂ℓ/∂z in place; returns (Σ ℓ, Σ ∂ℓ/∂z, rows
/// classified right).
#[inline(always)]
fn eval_block<L: RowLoss>(z: &mut [f64], t: &[f64]) -> (f64, f64, u64) {
    let (la, ga, right) = L::eval_lanes(z, t);
    (combine(&la), combine(&ga), right)
}

/// The lanes of [`eval_block`], one row at a time (the definition every
/// vector version reproduces bit for bit).
#[inline(always)]
fn eval_lanes_scalar<L: RowLoss>(z: &mut [f64], t: &[f64]) -> ([f64; LANES], [f64; LANES], u64) {
    let mut la = [0.0; LANES];
    let mut ga = [0.0; LANES];
    let mut ca = [0u64; LANES];
    let mut zc = z.chunks_exact_mut(LANES);
    let mut tc = t.chunks_exact(LANES);
    for (zg, tg) in zc.by_ref().zip(tc.by_ref()) {
        for k in 0..LANES {
            let (l, g, c) = L::eval(zg[k], tg[k]);
            la[k] += l;
            ga[k] += g;
            ca[k] += c;
            zg[k] = g;
        }
    }
    for (k, (zi, &ti)) in zc
        .into_remainder()
        .iter_mut()
        .zip(tc.remainder())
        .enumerate()
    {
        let (l, g, c) = L::eval(*zi, ti);
        la[k] += l;
        ga[k] += g;
        ca[k] += c;
        *zi = g;
    }
    (la, ga, ca.iter().sum())
}

/// ℓ(z, t), ∂ℓ/∂z and whether the row is classified right, branch-free so
/// that a loop over a block vectorizes.
pub(crate) trait RowLoss {
    /// (ℓ, ∂ℓ/∂z, 1 if the predicted class is right else 0).
    fn eval(z: f64, t: f64) -> (f64, f64, u64);

    /// A sub-block's lane sums of ℓ and ∂ℓ/∂z and its right count, turning
    /// z into ∂ℓ/∂z in place.
    #[inline(always)]
    fn eval_lanes(z: &mut [f64], t: &[f64]) -> ([f64; LANES], [f64; LANES], u64)
    where
        Self: Sized,
    {
        eval_lanes_scalar::<Self>(z, t)
    }
}

/// (z − t)², 2(z − t): `linear::squared_error`.
pub(crate) struct Squared;

impl RowLoss for Squared {
    #[inline(always)]
    fn eval(z: f64, t: f64) -> (f64, f64, u64) {
        let r = z - t;
        (r * r, 2.0 * r, 0)
    }
}

/// softplus(z) − t·z, σ(z) − t: `logistic::cross_entropy`, stable for any z.
pub(crate) struct CrossEntropy;

impl RowLoss for CrossEntropy {
    #[inline(always)]
    fn eval(z: f64, t: f64) -> (f64, f64, u64) {
        let e = exp_nonpos(-z.abs());
        let (ln_1p, inv) = ln_1p_and_recip(e);
        let p = if z >= 0.0 { inv } else { e * inv };
        let relu = if z > 0.0 { z } else { 0.0 };
        let right = u64::from((z >= 0.0) == (t >= 0.5));
        (ln_1p + (relu - t * z), p - t, right)
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn eval_lanes(z: &mut [f64], t: &[f64]) -> ([f64; LANES], [f64; LANES], u64) {
        simd::cross_entropy_block(z, t)
    }
}

/// σ(z) with the kernel's exp: the same bits everywhere.
#[inline]
pub(crate) fn sigmoid(z: f64) -> f64 {
    let e = exp_nonpos(-z.abs());
    let inv = 1.0 / (1.0 + e);
    if z >= 0.0 {
        inv
    } else {
        e * inv
    }
}

/// Σᵢ cᵢ·aᵢaᵢᵀ over every row, with aᵢ = (zᵢ₁ … zᵢd, 1) in training units:
/// the p × p matrix (p = d + 1, row-major, full square) behind the loss
/// curvature. `weights` gives cᵢ: `None` is cᵢ = 1 (the Gram matrix AᵀA);
/// `Some(θ)` is the logistic cᵢ = σ'(zᵢ) = pᵢ(1 − pᵢ) at θ, and then the
/// pass also returns the loss and gradient sums at θ (Newton's method needs
/// all three).
pub(crate) fn weighted_gram(design: &Design, weights: Option<&[f64]>) -> Curvature {
    let mut out = Curvature::zeros(design.dim() + 1);
    gram_chunks(
        design,
        weights,
        0,
        design.rows().div_ceil(CHUNK_ROWS),
        &mut out,
    );
    out.mirror();
    out
}

/// The sums of [`weighted_gram`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Curvature {
    /// Σ cᵢ aᵢaᵢᵀ, p × p row-major.
    pub matrix: Vec<f64>,
    /// With θ: Σ ∂ℓ/∂z · aᵢ (training units); else zeros.
    pub gradient: Vec<f64>,
    /// With θ: Σ ℓ and right classifications.
    pub sums: PassSums,
}

impl Curvature {
    /// Nothing summed yet, for p = d + 1 parameters.
    pub(crate) fn zeros(p: usize) -> Self {
        Self {
            matrix: vec![0.0; p * p],
            gradient: vec![0.0; p],
            sums: PassSums::default(),
        }
    }

    /// Copies the upper triangle of `matrix` into the lower one (the sums
    /// fill only the upper one).
    pub(crate) fn mirror(&mut self) {
        let p = self.gradient.len();
        for a in 0..p {
            for b in 0..a {
                self.matrix[a * p + b] = self.matrix[b * p + a];
            }
        }
    }
}

/// Adds chunks `from..to` of [`weighted_gram`]'s sums into `out`, in order:
/// any slicing of the chunks gives the same bits as one call.
pub(crate) fn gram_chunks(
    design: &Design,
    theta: Option<&[f64]>,
    from: usize,
    to: usize,
    out: &mut Curvature,
) {
    let weights = match theta {
        None => RowWeights::Ones,
        Some(theta) => RowWeights::Logistic(theta),
    };
    weighted_chunks(design, weights, from, to, out);
}

/// Σᵢ gᵢgᵢᵀ and Σᵢ gᵢ, with gᵢ = ∂ℓ/∂zᵢ · aᵢ the row's own gradient at θ
/// (training units, no penalty): the sums behind the covariance of a
/// mini-batch gradient (the noise of SGD). Over every row, or over chunks
/// spread evenly through the data when there are more than `max_rows`.
pub(crate) fn gradient_outer(
    design: &Design,
    theta: &[f64],
    model: ModelKind,
    max_rows: usize,
) -> Curvature {
    let mut out = Curvature::zeros(design.dim() + 1);
    let chunks = design.rows().div_ceil(CHUNK_ROWS);
    let wanted = max_rows.div_ceil(CHUNK_ROWS).clamp(1, chunks.max(1));
    for i in 0..wanted {
        let k = i * chunks / wanted;
        weighted_chunks(
            design,
            RowWeights::GradientSquared(theta, model),
            k,
            (k + 1).min(chunks),
            &mut out,
        );
    }
    out.mirror();
    out
}

/// The row weights cᵢ of a weighted Gram pass.
#[derive(Clone, Copy)]
enum RowWeights<'a> {
    /// cᵢ = 1.
    Ones,
    /// cᵢ = σ'(zᵢ) at θ (logistic curvature), with the loss and gradient.
    Logistic(&'a [f64]),
    /// cᵢ = (∂ℓ/∂zᵢ)² at θ, with the loss and gradient.
    GradientSquared(&'a [f64], ModelKind),
}

fn weighted_chunks(
    design: &Design,
    weights: RowWeights<'_>,
    from: usize,
    to: usize,
    out: &mut Curvature,
) {
    let d = design.dim();
    let p = d + 1;
    // Training-units columns of one sub-block, then the row weights.
    let mut a = vec![0.0; d * SUB];
    let mut c = vec![0.0; SUB];
    let mut u = vec![0.0; SUB];
    let mut z = vec![0.0; SUB];
    for k in from..to {
        let t = design.target().chunk(k);
        let m = t.len();
        let mut s0 = 0;
        while s0 < m {
            let s1 = (s0 + SUB).min(m);
            let len = s1 - s0;
            for j in 0..d {
                let xs = &design.feature(j).chunk(k)[s0..s1];
                let dst = &mut a[j * len..(j + 1) * len];
                if design.is_standardized() {
                    let (mj, sj) = (design.shift()[j], design.scale()[j]);
                    for (o, &x) in dst.iter_mut().zip(xs) {
                        *o = (x - mj) * sj;
                    }
                } else {
                    dst.copy_from_slice(xs);
                }
            }
            let c = &mut c[..len];
            let theta = match weights {
                RowWeights::Ones => None,
                RowWeights::Logistic(theta) | RowWeights::GradientSquared(theta, _) => Some(theta),
            };
            match theta {
                None => c.fill(1.0),
                Some(theta) => {
                    let z = &mut z[..len];
                    z.fill(theta[d]);
                    for j in 0..d {
                        let wj = theta[j];
                        for (zi, &aj) in z.iter_mut().zip(&a[j * len..(j + 1) * len]) {
                            *zi += wj * aj;
                        }
                    }
                    if let RowWeights::Logistic(_) = weights {
                        for (ci, &zi) in c.iter_mut().zip(z.iter()) {
                            let s = sigmoid(zi);
                            *ci = s * (1.0 - s);
                        }
                    }
                    // One call site per loss: the logistic one is large.
                    let (l, g, right) =
                        if let RowWeights::GradientSquared(_, ModelKind::Linear) = weights {
                            eval_block::<Squared>(z, &t[s0..s1])
                        } else {
                            eval_block::<CrossEntropy>(z, &t[s0..s1])
                        };
                    // z now holds ∂ℓ/∂z.
                    if let RowWeights::GradientSquared(..) = weights {
                        for (ci, &gi) in c.iter_mut().zip(z.iter()) {
                            *ci = gi * gi;
                        }
                    }
                    out.sums.loss += l;
                    out.sums.dz += g;
                    out.sums.correct += right;
                    for j in 0..d {
                        out.gradient[j] += dot(z, &a[j * len..(j + 1) * len]);
                    }
                    out.gradient[d] += g;
                }
            }
            let u = &mut u[..len];
            for j in 0..d {
                let aj = &a[j * len..(j + 1) * len];
                for ((ui, &ci), &x) in u.iter_mut().zip(c.iter()).zip(aj) {
                    *ui = ci * x;
                }
                for kk in j..d {
                    out.matrix[j * p + kk] += dot(u, &a[kk * len..(kk + 1) * len]);
                }
                out.matrix[j * p + d] += sum(u);
            }
            out.matrix[d * p + d] += sum(c);
            out.sums.rows += len;
            s0 = s1;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::column::NumericColumn;
    use std::sync::Arc;

    fn rnd(s: &mut u64) -> f64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    fn design(n: usize, d: usize, logistic: bool, seed: u64) -> Design {
        let mut s = seed;
        let cols: Vec<Arc<NumericColumn>> = (0..d)
            .map(|j| {
                let scale = [1.0, 50.0, 400.0][j % 3];
                Arc::new(NumericColumn::from_slice(
                    &(0..n)
                        .map(|_| rnd(&mut s) * scale + 3.0)
                        .collect::<Vec<_>>(),
                ))
            })
            .collect();
        let t: Vec<f64> = (0..n)
            .map(|_| {
                let v = rnd(&mut s);
                if logistic {
                    f64::from(v > 0.0)
                } else {
                    v * 10.0
                }
            })
            .collect();
        Design::new(cols, Arc::new(NumericColumn::from_slice(&t)))
    }

    /// The plain, row-by-row definition of the sums.
    fn naive(model: ModelKind, x: &Design, theta: &[f64]) -> (f64, Vec<f64>, u64) {
        let d = x.dim();
        let mut g = vec![0.0; d + 1];
        let (mut loss, mut right) = (0.0, 0);
        let mut row = vec![0.0; d];
        for i in 0..x.rows() {
            x.row_into(i, &mut row);
            let z = theta[d] + row.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>();
            let t = x.target().get(i);
            let (l, dz) = match model {
                ModelKind::Linear => crate::model::linear::squared_error(z, t),
                ModelKind::Logistic => crate::model::logistic::cross_entropy(z, t),
            };
            right += u64::from((z >= 0.0) == (t >= 0.5));
            loss += l;
            for j in 0..d {
                g[j] += dz * row[j];
            }
            g[d] += dz;
        }
        (loss, g, right)
    }

    #[test]
    fn passes_match_the_definition() {
        for model in [ModelKind::Linear, ModelKind::Logistic] {
            for d in [0, 1, 3, 10, 70] {
                for n in [0, 1, 7, 255, 256, 257, CHUNK_ROWS + 3, 3 * CHUNK_ROWS + 1] {
                    for std in [false, true] {
                        let mut x = design(n, d, model == ModelKind::Logistic, 7 + n as u64);
                        if std {
                            let mean: Vec<f64> = (0..d).map(|j| j as f64 * 0.5 + 3.0).collect();
                            let sd: Vec<f64> = (0..d).map(|j| [1.0, 50.0, 400.0][j % 3]).collect();
                            x = x.standardized(&mean, &sd);
                        }
                        let mut s = 99;
                        let theta: Vec<f64> = (0..=d).map(|_| rnd(&mut s) * 0.3).collect();
                        let mut g = vec![f64::NAN; d + 1];
                        let sums = pass(model, &x, &theta, RowSet::All, Some(&mut g));
                        let only = pass(model, &x, &theta, RowSet::All, None);
                        assert_eq!(sums.loss.to_bits(), only.loss.to_bits());
                        let (loss, want, right) = naive(model, &x, &theta);
                        let tol = 1e-10 * (1.0 + loss.abs());
                        assert!((sums.loss - loss).abs() <= tol, "{model:?} n={n} d={d}");
                        for (a, b) in g.iter().zip(&want) {
                            assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{a} vs {b}");
                        }
                        if model == ModelKind::Logistic {
                            assert_eq!(sums.correct, right);
                        }
                        assert_eq!(sums.rows, n);
                    }
                }
            }
        }
    }

    #[test]
    fn listed_rows_match_all_rows_up_to_order() {
        let x = design(1000, 4, true, 3);
        let theta = [0.1, -0.2, 0.05, 0.3, 0.1];
        let list: Vec<u32> = (0..1000).rev().collect();
        let mut g1 = vec![0.0; 5];
        let mut g2 = vec![0.0; 5];
        let a = pass(ModelKind::Logistic, &x, &theta, RowSet::All, Some(&mut g1));
        let b = pass(
            ModelKind::Logistic,
            &x,
            &theta,
            RowSet::Listed(&list),
            Some(&mut g2),
        );
        assert!((a.loss - b.loss).abs() < 1e-10);
        assert_eq!(a.correct, b.correct);
        for (p, q) in g1.iter().zip(&g2) {
            assert!((p - q).abs() < 1e-9);
        }
        let one = pass(ModelKind::Logistic, &x, &theta, RowSet::Listed(&[5]), None);
        assert_eq!(one.rows, 1);
    }

    #[test]
    fn repeated_passes_are_bit_identical() {
        let x = design(5 * CHUNK_ROWS + 11, 10, false, 5);
        let theta = vec![0.01; 11];
        let mut g1 = vec![0.0; 11];
        let mut g2 = vec![0.0; 11];
        let a = pass(ModelKind::Linear, &x, &theta, RowSet::All, Some(&mut g1));
        for _ in 0..20 {
            let b = pass(ModelKind::Linear, &x, &theta, RowSet::All, Some(&mut g2));
            assert_eq!(a.loss.to_bits(), b.loss.to_bits());
            assert_eq!(
                g1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                g2.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn gram_matches_the_definition() {
        for std in [false, true] {
            let mut x = design(CHUNK_ROWS * 2 + 5, 3, true, 11);
            if std {
                x = x.standardized(&[3.0, 3.0, 3.0], &[1.0, 50.0, 400.0]);
            }
            let theta = [0.2, -0.01, 0.001, 0.1];
            let p = 4;
            let mut want = vec![0.0; p * p];
            let mut want_c = vec![0.0; p * p];
            let mut row = vec![0.0; 3];
            for i in 0..x.rows() {
                x.row_into(i, &mut row);
                let a = [row[0], row[1], row[2], 1.0];
                let z = theta[3] + (0..3).map(|j| theta[j] * row[j]).sum::<f64>();
                let s = 1.0 / (1.0 + (-z).exp());
                for r in 0..p {
                    for c in 0..p {
                        want[r * p + c] += a[r] * a[c];
                        want_c[r * p + c] += s * (1.0 - s) * a[r] * a[c];
                    }
                }
            }
            let g = weighted_gram(&x, None);
            let h = weighted_gram(&x, Some(&theta));
            for k in 0..p * p {
                assert!((g.matrix[k] - want[k]).abs() <= 1e-9 * (1.0 + want[k].abs()));
                assert!((h.matrix[k] - want_c[k]).abs() <= 1e-9 * (1.0 + want_c[k].abs()));
            }
            let mut gp = vec![0.0; 4];
            let sums = pass(ModelKind::Logistic, &x, &theta, RowSet::All, Some(&mut gp));
            assert!((h.sums.loss - sums.loss).abs() < 1e-9);
            for (a, b) in h.gradient.iter().zip(&gp) {
                assert!((a - b).abs() < 1e-9 * (1.0 + b.abs()));
            }
        }
    }

    #[test]
    fn cross_entropy_matches_the_library_formula() {
        use crate::model::logistic::cross_entropy;
        let mut zs: Vec<f64> = (-40_000..=40_000).map(|i| i as f64 * 1e-3).collect();
        zs.extend((-2000..=2000).map(|i| i as f64 * 5.0));
        zs.extend([
            0.0, -0.0, 1e-300, -1e-300, 708.5, -708.5, 745.5, 1e4, -1e4, 1e300, -1e300,
        ]);
        for &z in &zs {
            for t in [0.0, 1.0, 0.3] {
                let (l, g, _) = CrossEntropy::eval(z, t);
                let (wl, wg) = cross_entropy(z, t);
                let scale = wl.abs() + (z.abs() * (1.0 + t)).min(f64::MAX);
                assert!((l - wl).abs() <= 4e-16 * scale + 1e-300, "ℓ({z}, {t})");
                assert!((g - wg).abs() <= 1e-15 * wg.abs().max(1.0), "ℓ'({z}, {t})");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn join_runs_each_side_once_and_survives_panics() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        for i in 0..200u64 {
            let (ca, cb) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let (ra, rb) = join(
                || {
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
        let b_panics =
            std::panic::catch_unwind(|| join(|| (), || -> u32 { panic!("test panic in b") }));
        assert!(b_panics.is_err());
        assert_eq!(join(|| 1, || 7), (1, 7));
    }
}
