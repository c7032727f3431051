//! The streaming reader: chunking invariance, encodings, structure and
//! hostile input.

use gradstep::data::csv::{ColumnKind, ColumnRef, Encoding, ProblemKind, Table, TableReader};
use gradstep::limits::Limits;
use gradstep::GradstepError;
use proptest::prelude::*;

/// Pushes `bytes` cut at `cuts` (sorted, clamped), then finishes.
fn sliced(bytes: &[u8], cuts: &[usize], limits: Limits) -> Result<Table, GradstepError> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(bytes.len())).collect();
    cuts.sort_unstable();
    let mut r = TableReader::with_limits(limits);
    let mut at = 0;
    for c in cuts {
        r.push(&bytes[at..c])?;
        at = c;
    }
    r.push(&bytes[at..])?;
    r.finish()
}

fn assert_invariant(bytes: &[u8], cuts: &[usize], limits: Limits) {
    let whole = Table::parse_with_limits(bytes, limits);
    let parts = sliced(bytes, cuts, limits);
    assert_eq!(whole, parts, "cuts {cuts:?}");
    // One byte at a time too, for small inputs.
    if bytes.len() < 400 {
        let every: Vec<usize> = (1..bytes.len()).collect();
        assert_eq!(whole, sliced(bytes, &every, limits));
    }
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000i32..1000, 0u32..4).prop_map(|(n, d)| format!(
            "{:.*}",
            d as usize,
            f64::from(n) / 7.0
        )),
        Just("1,5".to_string()),
        Just("1.234,5".to_string()),
        Just("\"1,234\"".to_string()),
        Just("1.234".to_string()),
        Just("\"1,201,095\"".to_string()),
        Just("11.8%".to_string()),
        Just("\"$1,746.70\"".to_string()),
        Just("(1,200)".to_string()),
        Just("−3".to_string()),
        Just("€ 12,50".to_string()),
        Just("1\u{a0}234".to_string()),
        Just("inf".to_string()),
        Just("NA".to_string()),
        Just("".to_string()),
        Just("   ".to_string()),
        Just("\u{feff}".to_string()),
        Just("2024-01-15".to_string()),
        Just("red".to_string()),
        Just("\"a,\"\"b\"\"\nc\"".to_string()),
        Just(" \"q\" ".to_string()),
        Just("x\"y".to_string()),
        "[a-z]{1,6}",
        (0u32..50).prop_map(|n| n.to_string()),
    ]
}

/// Cells of a column that is mostly text (so that columns switch storage).
fn text_heavy() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => "[a-e]{1,2}",
        1 => (0u32..9).prop_map(|n| format!("{n}.50")),
        1 => Just("1,5".to_string()),
        1 => Just("".to_string()),
    ]
}

fn csv() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (
        1usize..5,
        prop::collection::vec(prop::collection::vec((cell(), text_heavy()), 1..6), 0..70),
        prop::sample::select(vec![",", ";", "\t", "|"]),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
        0u8..4,
        any::<bool>(),
        0usize..200,
    )
        .prop_map(
            |(ncols, rows, delim, eol, header, enc, bad_utf8, ragged_at)| {
                let mut s = String::new();
                if header {
                    let h: Vec<String> = (0..ncols).map(|k| format!("h{k}")).collect();
                    s.push_str(&h.join(delim));
                    s.push_str(eol);
                }
                for (i, r) in rows.iter().enumerate() {
                    // Odd columns mostly text; mostly the right width, sometimes ragged.
                    let mut r: Vec<String> = r
                        .iter()
                        .enumerate()
                        .map(|(k, (a, b))| if k % 2 == 1 { b.clone() } else { a.clone() })
                        .collect();
                    if i != ragged_at {
                        r.resize(ncols, "7".into());
                    }
                    s.push_str(&r.join(delim));
                    s.push_str(eol);
                }
                let mut bytes = match enc {
                    0 => s.into_bytes(),
                    1 => {
                        let mut b = vec![0xEF, 0xBB, 0xBF];
                        b.extend_from_slice(s.as_bytes());
                        b
                    }
                    2 => {
                        let mut b = vec![0xFF, 0xFE];
                        b.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
                        b
                    }
                    _ => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                };
                if bad_utf8 && enc < 2 && !bytes.is_empty() {
                    let at = bytes.len() / 2;
                    bytes.insert(at, 0xE9);
                }
                (bytes, header)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn sliced_equals_one_shot((bytes, _) in csv(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        let whole = Table::parse(&bytes);
        let parts = sliced(&bytes, &cuts, Limits::DEFAULT);
        prop_assert_eq!(&whole, &parts);
        // With tight limits too (the errors must not depend on the cuts).
        let tight = Limits { max_bytes: 90, max_columns: 3, max_cell_bytes: 6, max_cells: 20, max_text_levels: 3 };
        prop_assert_eq!(Table::parse_with_limits(&bytes, tight), sliced(&bytes, &cuts, tight));
    }
}

/// A larger file: past the sniffing window, columns that switch storage,
/// and text that comes late.
#[test]
fn large_files_are_chunking_invariant() {
    let mut s = String::from("id,x,label,mixed,late,notes\n");
    for i in 0..4000 {
        let mixed = if i % 3 != 0 {
            format!("w{}", i % 7)
        } else {
            format!("{}.50", i % 11)
        };
        let late = if i > 3000 {
            format!("t{}", i % 5)
        } else {
            format!("{}", i % 13)
        };
        s.push_str(&format!(
            "{i},{:.3},{},{mixed},{late},\"n {i}\r\nmore\"\n",
            f64::from(i) / 7.0,
            if i % 2 == 0 { "yes" } else { "no" }
        ));
    }
    let bytes = s.as_bytes();
    let t = Table::parse(bytes).unwrap();
    assert_eq!(t.rows(), 4000);
    assert_eq!(t.column(3).kind, ColumnKind::Text);
    assert_eq!(t.column(3).text().unwrap().1.len(), 7 + 11);
    assert_eq!(t.column(4).kind, ColumnKind::Numeric);
    assert_eq!(t.line_of_row(3), 8);
    for cuts in [
        vec![1],
        vec![70_000],
        vec![100, 65_536, 65_537, 200_000],
        (1..60).map(|k| k * 4099).collect(),
    ] {
        assert_invariant(bytes, &cuts, Limits::DEFAULT);
    }
    let tight = Limits {
        max_text_levels: 5,
        ..Limits::DEFAULT
    };
    assert_invariant(bytes, &[3, 77_777], tight);
    let t = Table::parse_with_limits(bytes, tight).unwrap();
    assert!(t.column(3).text().is_none());
    assert_eq!(
        t.column(3).text_reason.as_deref(),
        Some("it has more than 5 distinct values, too many to use")
    );
}

#[test]
fn a_text_column_keeps_the_spelling_of_early_numbers() {
    // Numbers first (stored as numbers), then text takes over.
    let mut s = String::from("v,k\n");
    let early = ["1.50", "+2", "3", "1e1", "0,5", "007"];
    for (i, e) in early.iter().enumerate() {
        s.push_str(&format!("\"{e}\",{i}\n"));
    }
    for i in 0..100 {
        s.push_str(&format!("w{},{i}\n", i % 4));
    }
    let t = Table::parse(s.as_bytes()).unwrap();
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Text);
    let (_, levels) = c.text().unwrap();
    assert_eq!(&levels[..6], &early);
    assert_invariant(s.as_bytes(), &[9, 50, 200], Limits::DEFAULT);
}

#[test]
fn a_numeric_column_after_early_text_gets_its_values_back() {
    let mut s = String::from("v\n");
    for i in 0..40 {
        s.push_str(&format!("t{}\n", i % 3));
    }
    for i in 0..100 {
        s.push_str(&format!("{}.25\n", i));
    }
    let t = Table::parse(s.as_bytes()).unwrap();
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Numeric);
    let v = c.numeric().unwrap().to_vec();
    assert!(v[..40].iter().all(|x| x.is_nan()));
    assert_eq!(v[40], 0.25);
    assert_eq!(v[139], 99.25);
    assert_eq!(c.problems().len(), 40);
    assert_eq!(c.problem_text(&c.problems()[1]), "t1");
    assert_eq!(c.problems()[1].kind, ProblemKind::Text);
}

#[test]
fn utf16_with_and_without_bom() {
    let text = "name,value\nzoë,1.5\nrené,2\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (bytes, enc, bom) in [
        (le.clone(), Encoding::Utf16Le, &[0xFF, 0xFE][..]),
        (be.clone(), Encoding::Utf16Be, &[0xFE, 0xFF][..]),
    ] {
        for with_bom in [true, false] {
            let mut b = if with_bom { bom.to_vec() } else { Vec::new() };
            b.extend_from_slice(&bytes);
            let t = Table::parse(&b).unwrap();
            assert_eq!(t.encoding(), enc);
            assert_eq!(t.column(0).text().unwrap().1, ["zoë", "rené"]);
            assert_eq!(t.column(1).numeric().unwrap().to_vec(), vec![1.5, 2.0]);
            // The encoding says UTF-16 once; no note repeats it.
            assert!(t.notes().is_empty(), "{:?}", t.notes());
            let cuts: Vec<usize> = (1..b.len()).step_by(3).collect();
            assert_invariant(&b, &cuts, Limits::DEFAULT);
        }
    }
}

#[test]
fn invalid_utf8_is_read_as_windows_1252_with_a_note() {
    let t = Table::parse(b"name,price\ncaf\xE9,\x805\nok,\x803\n").unwrap();
    assert_eq!(t.encoding(), Encoding::Windows1252);
    assert_eq!(t.column(0).text().unwrap().1, ["café", "ok"]);
    assert_eq!(t.column(1).numeric().unwrap().to_vec(), vec![5.0, 3.0]);
    assert_eq!(t.column(1).describe(), "numeric · currency €");
    assert_eq!(
        t.notes(),
        ["read as Windows-1252 (the file is not UTF-8; first at line 2)"]
    );
    // An é in the header is on line 1.
    let t = Table::parse(b"caf\xE9,price\n1,5\n2,3\n").unwrap();
    assert_eq!(t.column(0).name, "café");
    assert_eq!(
        t.notes(),
        ["read as Windows-1252 (the file is not UTF-8; first at line 1)"]
    );
}

#[test]
fn rejects_workbooks_archives_pdfs_and_json_by_name() {
    let mut xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
    xlsx.extend_from_slice(b"[Content_Types].xml");
    let e = Table::parse(&xlsx).unwrap_err().to_string();
    assert_eq!(e, "the file is a ZIP archive, such as an Excel (.xlsx) or LibreOffice (.ods) workbook, not CSV text: open it in Excel or LibreOffice and save it as CSV (File → Save As → CSV), then load that");
    let xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00";
    assert!(Table::parse(xls)
        .unwrap_err()
        .to_string()
        .contains("old-style Excel workbook (.xls)"));
    // A PDF whose first KiB has no NUL is named all the same.
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    assert!(Table::parse(pdf)
        .unwrap_err()
        .to_string()
        .starts_with("the file is a PDF document, not CSV text"));
    let gz = b"\x1F\x8B\x08\x00\x00\x00\x00\x00";
    assert!(Table::parse(gz)
        .unwrap_err()
        .to_string()
        .contains("gzip-compressed, not CSV text: unpack it first"));
    for json in [
        &b"[{\"x\":1,\"y\":2},{\"x\":2,\"y\":4}]"[..],
        b"[\n  {\"x\": 1, \"y\": 2},\n  {\"x\": 2, \"y\": 4}\n]\n",
        b"{\"x\": 1, \"y\": 2}\n{\"x\": 2, \"y\": 4}\n{\"x\": 3, \"y\": 5}\n",
    ] {
        assert!(
            matches!(Table::parse(json), Err(GradstepError::NotCsv { ref format, .. }) if format == "JSON"),
            "{:?}",
            Table::parse(json)
        );
    }
    // A CSV whose header starts with a bracket is still a CSV.
    let t = Table::parse(b"[x],y\n1,2\n2,3\n").unwrap();
    assert_eq!(t.column(0).name, "[x]");
    // Sliced reads say the same.
    let cuts: Vec<usize> = (1..xlsx.len()).collect();
    assert_invariant(&xlsx, &cuts, Limits::DEFAULT);
}

#[test]
fn nul_bytes_mean_binary() {
    assert_eq!(
        Table::parse(b"a,b\n1,\x002\n"),
        Err(GradstepError::NotText { offset: 6 })
    );
    // A known format is named, with what to do instead.
    assert!(matches!(
        Table::parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        Err(GradstepError::NotCsv { format, .. }) if format == "a PNG image"
    ));
    // A NUL past the first KiB.
    let mut b = b"a,b\n".to_vec();
    while b.len() < 5000 {
        b.extend_from_slice(b"1,2\n");
    }
    b.extend_from_slice(b"3,\x00\n");
    assert_eq!(
        Table::parse(&b),
        Err(GradstepError::NotText { offset: 5002 })
    );
    assert_eq!(
        sliced(&b, &[4999, 5002], Limits::DEFAULT),
        Err(GradstepError::NotText { offset: 5002 })
    );
    assert_eq!(
        GradstepError::NotText { offset: 5002 }.to_string(),
        "the file is not text (NUL byte at offset 5002)"
    );
}

#[test]
fn empty_and_header_only_files() {
    assert_eq!(Table::parse(b""), Err(GradstepError::EmptyFile));
    assert_eq!(
        Table::parse(b"  \n\t\r\n \n"),
        Err(GradstepError::EmptyFile)
    );
    assert_eq!(Table::parse(b"\xEF\xBB\xBF"), Err(GradstepError::EmptyFile));
    assert_eq!(
        Table::parse(b"x,y\n\n  \n"),
        Err(GradstepError::HeaderOnly {
            columns: "'x', 'y'".into()
        })
    );
}

#[test]
fn too_many_columns_states_the_limit_and_the_count() {
    let header: Vec<String> = (0..5000).map(|k| format!("c{k}")).collect();
    let mut s = header.join(",");
    s.push('\n');
    s.push_str(&vec!["1"; 5000].join(","));
    s.push('\n');
    let e = Table::parse(s.as_bytes()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("1000") && msg.contains("5000"), "{msg}");
    assert_eq!(
        msg,
        "the data is too large: the file has 5000 columns, more than the limit of 1000"
    );
}

#[test]
fn a_huge_single_line_fails_on_the_first_push() {
    // 20 MB of "1," on one line, pushed 1 MiB at a time: the first push
    // already fails, so the line is never stored.
    let chunk: Vec<u8> = b"1,".iter().copied().cycle().take(1 << 20).collect();
    let mut r = TableReader::new();
    let e = r.push(&chunk).unwrap_err();
    assert!(e.to_string().contains("more than 1000 columns"), "{e}");
    assert_eq!(r.bytes_pushed(), 1 << 20);
    // Every later call returns the same error.
    assert_eq!(r.push(&chunk), Err(e.clone()));
    assert_eq!(r.finish(), Err(e));
    // A 20 MB single cell fails on its first push too.
    let chunk = vec![b'x'; 1 << 20];
    let mut r = TableReader::new();
    let e = r.push(&chunk).unwrap_err();
    assert!(e.to_string().contains("longer than 65536 bytes"), "{e}");
}

#[test]
fn a_long_cell_is_refused_with_a_short_message() {
    let mut s = String::from("a,b\n1,2\n3,");
    s.push_str(&"y".repeat(100_000));
    s.push_str("\n5,6\n");
    let e = Table::parse(s.as_bytes()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.len() <= 300, "{msg}");
    assert_eq!(
        msg,
        "the data is too large: the cell at row 2 (line 3), column 2 ('b') is longer than 65536 bytes, the limit for one cell"
    );
    assert_invariant(s.as_bytes(), &[12, 70_000], Limits::DEFAULT);
}

#[test]
fn byte_and_cell_limits() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::DEFAULT
    };
    assert_eq!(
        Table::parse_with_limits(b"a,b\n1,2\n3,4\n", limits)
            .unwrap_err()
            .to_string(),
        "the data is too large: the file has more than 10 bytes, the limit"
    );
    let limits = Limits {
        max_cells: 5,
        ..Limits::DEFAULT
    };
    let e = Table::parse_with_limits(b"a,b\n1,2\n3,4\n", limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the data is too large: the file has more than 5 cells, the limit (3 rows × 2 columns by line 3)"
    );
}

#[test]
fn a_mid_file_bom_is_whitespace() {
    let s = "a,b\n1,\u{feff}\n2,\u{feff}5\n";
    let t = Table::parse(s.as_bytes()).unwrap();
    let c = t.column(1);
    assert_eq!(c.missing, 1);
    assert_eq!(c.numeric().unwrap().to_vec()[1], 5.0);
    assert_invariant(s.as_bytes(), &[7], Limits::DEFAULT);
    assert_invariant(s.as_bytes(), &[8], Limits::DEFAULT);
}

#[test]
fn unterminated_quotes_name_the_line() {
    let e = Table::parse(b"a,b\n1,2\n3,\"open\n4,5\n").unwrap_err();
    assert_eq!(
        e,
        GradstepError::Malformed {
            line: 3,
            reason: "a quoted field starting on this line is never closed (missing '\"')".into()
        }
    );
}

#[test]
fn line_ends_blank_lines_and_quoted_newlines() {
    let t = Table::parse(b"a,b\r1,2\r\r3,4\r").unwrap();
    assert_eq!(t.rows(), 2);
    assert_eq!(t.line_of_row(1), 4);
    let t = Table::parse(b"\n\na,b\n\n1,\"x\r\ny\"\n  \n3,z\n\n\n").unwrap();
    assert_eq!(t.rows(), 2);
    assert_eq!(t.line_of_row(0), 5);
    assert_eq!(t.line_of_row(1), 8);
    assert_eq!(t.column(1).text().unwrap().1, ["x\r\ny", "z"]);
    assert_eq!(t.line_of_row(2), 0);
}

#[test]
fn ragged_rows() {
    assert_eq!(
        Table::parse(b"a,b,c\n1,2,3\n4,5\n"),
        Err(GradstepError::RaggedRow {
            row: 2,
            line: 3,
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        Table::parse(b"a,b,c\n1,2,3\n4,5,6,7\n"),
        Err(GradstepError::RaggedRow {
            row: 2,
            line: 3,
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        Table::parse(b"a,b,c\n1,2,3\n4,5\n")
            .unwrap_err()
            .to_string(),
        "row 2 (line 3) has 2 fields but the header has 3"
    );
    // Excel's trailing separators are ignored, and so are rows of empty cells.
    let t = Table::parse(b"a;b;c;\n1;2;3;\n4;5;6;;\n;;;\n").unwrap();
    assert_eq!(t.rows(), 2);
    assert_eq!(t.columns().len(), 4);
}

#[test]
fn header_detection() {
    let t = Table::parse(b"1,2\n3,4\n").unwrap();
    assert!(!t.has_header());
    assert_eq!(t.rows(), 2);
    assert_eq!(t.column(0).name, "col1");
    assert_eq!(t.line_of_row(0), 1);
    let t = Table::parse(b"name,color\nbob,red\n").unwrap();
    assert!(t.has_header());
    let t = Table::parse(b"x,x,,x\n1,2,3,4\n").unwrap();
    let names: Vec<&str> = t.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["x", "x_2", "col3", "x_3"]);
    // A header that is partly numbers: "2" is a name.
    let t = Table::parse(b"2,x,y\n1,5,6\n3,7,8\n").unwrap();
    assert!(t.has_header());
    assert_eq!(t.resolve(&ColumnRef::parse("2")), Ok(0));
    assert_eq!(t.resolve(&ColumnRef::parse("3")), Ok(2));
    assert_eq!(t.resolve(&ColumnRef::parse(" X ")), Ok(1));
    assert!(t.resolve(&ColumnRef::parse("9")).is_err());
    assert!(t.resolve(&ColumnRef::parse("nope")).is_err());
}

#[test]
fn preview_and_counts() {
    let mut s = String::from("a,b\n");
    for i in 0..30 {
        s.push_str(&format!(" {i} ,{}\n", "z".repeat(50)));
    }
    let t = Table::parse(s.as_bytes()).unwrap();
    assert_eq!(t.preview().len(), 20);
    assert_eq!(t.preview()[3][0], "3");
    assert_eq!(t.preview()[0][1].chars().count(), 41);
    let mut r = TableReader::new();
    r.push(s.as_bytes()).unwrap();
    assert_eq!(r.bytes_pushed(), s.len() as u64);
    let t = r.finish().unwrap();
    assert_eq!(t.rows(), 30);
    let c = t.column(0);
    assert_eq!(c.stats.constant_step, Some(1.0));
    assert!(c.stats.all_integer);
    assert_eq!((c.stats.min, c.stats.max), (0.0, 29.0));
    assert_eq!(c.stats.first_values, ["0", "1"]);
    assert_eq!(c.stats.distinct_upto3, 3);
}
