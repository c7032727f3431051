//! The "why" features of the engine: curvature bounds, gradient shares and
//! warnings about the problem.

mod common;

use common::*;
use gradstep::diagnostics::{diagnose, DiagnosticKind};
use gradstep::model::{ModelKind, Objective, Problem};
use gradstep::trainer::{Trainer, TrainerConfig};

/// A dense numerical Hessian of the loss by central differences of the
/// analytic gradient.
fn numerical_hessian(problem: &Problem<'_>, theta: &[f64]) -> Vec<Vec<f64>> {
    let d = problem.dim();
    let grad = |th: &[f64]| {
        let mut g = vec![0.0; d];
        let (_, gb) = problem.loss_and_gradient(&th[..d], th[d], &mut g);
        g.push(gb);
        g
    };
    (0..=d)
        .map(|j| {
            let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
            up[j] += 1e-5;
            down[j] -= 1e-5;
            grad(&up)
                .iter()
                .zip(grad(&down))
                .map(|(a, b)| (a - b) / 2e-5)
                .collect()
        })
        .collect()
}

/// Largest eigenvalue of a symmetric positive semi-definite matrix by power
/// iteration.
fn largest_eigenvalue(h: &[Vec<f64>]) -> f64 {
    let mut v = vec![1.0; h.len()];
    let mut lambda = 0.0;
    for _ in 0..2000 {
        let hv: Vec<f64> = h
            .iter()
            .map(|row| row.iter().zip(&v).map(|(a, b)| a * b).sum())
            .collect();
        lambda = hv.iter().map(|x| x * x).sum::<f64>().sqrt();
        v = hv.iter().map(|x| x / lambda).collect();
    }
    lambda
}

#[test]
fn hessian_bound_is_exact_for_linear_and_an_upper_bound_for_logistic() {
    let lin = Trainer::new(
        dataset("stackloss.csv", ModelKind::Linear),
        TrainerConfig {
            standardize: true,
            ..Default::default()
        },
    )
    .unwrap();
    let problem = Problem::new(
        ModelKind::Linear,
        lin.training_features(),
        &lin.dataset().target,
    );
    let exact = largest_eigenvalue(&numerical_hessian(&problem, &[0.1, 0.2, 0.3, 0.4]));
    assert!(
        rel(lin.lipschitz(), exact) < 1e-6,
        "{} vs {exact}",
        lin.lipschitz()
    );

    let log = Trainer::new(
        dataset("spector.csv", ModelKind::Logistic),
        TrainerConfig {
            standardize: true,
            ..Default::default()
        },
    )
    .unwrap();
    let problem = Problem::new(
        ModelKind::Logistic,
        log.training_features(),
        &log.dataset().target,
    );
    for theta in [[0.0; 4], [1.3, 0.4, 1.2, -1.1], [5.0, -3.0, 2.0, 1.0]] {
        let true_l = largest_eigenvalue(&numerical_hessian(&problem, &theta));
        assert!(
            true_l <= log.lipschitz() * (1.0 + 1e-6),
            "{true_l} > bound {}",
            log.lipschitz()
        );
    }
    // At θ = 0 every σ' is exactly 1/4, so the bound is attained.
    let at_zero = largest_eigenvalue(&numerical_hessian(&problem, &[0.0; 4]));
    assert!(rel(at_zero, log.lipschitz()) < 1e-6);
    // Standardizing changes L.
    let raw = Trainer::new(
        dataset("spector.csv", ModelKind::Logistic),
        TrainerConfig::default(),
    )
    .unwrap();
    assert!(raw.lipschitz() > 10.0 * log.lipschitz());
}

#[test]
fn warns_about_ill_conditioning_and_what_standardizing_does() {
    let raw = Trainer::new(
        dataset("breast_cancer_mean10.csv", ModelKind::Logistic),
        TrainerConfig::default(),
    )
    .unwrap();
    let d = diagnose(&raw);
    let ill = d
        .iter()
        .find(|d| d.kind == DiagnosticKind::IllConditioned)
        .expect("ill-conditioned warning");
    assert!(
        ill.message
            .contains("Standardizing the features brings it to"),
        "{}",
        ill.message
    );
    // mean_radius, mean_perimeter and mean_area are almost collinear.
    assert!(d.iter().any(|d| d.kind == DiagnosticKind::Collinear
        && d.message.contains("mean_radius")
        && d.message.contains("mean_perimeter")));
    let good = Trainer::new(
        dataset("stackloss.csv", ModelKind::Linear),
        TrainerConfig {
            standardize: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(diagnose(&good).is_empty(), "{:?}", diagnose(&good));
}

#[test]
fn warns_about_separable_classes() {
    let data = from_text("h,p\n1,0\n2,0\n3,1\n4,1\n", "p", ModelKind::Logistic);
    let t = Trainer::new(data, TrainerConfig::default()).unwrap();
    let d = diagnose(&t);
    assert!(
        d.iter()
            .any(|d| d.kind == DiagnosticKind::NoFiniteOptimum && d.message.contains("L2")),
        "{d:?}"
    );
}

#[test]
fn warns_about_a_categorical_target_fitted_as_linear() {
    let t = Trainer::new(
        dataset("spector.csv", ModelKind::Linear),
        TrainerConfig::default(),
    )
    .unwrap();
    let d = diagnose(&t);
    let w = d
        .iter()
        .find(|d| d.kind == DiagnosticKind::CategoricalTarget)
        .expect("categorical warning");
    assert!(
        w.message.contains("GRADE") && w.message.contains("0, 1") && w.message.contains("Logistic"),
        "{}",
        w.message
    );
}

#[test]
fn gradient_shares_sum_to_one_and_rank_the_pulling_rows() {
    let mut t = Trainer::new(
        dataset("stackloss.csv", ModelKind::Linear),
        TrainerConfig {
            standardize: true,
            ..Default::default()
        },
    )
    .unwrap();
    t.set_learning_rate(0.05).unwrap();
    t.run(5);
    let shares = t.gradient_shares();
    assert_eq!(shares.len(), 21);
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "sum {}",
        shares.iter().sum::<f64>()
    );
    // Moving one row far off makes it the largest contributor.
    let text = data_file("stackloss.csv").replacen("80,27,89,42", "80,27,89,420", 1);
    let mut t = Trainer::new(
        from_text(&text, "STACKLOSS", ModelKind::Linear),
        TrainerConfig {
            standardize: true,
            ..Default::default()
        },
    )
    .unwrap();
    t.set_learning_rate(0.05).unwrap();
    t.run(5);
    let shares = t.gradient_shares();
    let top = (0..shares.len())
        .max_by(|&a, &b| shares[a].abs().total_cmp(&shares[b].abs()))
        .unwrap();
    assert_eq!(top, 0, "{shares:?}");
}

/// The standardized condition number and the correlations come from the raw
/// sums; they must match a standardized copy of the data and a direct
/// correlation computation.
#[test]
fn standardized_geometry_from_raw_sums_matches_direct_computation() {
    for (file, model) in [
        ("diabetes.csv", ModelKind::Linear),
        ("breast_cancer_mean10.csv", ModelKind::Logistic),
    ] {
        let data = dataset(file, model);
        let raw =
            gradstep::optimum::Curvature::of(&Problem::new(model, &data.features, &data.target));
        let scaler = gradstep::data::Scaler::fit(&data.features);
        let z = scaler.transform(&data.features);
        let direct = gradstep::optimum::Curvature::of(&Problem::new(model, &z, &data.target));
        assert!(
            rel(raw.standardized_condition_number, direct.condition_number) < 1e-6,
            "{file}"
        );
        let d = data.features.cols();
        let n = data.features.rows() as f64;
        for a in 0..d {
            for b in 0..d {
                let r: f64 = z.row_iter().map(|row| row[a] * row[b]).sum::<f64>() / n;
                assert!(
                    (raw.correlations[a * d + b] - r).abs() < 1e-9,
                    "{file} corr({a},{b})"
                );
            }
        }
    }
}
