//! The default target and features.

use gradstep::data::csv::{default_choice, default_features, ExcludedReason, Table};
use gradstep::GradstepError;

fn reasons(t: &Table, excluded: &[gradstep::data::csv::Excluded]) -> Vec<(String, ExcludedReason)> {
    excluded
        .iter()
        .map(|e| (t.column(e.column).name.clone(), e.reason))
        .collect()
}

#[test]
fn medical_table_targets_the_diagnosis() {
    let t = Table::parse(
        b"id,diagnosis,radius,texture\n842302,M,17.99,10.38\n842517,M,20.57,17.77\n84300903,B,19.69,21.25\n84348301,B,11.42,20.38\n",
    )
    .unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!(c.target, 1);
    assert!(c.two_valued);
    assert_eq!(c.features, vec![2, 3]);
    assert_eq!(
        reasons(&t, &c.excluded),
        vec![
            ("id".into(), ExcludedReason::RowId),
            ("diagnosis".into(), ExcludedReason::Target)
        ]
    );
    assert_eq!(
        c.excluded[0].message,
        "'id' looks like a row ID (by its name), so it is not a feature"
    );
}

#[test]
fn unique_integers_are_not_ids() {
    let t =
        Table::parse(b"id,sqft,price\n1,1450,250000\n2,2210,410000\n3,980,180500\n4,1720,301000\n")
            .unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!(c.target, 2);
    assert!(!c.two_valued);
    assert_eq!(c.features, vec![1]);
    assert_eq!(
        reasons(&t, &c.excluded)[0],
        ("id".into(), ExcludedReason::RowId)
    );
    assert_eq!(
        c.excluded[0].message,
        "'id' looks like a row ID (its values run 1, 2, 3, … in row order), so it is not a feature"
    );
}

#[test]
fn a_running_index_is_a_row_id() {
    let t = Table::parse(b"index,x,y\n0,1.5,3\n1,2.5,1\n2,0.5,4\n3,4.5,1\n").unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!(c.target, 2);
    assert_eq!(c.features, vec![1]);
    assert_eq!(
        c.excluded[0].message,
        "'index' looks like a row ID (its values run 0, 1, 2, … in row order), so it is not a feature"
    );
    // 1, 2, 3, … by any name.
    let t = Table::parse(b"n,x,y\n1,1.5,3\n2,2.5,1\n3,0.5,4\n").unwrap();
    let (f, e) = default_features(&t, 2);
    assert_eq!(f, vec![1]);
    assert_eq!(e[0].reason, ExcludedReason::RowId);
    // Other runs are quantities: years, weeks, 10, 20, 30.
    for run in ["2000,2001,2002", "5,6,7", "10,20,30"] {
        let v: Vec<&str> = run.split(',').collect();
        let csv = format!("year,x,y\n{},1.5,3\n{},2.5,1\n{},0.5,4\n", v[0], v[1], v[2]);
        let t = Table::parse(csv.as_bytes()).unwrap();
        assert_eq!(default_features(&t, 2).0, vec![0, 1], "{run}");
    }
    // PassengerId-style names.
    let t = Table::parse(b"PassengerId,x,y\n3,1.5,3\n9,2.5,1\n4,0.5,4\n").unwrap();
    assert_eq!(default_features(&t, 2).0, vec![1]);
    // Names ending in _id or ID.
    let t = Table::parse(b"patient_id,customerID,paid,y\n5,9,1,3\n2,4,0,1\n7,1,1,4\n").unwrap();
    let (f, e) = default_features(&t, 3);
    assert_eq!(f, vec![2]);
    assert_eq!(
        reasons(&t, &e)[..2],
        [
            ("patient_id".into(), ExcludedReason::RowId),
            ("customerID".into(), ExcludedReason::RowId)
        ]
    );
}

#[test]
fn a_price_is_the_target_before_the_last_column_and_coordinates_never_are() {
    // King County style: the price in the middle, coordinates and codes last.
    let t = Table::parse(
        b"id,price,sqft_living,bedrooms,lat,zipcode\n7129300520,221900,1180,3,47.51,98178\n6414100192,538000,2570,3,47.72,98125\n5631500400,180000,770,2,47.73,98028\n",
    )
    .unwrap();
    assert_eq!(default_choice(&t).unwrap().target, 1);
    // No outcome name: the last column that is not a place.
    let t =
        Table::parse(b"a,b,lat,lon\n1,4,47.5,-122.1\n2,3,47.7,-122.3\n3,5,47.6,-122.2\n").unwrap();
    assert_eq!(default_choice(&t).unwrap().target, 1);
    // Only places: the last of them after all.
    let t = Table::parse(b"lat,lon\n47.5,-122.1\n47.7,-122.3\n47.6,-122.2\n").unwrap();
    assert_eq!(default_choice(&t).unwrap().target, 1);
}

#[test]
fn label_names_win_and_the_last_one_is_taken() {
    let t = Table::parse(b"x,Target,label,z\n1,3,a,9\n2,4,b,8\n3,5,a,7\n").unwrap();
    assert_eq!(default_choice(&t).unwrap().target, 2);
    // A label-named text column with more than two values cannot be the target.
    let t = Table::parse(b"x,class,z\n1,a,9\n2,b,7\n3,c,8\n").unwrap();
    assert_eq!(default_choice(&t).unwrap().target, 2);
}

#[test]
fn the_only_two_valued_column_is_preferred() {
    let t = Table::parse(b"a,passed,b\n1.5,yes,3\n2.5,no,1\n0.5,yes,4\n").unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!(c.target, 1);
    assert!(c.two_valued);
    assert_eq!(c.features, vec![0, 2]);
    // Two two-valued columns: no preference, so the last numeric column.
    let t = Table::parse(b"a,b,c\n1,0,3.5\n2,1,1.5\n1,0,4.5\n").unwrap();
    assert_eq!(default_choice(&t).unwrap().target, 2);
}

#[test]
fn dates_text_constants_and_empty_columns_are_not_features() {
    let t = Table::parse(
        b"when,color,k,empty,x,y\n2024-01-15,red,5,,1.5,3\n2024-01-16,blue,5,,2.5,1\n2024-01-17,green,5,NA,0.5,4\n",
    )
    .unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!(c.target, 5);
    assert_eq!(c.features, vec![4]);
    assert_eq!(
        reasons(&t, &c.excluded),
        vec![
            ("when".into(), ExcludedReason::Date),
            ("color".into(), ExcludedReason::Text),
            ("k".into(), ExcludedReason::Constant),
            ("empty".into(), ExcludedReason::AllMissing),
            ("y".into(), ExcludedReason::Target),
        ]
    );
    assert_eq!(
        c.excluded[0].message,
        "'when' is not a feature: it holds dates (e.g. '2024-01-15')"
    );
    assert_eq!(
        c.excluded[1].message,
        "'color' is text with 3 values: choose it as a feature to use it one-hot (2 columns of 0/1, 'red' as the reference)"
    );
    assert_eq!(
        c.excluded[2].message,
        "'k' is constant (every value is 5), so it is not a feature"
    );
    assert_eq!(
        c.excluded[3].message,
        "'empty' has no values (every cell is missing), so it is not a feature"
    );
}

#[test]
fn two_level_text_columns_are_0_1_features_and_a_last_one_is_the_label() {
    use gradstep::data::dataset::{Dataset, DatasetSpec, MissingPolicy, TargetKind};
    // Insurance-like: two two-word columns, neither last, are features.
    let t = Table::parse(
        b"age,sex,smoker,charges\n19,female,yes,16884.9\n18,male,no,1725.6\n28,male,no,4449.5\n33,female,yes,21984.5\n",
    )
    .unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!((c.target, c.features.clone()), (3, vec![0, 1, 2]));
    let spec = DatasetSpec {
        target: c.target,
        features: c.features,
        target_kind: TargetKind::Continuous,
        missing: MissingPolicy::Error,
        transforms: vec![],
    };
    let d = Dataset::build(&t, &spec).unwrap();
    // yes reads as 1; of female/male, neither reads as a class word, so the
    // larger text ('male') is 1.
    let col = |k: usize| d.features[k].iter().collect::<Vec<f64>>();
    assert_eq!(col(2), vec![1.0, 0.0, 0.0, 1.0]);
    assert_eq!(col(1), vec![0.0, 1.0, 1.0, 0.0]);
    assert!(
        d.warnings
            .iter()
            .any(|w| w == "feature 'smoker' is read as 1 for 'yes' and 0 for 'no'"),
        "{:?}",
        d.warnings
    );
    // Several two-valued text columns and the last one is the label.
    let t = Table::parse(
        b"hours,sex,flag,passed\n1,f,TRUE,nein\n5,m,FALSE,ja\n2,m,TRUE,nein\n7,f,FALSE,ja\n",
    )
    .unwrap();
    let c = default_choice(&t).unwrap();
    assert_eq!(
        (c.target, c.two_valued, c.features.clone()),
        (3, true, vec![0, 1, 2])
    );
    let spec = DatasetSpec {
        target: 3,
        features: c.features,
        target_kind: TargetKind::Binary,
        missing: MissingPolicy::Error,
        transforms: vec![],
    };
    let d = Dataset::build(&t, &spec).unwrap();
    let classes = d.classes.clone().expect("two classes");
    // 'ja' is the positive class although 'nein' comes first and sorts later.
    assert_eq!(
        (classes.positive.as_str(), classes.negative.as_str()),
        ("ja", "nein")
    );
    assert_eq!(
        d.features[2].iter().collect::<Vec<f64>>(),
        vec![1.0, 0.0, 1.0, 0.0]
    );
    // f/m: 'f' reads as a negative word, so 'm' is 1.
    assert_eq!(
        d.features[1].iter().collect::<Vec<f64>>(),
        vec![0.0, 1.0, 1.0, 0.0]
    );
}

#[test]
fn no_target_is_an_error() {
    let t = Table::parse(b"a,b\nx,p\ny,q\nz,r\n").unwrap();
    let e = default_choice(&t).unwrap_err();
    assert!(matches!(e, GradstepError::NoTarget { .. }));
    assert_eq!(
        e.to_string(),
        "no column can be the target (a target is numeric with two or more values and not a row ID, or text with exactly two values); choose one explicitly; the columns are: 'a' (text), 'b' (text)"
    );
}

#[test]
fn rejects_a_logistic_target_with_many_values_saying_more_than_5() {
    use gradstep::data::dataset::{Dataset, DatasetSpec, MissingPolicy, TargetKind};
    let mut csv = String::from("x,y\n");
    for i in 0..60 {
        csv.push_str(&format!("{i},{}\n", i * 7 % 60));
    }
    let t = Table::parse(csv.as_bytes()).unwrap();
    let spec = DatasetSpec {
        target: 1,
        features: vec![0],
        target_kind: TargetKind::Binary,
        missing: MissingPolicy::Error,
        transforms: vec![],
    };
    let e = Dataset::build(&t, &spec).unwrap_err();
    assert!(matches!(e, GradstepError::TargetClasses { .. }));
    assert_eq!(
        e.to_string(),
        "logistic regression needs a target with exactly two classes, but column 'y' has more than 5: 0, 7, 14, 21, 28, …"
    );
    // Three classes are counted exactly.
    let t = Table::parse(b"x,y\n1,a\n2,b\n3,c\n4,a\n").unwrap();
    let e = Dataset::build(&t, &spec).unwrap_err();
    assert!(e.to_string().contains("has 3: a, b, c"), "{e}");
}

#[test]
fn rejects_one_row_one_column_and_no_chosen_feature_saying_which() {
    use gradstep::data::dataset::{Dataset, DatasetSpec, MissingPolicy, TargetKind};
    let one_row = Table::parse(b"x,y\n1,5\n").unwrap();
    assert_eq!(
        default_choice(&one_row).unwrap_err().to_string(),
        "there is only one data row: a model needs at least two rows to learn from"
    );
    let spec = |target, features| DatasetSpec {
        target,
        features,
        target_kind: TargetKind::Continuous,
        missing: MissingPolicy::Drop,
        transforms: vec![],
    };
    assert!(matches!(
        Dataset::build(&one_row, &spec(1, vec![0])),
        Err(GradstepError::OneRow { dropped: 0 })
    ));
    let one_left = Table::parse(b"x,y\n1,5\n2,\n,7\n").unwrap();
    assert_eq!(
        Dataset::build(&one_left, &spec(1, vec![0])).unwrap_err().to_string(),
        "there is only one data row left after dropping 2: a model needs at least two rows to learn from"
    );
    let one_column = Table::parse(b"y\n1\n2\n3\n").unwrap();
    let e = Dataset::build(&one_column, &spec(0, vec![])).unwrap_err();
    assert!(matches!(e, GradstepError::NoFeatures { .. }));
    assert!(
        e.to_string()
            .starts_with("the file has only one column, 'y'"),
        "{e}"
    );
    let t = Table::parse(b"a,b,y\n1,4,2\n2,3,5\n3,1,4\n").unwrap();
    assert_eq!(
        Dataset::build(&t, &spec(2, vec![]))
            .unwrap_err()
            .to_string(),
        "no feature is chosen: you unchecked every feature; check at least one"
    );
    let t = Table::parse(b"a,b,y\nx,p,2\ny,q,5\nz,r,4\n").unwrap();
    assert_eq!(
        Dataset::build(&t, &spec(2, vec![]))
            .unwrap_err()
            .to_string(),
        "there are no numeric feature columns besides the target 'y'"
    );
    // Infinite cells say how to get past them.
    let t = Table::parse(b"x,y\n1,inf\n2,3\n3,4\n").unwrap();
    let e = Dataset::build(
        &t,
        &DatasetSpec {
            missing: MissingPolicy::Error,
            ..spec(1, vec![0])
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "column 'y' has the non-finite value 'inf' at row 1 (line 2) (1 row affected); fix the cells, or set Missing values (--missing) to drop those rows or fill them with the column mean"
    );
}

#[test]
fn a_value_far_beyond_the_rest_of_its_column_gets_a_note() {
    use gradstep::data::dataset::{Dataset, DatasetSpec, MissingPolicy, TargetKind};
    let spec = DatasetSpec {
        target: 1,
        features: vec![0],
        target_kind: TargetKind::Continuous,
        missing: MissingPolicy::Error,
        transforms: vec![],
    };
    let t = Table::parse(b"x,y\n1,2\n1e300,3\n3,4\n4,5\n").unwrap();
    let d = Dataset::build(&t, &spec).unwrap();
    assert!(
        d.warnings.iter().any(|w| w.starts_with("column 'x' holds 1e300 at row 2 (line 3), far beyond its other values (typically 2.67)")),
        "{:?}",
        d.warnings
    );
    // An extra two zeros among hundreds of ordinary values.
    let mut csv = String::from("sqft,price\n");
    for i in 0..200 {
        let sqft = if i == 122 {
            330000
        } else {
            500 + (i * 37) % 4500
        };
        csv.push_str(&format!("{sqft},{}\n", 1000 * (i % 17) + 50000));
    }
    let t = Table::parse(csv.as_bytes()).unwrap();
    let d = Dataset::build(&t, &spec).unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.starts_with("column 'sqft' holds 330000 at row 123 (line 124)")),
        "{:?}",
        d.warnings
    );
    // Heavy tails (1 to 10⁵) and a sparse indicator are no outliers.
    let mut csv = String::from("x,flag,y\n");
    for i in 0..50 {
        csv.push_str(&format!(
            "{},{},{}\n",
            10f64.powi(i % 6),
            u8::from(i == 7) * 9,
            i
        ));
    }
    let t = Table::parse(csv.as_bytes()).unwrap();
    let d = Dataset::build(
        &t,
        &DatasetSpec {
            target: 2,
            features: vec![0, 1],
            ..spec
        },
    )
    .unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn a_spreadsheet_totals_row_gets_a_note() {
    use gradstep::data::dataset::{Dataset, DatasetSpec, MissingPolicy, TargetKind};
    let mut csv = String::from("units,revenue\n");
    let mut total = 0.0;
    for i in 0..40 {
        let revenue = 100.0 + (i * 731 % 900) as f64 + 0.37;
        total += revenue;
        csv.push_str(&format!("{},{revenue:.2}\n", 3 + i % 7));
    }
    // A total of the rounded cells, itself rounded: off by a cent.
    csv.push_str(&format!(",{:.2}\n", total + 0.01));
    let t = Table::parse(csv.as_bytes()).unwrap();
    let spec = DatasetSpec {
        target: 1,
        features: vec![0],
        target_kind: TargetKind::Continuous,
        missing: MissingPolicy::Mean,
        transforms: vec![],
    };
    let d = Dataset::build(&t, &spec).unwrap();
    assert!(
        d.warnings.iter().any(|w| w
            == "the last row 41 (line 42) looks like a totals row: its 'revenue' is the sum of the rows above; remove it from the file, or it counts as one more example"),
        "{:?}",
        d.warnings
    );
    // An ordinary last row is not one.
    let t = Table::parse(b"units,revenue\n1,10\n2,20\n3,30\n4,40\n").unwrap();
    assert!(Dataset::build(&t, &spec).unwrap().warnings.is_empty());
}
