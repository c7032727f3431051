//! Throughput of the streaming CSV reader on a generated 1M × 10 file of
//! short decimals (`-3.57`, `12.345`: 2–3 decimals), pushed 1 MiB at a
//! time as the CLI and the page do. Criterion prints the time per parse and
//! the throughput; a one-line MB/s summary (10⁶ bytes) follows. Target:
//! ≥ 300 MB/s natively, one thread, release.

use criterion::{criterion_group, Criterion, Throughput};
use gradstep::data::csv::{Table, TableReader};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROWS: usize = 1_000_000;
const COLS: usize = 10;
const CHUNK: usize = 1 << 20;

/// Deterministic pseudo-random decimals with 2 or 3 digits after the point.
fn file() -> Vec<u8> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut out = String::with_capacity(ROWS * COLS * 8);
    let header: Vec<String> = (1..=COLS).map(|k| format!("x{k}")).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for _ in 0..ROWS {
        for k in 0..COLS {
            let r = next();
            let v = (r % 40_000) as f64 / 1000.0 - 20.0;
            if r >> 60 & 1 == 0 {
                out.push_str(&format!("{v:.2}"));
            } else {
                out.push_str(&format!("{v:.3}"));
            }
            out.push(if k + 1 == COLS { '\n' } else { ',' });
        }
    }
    out.into_bytes()
}

fn parse(bytes: &[u8]) -> Table {
    let mut r = TableReader::new();
    for chunk in bytes.chunks(CHUNK) {
        r.push(chunk).expect("push");
    }
    r.finish().expect("finish")
}

fn bench(c: &mut Criterion) {
    let bytes = file();
    let t = parse(&bytes);
    assert_eq!(t.rows(), ROWS);
    assert_eq!(t.columns().len(), COLS);
    let mut g = c.benchmark_group("csv");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("parse_1m_x_10", |b| {
        b.iter(|| black_box(parse(black_box(&bytes))))
    });
    g.finish();

    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        black_box(parse(&bytes));
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "csv parse: {:.1} MB in {:.3} s (best of 5) = {:.0} MB/s",
        bytes.len() as f64 / 1e6,
        best,
        bytes.len() as f64 / 1e6 / best
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
