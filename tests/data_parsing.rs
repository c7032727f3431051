//! CSV parsing, column typing, dataset selection and every rejected input.

use gradstep::data::{ClassMapping, ColumnKind, ColumnRef, Dataset, DatasetSpec, Table};
use gradstep::model::ModelKind;
use gradstep::GradstepError;
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/data/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn real(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn linear() -> DatasetSpec {
    DatasetSpec::default()
}

fn logistic() -> DatasetSpec {
    DatasetSpec {
        model: ModelKind::Logistic,
        ..DatasetSpec::default()
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The error and its message, or a panic naming what unexpectedly worked.
fn fails(text: &str, spec: &DatasetSpec) -> (GradstepError, String) {
    match Dataset::from_csv(text, spec) {
        Ok(d) => panic!(
            "expected an error for {text:?}, got a dataset of {} rows",
            d.target.len()
        ),
        Err(e) => {
            let msg = e.to_string();
            (e, msg)
        }
    }
}

fn assert_mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} should mention {p:?}");
    }
}

// ---------------------------------------------------------------- parsing

#[test]
fn detects_header() {
    let t = Table::parse("a,b,c\n1,2,3\n4,5,6\n").unwrap();
    assert!(t.has_header());
    assert_eq!(t.rows(), 2);
    assert_eq!(t.column_names(), names(&["a", "b", "c"]));
}

#[test]
fn no_header_when_first_row_is_numeric() {
    let t = Table::parse(&fixture("no_header.csv")).unwrap();
    assert!(!t.has_header());
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column_names(), names(&["col1", "col2", "col3"]));
    assert_eq!(t.preview(1), vec![names(&["1", "2", "3"])]);
    let d = Dataset::from_table(&t, &linear()).unwrap();
    assert_eq!(d.target, vec![3.0, 7.0, 9.0]);
    assert_eq!(d.feature_names, names(&["col1", "col2"]));
}

#[test]
fn header_detected_over_text_body_column() {
    // First row has a number, but 'name' sits over a numeric body column.
    let t = Table::parse("id,5\n1,2\n2,3\n").unwrap();
    assert!(t.has_header(), "'id' over a numeric column is a header");
    // A first row with text only in a text body column is data.
    let t = Table::parse("1,yes\n2,no\n3,yes\n").unwrap();
    assert!(!t.has_header());
    assert_eq!(t.rows(), 3);
}

#[test]
fn empty_and_duplicate_header_names() {
    let t = Table::parse(",x,x,y\n1,2,3,4\n5,6,7,9\n").unwrap();
    assert_eq!(t.column_names(), names(&["col1", "x", "x_2", "y"]));
}

#[test]
fn sniffs_each_delimiter() {
    for (file, delim) in [
        ("semicolon.csv", b';'),
        ("tab.tsv", b'\t'),
        ("pipe.csv", b'|'),
    ] {
        let t = Table::parse(&fixture(file)).unwrap();
        assert_eq!(t.delimiter(), delim, "delimiter of {file}");
        assert_eq!(
            t.column_names(),
            names(&["x", "y", "label"]),
            "names of {file}"
        );
        assert_eq!(t.rows(), 3, "rows of {file}");
        assert_eq!(t.columns()[0].kind, ColumnKind::Numeric, "x of {file}");
        assert_eq!(t.columns()[2].kind, ColumnKind::Text, "label of {file}");
    }
    let t = Table::parse("x,y\n1,2\n3,4\n").unwrap();
    assert_eq!(t.delimiter(), b',');
}

#[test]
fn comma_inside_quotes_does_not_fool_sniffer() {
    let t = Table::parse("a;b\n\"1,5\";2\n\"2,5\";3\n\"x,y\";4\n").unwrap();
    assert_eq!(t.delimiter(), b';');
    assert_eq!(t.columns().len(), 2);
}

#[test]
fn single_column_file_parses() {
    let t = Table::parse("y\n1\n2\n3\n").unwrap();
    assert_eq!(t.delimiter(), b',');
    assert_eq!(t.columns().len(), 1);
    assert_eq!(t.rows(), 3);
    let (e, msg) = fails("y\n1\n2\n3\n", &linear());
    assert!(matches!(e, GradstepError::NoFeatures { .. }), "{e:?}");
    assert_mentions(&msg, &["'y'"]);
}

#[test]
fn quoted_newline_crlf_bom_and_trailing_blank_lines() {
    let text = fixture("quoted_crlf_bom.csv");
    assert!(
        text.starts_with('\u{feff}') && text.contains("\r\n"),
        "fixture was altered"
    );
    let t = Table::parse(&text).unwrap();
    assert!(t.has_header());
    assert_eq!(
        t.column_names(),
        names(&["name", "x", "y"]),
        "BOM stripped, names trimmed"
    );
    assert_eq!(t.rows(), 3, "trailing blank lines are not rows");
    let preview = t.preview(10);
    assert_eq!(preview.len(), 3);
    assert_eq!(preview[0][0], "Smith, J.\r\nsecond line");
    assert_eq!(preview[1], names(&["O\"Brien", "2", "20"]));
    assert_eq!(t.columns()[1].kind, ColumnKind::Numeric);
    let d = Dataset::from_table(&t, &linear()).unwrap();
    assert_eq!(d.features.column(0), vec![1.0, 2.0, 3.0]);
    assert_eq!(d.target, vec![10.0, 20.0, 30.0]);
    assert!(
        d.warnings.iter().any(|w| w.contains("'name'")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn types_columns() {
    let t = Table::parse("a,b,c,d\n1,x,1,\n2,y,NA,\n3,z,oops,\n4,w,4,\n").unwrap();
    let kinds: Vec<ColumnKind> = t.columns().iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ColumnKind::Numeric,
            ColumnKind::Text,
            ColumnKind::Numeric,
            ColumnKind::Text
        ]
    );
    assert_eq!(t.columns()[2].missing, 1, "NA counts as missing in c");
    assert_eq!(t.columns()[3].missing, 4, "empty column d is all missing");
    assert_eq!(t.distinct_count(1, 100), 4);
    assert_eq!(t.distinct_count(1, 2), 2, "capped");
    assert_eq!(t.distinct_count(2, 100), 2, "only 1 and 4 are numbers in c");
}

#[test]
fn mixed_text_column_keeps_spelling() {
    // 'code' holds one number among text, so it is text and "007" stays "007".
    let text = "x,code\n1,007\n2,abc\n3,NA\n4,xyz\n5,abc\n";
    let t = Table::parse(text).unwrap();
    assert_eq!(t.columns()[1].kind, ColumnKind::Text);
    assert_eq!(t.columns()[1].missing, 1);
    assert_eq!(t.distinct_count(1, 100), 3);
    let spec = DatasetSpec {
        drop_missing: true,
        ..logistic()
    };
    let (e, msg) = fails(text, &spec);
    assert!(
        matches!(e, GradstepError::TargetClasses { count: 3, .. }),
        "{e:?}"
    );
    assert_mentions(&msg, &["007, abc, xyz"]);
}

#[test]
fn header_cell_is_not_a_level() {
    let t = Table::parse("name,x\nbob,1\nann,2\nbob,3\n").unwrap();
    assert!(t.has_header());
    assert_eq!(
        t.distinct_count(0, 100),
        2,
        "'name' is the header, not a value"
    );
}

#[test]
fn missing_tokens() {
    let t = Table::parse("x,y\n1,na\n2,N/A\n3,nan\n4,NULL\n5,None\n6,?\n7,-\n8, \n9,1\n").unwrap();
    assert_eq!(t.columns()[1].kind, ColumnKind::Numeric);
    assert_eq!(t.columns()[1].missing, 8);
}

#[test]
fn suggests_model() {
    let t = Table::parse("x,y,z,w\n1,0,a,yes\n2,1,b,no\n3,1,c,no\n").unwrap();
    assert_eq!(t.suggest_model(1), ModelKind::Logistic);
    assert_eq!(t.suggest_model(0), ModelKind::Linear);
    assert_eq!(t.suggest_model(2), ModelKind::Linear);
    assert_eq!(t.suggest_model(3), ModelKind::Logistic);
}

// ---------------------------------------------------------------- selection

#[test]
fn default_target_and_features() {
    let d = Dataset::from_csv("a,name,b,y\n1,p,5,10\n2,q,3,20\n3,r,8,15\n", &linear()).unwrap();
    assert_eq!(d.target_name, "y");
    assert_eq!(d.feature_names, names(&["a", "b"]));
    assert_eq!(d.features.row(1), &[2.0, 3.0]);
    assert_eq!(d.target, vec![10.0, 20.0, 15.0]);
    assert_eq!(d.model, ModelKind::Linear);
    assert!(d.classes.is_none());
    assert!(
        d.warnings.iter().any(|w| w.contains("'name'")),
        "skipped text column named in {:?}",
        d.warnings
    );
}

#[test]
fn selects_by_name_and_index() {
    let text = "a,b,c,y\n1,5,0,10\n2,3,1,20\n3,8,5,15\n";
    let spec = DatasetSpec {
        target: Some(ColumnRef::parse("A")),
        features: Some(vec![ColumnRef::parse("c"), ColumnRef::parse("2")]),
        ..linear()
    };
    let d = Dataset::from_csv(text, &spec).unwrap();
    assert_eq!(d.target_name, "a", "case-insensitive name");
    assert_eq!(d.feature_names, names(&["c", "b"]), "given order kept");
    assert_eq!(d.features.row(0), &[0.0, 5.0]);
    assert_eq!(d.target, vec![1.0, 2.0, 3.0]);

    let spec = DatasetSpec {
        target: Some(ColumnRef::Index(2)),
        features: None,
        ..linear()
    };
    let d = Dataset::from_csv(text, &spec).unwrap();
    assert_eq!(d.target_name, "b");
    assert_eq!(d.feature_names, names(&["a", "c", "y"]));
}

#[test]
fn column_ref_parse_and_numeric_name() {
    assert_eq!(ColumnRef::parse("3"), ColumnRef::Index(3));
    assert_eq!(ColumnRef::parse(" age "), ColumnRef::Name("age".into()));
    // A column literally named "1" wins over index 1.
    let t = Table::parse("x,1,y\n1,2,3\nk,5,7\n4,5,6\n").unwrap();
    assert!(t.has_header());
    assert_eq!(t.resolve(&ColumnRef::parse("1")).unwrap(), 1);
    assert_eq!(t.resolve(&ColumnRef::parse("3")).unwrap(), 2);
}

#[test]
fn linear_two_valued_target_warns() {
    let d = Dataset::from_csv("x,y\n1,0\n2,1\n3,1\n", &linear()).unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("target 'y' has only two values (0, 1)")),
        "{:?}",
        d.warnings
    );
}

// ---------------------------------------------------------------- logistic

fn classes_of(text: &str) -> (Vec<f64>, ClassMapping) {
    let d = Dataset::from_csv(text, &logistic()).unwrap();
    (d.target, d.classes.expect("logistic has classes"))
}

fn mapping(neg: &str, pos: &str) -> ClassMapping {
    ClassMapping {
        negative: neg.into(),
        positive: pos.into(),
    }
}

#[test]
fn logistic_zero_one() {
    let (t, c) = classes_of("x,y\n1,0\n2,1\n3,1\n");
    assert_eq!(t, vec![0.0, 1.0, 1.0]);
    assert_eq!(c, mapping("0", "1"));
}

#[test]
fn logistic_minus_one_one() {
    let (t, c) = classes_of("x,y\n1,-1\n2,1\n3,-1\n");
    assert_eq!(t, vec![0.0, 1.0, 0.0]);
    assert_eq!(c, mapping("-1", "1"));
}

#[test]
fn logistic_one_two_takes_one_as_positive() {
    let (t, c) = classes_of("x,y\n1,1\n2,2\n3,2\n");
    assert_eq!(t, vec![1.0, 0.0, 0.0]);
    assert_eq!(c, mapping("2", "1"));
}

#[test]
fn logistic_larger_number_otherwise() {
    let (t, c) = classes_of("x,y\n1,2.5\n2,7\n3,2.5\n");
    assert_eq!(t, vec![0.0, 1.0, 0.0]);
    assert_eq!(c, mapping("2.5", "7"));
}

#[test]
fn logistic_yes_no() {
    let (t, c) = classes_of("x,y\n1,yes\n2,no\n3,no\n");
    assert_eq!(t, vec![1.0, 0.0, 0.0]);
    assert_eq!(c, mapping("no", "yes"));
}

#[test]
fn logistic_pass_fail() {
    let (t, c) = classes_of("x,y\n1,Fail\n2,Pass\n3,Fail\n");
    assert_eq!(t, vec![0.0, 1.0, 0.0]);
    assert_eq!(c, mapping("Fail", "Pass"));
}

#[test]
fn logistic_true_false() {
    let (t, c) = classes_of("x,y\n1,TRUE\n2,FALSE\n3,TRUE\n");
    assert_eq!(t, vec![1.0, 0.0, 1.0]);
    assert_eq!(c, mapping("FALSE", "TRUE"));
}

#[test]
fn logistic_other_strings_lexicographic() {
    let (t, c) = classes_of("x,y\n1,cat\n2,dog\n3,cat\n");
    assert_eq!(t, vec![0.0, 1.0, 0.0]);
    assert_eq!(c, mapping("cat", "dog"));
}

// ---------------------------------------------------------------- drop_missing

#[test]
fn drop_missing_counts_rows() {
    let text =
        "a,b,note,y\n1,2,,10\nNA,3,x,20\n3,?,y,30\n4,5,z,inf\n5,6,,50\n6,9,w,oops\n7,1,v,70\n";
    let (e, _) = fails(text, &linear());
    assert!(
        matches!(e, GradstepError::MissingValue { row: 2, .. }),
        "{e:?}"
    );
    let spec = DatasetSpec {
        drop_missing: true,
        ..linear()
    };
    let d = Dataset::from_csv(text, &spec).unwrap();
    // Rows 2 (a), 3 (b), 4 (y inf), 6 (y text) dropped; the text column
    // 'note' is not used, so its empty cells do not count.
    assert_eq!(d.dropped_rows, 4);
    assert_eq!(d.target, vec![10.0, 50.0, 70.0]);
    assert_eq!(d.features.rows(), 3);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("dropped 4 rows") && w.contains("row 2")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn drop_missing_with_nothing_left() {
    let spec = DatasetSpec {
        drop_missing: true,
        ..linear()
    };
    let (e, msg) = fails("x,y\nNA,1\n2,NA\n", &spec);
    assert!(
        matches!(e, GradstepError::NoRowsLeft { dropped: 2 }),
        "{e:?}"
    );
    assert_mentions(&msg, &["no rows are left", "2 row(s)"]);
}

// ---------------------------------------------------------------- real data

#[test]
fn loads_real_datasets() {
    for (file, model, n, d) in [
        ("diabetes.csv", ModelKind::Linear, 442, 10),
        ("stackloss.csv", ModelKind::Linear, 21, 3),
        ("spector.csv", ModelKind::Logistic, 32, 3),
        ("breast_cancer_mean10.csv", ModelKind::Logistic, 569, 10),
    ] {
        let t = Table::parse(&real(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(t.has_header(), "{file} has a header");
        assert_eq!(
            t.suggest_model(t.columns().len() - 1),
            model,
            "{file} suggested model"
        );
        let spec = DatasetSpec {
            model,
            ..DatasetSpec::default()
        };
        let ds = Dataset::from_table(&t, &spec).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            (ds.features.rows(), ds.features.cols()),
            (n, d),
            "{file} shape"
        );
        assert_eq!(ds.target.len(), n, "{file} target length");
        assert_eq!(ds.dropped_rows, 0, "{file}");
        if model == ModelKind::Logistic {
            assert_eq!(ds.classes, Some(mapping("0", "1")), "{file} classes");
        }
    }
}

// ---------------------------------------------------------------- rejects

#[test]
fn rejects_empty_file() {
    for text in ["", "\n\n", "  \r\n \n", "\u{feff}"] {
        let e = Table::parse(text).unwrap_err();
        assert_eq!(e, GradstepError::EmptyFile, "for {text:?}");
        assert_mentions(&e.to_string(), &["empty"]);
    }
}

#[test]
fn rejects_header_only() {
    let e = Table::parse("age,bmi,y\n\n").unwrap_err();
    assert!(matches!(e, GradstepError::HeaderOnly { .. }), "{e:?}");
    assert_mentions(&e.to_string(), &["no data rows", "age, bmi, y"]);
}

#[test]
fn rejects_ragged_rows() {
    let e = Table::parse("a,b,c\n1,2,3\n4,5\n6,7,8\n").unwrap_err();
    assert_eq!(
        e,
        GradstepError::RaggedRow {
            row: 2,
            line: 3,
            expected: 3,
            found: 2
        }
    );
    assert_mentions(&e.to_string(), &["row 2", "line 3", "2 fields", "has 3"]);
    // Without a header the first record is row 1.
    let e = Table::parse("1,2\n3,4,5\n").unwrap_err();
    assert_eq!(
        e,
        GradstepError::RaggedRow {
            row: 2,
            line: 2,
            expected: 2,
            found: 3
        }
    );
}

#[test]
fn rejects_unterminated_quote() {
    let e = Table::parse("a,b\n1,2\n3,\"4\n5,6\n").unwrap_err();
    assert!(
        matches!(e, GradstepError::Malformed { line: 3, .. }),
        "{e:?}"
    );
    assert_mentions(&e.to_string(), &["line 3", "never closed"]);
    // The same with CRLF line ends.
    let e = Table::parse("a,b\r\n1,2\r\n3,\"4\r\n5,6\r\n").unwrap_err();
    assert!(
        matches!(e, GradstepError::Malformed { line: 3, .. }),
        "{e:?}"
    );
}

#[test]
fn rejects_text_in_numeric_feature() {
    let (e, msg) = fails("x,y\n1,1\n2,2\nabc,3\n4,4\n5,5\n", &linear());
    assert!(
        matches!(
            e,
            GradstepError::TextInNumeric {
                row: 3,
                line: 4,
                count: 1,
                ..
            }
        ),
        "{e:?}"
    );
    assert_mentions(&msg, &["'x'", "row 3", "line 4", "'abc'", "1 row(s)"]);
}

#[test]
fn rejects_nan() {
    let (e, msg) = fails("x,y\n1,1\nNaN,2\n3,3\n", &linear());
    assert!(
        matches!(e, GradstepError::MissingValue { row: 2, .. }),
        "{e:?}"
    );
    assert_mentions(&msg, &["'x'", "missing", "'NaN'", "row 2", "line 3"]);
}

#[test]
fn rejects_inf() {
    let (e, msg) = fails("x,y\n1,1\n2,-inf\n3,3\n", &linear());
    assert!(
        matches!(e, GradstepError::NonFinite { row: 2, .. }),
        "{e:?}"
    );
    assert_mentions(&msg, &["'y'", "non-finite", "'-inf'", "row 2", "line 3"]);
}

#[test]
fn rejects_missing_cell() {
    let (e, msg) = fails("x,z,y\n1,4,1\n2,,2\n3,6,\n4,,4\n", &linear());
    assert!(
        matches!(
            e,
            GradstepError::MissingValue {
                row: 2,
                line: 3,
                count: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert_mentions(&msg, &["'z'", "row 2", "line 3", "2 row(s)"]);
}

#[test]
fn rejects_constant_column() {
    let (e, msg) = fails("x,k,y\n1,7,1\n2,7,2\n3,7,4\n", &linear());
    assert!(matches!(e, GradstepError::ConstantColumn { .. }), "{e:?}");
    assert_mentions(&msg, &["'k'", "constant", "7"]);
    // Constant only after dropping rows still counts.
    let spec = DatasetSpec {
        drop_missing: true,
        ..linear()
    };
    let (e, _) = fails("x,k,y\n1,7,1\n2,7,2\n3,NA,4\n", &spec);
    assert!(matches!(e, GradstepError::ConstantColumn { .. }), "{e:?}");
}

#[test]
fn rejects_one_class_target() {
    let (e, msg) = fails("x,y\n1,1\n2,1\n3,1\n", &logistic());
    assert!(
        matches!(e, GradstepError::TargetClasses { count: 1, .. }),
        "{e:?}"
    );
    assert_mentions(&msg, &["exactly two classes", "'y'", "has 1: 1"]);
}

#[test]
fn rejects_three_class_target_for_logistic() {
    let (e, msg) = fails("x,y\n1,a\n2,b\n3,c\n4,a\n", &logistic());
    assert!(
        matches!(e, GradstepError::TargetClasses { count: 3, .. }),
        "{e:?}"
    );
    assert_mentions(&msg, &["'y'", "has 3: a, b, c"]);
    let (e, msg) = fails("x,y\n1,0\n2,1\n3,2\n", &logistic());
    assert!(
        matches!(e, GradstepError::TargetClasses { count: 3, .. }),
        "{e:?}"
    );
    assert_mentions(&msg, &["0, 1, 2"]);
}

#[test]
fn rejects_target_in_features() {
    let spec = DatasetSpec {
        target: Some(ColumnRef::parse("y")),
        features: Some(vec![ColumnRef::parse("x"), ColumnRef::parse("Y")]),
        ..linear()
    };
    let (e, msg) = fails("x,y\n1,2\n2,3\n", &spec);
    assert!(matches!(e, GradstepError::TargetInFeatures { .. }), "{e:?}");
    assert_mentions(&msg, &["'y'", "target", "feature"]);
}

#[test]
fn rejects_unknown_column() {
    let spec = DatasetSpec {
        target: Some(ColumnRef::parse("price")),
        ..linear()
    };
    let (e, msg) = fails("x,y\n1,2\n2,3\n", &spec);
    assert!(matches!(e, GradstepError::UnknownColumn { .. }), "{e:?}");
    assert_mentions(&msg, &["'price'", "'x', 'y'"]);
}

#[test]
fn rejects_column_index_out_of_range() {
    let spec = DatasetSpec {
        features: Some(vec![ColumnRef::parse("5")]),
        ..linear()
    };
    let (e, msg) = fails("x,y\n1,2\n2,3\n", &spec);
    assert_eq!(
        e,
        GradstepError::ColumnIndexOutOfRange { index: 5, count: 2 }
    );
    assert_mentions(&msg, &["index 5", "2 column(s)"]);
    let spec = DatasetSpec {
        target: Some(ColumnRef::Index(0)),
        ..linear()
    };
    let (e, _) = fails("x,y\n1,2\n2,3\n", &spec);
    assert_eq!(
        e,
        GradstepError::ColumnIndexOutOfRange { index: 0, count: 2 }
    );
}

#[test]
fn rejects_text_feature() {
    let spec = DatasetSpec {
        features: Some(vec![ColumnRef::parse("x"), ColumnRef::parse("city")]),
        ..linear()
    };
    let (e, msg) = fails("x,city,y\n1,Oslo,2\n2,Rome,3\n3,Oslo,5\n", &spec);
    assert!(matches!(e, GradstepError::TextFeature { .. }), "{e:?}");
    assert_mentions(&msg, &["'city'", "'Oslo'", "numeric"]);
}

#[test]
fn rejects_text_target_for_linear() {
    let (e, msg) = fails("x,y\n1,a\n2,b\n3,a\n", &linear());
    assert!(matches!(e, GradstepError::TextTarget { .. }), "{e:?}");
    assert_mentions(&msg, &["'y'", "'a'", "linear"]);
}

#[test]
fn rejects_too_many_cells() {
    assert_eq!(gradstep::data::table::MAX_CELLS, 50_000_000);
    // 3 columns × 5 records = 15 cells against a limit of 10.
    let text = "a,b,c\n1,2,3\n4,5,6\n7,8,9\n\n1,1,1\n";
    let e = Table::parse_with_limit(text, 10).unwrap_err();
    assert!(matches!(e, GradstepError::TooLarge { .. }), "{e:?}");
    assert_mentions(
        &e.to_string(),
        &["15 cells", "5 rows", "3 columns", "limit of 10"],
    );
    assert!(Table::parse_with_limit(text, 15).is_ok());
    let e = Table::parse_with_limit("1,2,3,4\n", 3).unwrap_err();
    assert_mentions(&e.to_string(), &["4 cells"]);
}

// ---------------------------------------------------------------- fuzz

proptest! {
    #[test]
    fn parse_never_panics(text in ".{0,200}") {
        let _ = Table::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_csv_like_text(text in "[a,;|\t\"\r\n 0-9.eE+-]{0,200}") {
        if let Ok(t) = Table::parse(&text) {
            let _ = t.preview(5);
            for j in 0..t.columns().len() {
                let _ = t.distinct_count(j, 3);
                let _ = t.suggest_model(j);
            }
            let _ = Dataset::from_table(&t, &DatasetSpec { drop_missing: true, ..DatasetSpec::default() });
            let _ = Dataset::from_table(&t, &DatasetSpec { model: ModelKind::Logistic, ..DatasetSpec::default() });
        }
    }
}
