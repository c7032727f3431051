//! The training engine end to end: the classic example, study hours, and
//! real datasets against scikit-learn / statsmodels reference answers.

mod common;

use common::*;
use gradstep::model::ModelKind;
use gradstep::optim::Status;
use gradstep::optimum::Optimum;
use gradstep::trainer::{Init, Trainer, TrainerConfig};

fn trainer(dataset: gradstep::data::Dataset, standardize: bool, tolerance: f64) -> Trainer {
    let mut t = Trainer::new(
        dataset,
        TrainerConfig {
            standardize,
            tolerance,
            ..Default::default()
        },
    )
    .unwrap();
    let lr = 1.0 / t.lipschitz();
    t.set_learning_rate(lr).unwrap();
    t
}

/// The classic example: label in the first column, features next four,
/// label = x1 − x2 + x3 − x4, so the answer is w = [1, −1, 1, −1], b = 0.
fn classic_csv() -> String {
    let mut rng = Lcg(7);
    let mut csv = String::from("label,x1,x2,x3,x4\n");
    for _ in 0..100 {
        let x: Vec<f64> = (0..4)
            .map(|_| (rng.next_f64() * 10.0).round() / 2.0)
            .collect();
        let y = x[0] - x[1] + x[2] - x[3];
        csv += &format!("{y},{},{},{},{}\n", x[0], x[1], x[2], x[3]);
    }
    csv
}

#[test]
fn classic_example_reaches_the_known_weights() {
    let data = from_text(&classic_csv(), "1", ModelKind::Linear);
    assert_eq!(data.feature_names, ["x1", "x2", "x3", "x4"]);
    let mut t = trainer(data, false, 1e-9);
    let state = t.run(100_000).clone();
    assert_eq!(state.status, Status::Converged, "{:?}", state.message);
    let (w, b) = t.original_parameters();
    for (got, want) in w.iter().zip([1.0, -1.0, 1.0, -1.0]) {
        assert!((got - want).abs() < 1e-4, "w = {w:?}");
    }
    assert!(b.abs() < 1e-4, "b = {b}");
    assert!(state.loss < 1e-8);
}

#[test]
fn study_hours_pass_from_fourteen_hours() {
    let mut csv = String::from("hours,passed\n");
    for h in (2..=20).step_by(2) {
        csv += &format!("{h},{}\n", u8::from(h >= 14));
    }
    let data = from_text(&csv, "passed", ModelKind::Logistic);
    let mut t = trainer(data, true, 1e-6);
    t.run(5_000);
    let (p3, p17) = (t.predict(&[3.0]), t.predict(&[17.0]));
    assert!(p3 < 0.5 && 0.5 < p17, "p(3h) = {p3}, p(17h) = {p17}");
    assert!(
        matches!(t.optimum(), Optimum::NoFiniteOptimum { .. }),
        "perfectly separable data has no optimum"
    );
}

/// Gradient descent with standardization against the reference: the loss to
/// `loss_tol` (relative), the coefficients to 1e-3 in both units when
/// `check_coef`.
fn check_real(name: &str, model: ModelKind, max_steps: u64, loss_tol: f64, check_coef: bool) {
    let reference = reference();
    let r = &reference[name];
    let data = dataset(r["file"].as_str().unwrap(), model);
    let (std_ref, raw_ref, loss_key) = match model {
        ModelKind::Linear => (&r["standardized"], &r["raw"], "mse"),
        ModelKind::Logistic => (
            &r["standardized"]["newton"],
            &r["raw"]["newton"],
            "log_loss",
        ),
    };
    let ref_loss = std_ref[loss_key].as_f64().unwrap();
    let mut t = trainer(data, true, 1e-12);
    let state = t.run(max_steps).clone();
    assert!(
        rel(state.loss, ref_loss) < loss_tol,
        "{name}: loss {} vs {ref_loss} after {} steps",
        state.loss,
        state.step
    );
    // The scaler must be the reference's (population std).
    for (got, want) in t.scaler().std().iter().zip(floats(&r["feature_std_pop"])) {
        assert!(rel(*got, want) < 1e-12);
    }
    if check_coef {
        for (got, want) in state.weights.iter().zip(floats(&std_ref["coef"])) {
            assert!(
                rel(*got, want) < 1e-3,
                "{name} standardized: {:?}",
                state.weights
            );
        }
        let (w, b) = t.original_parameters();
        for (got, want) in w.iter().zip(floats(&raw_ref["coef"])) {
            assert!(rel(*got, want) < 1e-3, "{name} raw: {w:?}");
        }
        assert!(
            rel(b, raw_ref["intercept"].as_f64().unwrap()) < 1e-3,
            "{name} raw intercept {b}"
        );
    }
}

#[test]
fn stackloss_matches_statsmodels() {
    check_real("stackloss", ModelKind::Linear, 20_000, 1e-6, true);
}

#[test]
fn diabetes_matches_scikit_learn() {
    check_real("diabetes", ModelKind::Linear, 100_000, 1e-6, true);
}

#[test]
fn spector_matches_statsmodels_logit() {
    check_real("spector", ModelKind::Logistic, 20_000, 1e-6, true);
}

#[test]
fn breast_cancer_loss_within_1e4() {
    check_real(
        "breast_cancer_mean10",
        ModelKind::Logistic,
        400_000,
        1e-4,
        false,
    );
}

/// The exact optimum, in raw and standardized units, against the reference
/// to 1e-8 (coefficients, intercept and loss).
#[test]
fn exact_optimum_matches_reference_to_1e8() {
    let reference = reference();
    for (name, model) in [
        ("stackloss", ModelKind::Linear),
        ("diabetes", ModelKind::Linear),
        ("spector", ModelKind::Logistic),
        ("breast_cancer_mean10", ModelKind::Logistic),
    ] {
        let r = &reference[name];
        for standardize in [false, true] {
            let data = dataset(r["file"].as_str().unwrap(), model);
            let t = Trainer::new(
                data,
                TrainerConfig {
                    standardize,
                    ..Default::default()
                },
            )
            .unwrap();
            let units = if standardize { "standardized" } else { "raw" };
            let want = match model {
                ModelKind::Linear => &r[units],
                ModelKind::Logistic => &r[units]["newton"],
            };
            let loss_key = if model == ModelKind::Linear {
                "mse"
            } else {
                "log_loss"
            };
            let Some((w, b, loss)) = t.optimum().found() else {
                panic!("{name}: no optimum")
            };
            // The optimum in training units; standardized training means the
            // reference's standardized answer, raw training the raw answer.
            for (got, want) in w.iter().zip(floats(&want["coef"])) {
                assert!(rel(*got, want) < 1e-8, "{name} {units}: {w:?}");
            }
            assert!(
                rel(b, want["intercept"].as_f64().unwrap()) < 1e-8,
                "{name} {units} b = {b}"
            );
            assert!(
                rel(loss, want[loss_key].as_f64().unwrap()) < 1e-8,
                "{name} {units} loss = {loss}"
            );
        }
    }
}

#[test]
fn learning_rate_changes_between_steps_without_reset() {
    let mut t = trainer(dataset("stackloss.csv", ModelKind::Linear), true, 1e-9);
    t.step();
    let before = t.state().clone();
    t.set_learning_rate(before.learning_rate / 10.0).unwrap();
    let after = t.step().clone();
    assert_eq!(after.step, 2);
    let moved = (after.bias - before.bias).abs();
    assert!((moved - before.learning_rate / 10.0 * before.gradient_bias.abs()).abs() < 1e-12);
    t.reset();
    assert_eq!(t.state().step, 0);
    assert_eq!(t.loss_history().len(), 1);
    assert_eq!(
        t.learning_rate(),
        before.learning_rate / 10.0,
        "reset keeps the learning rate"
    );
}

#[test]
fn too_large_learning_rate_diverges_with_advice() {
    let mut t = trainer(dataset("stackloss.csv", ModelKind::Linear), false, 1e-9);
    let l = t.lipschitz();
    t.set_learning_rate(2.5 / l).unwrap();
    let state = t.run(10_000).clone();
    assert_eq!(state.status, Status::Diverged);
    let msg = state.message.unwrap();
    assert!(
        msg.contains("lower the learning rate below 2/L") && msg.contains("standardize"),
        "{msg}"
    );
    assert!(state.step < 10_000);
}

#[test]
fn seeded_random_start_is_reproducible() {
    let cfg = TrainerConfig {
        init: Init::Random { seed: 42 },
        ..Default::default()
    };
    let a = Trainer::new(dataset("spector.csv", ModelKind::Logistic), cfg).unwrap();
    let b = Trainer::new(dataset("spector.csv", ModelKind::Logistic), cfg).unwrap();
    assert_eq!(a.state().weights, b.state().weights);
    assert!(a.state().weights.iter().any(|w| *w != 0.0));
    let c = Trainer::new(
        dataset("spector.csv", ModelKind::Logistic),
        TrainerConfig::default(),
    )
    .unwrap();
    assert!(c.state().weights.iter().all(|w| *w == 0.0) && c.state().bias == 0.0);
}

#[test]
fn original_gradient_is_the_gradient_in_original_units() {
    // Train standardized, then check ∂L/∂w in original units by differencing
    // the loss as a function of original-units parameters.
    let mut t = trainer(dataset("stackloss.csv", ModelKind::Linear), true, 1e-9);
    t.run(3);
    let (w, b) = t.original_parameters();
    let (gw, gb) = t.original_gradient();
    let loss_raw = |w: &[f64], b: f64| {
        let (ws, bs) = t.scaler().to_standardized(w, b);
        t.loss_at(&ws, bs)
    };
    for j in 0..w.len() {
        let h = 1e-6 * (1.0 + w[j].abs());
        let (mut up, mut down) = (w.clone(), w.clone());
        up[j] += h;
        down[j] -= h;
        let numeric = (loss_raw(&up, b) - loss_raw(&down, b)) / (2.0 * h);
        assert!(rel(gw[j], numeric) < 1e-5, "w{j}: {} vs {numeric}", gw[j]);
    }
    let numeric_b = (loss_raw(&w, b + 1e-6) - loss_raw(&w, b - 1e-6)) / 2e-6;
    assert!(rel(gb, numeric_b) < 1e-5);
}

#[test]
fn metrics_match_reference() {
    let reference = reference();
    let r = &reference["spector"]["raw"]["newton"];
    let t = Trainer::new(
        dataset("spector.csv", ModelKind::Logistic),
        TrainerConfig::default(),
    )
    .unwrap();
    let (w, b, _) = t.optimum().found().unwrap();
    let m = gradstep::model::Metrics::compute(
        ModelKind::Logistic,
        t.training_features(),
        &t.dataset().target,
        w,
        b,
    );
    match m {
        gradstep::model::Metrics::Logistic { log_loss, accuracy } => {
            assert!(rel(log_loss, r["log_loss"].as_f64().unwrap()) < 1e-9);
            assert_eq!(
                accuracy,
                reference["spector"]["raw"]["sklearn_tol1e-12"]["accuracy"]
                    .as_f64()
                    .unwrap()
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rejects_non_positive_learning_rate() {
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let cfg = TrainerConfig {
            learning_rate: lr,
            ..Default::default()
        };
        let err = Trainer::new(dataset("spector.csv", ModelKind::Logistic), cfg).unwrap_err();
        assert!(err.to_string().contains("learning rate"), "{err}");
    }
}

/// The optimum computed a slice at a time equals the one-shot answer.
#[test]
fn sliced_optimum_equals_one_shot() {
    for (file, model) in [
        ("diabetes.csv", ModelKind::Linear),
        ("breast_cancer_mean10.csv", ModelKind::Logistic),
    ] {
        let one_shot = Trainer::new(dataset(file, model), TrainerConfig::default()).unwrap();
        let mut sliced = Trainer::new(dataset(file, model), TrainerConfig::default()).unwrap();
        let mut calls = 0;
        while sliced.advance_optimum(97).is_none() {
            calls += 1;
            assert!(sliced.optimum_if_ready().is_none());
        }
        assert!(calls > 3, "{file}: work was split into {calls} calls");
        let (a, b) = (
            one_shot.optimum().found().unwrap(),
            sliced.optimum_if_ready().unwrap().found().unwrap(),
        );
        for (x, y) in a.0.iter().zip(b.0) {
            assert!(rel(*y, *x) < 1e-10, "{file}: {:?} vs {:?}", a.0, b.0);
        }
        assert!(rel(b.1, a.1) < 1e-10 && rel(b.2, a.2) < 1e-12);
    }
}
