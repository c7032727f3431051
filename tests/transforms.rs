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
fn a_chosen_text_column_of_a_few_levels_is_one_hot_and_two_levels_are_one_column() {
    let csv = "color,size,big,y\nred,1,no,3\nblue,3,no,5\ngreen,2,yes,9\nred,5,yes,7\nblue,4,yes,9\ngreen,6,yes,13\n";
    // By default: size and big; color is left out, saying how to use it.
    let s = session_text(csv, &settings(false));
    let d = s.loaded().unwrap();
    assert_eq!(d.dataset().feature_names, ["size", "big"]);
    let note = &d.excluded().iter().find(|e| e.column == 0).unwrap().message;
    assert_eq!(
        note,
        "'color' is text with 3 values: choose it as a feature to use it one-hot (2 columns of 0/1, 'red' as the reference)"
    );
    // Chosen: its levels but the first, the same as the transform.
    let chosen = DataSettings {
        features: Some(vec!["size".into(), "color".into(), "big".into()]),
        ..settings(false)
    };
    let s = session_text(csv, &chosen);
    let d = s.loaded().unwrap();
    assert_eq!(
        d.dataset().feature_names,
        ["size", "big", "color=blue", "color=green"]
    );
    assert_eq!(
        d.dataset().features[1].to_vec(),
        vec![0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    );
    assert_eq!(
        d.dataset().features[2].to_vec(),
        vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    );
    assert!(
        d.excluded().iter().all(|e| e.column != 0),
        "chosen, so not left out"
    );
    // The settings keep the column's own name (for the page and share links).
    assert_eq!(
        d.settings().features.as_deref().unwrap(),
        ["size", "color", "big"]
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

#[test]
fn the_predict_form_takes_numbers_and_words_and_makes_the_same_features() {
    let csv = "color,size,big,y\nred,1,no,3\nblue,3,no,5\ngreen,2,yes,9\nred,5,yes,7\nblue,4,yes,9\ngreen,6,yes,13\n";
    let chosen = DataSettings {
        features: Some(vec!["size".into(), "color".into(), "big".into()]),
        ..settings(false)
    };
    let mut s = session_text(csv, &chosen);
    s.step(50).unwrap();
    let inputs = s.summary().unwrap().predict_inputs;
    let shape: Vec<(&str, &str, usize)> = inputs
        .iter()
        .map(|i| (i.name.as_str(), i.example.as_str(), i.choices.len()))
        .collect();
    assert_eq!(
        shape,
        [("size", "1", 0), ("color", "red", 3), ("big", "no", 2)]
    );
    // size 2,5 (decimal comma), green, yes → [size, big, color=blue, color=green].
    let cells = |c: &[&str]| c.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let (value, text) = s.predict_cells(&cells(&["2,5", "green", "yes"])).unwrap();
    let (want, _) = s.predict(&[2.5, 1.0, 0.0, 1.0]).unwrap();
    assert_eq!(value, want);
    assert!(
        text.starts_with("size = 2.5, color = green, big = yes → predicted y ≈ "),
        "{text}"
    );
    assert_eq!(
        s.predict_cells(&cells(&["two", "green", "yes"]))
            .unwrap_err()
            .to_string(),
        "cannot predict: 'size' needs a number, like 1 (got 'two')"
    );
    assert_eq!(
        s.predict_cells(&cells(&["2", "purple", "yes"]))
            .unwrap_err()
            .to_string(),
        "cannot predict: 'color' is one of red, blue, green (got 'purple')"
    );
    assert!(s.predict_cells(&cells(&["2"])).is_err());
}
