//! Property tests: analytic gradients agree with central differences, and a
//! small enough step never raises the linear loss.
#![cfg(not(target_arch = "wasm32"))]

use gradstep::data::Matrix;
use gradstep::model::{gradient_check, ModelKind, Objective, Problem};
use gradstep::optim::{GradientDescent, IterState, Optimizer};
use gradstep::optimum::{exact_optimum, Curvature, Optimum};
use proptest::prelude::*;

/// Random problems: 1–40 rows, 1–5 features, values in [−3, 3], logistic
/// targets 0/1, and parameters in [−2, 2].
fn problem_data() -> impl Strategy<Value = (usize, Vec<f64>, Vec<f64>, Vec<f64>, f64)> {
    (1usize..40, 1usize..6).prop_flat_map(|(n, d)| {
        (
            Just(d),
            prop::collection::vec(-3.0..3.0f64, n * d),
            prop::collection::vec(prop::bool::ANY.prop_map(f64::from), n),
            prop::collection::vec(-2.0..2.0f64, d),
            -2.0..2.0f64,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn analytic_gradient_matches_central_differences((d, x, t, w, b) in problem_data()) {
        let x = Matrix::from_row_major(t.len(), d, x).unwrap();
        for model in [ModelKind::Linear, ModelKind::Logistic] {
            let problem = Problem::new(model, &x, &t);
            for check in gradient_check(&problem, &w, b, 1e-5) {
                // Absolute floor: for a near-zero derivative, relative error
                // only measures the difference quotient's rounding.
                let tolerance = 1e-5 * check.analytic.abs().max(1e-2);
                prop_assert!((check.analytic - check.numerical).abs() <= tolerance,
                    "{model} {}: analytic {} numerical {} (rel {})",
                    check.parameter, check.analytic, check.numerical, check.relative_error);
            }
        }
    }

    #[test]
    fn linear_loss_never_increases_below_one_over_l((d, x, t, w, b) in problem_data(), frac in 0.05..0.999f64) {
        let n = t.len();
        let x = Matrix::from_row_major(n, d, x).unwrap();
        let targets: Vec<f64> = t.iter().enumerate().map(|(i, v)| v * 3.0 - i as f64 * 0.1).collect();
        let problem = Problem::new(ModelKind::Linear, &x, &targets);
        let l = Curvature::of(&problem).lipschitz;
        let mut state = IterState::start(&problem, w, b, frac / l);
        for _ in 0..50 {
            let before = state.loss;
            GradientDescent.next_iter(&problem, &mut state, &mut ());
            prop_assert!(state.loss <= before * (1.0 + 1e-12) + 1e-12, "loss rose from {before} to {}", state.loss);
        }
    }

    #[test]
    fn exact_linear_optimum_has_zero_gradient((d, x, _t, _w, _b) in problem_data(), seed in 0u64..1000) {
        let n = x.len() / d;
        prop_assume!(n > d + 1);
        let x = Matrix::from_row_major(n, d, x).unwrap();
        let targets: Vec<f64> = (0..n).map(|i| ((i as u64 * 7919 + seed) % 13) as f64).collect();
        let problem = Problem::new(ModelKind::Linear, &x, &targets);
        if let Optimum::Found { weights, bias, .. } = exact_optimum(&problem) {
            let mut g = vec![0.0; d];
            let (_, gb) = problem.loss_and_gradient(&weights, bias, &mut g);
            let norm = g.iter().map(|v| v * v).sum::<f64>() + gb * gb;
            prop_assert!(norm.sqrt() < 1e-8, "gradient at optimum {norm}");
        }
    }
}

#[test]
fn gradient_check_reports_both_models_at_1e6() {
    let x = Matrix::from_rows(&[
        vec![1.0, 2.0],
        vec![0.5, -1.0],
        vec![-2.0, 0.3],
        vec![3.0, 1.0],
    ])
    .unwrap();
    let t = [1.0, 0.0, 0.0, 1.0];
    for model in [ModelKind::Linear, ModelKind::Logistic] {
        let checks = gradient_check(&Problem::new(model, &x, &t), &[0.3, -0.2], 0.1, 1e-5);
        assert_eq!(
            checks
                .iter()
                .map(|c| c.parameter.as_str())
                .collect::<Vec<_>>(),
            ["w1", "w2", "b"]
        );
        for c in checks {
            assert!(c.relative_error < 1e-6, "{model} {c:?}");
        }
    }
}

#[test]
fn curvature_is_exact_for_linear_and_a_bound_for_logistic() {
    // X = [[1], [-1]]: A = [[1, 1], [-1, 1]], AᵀA = 2I, so the linear Hessian
    // (2/n)AᵀA = 2I has L = 2; the logistic bound is AᵀA/4n = I/4.
    let x = Matrix::from_rows(&[vec![1.0], vec![-1.0]]).unwrap();
    let t = [0.0, 1.0];
    let lin = Curvature::of(&Problem::new(ModelKind::Linear, &x, &t));
    assert!((lin.lipschitz - 2.0).abs() < 1e-12 && (lin.condition_number - 1.0).abs() < 1e-12);
    let log = Curvature::of(&Problem::new(ModelKind::Logistic, &x, &t));
    assert!((log.lipschitz - 0.25).abs() < 1e-12);
}

#[test]
fn separable_logistic_data_has_no_finite_optimum() {
    let x = Matrix::from_rows(&[vec![1.0], vec![2.0], vec![3.0], vec![4.0]]).unwrap();
    let t = [0.0, 0.0, 1.0, 1.0];
    match exact_optimum(&Problem::new(ModelKind::Logistic, &x, &t)) {
        Optimum::NoFiniteOptimum { reason } => assert!(reason.contains("separable"), "{reason}"),
        found => panic!("expected no optimum, got {found:?}"),
    }
    // With an L2 penalty there is one.
    assert!(
        exact_optimum(&Problem::new(ModelKind::Logistic, &x, &t).with_l2(0.1))
            .found()
            .is_some()
    );
}
