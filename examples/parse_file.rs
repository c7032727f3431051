//! Parses a CSV file with the streaming reader, 1 MiB at a time, and prints
//! the throughput: `cargo run --release --example parse_file -- FILE`.
//! Without a file it generates 200k rows × 10 short decimals (a workload
//! for `valgrind --tool=callgrind`).

use std::time::Instant;

use gradstep::data::csv::TableReader;

fn generated(rows: usize) -> Vec<u8> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = String::new();
    out.push_str("x1,x2,x3,x4,x5,x6,x7,x8,x9,y\n");
    for _ in 0..rows {
        for k in 0..10 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let v = (s % 200_000) as f64 / 1000.0 - 100.0;
            out.push_str(&format!("{v:.2}"));
            out.push(if k == 9 { '\n' } else { ',' });
        }
    }
    out.into_bytes()
}

fn main() {
    let bytes = match std::env::args().nth(1) {
        Some(path) => std::fs::read(path).expect("the file reads"),
        None => generated(200_000),
    };
    let t0 = Instant::now();
    let mut r = TableReader::new();
    for chunk in bytes.chunks(1 << 20) {
        r.push(chunk).expect("push");
    }
    let t = r.finish().expect("finish");
    let s = t0.elapsed().as_secs_f64();
    println!(
        "{} rows × {} columns, {:.1} MB in {:.3} s: {:.0} MB/s",
        t.rows(),
        t.columns().len(),
        bytes.len() as f64 / 1e6,
        s,
        bytes.len() as f64 / 1e6 / s
    );
}
