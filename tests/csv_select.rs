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
    // Any constant step, and any name.
    let t = Table::parse(b"n,x,y\n10,1.5,3\n20,2.5,1\n30,0.5,4\n").unwrap();
    let (f, e) = default_features(&t, 2);
    assert_eq!(f, vec![1]);
    assert_eq!(e[0].reason, ExcludedReason::RowId);
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
        b"when,color,k,empty,x,y\n2024-01-15,red,5,,1.5,3\n2024-01-16,blue,5,,2.5,1\n2024-01-17,red,5,NA,0.5,4\n",
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
        "'color' is not a feature: it holds text (e.g. 'red')"
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
fn no_target_is_an_error() {
    let t = Table::parse(b"a,b\nx,p\ny,q\nz,r\n").unwrap();
    let e = default_choice(&t).unwrap_err();
    assert!(matches!(e, GradstepError::NoTarget { .. }));
    assert_eq!(
        e.to_string(),
        "no column can be the target (a target is numeric with two or more values and not a row ID, or text with exactly two values); choose one explicitly; the columns are: 'a' (text), 'b' (text)"
    );
}
