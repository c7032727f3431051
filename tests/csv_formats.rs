//! Number formats, disagreements and dates, as the streaming reader
//! types them.

use gradstep::data::csv::{Column, ColumnKind, DecimalMark, ProblemKind, Table, Unit};

/// A tab-separated table with the cells in column `v` and a row number in
/// column `k` (so the delimiter is never in doubt).
fn column_of(cells: &[&str]) -> Table {
    let mut s = String::from("v\tk\n");
    for (i, c) in cells.iter().enumerate() {
        s.push_str(&format!("{c}\t{i}\n"));
    }
    Table::parse(s.as_bytes()).expect("parses")
}

fn values(c: &Column) -> Vec<f64> {
    c.numeric().expect("numeric").to_vec()
}

fn numeric(cells: &[&str], want: &[f64], describe: &str) -> Column {
    let t = column_of(cells);
    let c = t.column(0).clone();
    assert_eq!(
        c.kind,
        ColumnKind::Numeric,
        "{cells:?}: {:?}",
        c.text_reason
    );
    let got = values(&c);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.to_bits(), w.to_bits(), "{cells:?}: {got:?} vs {want:?}");
    }
    assert_eq!(c.describe(), describe, "{cells:?}");
    c
}

fn text_reason(cells: &[&str]) -> String {
    let t = column_of(cells);
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Text, "{cells:?}");
    c.text_reason.clone().expect("a reason")
}

#[test]
fn plain_numbers() {
    numeric(
        &["12", "-3.5", "+4", "1e5", "1.5E-03", ".5", "5.", "-0"],
        &[12.0, -3.5, 4.0, 1e5, 1.5e-3, 0.5, 5.0, -0.0],
        "numeric",
    );
}

#[test]
fn decimal_comma() {
    let c = numeric(
        &["7,88", "-0,5", "1.234,5", "1.234.567,89"],
        &[7.88, -0.5, 1234.5, 1234567.89],
        "numeric · decimal comma · thousands separators",
    );
    assert_eq!(c.format.decimal, DecimalMark::Comma);
    assert_eq!(c.format.thousands, Some('.'));
    numeric(
        &["1 234,5", "7,88"],
        &[1234.5, 7.88],
        "numeric · decimal comma · thousands separators",
    );
    numeric(&["7,88", "-0,5"], &[7.88, -0.5], "numeric · decimal comma");
}

#[test]
fn thousands_separators() {
    let c = numeric(
        &["1,201,095", "1,746.70"],
        &[1201095.0, 1746.7],
        "numeric · thousands separators",
    );
    assert_eq!(c.format.thousands, Some(','));
    assert_eq!(c.format.decimal, DecimalMark::Point);
    let c = numeric(
        &["1 234", "1\u{a0}234", "1\u{202f}234", "12"],
        &[1234.0, 1234.0, 1234.0, 12.0],
        "numeric · thousands separators",
    );
    assert_eq!(c.format.thousands, Some(' '));
    let c = numeric(
        &["1\u{a0}234", "5"],
        &[1234.0, 5.0],
        "numeric · thousands separators",
    );
    assert_eq!(c.format.thousands, Some('\u{a0}'));
    let c = numeric(
        &["1'234.5", "7"],
        &[1234.5, 7.0],
        "numeric · thousands separators",
    );
    assert_eq!(c.format.thousands, Some('\''));
}

#[test]
fn percent() {
    let c = numeric(
        &["11.8%", "-3%", "0.5 %"],
        &[11.8, -3.0, 0.5],
        "numeric · percent",
    );
    assert_eq!(c.format.unit, Unit::Percent);
    numeric(
        &["12,5 %", "3,25%"],
        &[12.5, 3.25],
        "numeric · decimal comma · percent",
    );
}

#[test]
fn currency() {
    let c = numeric(
        &["$1,746.70", "-$5", "$-5", "$0.25"],
        &[1746.7, -5.0, -5.0, 0.25],
        "numeric · thousands separators · currency $",
    );
    assert_eq!(c.format.unit, Unit::Currency('$'));
    numeric(
        &["€ 12,50", "12,50 €", "€3,1"],
        &[12.5, 12.5, 3.1],
        "numeric · decimal comma · currency €",
    );
    numeric(&["£3", "£4.5"], &[3.0, 4.5], "numeric · currency £");
    numeric(
        &["¥100", "¥2,000,000"],
        &[100.0, 2e6],
        "numeric · thousands separators · currency ¥",
    );
    // Indian grouping is read (lakh and crore groups of two digits).
    numeric(
        &["₹1,23,456", "₹12,34,56,789.50"],
        &[123456.0, 123456789.5],
        "numeric · thousands separators · currency ₹",
    );
}

#[test]
fn negatives_in_parentheses_and_unicode_minus() {
    numeric(
        &["(1,200)", "1,500", "300"],
        &[-1200.0, 1500.0, 300.0],
        "numeric · thousands separators · negatives in parentheses",
    );
    numeric(
        &["($5.00)", "$2.50"],
        &[-5.0, 2.5],
        "numeric · currency $ · negatives in parentheses",
    );
    numeric(&["\u{2212}3", "4"], &[-3.0, 4.0], "numeric");
}

#[test]
fn spaces_quotes_and_bom_around_numbers() {
    let t = Table::parse(b"\xEF\xBB\xBFa,b\n  1.5 ,\" 1,234.5 \"\n\"-2\", 3\n").unwrap();
    assert_eq!(values(t.column(0)), vec![1.5, -2.0]);
    assert_eq!(values(t.column(1)), vec![1234.5, 3.0]);
    assert_eq!(t.column(0).name, "a");
}

#[test]
fn infinities_are_non_finite_problems() {
    let t = column_of(&["1", "inf", "-inf", "Infinity", "2", "3", "1e400", "4", "5"]);
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Numeric);
    let kinds: Vec<_> = c.problems().iter().map(|p| (p.row, p.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (1, ProblemKind::NonFinite),
            (2, ProblemKind::NonFinite),
            (3, ProblemKind::NonFinite),
            (6, ProblemKind::NonFinite)
        ]
    );
    assert_eq!(c.problem_text(&c.problems()[2]), "Infinity");
    assert!(values(c)[1].is_nan());
    assert_eq!(c.missing, 0);
}

#[test]
fn missing_tokens_are_missing_problems() {
    let t = column_of(&[
        "1", "", "NA", "n/a", "NaN", "null", "None", "?", "-", "#N/A", "2", "3", "4", "5", "6",
        "7", "8", "9", "10", "11", "12",
    ]);
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Numeric);
    assert_eq!(c.missing, 9);
    assert!(c.problems().iter().all(|p| p.kind == ProblemKind::Missing));
    let texts: Vec<&str> = c.problems().iter().map(|p| c.problem_text(p)).collect();
    assert_eq!(
        texts,
        ["", "NA", "n/a", "NaN", "null", "None", "?", "-", "#N/A"]
    );
    assert_eq!(c.problems()[0].row, 1);
    assert_eq!(c.problems()[0].line, 3);
    assert_eq!(c.stats.non_missing, 12);
}

#[test]
fn text_in_a_numeric_column_is_a_problem() {
    let t = column_of(&["1", "2", "red", "4"]);
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Numeric);
    assert_eq!(c.problems().len(), 1);
    assert_eq!(c.problems()[0].kind, ProblemKind::Text);
    assert_eq!(c.problem_text(&c.problems()[0]), "red");
    // Numbers must be a strict majority.
    let t = column_of(&["1", "red", "2", "blue"]);
    assert_eq!(t.column(0).kind, ColumnKind::Text);
    assert_eq!(t.column(0).text().unwrap().1, ["1", "red", "2", "blue"]);
}

#[test]
fn disagreeing_formats_stay_text_with_one_example_of_each() {
    assert_eq!(
        text_reason(&["2", "1,5", "3", "4", "5", "6", "7", "8", "1.5"]),
        "its number formats disagree: '1,5' (row 2) is a decimal comma but '1.5' (row 9) is a decimal point"
    );
    assert_eq!(
        text_reason(&["11.8%", "12"]),
        "its number formats disagree: '11.8%' (row 1) is a percent but '12' (row 2) has no unit"
    );
    assert_eq!(
        text_reason(&["$5", "€5"]),
        "its number formats disagree: '$5' (row 1) is in $ but '€5' (row 2) is in €"
    );
    assert_eq!(
        text_reason(&["1,234,567", "1 234 567"]),
        "its number formats disagree: '1,234,567' (row 1) groups thousands with ',' but '1 234 567' (row 2) groups thousands with ' '"
    );
    assert_eq!(
        text_reason(&["1.234.567", "2.5"]),
        "its number formats disagree: '1.234.567' (row 1) groups thousands with '.' but '2.5' (row 2) is a decimal point"
    );
    // Three formats: one value of each.
    assert_eq!(
        text_reason(&["1,5", "2.5", "5%"]),
        "its number formats disagree: '1,5' (row 1) is a decimal comma and has no unit, '2.5' (row 2) is a decimal point, and '5%' (row 3) is a percent"
    );
    assert_eq!(
        text_reason(&["$1.5", "€2", "3%"]),
        "its number formats disagree: '$1.5' (row 1) is in $, '€2' (row 2) is in €, and '3%' (row 3) is a percent"
    );
    // Levels stay as written.
    let t = column_of(&["1,5", "1.5", "1,5"]);
    assert_eq!(t.column(0).text().unwrap().1, ["1,5", "1.5"]);
    assert_eq!(t.column(0).text().unwrap().0, [0, 1, 0]);
}

#[test]
fn ambiguous_cells_follow_the_file() {
    // Alone in a comma file: decimal point, so a thousands separator.
    let t = Table::parse(b"a,b\n\"1,234\",x\n\"2,500\",y\n").unwrap();
    assert_eq!(values(t.column(0)), vec![1234.0, 2500.0]);
    // Alone in a ';' file: decimal comma.
    let t = Table::parse(b"a;b\n1,234;x\n2,500;y\n").unwrap();
    assert_eq!(values(t.column(0)), vec![1.234, 2.5]);
    assert_eq!(t.column(0).describe(), "numeric · decimal comma");
    // Another column decides: 1.234 in a file whose numbers use a decimal comma.
    let t = Table::parse(b"a;b\n1.234;0,5\n2.500;1,25\n").unwrap();
    assert_eq!(values(t.column(0)), vec![1234.0, 2500.0]);
    assert_eq!(t.column(0).format.thousands, Some('.'));
    // The column decides for itself when it can.
    let t = Table::parse(b"a;b\n1,234;x\n2,5;y\n").unwrap();
    assert_eq!(values(t.column(0)), vec![1.234, 2.5]);
    let t = Table::parse(b"a\tb\n12.345\tx\n-3.57\ty\n").unwrap();
    assert_eq!(values(t.column(0)), vec![12.345, -3.57]);
}

#[test]
fn german_excel_export() {
    let bytes = std::fs::read("tests/data/csv/german_excel.csv").unwrap();
    let t = Table::parse(&bytes).unwrap();
    assert_eq!(t.delimiter(), b';');
    assert!(t.has_header());
    assert_eq!(t.encoding(), gradstep::data::csv::Encoding::Utf8Bom);
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column(0).name, "Datum");
    assert_eq!(t.column(0).kind, ColumnKind::Date);
    assert_eq!(values(t.column(1)), vec![1234.5, 12.25, -3.75]);
    assert_eq!(values(t.column(2)), vec![7.88, 3.0, 0.5]);
    assert_eq!(values(t.column(3)), vec![-0.5, 1234567.89, 99.0]);
    assert_eq!(
        t.column(1).describe(),
        "numeric · decimal comma · thousands separators"
    );
    assert_eq!(t.column(2).describe(), "numeric · decimal comma");
    assert_eq!(t.column(4).kind, ColumnKind::Text);
    assert_eq!(t.line_of_row(2), 4);
}

#[test]
fn thousands_percent_currency_file() {
    let bytes = std::fs::read("tests/data/csv/money.csv").unwrap();
    let t = Table::parse(&bytes).unwrap();
    assert_eq!(t.delimiter(), b',');
    assert_eq!(values(t.column(1)), vec![1201095.0, 2034.0, 987.0]);
    assert_eq!(values(t.column(2)), vec![11.8, -3.0, 0.5]);
    assert_eq!(values(t.column(3)), vec![1746.7, 5.0, -12.3]);
    assert_eq!(t.column(1).describe(), "numeric · thousands separators");
    assert_eq!(t.column(2).describe(), "numeric · percent");
    assert_eq!(
        t.column(3).describe(),
        "numeric · thousands separators · currency $ · negatives in parentheses"
    );
}

#[test]
fn dates_are_dates_with_a_reason() {
    for d in [
        "2024-01-15",
        "2024-01-15 10:30",
        "2024-01-15T10:30:00Z",
        "15/01/2024",
        "1/15/2024",
        "15.01.2024",
        "15-Jan-2024",
        "Jan 15, 2024",
        "2024/01/15",
        "10:30",
        "10:30:15",
    ] {
        let t = column_of(&[d, d, "", d]);
        let c = t.column(0);
        assert_eq!(c.kind, ColumnKind::Date, "{d}");
        assert_eq!(
            c.text_reason.as_deref(),
            Some(format!("it holds dates (e.g. '{d}')").as_str())
        );
        assert_eq!(c.describe(), "date");
        assert!(c.numeric().is_none());
        let (codes, levels) = c.text().unwrap();
        assert_eq!(levels, [d]);
        assert_eq!(codes[2], gradstep::data::csv::MISSING_CODE);
    }
}

#[test]
fn text_columns_have_codes_and_levels() {
    let t = column_of(&["red", "blue", "", "red", "NA"]);
    let c = t.column(0);
    assert_eq!(c.kind, ColumnKind::Text);
    assert_eq!(c.text_reason.as_deref(), Some("it holds text (e.g. 'red')"));
    let (codes, levels) = c.text().unwrap();
    assert_eq!(levels, ["red", "blue"]);
    assert_eq!(codes, [0, 1, u32::MAX, 0, u32::MAX]);
    assert_eq!(c.missing, 2);
    assert_eq!(c.stats.distinct_upto3, 2);
    assert_eq!(c.stats.first_values, ["red", "blue"]);
}

#[test]
fn the_mean_policy_names_the_row_its_target_dropped_not_a_filled_feature() {
    use gradstep::data::dataset::{Dataset, DatasetSpec, MissingPolicy, TargetKind};
    // Row 2 has a bad feature (filled with the mean); row 3 a bad target (dropped).
    let t = Table::parse(b"x,y\n1,2\nNaN,3\n3,inf\n4,5\n5,6\n6,7\n").expect("parses");
    let spec = DatasetSpec {
        target: 1,
        features: vec![0],
        target_kind: TargetKind::Continuous,
        missing: MissingPolicy::Mean,
        transforms: vec![],
    };
    let d = Dataset::build(&t, &spec).expect("builds");
    let note = d
        .warnings
        .iter()
        .find(|w| w.starts_with("dropped"))
        .expect("a note on the dropped row");
    assert!(
        note.contains("target 'y'")
            && note.contains("first: row 3, line 4")
            && note.contains("5 rows left"),
        "{note}"
    );
    // Drop names the first bad cell of all, the feature in row 2.
    let d = Dataset::build(
        &t,
        &DatasetSpec {
            missing: MissingPolicy::Drop,
            ..spec
        },
    )
    .expect("builds");
    let note = d
        .warnings
        .iter()
        .find(|w| w.starts_with("dropped"))
        .expect("a note");
    assert!(
        note.contains("first: row 2, line 3, column 'x'") && note.contains("4 rows left"),
        "{note}"
    );
}
