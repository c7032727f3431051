//! Throughput of the streaming CSV reader on two generated files pushed
//! 1 MiB at a time as the CLI and the page do: 1M × 10 short decimals
//! (`-3.57`, `12.345`: 2–3 decimals), and 1M × 11 six-decimal floats
//! (`-3.123456`), the file `scripts/bench-web.mjs` loads in the page.
//! Criterion prints the time per parse and the throughput; a one-line MB/s
//! summary (10⁶ bytes) per file follows. Target: ≥ 300 MB/s natively on
//! the first, one thread, release.

use criterion::{criterion_group, Criterion, Throughput};
use gradstep::data::csv::{Table, TableReader};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROWS: usize = 1_000_000;
const COLS: usize = 10;
const CHUNK: usize = 1 << 20;

/// Deterministic pseudo-random decimals in [-100, 100) with 2 or 3 digits
/// after the point (`-3.57`, `8.12`, `12.345`).
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
            let v = (r % 200_000) as f64 / 1000.0 - 100.0;
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

/// The page benchmark's file: 10 features and y, each `v.toFixed(6)` for
/// v uniform in [-10, 10) (`-3.123456`, `7.000120`).
fn web_file() -> Vec<u8> {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = String::with_capacity(ROWS * (COLS + 1) * 10);
    let header: Vec<String> = (1..=COLS).map(|k| format!("x{k}")).collect();
    out.push_str(&header.join(","));
    out.push_str(",y\n");
    for _ in 0..ROWS {
        for _ in 0..=COLS {
            out.push_str(&format!("{:.6},", next() * 20.0 - 10.0));
        }
        out.pop();
        out.push('\n');
    }
    out.into_bytes()
}

/// Time this thread has spent on a CPU, in ns (Linux; 0 elsewhere): the
/// machine may be shared, and wall time then overstates the cost.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(0)
}

fn parse(bytes: &[u8]) -> Table {
    let mut r = TableReader::new();
    for chunk in bytes.chunks(CHUNK) {
        r.push(chunk).expect("push");
    }
    r.finish().expect("finish")
}

fn bench(c: &mut Criterion) {
    bench_file(c, "parse_1m_x_10", &file(), COLS);
    bench_file(c, "parse_1m_x_11_web", &web_file(), COLS + 1);
}

fn bench_file(c: &mut Criterion, name: &str, bytes: &[u8], cols: usize) {
    let t = parse(bytes);
    assert_eq!(t.rows(), ROWS);
    assert_eq!(t.columns().len(), cols);
    let mut g = c.benchmark_group("csv");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function(name, |b| b.iter(|| black_box(parse(black_box(bytes)))));
    g.finish();
    if !c_filter_matches(name) {
        return;
    }

    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        let c0 = cpu_ns();
        black_box(parse(bytes));
        best = best.min(t0.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_ns().saturating_sub(c0) as f64 / 1e9);
    }
    let mb = bytes.len() as f64 / 1e6;
    let cells = (ROWS * cols) as f64;
    println!(
        "csv {name}: {mb:.1} MB ({:.1} bytes/cell) in {best:.3} s wall = {:.0} MB/s, {:.1} ns/cell; on-CPU {best_cpu:.3} s = {:.0} MB/s (best of 5)",
        bytes.len() as f64 / cells,
        mb / best,
        best * 1e9 / cells,
        mb / best_cpu
    );
    let values: usize = t
        .columns()
        .iter()
        .filter_map(|c| c.numeric())
        .map(|v| v.heap_bytes())
        .sum();
    println!(
        "numeric storage after loading: {:.1} MB",
        values as f64 / 1e6
    );
}

/// Whether criterion's filter (the first argument that is not a flag)
/// selects `name`, so that the summary runs only for benchmarks it runs.
fn c_filter_matches(name: &str) -> bool {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .is_none_or(|f| name.contains(&f))
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
