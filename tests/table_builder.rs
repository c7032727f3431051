//! `TableBuilder`: parsing a CSV in slices gives exactly what `Table::parse`
//! gives, whatever the chunks pushed and the rows per step.

use std::time::{Duration, Instant};

use gradstep::data::{ColumnKind, Table, TableBuilder};
use gradstep::{GradstepError, Result};
use proptest::prelude::*;

fn real(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// `text` cut at the given byte offsets, each moved down to a character
/// boundary.
fn chunks<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .map(|&c| {
            let mut c = c.min(text.len());
            while !text.is_char_boundary(c) {
                c -= 1;
            }
            c
        })
        .collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut from = 0;
    for c in cuts.into_iter().chain([text.len()]) {
        out.push(&text[from..c]);
        from = c;
    }
    out
}

/// What a builder did: the result, every step's outcome and the progress.
struct Run {
    result: Result<Table>,
    steps: Vec<Result<usize>>,
    total: usize,
}

/// Pushes `pieces`, runs up to `max_steps` steps cycling through `rows`
/// (stopping early when done), then finishes.
fn build(pieces: &[&str], rows: &[usize], max_steps: usize) -> Run {
    let mut b = TableBuilder::new();
    assert_eq!(b.total_bytes(), 0);
    for p in pieces {
        b.push_text(p);
    }
    let total = b.total_bytes();
    let mut steps = Vec::new();
    for &n in rows.iter().cycle().take(max_steps) {
        if b.is_done() {
            break;
        }
        steps.push(b.parse_step(n));
    }
    Run {
        result: b.finish(),
        steps,
        total,
    }
}

fn describe(t: &Table) -> String {
    let cols: Vec<String> = t
        .columns()
        .iter()
        .map(|c| format!("{}:{:?}:{}", c.name, c.kind, c.missing))
        .collect();
    format!(
        "rows {} delim {:?} header {} cols {:?} preview {:?}",
        t.rows(),
        t.delimiter() as char,
        t.has_header(),
        cols,
        t.preview(20)
    )
}

/// Same table (every field, through `Debug`) or same error.
fn assert_same(got: &Result<Table>, want: &Result<Table>, text: &str) {
    match (got, want) {
        (Ok(g), Ok(w)) => {
            assert_eq!(g.rows(), w.rows(), "rows for {text:?}");
            assert_eq!(g.delimiter(), w.delimiter(), "delimiter for {text:?}");
            assert_eq!(g.has_header(), w.has_header(), "header for {text:?}");
            assert_eq!(g.column_names(), w.column_names(), "names for {text:?}");
            for (a, b) in g.columns().iter().zip(w.columns()) {
                assert_eq!(a.kind, b.kind, "kind of {} for {text:?}", a.name);
                assert_eq!(a.missing, b.missing, "missing of {} for {text:?}", a.name);
            }
            assert_eq!(g.preview(20), w.preview(20), "preview for {text:?}");
            for j in 0..w.columns().len() {
                assert_eq!(g.distinct_count(j, 1000), w.distinct_count(j, 1000));
            }
            // Everything else too: values, codes, levels, problem cells.
            assert_eq!(format!("{g:?}"), format!("{w:?}"), "table for {text:?}");
        }
        (Err(g), Err(w)) => {
            assert_eq!(g.to_string(), w.to_string(), "message for {text:?}");
            assert_eq!(g, w, "error for {text:?}");
        }
        (g, w) => panic!(
            "for {text:?}: builder gave {:?}, Table::parse gave {:?}",
            g.as_ref().map(describe),
            w.as_ref().map(describe)
        ),
    }
}

/// Progress never decreases, stays within the text, and reaches its end
/// exactly when the builder is done; a failed step fails for good.
fn assert_progress(run: &Run, text: &str) {
    let mut last = 0;
    let mut failed: Option<&GradstepError> = None;
    for s in &run.steps {
        match (s, failed) {
            (Ok(p), None) => {
                assert!(
                    *p >= last,
                    "progress went back from {last} to {p} for {text:?}"
                );
                assert!(
                    *p <= run.total,
                    "progress {p} past {} for {text:?}",
                    run.total
                );
                last = *p;
            }
            (Err(e), None) => failed = Some(e),
            (s, Some(first)) => panic!("step after the error {first:?} gave {s:?}"),
        }
    }
    if let Some(e) = failed {
        assert_eq!(
            run.result.as_ref().err(),
            Some(e),
            "finish repeats the error"
        );
    }
}

// ---------------------------------------------------------------- random CSV

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-1000i32..1000).prop_map(|n| n.to_string()),
        3 => (-100.0f64..100.0).prop_map(|x| format!("{x:.2}")),
        5 => prop::sample::select(vec![
            "007", "1e3", " 4 ", "+5", "0.50", "inf", "-inf", "NaN", "", "NA", "n/a", "?", "-",
            "null", "None", "abc", "x y", "yes", "no", "Oslo", "é ü", "\"a,b\"", "\"l1\nl2\"",
            "\"l1\r\nl2\"", "\"q\"\"x\"", "\"1;2\"", "\"3\"", "\"\"", "\"a|b\tc\"", " \"s\" ",
        ])
        .prop_map(String::from),
        1 => "[a-z0-9 ,;|\t\"\r\n.-]{0,6}",
    ]
}

/// A CSV-like text: rows of cells joined by one delimiter, with optional
/// header, BOM, CRLF, blank lines, one ragged row, an open quote.
fn csv_text() -> impl Strategy<Value = String> {
    (
        1usize..=5,
        prop::collection::vec(prop::collection::vec(cell(), 5), 0..14),
        prop::sample::select(vec![",", ";", "\t", "|"]),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.6),
        prop::option::weighted(0.15, (any::<prop::sample::Index>(), 0usize..=6)),
        prop::option::weighted(0.2, (any::<prop::sample::Index>(), "[ \t]{0,2}")),
        prop::bool::weighted(0.05),
        any::<bool>(),
    )
        .prop_map(
            |(ncols, cells, delim, crlf, bom, header, ragged, blank, open_quote, trailing)| {
                let eol = if crlf { "\r\n" } else { "\n" };
                let mut lines: Vec<String> = Vec::new();
                if header {
                    let names: Vec<String> = (0..ncols).map(|k| format!("c{k}")).collect();
                    lines.push(names.join(delim));
                }
                for row in &cells {
                    lines.push(row[..ncols].join(delim));
                }
                if let Some((at, len)) = ragged {
                    if !cells.is_empty() {
                        let i = lines.len() - 1 - at.index(cells.len());
                        let row = &cells[i.min(cells.len() - 1)];
                        let len = len.min(5);
                        lines[i] = row[..len].join(delim);
                    }
                }
                if let Some((at, spaces)) = blank {
                    let i = at.index(lines.len() + 1);
                    lines.insert(i, spaces);
                }
                if open_quote && !lines.is_empty() {
                    let i = lines.len() / 2;
                    lines[i].push_str(delim);
                    lines[i].push_str("\"open");
                }
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                text.push_str(&lines.join(eol));
                if trailing {
                    text.push_str(eol);
                }
                text
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn builder_equals_parse(
        text in csv_text(),
        cuts in prop::collection::vec(0usize..400, 0..6),
        rows in prop::collection::vec(1usize..=5, 1..6),
        max_steps in prop_oneof![Just(usize::MAX), 0usize..6],
    ) {
        let want = Table::parse(&text);
        let run = build(&chunks(&text, &cuts), &rows, max_steps);
        assert_same(&run.result, &want, &text);
        assert_progress(&run, &text);
    }

    #[test]
    fn builder_equals_parse_on_any_text(
        text in "(\u{feff})?[a,;|\t\"\r\n 0-9.eE+-]{0,120}",
        cuts in prop::collection::vec(0usize..130, 0..4),
        rows in prop::collection::vec(1usize..=5, 1..4),
    ) {
        let want = Table::parse(&text);
        let run = build(&chunks(&text, &cuts), &rows, usize::MAX);
        assert_same(&run.result, &want, &text);
        assert_progress(&run, &text);
    }
}

// ---------------------------------------------------------------- fixed cases

/// Steps of `rows` records until done: the progress values, then the table.
fn stepped(text: &str, chunk: usize, rows: usize) -> (Vec<usize>, Result<Table>) {
    let mut b = TableBuilder::default();
    let cuts: Vec<usize> = (chunk..text.len()).step_by(chunk).collect();
    for p in chunks(text, &cuts) {
        b.push_text(p);
    }
    let total = b.total_bytes();
    assert_eq!(total, text.len());
    let mut progress = Vec::new();
    while !b.is_done() {
        match b.parse_step(rows) {
            Ok(p) => progress.push(p),
            Err(_) => break,
        }
    }
    (progress, b.finish())
}

fn assert_monotone_to_end(progress: &[usize], total: usize, what: &str) {
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "{what}: progress {progress:?} not monotone"
    );
    assert_eq!(
        progress.last(),
        Some(&total),
        "{what}: progress ends at total_bytes"
    );
    assert!(
        progress[..progress.len() - 1].iter().all(|&p| p < total),
        "{what}: total_bytes only at the end"
    );
}

#[test]
fn real_datasets_parse_the_same_in_slices() {
    for file in [
        "diabetes.csv",
        "stackloss.csv",
        "spector.csv",
        "breast_cancer_mean10.csv",
    ] {
        let text = real(file);
        let want = Table::parse(&text);
        assert!(want.is_ok(), "{file}: {want:?}");
        for (chunk, rows) in [(1, 1), (7, 3), (1000, 50), (1 << 20, 50_000)] {
            let (progress, got) = stepped(&text, chunk, rows);
            assert_same(&got, &want, file);
            assert_monotone_to_end(&progress, text.len(), file);
            let t = got.unwrap();
            assert!(t.has_header(), "{file}");
            if rows == 1 {
                // One record per step, plus the first step for the first one.
                assert!(
                    progress.len() > t.rows(),
                    "{file}: {} steps",
                    progress.len()
                );
            }
        }
    }
}

#[test]
fn progress_is_monotone_and_ends_at_total_bytes() {
    let mut text = String::from("\u{feff}id,score,city\r\n");
    for i in 0..500 {
        text.push_str(&format!("{i},{}.5,\"Town, {}\"\r\n", i % 17, i % 5));
    }
    let (progress, got) = stepped(&text, 333, 4);
    assert_same(&got, &Table::parse(&text), "generated");
    assert_monotone_to_end(&progress, text.len(), "generated");
    assert!(progress.len() >= 125, "{} steps", progress.len());
    // Before the first step nothing is consumed; the first step sniffs and
    // reads the first records only.
    assert!(
        progress[0] < text.len() / 10,
        "first step consumed {}",
        progress[0]
    );
}

#[test]
fn text_column_with_numbers_is_read_again_in_steps() {
    // 'code' is text with numbers in it: their spelling ("007", "1.50")
    // comes from a second look at those records.
    let mut text = String::from("x,code,y\n");
    for i in 0..300 {
        let code = match i % 8 {
            0 => "007".to_string(),
            1 => "1.50".to_string(),
            2 => "NA".to_string(),
            3 => format!("{}", i * 3),
            _ => format!("w{}", i % 11),
        };
        text.push_str(&format!("{i},{code},{}\n", i % 2));
    }
    let want = Table::parse(&text);
    let t = want.as_ref().unwrap();
    assert_eq!(t.columns()[1].kind, ColumnKind::Text);
    assert!(t.distinct_count(1, 1000) > 11);
    for rows in [1, 2, 5, 40, 1000] {
        let (progress, got) = stepped(&text, 64, rows);
        assert_same(&got, &want, "mixed");
        assert_monotone_to_end(&progress, text.len(), "mixed");
    }
    // Sparse numbers: far apart, reached from checkpoints.
    let mut text = String::from("x,code\n");
    for i in 0..2000 {
        let code = if i % 97 == 5 {
            format!("{:03}", i % 50)
        } else {
            format!("t{}", i % 13)
        };
        text.push_str(&format!("{i},{code}\n\n"));
    }
    let want = Table::parse(&text);
    assert_eq!(want.as_ref().unwrap().columns()[1].kind, ColumnKind::Text);
    for rows in [1, 3, 50] {
        let (progress, got) = stepped(&text, 100, rows);
        assert_same(&got, &want, "sparse");
        assert_monotone_to_end(&progress, text.len(), "sparse");
    }
}

#[test]
fn errors_are_the_same_and_stick() {
    for text in [
        "",
        "\n \n",
        "\u{feff}",
        "age,bmi,y\n\n",
        "a,b,c\n1,2,3\n4,5\n6,7,8\n",
        "1,2\n3,4,5\n",
        "a,b\n1,2\n3,\"4\n5,6\n",
        "a,b\n1,2\n3,4\n5,\"6\n",
    ] {
        let want = Table::parse(text);
        assert!(want.is_err(), "{text:?} should fail");
        for rows in [1, 2, 100] {
            let mut b = TableBuilder::new();
            b.push_text(text);
            let mut first_err = None;
            while !b.is_done() {
                if let Err(e) = b.parse_step(rows) {
                    first_err = Some(e);
                }
            }
            let e = first_err.expect("a step fails");
            assert_eq!(Err(e.clone()), b.parse_step(rows), "the error sticks");
            assert_same(&b.finish(), &want, text);
            assert_same(&Err(e), &want, text);
        }
    }
}

#[test]
fn too_many_cells_counts_the_rest_in_steps() {
    // The builder uses MAX_CELLS; a 2-column file over it needs 25M rows,
    // so check the counting through Table::parse_with_limit, which runs
    // the same code.
    let text = "a,b,c\n1,2,3\n4,5,6\n7,8,9\n\n1,1,1\n";
    let e = Table::parse_with_limit(text, 10).unwrap_err();
    assert!(e.to_string().contains("15 cells"), "{e}");
    assert!(matches!(e, GradstepError::TooLarge { .. }));
}

#[test]
#[should_panic(expected = "push all text first")]
fn pushing_after_a_step_panics() {
    let mut b = TableBuilder::new();
    b.push_text("x,y\n1,2\n");
    b.parse_step(1).unwrap();
    b.push_text("3,4\n");
}

#[test]
fn finish_without_steps_and_empty_builder() {
    let mut b = TableBuilder::new();
    b.push_text("x,y\n1,2\n");
    assert!(!b.is_done());
    assert_eq!(b.finish().unwrap().rows(), 1);
    assert_eq!(
        TableBuilder::new().finish().unwrap_err(),
        GradstepError::EmptyFile
    );
    let mut b = TableBuilder::new();
    assert_eq!(b.parse_step(0), Err(GradstepError::EmptyFile));
    assert!(b.is_done());
}

// ---------------------------------------------------------------- timing

/// A CSV of `rows` rows: ten numeric columns and a two-level text label,
/// about 96 bytes a row.
fn big_csv(rows: usize) -> String {
    let mut text = String::with_capacity(rows * 100 + 100);
    text.push_str("a,b,c,d,e,f,g,h,i,j,label\n");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    use std::fmt::Write;
    for _ in 0..rows {
        for _ in 0..10 {
            write!(text, "{:.5},", next() * 200.0 - 100.0).unwrap();
        }
        text.push_str(if next() < 0.5 { "yes\n" } else { "no\n" });
    }
    text
}

/// Prints (does not assert) how long the slices take. Run with
/// `cargo test --release --test table_builder -- --nocapture`.
#[test]
fn timing_of_steps_on_a_big_file() {
    let rows = if cfg!(debug_assertions) {
        100_000
    } else {
        1_000_000
    };
    let text = big_csv(rows);
    let t0 = Instant::now();
    let want = Table::parse(&text).unwrap();
    let parse_time = t0.elapsed();

    let mut b = TableBuilder::new();
    for piece in text.as_bytes().chunks(1 << 16) {
        b.push_text(std::str::from_utf8(piece).unwrap());
    }
    let mut slowest = Duration::ZERO;
    let mut steps = 0;
    let mut last = 0;
    let all = Instant::now();
    while !b.is_done() {
        let t = Instant::now();
        let p = b.parse_step(50_000).unwrap();
        slowest = slowest.max(t.elapsed());
        assert!(p >= last);
        last = p;
        steps += 1;
    }
    let stepped_time = all.elapsed();
    let t = Instant::now();
    let got = b.finish().unwrap();
    let finish_time = t.elapsed();
    assert_eq!(last, text.len());
    assert_eq!(describe(&got), describe(&want));
    assert_eq!(got.rows(), rows);
    println!(
        "{rows} rows x 11 columns, {:.1} MB: Table::parse {:.0} ms; {steps} steps of 50000 rows \
         take {:.0} ms in all, the slowest {:.1} ms; finish {:.3} ms",
        text.len() as f64 / 1e6,
        parse_time.as_secs_f64() * 1e3,
        stepped_time.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
        finish_time.as_secs_f64() * 1e3,
    );
}
