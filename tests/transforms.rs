//! The feature-transform stage: powers of a column (polynomial features)
//! and a text column one-hot encoded, through the session.

mod common;

use common::*;
use gradstep::data::FeatureTransform;
use gradstep::session::DataSettings;

#[test]
fn powers_let_a_linear_model_fit_a_parabola() {
    let mut csv = String::from("x,y\n");
    for i in -20..=20 {
        let x = i as f64 / 4.0;
        csv += &format!("{x},{}\n", 3.0 * x * x - x + 2.0);
    }
    let settings = DataSettings {
        transforms: vec![FeatureTransform::Powers {
            column: "x".into(),
            degree: 2,
        }],
        ..settings(false)
    };
    let mut s = session_text(&csv, &settings);
    let d = s.loaded().unwrap();
    assert_eq!(d.dataset().feature_names, ["x", "x^2"]);
    let (theta, loss) = s
        .solve_optimum()
        .unwrap()
        .found()
        .map(|(t, l)| (t.to_vec(), l))
        .unwrap();
    assert!(loss < 1e-20, "{loss}");
    for (got, want) in theta.iter().zip([-1.0, 3.0, 2.0]) {
        assert!((got - want).abs() < 1e-9, "{theta:?}");
    }
}

#[test]
fn a_text_column_becomes_zero_one_columns() {
    let csv = "color,size,y\nred,1,3\nblue,2,5\ngreen,3,9\nred,4,7\nblue,5,9\ngreen,6,13\n";
    let settings = DataSettings {
        features: Some(vec!["size".into()]),
        transforms: vec![FeatureTransform::OneHot {
            column: "color".into(),
        }],
        ..settings(false)
    };
    let s = session_text(csv, &settings);
    let d = s.loaded().unwrap();
    assert_eq!(
        d.dataset().feature_names,
        ["size", "color=blue", "color=green"]
    );
    assert_eq!(
        d.dataset().features[1].to_vec(),
        vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    );
}

#[test]
fn transforms_refuse_what_they_cannot_make() {
    let mut s = gradstep::session::Session::default();
    let csv = b"color,y\nred,1\nblue,2\nred,3\n";
    let bad = DataSettings {
        transforms: vec![FeatureTransform::Powers {
            column: "color".into(),
            degree: 2,
        }],
        ..settings(false)
    };
    assert!(s.load_bytes("c.csv", csv, &bad).is_err());
    let bad = DataSettings {
        transforms: vec![FeatureTransform::Powers {
            column: "y".into(),
            degree: 9,
        }],
        ..settings(false)
    };
    assert!(s
        .load_bytes("c.csv", csv, &bad)
        .unwrap_err()
        .to_string()
        .contains("2 to 6"));
}
