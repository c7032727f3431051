//! The optimizers of `gradstep::optim` against a numpy reference
//! (tests/data/optimizer_reference.json, written by
//! scripts/reference/optimizers.py from PyTorch's documented update rules),
//! plus their bookkeeping (describe, set_config, reset), the learning-rate
//! schedules, the mini-batches and the deterministic math.
//!
//! The losses and gradients are re-implemented here with plain loops over the
//! standardized matrix, independent of the crate's model code.

use gradstep::det::{cos_0_to_pi, pow_u64};
use gradstep::optim::{Batches, Optimizer, OptimizerConfig, OptimizerKind, Schedule};
use gradstep::GradstepError;
use serde::Deserialize;
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};

// ---------------------------------------------------------------- reference

#[derive(Debug, Deserialize)]
struct Reference {
    header: Header,
    datasets: Vec<DatasetRef>,
    runs: Vec<RunRef>,
}

#[derive(Debug, Deserialize)]
struct Header {
    script: String,
    numpy: String,
    source: String,
}

#[derive(Debug, Deserialize)]
struct DatasetRef {
    name: String,
    file: String,
    model: String,
    rows: usize,
    features: usize,
    curvature_l: f64,
    gd_learning_rate: f64,
}

#[derive(Debug, Deserialize)]
struct RunRef {
    dataset: String,
    optimizer: String,
    learning_rate: f64,
    config: OptimizerConfig,
    eps_used: Option<f64>,
    schedule: Schedule,
    steps: usize,
    loss: Vec<f64>,
    theta: Vec<Vec<f64>>,
}

/// The files the tests read, compiled in so that the same tests run under
/// wasm32 (no file system there).
fn read(path: &str) -> &'static str {
    match path {
        "tests/data/optimizer_reference.json" => include_str!("data/optimizer_reference.json"),
        "tests/data/stackloss.csv" => include_str!("data/stackloss.csv"),
        "tests/data/spector.csv" => include_str!("data/spector.csv"),
        other => panic!("no such test file {other}"),
    }
}

fn reference() -> Reference {
    serde_json::from_str(read("tests/data/optimizer_reference.json"))
        .expect("optimizer_reference.json parses")
}

/// |a − b| ≤ 1e-10·max(|b|, 1e-12).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-10 * b.abs().max(1e-12)
}

// ------------------------------------------------------------------ problem

/// A = [Z 1] with Z the population-standardized features, and the target.
struct Problem {
    a: Vec<Vec<f64>>,
    t: Vec<f64>,
    logistic: bool,
}

impl Problem {
    fn load(file: &str, model: &str) -> Problem {
        let text = read(file);
        let rows: Vec<Vec<f64>> = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|c| c.trim().parse().unwrap()).collect())
            .collect();
        let n = rows.len();
        let d = rows[0].len() - 1;
        let mut mean = vec![0.0; d];
        let mut std = vec![0.0; d];
        for j in 0..d {
            mean[j] = rows.iter().map(|r| r[j]).sum::<f64>() / n as f64;
            let var = rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n as f64;
            std[j] = var.sqrt();
        }
        let a = rows
            .iter()
            .map(|r| {
                let mut row: Vec<f64> = (0..d).map(|j| (r[j] - mean[j]) / std[j]).collect();
                row.push(1.0);
                row
            })
            .collect();
        let t = rows.iter().map(|r| r[d]).collect();
        Problem {
            a,
            t,
            logistic: model == "logistic",
        }
    }

    fn dim(&self) -> usize {
        self.a[0].len()
    }

    /// Linear: L = (1/n)Σ(Aθ − t)², ∇L = (2/n)Aᵀr. Logistic: L = mean of
    /// softplus(z) − t·z, ∇L = Aᵀ(σ(z) − t)/n.
    fn loss_grad(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let n = self.t.len() as f64;
        let mut loss = 0.0;
        let mut grad = vec![0.0; self.dim()];
        for (row, &t) in self.a.iter().zip(&self.t) {
            let z: f64 = row.iter().zip(theta).map(|(x, w)| x * w).sum();
            let (l, residual) = if self.logistic {
                let softplus = z.max(0.0) + (-z.abs()).exp().ln_1p();
                (softplus - t * z, 1.0 / (1.0 + (-z).exp()) - t)
            } else {
                ((z - t) * (z - t), 2.0 * (z - t))
            };
            loss += l;
            for (g, x) in grad.iter_mut().zip(row) {
                *g += residual * x;
            }
        }
        for g in &mut grad {
            *g /= n;
        }
        (loss / n, grad)
    }

    /// λmax(AᵀA) by power iteration with a Rayleigh quotient.
    fn top_eigenvalue(&self) -> f64 {
        let d = self.dim();
        let mut ata = vec![vec![0.0; d]; d];
        for row in &self.a {
            for i in 0..d {
                for j in 0..d {
                    ata[i][j] += row[i] * row[j];
                }
            }
        }
        let mut x = vec![1.0; d];
        let mut lambda = 0.0;
        for _ in 0..20_000 {
            let y: Vec<f64> = ata
                .iter()
                .map(|r| r.iter().zip(&x).map(|(a, b)| a * b).sum())
                .collect();
            let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
            lambda = y.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>()
                / x.iter().map(|v| v * v).sum::<f64>();
            x = y.iter().map(|v| v / norm).collect();
        }
        lambda
    }
}

fn problems() -> Vec<(String, Problem)> {
    reference()
        .datasets
        .iter()
        .map(|d| (d.name.clone(), Problem::load(&d.file, &d.model)))
        .collect()
}

/// Runs `opt` for `steps` updates from θ = 0 with `schedule`; returns the
/// losses (steps + 1) and θ after each update.
fn drive(
    problem: &Problem,
    opt: &mut dyn Optimizer,
    base: f64,
    schedule: Schedule,
    steps: usize,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut theta = vec![0.0; problem.dim()];
    let (mut loss, mut grad) = problem.loss_grad(&theta);
    let mut losses = vec![loss];
    let mut thetas = Vec::new();
    for _ in 0..steps {
        let lr = schedule.rate(base, opt.steps());
        opt.update(&mut theta, &grad, lr);
        (loss, grad) = problem.loss_grad(&theta);
        losses.push(loss);
        thetas.push(theta.clone());
    }
    (losses, thetas)
}

// ------------------------------------------------------- against the numpy

#[test]
fn reference_header_names_script_numpy_and_pytorch() {
    let r = reference();
    assert_eq!(r.header.script, "scripts/reference/optimizers.py");
    assert!(!r.header.numpy.is_empty());
    assert!(r.header.source.contains("PyTorch"));
    assert_eq!(r.runs.len(), 22);
}

#[test]
fn reference_learning_rates_and_data_match_this_test() {
    let r = reference();
    for d in &r.datasets {
        let p = Problem::load(&d.file, &d.model);
        assert_eq!((p.t.len(), p.dim() - 1), (d.rows, d.features), "{}", d.name);
        let n = d.rows as f64;
        let l = if d.model == "linear" {
            2.0 * p.top_eigenvalue() / n
        } else {
            p.top_eigenvalue() / (4.0 * n)
        };
        assert!(
            close(l, d.curvature_l),
            "{}: L {l} vs {}",
            d.name,
            d.curvature_l
        );
        assert!(close(1.0 / d.curvature_l, d.gd_learning_rate));
    }
}

#[test]
fn every_optimizer_matches_the_numpy_reference() {
    let r = reference();
    let problems = problems();
    let mut failures = Vec::new();
    let mut checked = 0;
    for run in &r.runs {
        let (_, problem) = problems.iter().find(|(n, _)| *n == run.dataset).unwrap();
        let kind: OptimizerKind = run.optimizer.parse().unwrap();
        assert_eq!(run.config.kind, kind);
        run.config.validate().unwrap();
        if let Some(eps) = run.eps_used {
            assert_eq!(run.config.eps_value(), eps, "{}", run.optimizer);
        }
        match kind.default_learning_rate() {
            Some(lr) if run.learning_rate != 0.1 => assert_eq!(run.learning_rate, lr),
            None => {
                let d = r.datasets.iter().find(|d| d.name == run.dataset).unwrap();
                assert_eq!(run.learning_rate, d.gd_learning_rate);
            }
            _ => {}
        }
        let mut opt = run.config.build(problem.dim());
        let (losses, thetas) = drive(
            problem,
            opt.as_mut(),
            run.learning_rate,
            run.schedule,
            run.steps,
        );
        assert_eq!(losses.len(), run.loss.len());
        assert_eq!(thetas.len(), run.theta.len());
        let label = format!(
            "{} {} lr={} {}",
            run.dataset,
            run.optimizer,
            run.learning_rate,
            run.schedule.formula()
        );
        for (k, (a, b)) in losses.iter().zip(&run.loss).enumerate() {
            checked += 1;
            if !close(*a, *b) {
                failures.push(format!("{label}: loss[{k}] {a} vs {b}"));
            }
        }
        for (k, (ta, tb)) in thetas.iter().zip(&run.theta).enumerate() {
            for (i, (a, b)) in ta.iter().zip(tb).enumerate() {
                checked += 1;
                if !close(*a, *b) {
                    failures.push(format!("{label}: θ[{k}][{i}] {a} vs {b}"));
                }
            }
        }
        assert_eq!(opt.steps(), run.steps as u64);
    }
    assert!(checked > 22 * 250);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------- bookkeeping

fn all_configs() -> Vec<OptimizerConfig> {
    OptimizerKind::ALL
        .into_iter()
        .map(OptimizerConfig::new)
        .collect()
}

/// A learning rate that makes every rule move visibly.
fn lr_for(kind: OptimizerKind) -> f64 {
    match kind.default_learning_rate() {
        Some(_) => 0.05,
        None => 0.1,
    }
}

#[test]
fn describe_next_column_is_update_bit_for_bit() {
    for (name, problem) in problems() {
        for config in all_configs() {
            let kind = config.kind;
            let mut opt = config.build(problem.dim());
            let mut theta = vec![0.0; problem.dim()];
            for step in 0..30 {
                let (_, grad) = problem.loss_grad(&theta);
                let lr = lr_for(kind);
                let before = opt.memory();
                let desc = opt.describe(&theta, &grad, lr);
                assert_eq!(opt.memory(), before, "describe changed the memory");
                assert_eq!(opt.steps(), step);
                assert_eq!(desc.columns.first().unwrap(), "θ");
                assert_eq!(desc.columns.last().unwrap(), "θ next");
                assert!(!desc.equations.is_empty());
                assert_eq!(desc.rows.len(), problem.dim());
                assert!(desc.scalars.iter().any(|(n, v)| n == "α" && *v == lr));
                opt.update(&mut theta, &grad, lr);
                let memory = opt.memory();
                for (i, row) in desc.rows.iter().enumerate() {
                    assert_eq!(row.len(), desc.columns.len());
                    assert_eq!(
                        row.last().unwrap().to_bits(),
                        theta[i].to_bits(),
                        "{name} {kind:?} step {step} θ[{i}]"
                    );
                    assert_eq!(row[1].to_bits(), grad[i].to_bits());
                    // Memory columns hold the values the update stored.
                    for (vname, values) in &memory.vectors {
                        let c = desc.columns.iter().position(|c| c == vname).unwrap();
                        assert_eq!(row[c].to_bits(), values[i].to_bits(), "{kind:?} {vname}");
                    }
                }
            }
        }
    }
}

#[test]
fn adam_columns_are_the_documented_ones() {
    let opt = OptimizerConfig::new(OptimizerKind::Adam).build(2);
    let desc = opt.describe(&[1.0, 2.0], &[0.5, -0.25], 0.1);
    assert_eq!(
        desc.columns,
        ["θ", "g", "m", "v", "m̂", "v̂", "step", "θ next"]
    );
    let row = &desc.rows[0];
    // t = 1: m̂ = g, v̂ = g², so the step is α·g/(|g| + ε).
    assert!((row[4] - 0.5).abs() < 1e-15 && (row[5] - 0.25).abs() < 1e-15);
    assert!((row[6] - 0.1 * 0.5 / (0.5 + 1e-8)).abs() < 1e-15);
    let momentum = OptimizerConfig::new(OptimizerKind::Momentum).build(1);
    let desc = momentum.describe(&[0.0], &[1.0], 0.1);
    assert_eq!(desc.columns, ["θ", "g", "v", "step", "θ next"]);
    assert_eq!(desc.equations[1], "θ ← θ − α·v");
}

#[test]
fn memory_names_follow_the_rules() {
    let names: Vec<Vec<String>> = all_configs()
        .iter()
        .map(|c| {
            c.build(3)
                .memory()
                .vectors
                .into_iter()
                .map(|v| v.0)
                .collect()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            vec![],
            vec!["v".to_string()],
            vec!["v".to_string()],
            vec!["G".to_string()],
            vec!["s".to_string()],
            vec!["m".to_string(), "v".to_string()],
        ]
    );
    let adam = OptimizerConfig::new(OptimizerKind::Adam).build(3);
    let scalars: Vec<String> = adam.memory().scalars.into_iter().map(|s| s.0).collect();
    assert_eq!(scalars, ["t", "β₁ᵗ", "β₂ᵗ", "1 − β₁ᵗ", "1 − β₂ᵗ"]);
}

/// The rules written out once more, densely, for the set_config test: the
/// hyperparameters may change between any two steps, and Adam's βᵗ uses the
/// current β (as PyTorch's `beta ** step` does).
struct DenseRule {
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl DenseRule {
    fn new(dim: usize) -> Self {
        Self {
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            t: 0,
        }
    }

    fn step(&mut self, c: &OptimizerConfig, theta: &mut [f64], g: &[f64], lr: f64) {
        self.t += 1;
        let eps = c.eps_value();
        for i in 0..theta.len() {
            let gi = g[i];
            match c.kind {
                OptimizerKind::Gd => theta[i] -= lr * gi,
                OptimizerKind::Momentum | OptimizerKind::Nesterov => {
                    self.m[i] = if self.t == 1 {
                        gi
                    } else {
                        c.momentum * self.m[i] + gi
                    };
                    let dir = if c.kind == OptimizerKind::Nesterov {
                        gi + c.momentum * self.m[i]
                    } else {
                        self.m[i]
                    };
                    theta[i] -= lr * dir;
                }
                OptimizerKind::Adagrad => {
                    self.m[i] += gi * gi;
                    theta[i] -= lr * gi / (self.m[i].sqrt() + eps);
                }
                OptimizerKind::Rmsprop => {
                    self.m[i] = c.decay * self.m[i] + (1.0 - c.decay) * gi * gi;
                    theta[i] -= lr * gi / (self.m[i].sqrt() + eps);
                }
                OptimizerKind::Adam => {
                    self.m[i] = c.beta1 * self.m[i] + (1.0 - c.beta1) * gi;
                    self.v[i] = c.beta2 * self.v[i] + (1.0 - c.beta2) * gi * gi;
                    let c1 = 1.0 - c.beta1.powi(self.t);
                    let c2 = 1.0 - c.beta2.powi(self.t);
                    let m_hat = self.m[i] / c1;
                    let v_hat = self.v[i] / c2;
                    theta[i] -= lr * m_hat / (v_hat.sqrt() + eps);
                }
            }
        }
    }
}

/// Runs 40 steps on stackloss, switching to `after` at step 10, with the
/// crate and with `DenseRule`; they must agree, and differ from a run that
/// never switched.
fn check_switch(before: OptimizerConfig, after: OptimizerConfig, lr: f64) {
    let reference = reference();
    let d = &reference.datasets[0];
    let problem = Problem::load(&d.file, &d.model);
    let dim = problem.dim();
    let mut opt = before.build(dim);
    let mut unchanged = before.build(dim);
    let mut dense = DenseRule::new(dim);
    let (mut theta, mut theta_u, mut theta_d) = (vec![0.0; dim], vec![0.0; dim], vec![0.0; dim]);
    let mut config = before;
    for k in 0..40 {
        if k == 10 {
            let memory = opt.memory();
            opt.set_config(after).unwrap();
            config = after;
            assert_eq!(opt.config(), after);
            assert_eq!(opt.steps(), 10, "set_config kept the step count");
            let kept = opt.memory();
            assert_eq!(kept.vectors, memory.vectors, "set_config kept the memory");
        }
        let (_, g) = problem.loss_grad(&theta);
        opt.update(&mut theta, &g, lr);
        let (_, g) = problem.loss_grad(&theta_u);
        unchanged.update(&mut theta_u, &g, lr);
        let (_, g) = problem.loss_grad(&theta_d);
        dense.step(&config, &mut theta_d, &g, lr);
        for i in 0..dim {
            assert!(
                close(theta[i], theta_d[i]),
                "{:?} step {k} θ[{i}]: {} vs dense {}",
                before.kind,
                theta[i],
                theta_d[i]
            );
        }
    }
    let moved = theta
        .iter()
        .zip(&theta_u)
        .any(|(a, b)| (a - b).abs() > 1e-6 * b.abs().max(1e-3));
    assert!(moved, "{:?}: the change had no effect", before.kind);
}

#[test]
fn set_config_mid_run_takes_effect_without_reset() {
    let adam = OptimizerConfig::new(OptimizerKind::Adam);
    check_switch(adam, OptimizerConfig { beta1: 0.5, ..adam }, 0.1);
    check_switch(adam, OptimizerConfig { beta2: 0.9, ..adam }, 0.1);
    check_switch(
        adam,
        OptimizerConfig {
            eps: Some(1.0),
            ..adam
        },
        0.1,
    );
    for kind in [OptimizerKind::Momentum, OptimizerKind::Nesterov] {
        let c = OptimizerConfig::new(kind);
        check_switch(c, OptimizerConfig { momentum: 0.3, ..c }, 0.05);
    }
    let rms = OptimizerConfig::new(OptimizerKind::Rmsprop);
    check_switch(rms, OptimizerConfig { decay: 0.5, ..rms }, 0.05);
    let ada = OptimizerConfig::new(OptimizerKind::Adagrad);
    check_switch(
        ada,
        OptimizerConfig {
            eps: Some(10.0),
            ..ada
        },
        0.5,
    );
}

#[test]
fn set_config_refuses_other_kinds_and_bad_values_unchanged() {
    let (_, problem) = problems().remove(0);
    for config in all_configs() {
        let mut opt = config.build(problem.dim());
        let mut theta = vec![0.0; problem.dim()];
        for _ in 0..5 {
            let (_, g) = problem.loss_grad(&theta);
            opt.update(&mut theta, &g, lr_for(config.kind));
        }
        let twin = opt.clone();
        let other = OptimizerKind::ALL
            .into_iter()
            .find(|k| *k != config.kind)
            .unwrap();
        let err = opt
            .set_config(OptimizerConfig {
                kind: other,
                ..config
            })
            .unwrap_err();
        assert!(err.to_string().contains("optimizer"), "{err}");
        let err = opt
            .set_config(OptimizerConfig {
                beta1: 1.0,
                ..config
            })
            .unwrap_err();
        assert!(err.to_string().contains("beta1"), "{err}");
        assert_eq!(opt.config(), config);
        assert_eq!(opt.memory(), twin.memory());
        // And it still steps exactly like its untouched twin.
        let (mut a, mut b) = (theta.clone(), theta.clone());
        let (_, g) = problem.loss_grad(&theta);
        let mut twin = twin;
        opt.update(&mut a, &g, 0.01);
        twin.update(&mut b, &g, 0.01);
        assert_eq!(bits(&a), bits(&b));
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn reset_then_rerun_reproduces_bit_for_bit() {
    for (_, problem) in problems() {
        for config in all_configs() {
            let lr = lr_for(config.kind);
            let schedule = Schedule::Cosine { period: 40 };
            let mut opt = config.build(problem.dim());
            let fresh = opt.clone();
            let (l1, t1) = drive(&problem, opt.as_mut(), lr, schedule, 50);
            assert_eq!(opt.steps(), 50);
            opt.reset();
            assert_eq!(opt.steps(), 0);
            assert_eq!(opt.memory(), fresh.memory());
            let (l2, t2) = drive(&problem, opt.as_mut(), lr, schedule, 50);
            assert_eq!(bits(&l1), bits(&l2), "{:?}", config.kind);
            for (a, b) in t1.iter().zip(&t2) {
                assert_eq!(bits(a), bits(b), "{:?}", config.kind);
            }
            // A clone taken before the run replays it too.
            let mut copy = fresh.clone();
            let (l3, _) = drive(&problem, copy.as_mut(), lr, schedule, 50);
            assert_eq!(bits(&l1), bits(&l3));
        }
    }
}

// ------------------------------------------------------- kinds and configs

#[test]
fn kinds_parse_print_and_default() {
    let names: Vec<&str> = OptimizerKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        names,
        ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    );
    let labels: Vec<&str> = OptimizerKind::ALL.iter().map(|k| k.label()).collect();
    assert_eq!(
        labels,
        [
            "Gradient descent",
            "Momentum",
            "Nesterov momentum",
            "AdaGrad",
            "RMSProp",
            "Adam"
        ]
    );
    for kind in OptimizerKind::ALL {
        assert_eq!(kind.name().parse::<OptimizerKind>().unwrap(), kind);
        assert_eq!(
            kind.name().to_uppercase().parse::<OptimizerKind>().unwrap(),
            kind
        );
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.name()));
    }
    let err = "sgd".parse::<OptimizerKind>().unwrap_err();
    assert!(matches!(err, GradstepError::InvalidSetting { .. }));
    assert!(err.to_string().contains("sgd") && err.to_string().contains("adam"));
    let lrs: Vec<Option<f64>> = OptimizerKind::ALL
        .iter()
        .map(|k| k.default_learning_rate())
        .collect();
    assert_eq!(lrs, [None, None, None, Some(0.01), Some(0.01), Some(0.001)]);
}

#[test]
fn config_defaults_eps_and_serde() {
    let c = OptimizerConfig::default();
    assert_eq!(c.kind, OptimizerKind::Gd);
    assert_eq!(
        (c.momentum, c.beta1, c.beta2, c.eps, c.decay),
        (0.9, 0.9, 0.999, None, 0.99)
    );
    let eps = |kind| OptimizerConfig::new(kind).eps_value();
    assert_eq!(eps(OptimizerKind::Adagrad), 1e-10);
    assert_eq!(eps(OptimizerKind::Rmsprop), 1e-8);
    assert_eq!(eps(OptimizerKind::Adam), 1e-8);
    let custom = OptimizerConfig {
        eps: Some(1e-6),
        ..OptimizerConfig::new(OptimizerKind::Adagrad)
    };
    assert_eq!(custom.eps_value(), 1e-6);
    let parsed: OptimizerConfig = serde_json::from_str(r#"{"kind":"adam","beta1":0.8}"#).unwrap();
    assert_eq!(
        parsed,
        OptimizerConfig {
            kind: OptimizerKind::Adam,
            beta1: 0.8,
            ..OptimizerConfig::default()
        }
    );
    let round: OptimizerConfig =
        serde_json::from_str(&serde_json::to_string(&custom).unwrap()).unwrap();
    assert_eq!(round, custom);
}

#[test]
fn config_validation_names_setting_value_and_range() {
    let base = OptimizerConfig::new(OptimizerKind::Adam);
    base.validate().unwrap();
    let cases = [
        (
            OptimizerConfig {
                momentum: 1.0,
                ..base
            },
            "momentum",
            "1",
        ),
        (
            OptimizerConfig {
                momentum: -0.1,
                ..base
            },
            "momentum",
            "-0.1",
        ),
        (OptimizerConfig { beta1: 1.0, ..base }, "beta1", "1"),
        (
            OptimizerConfig {
                beta2: f64::NAN,
                ..base
            },
            "beta2",
            "a value that is not a number",
        ),
        (OptimizerConfig { decay: 1.5, ..base }, "decay", "1.5"),
        (
            OptimizerConfig {
                eps: Some(0.0),
                ..base
            },
            "eps",
            "0",
        ),
        (
            OptimizerConfig {
                eps: Some(f64::INFINITY),
                ..base
            },
            "eps",
            "a positive infinite value",
        ),
        (
            OptimizerConfig {
                eps: Some(-1e-8),
                ..base
            },
            "eps",
            "-1e-8",
        ),
    ];
    for (config, name, value) in cases {
        match config.validate().unwrap_err() {
            GradstepError::InvalidSetting {
                name: n,
                value: v,
                reason,
            } => {
                assert!(n.contains(name), "{n}");
                assert_eq!(v, value);
                assert!(reason.contains('[') || reason.contains('>'), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    // The edges of the ranges are allowed.
    OptimizerConfig {
        momentum: 0.0,
        beta1: 0.0,
        beta2: 0.0,
        decay: 0.0,
        eps: Some(1e-300),
        ..base
    }
    .validate()
    .unwrap();
}

// --------------------------------------------------------------- schedules

#[test]
fn schedule_values_at_the_boundaries() {
    let a = 0.3;
    let step = Schedule::Step {
        every: 10,
        factor: 0.5,
    };
    for (k, want) in [
        (0, a),
        (1, a),
        (9, a),
        (10, a * 0.5),
        (11, a * 0.5),
        (19, a * 0.5),
        (20, a * 0.25),
        (35, a * 0.125),
    ] {
        assert_eq!(step.rate(a, k), want, "step k={k}");
    }
    let exp = Schedule::Exp { gamma: 0.95 };
    assert_eq!(exp.rate(a, 0), a);
    assert_eq!(exp.rate(a, 1), a * 0.95);
    assert_eq!(exp.rate(a, 2), a * (0.95 * 0.95));
    for k in [3u64, 10, 49, 500] {
        let want = a * 0.95f64.powi(k as i32);
        assert!((exp.rate(a, k) - want).abs() <= 4.0 * f64::EPSILON * want);
    }
    let inv = Schedule::Inverse { decay: 0.1 };
    assert_eq!(inv.rate(a, 0), a);
    assert_eq!(inv.rate(a, 1), a / (1.0 + 0.1));
    assert_eq!(inv.rate(a, 10), a / 2.0);
    assert_eq!(inv.rate(a, 1000), a / 101.0);
    assert_eq!(Schedule::Inverse { decay: 0.0 }.rate(a, 99), a);
    let cos = Schedule::Cosine { period: 30 };
    assert_eq!(cos.rate(a, 0), a);
    assert!((cos.rate(a, 15) - a / 2.0).abs() < 1e-16);
    for k in 0..30 {
        let want = a * (1.0 + (PI * k as f64 / 30.0).cos()) / 2.0;
        assert!((cos.rate(a, k) - want).abs() <= 1e-15 * a, "cosine k={k}");
        assert!(cos.rate(a, k + 1) < cos.rate(a, k), "cosine decreases");
    }
    for k in [30, 31, 100, 1_000_000, u64::MAX] {
        assert_eq!(cos.rate(a, k), 0.0, "cosine k={k}");
    }
    assert_eq!(Schedule::Cosine { period: 1 }.rate(a, 1), 0.0);
    for k in [0, 1, 7, u64::MAX] {
        assert_eq!(Schedule::Constant.rate(a, k), a);
    }
    assert_eq!(Schedule::default(), Schedule::Constant);
}

#[test]
fn schedule_parse_accepts_each_form() {
    let cases = [
        ("constant", Schedule::Constant),
        (
            "step:10:0.5",
            Schedule::Step {
                every: 10,
                factor: 0.5,
            },
        ),
        (
            " STEP:100:1 ",
            Schedule::Step {
                every: 100,
                factor: 1.0,
            },
        ),
        ("exp:0.95", Schedule::Exp { gamma: 0.95 }),
        ("Exp:1", Schedule::Exp { gamma: 1.0 }),
        ("inverse:0.1", Schedule::Inverse { decay: 0.1 }),
        ("inverse:0", Schedule::Inverse { decay: 0.0 }),
        ("cosine:30", Schedule::Cosine { period: 30 }),
        ("cosine:1", Schedule::Cosine { period: 1 }),
    ];
    for (text, want) in cases {
        assert_eq!(Schedule::parse(text).unwrap(), want, "{text}");
    }
}

#[test]
fn schedule_parse_refuses_with_a_one_line_message() {
    let bad = [
        "",
        "bogus",
        "constant:1",
        "step",
        "step:10",
        "step:10:0.5:1",
        "step:0:0.5",
        "step:x:0.5",
        "step:10:0",
        "step:10:1.5",
        "step:10:nan",
        "exp",
        "exp:0",
        "exp:-0.5",
        "exp:1.01",
        "exp:inf",
        "inverse:-1",
        "inverse:inf",
        "inverse:abc",
        "cosine:0",
        "cosine:-3",
        "cosine:2.5",
    ];
    for text in bad {
        let err = Schedule::parse(text).unwrap_err();
        assert!(
            matches!(err, GradstepError::InvalidSetting { .. }),
            "{text}: {err:?}"
        );
        let message = err.to_string();
        assert!(!message.contains('\n'), "{text}: {message}");
        assert!(message.len() < 200, "{text}: {message}");
    }
    let message = Schedule::parse("warmup:5").unwrap_err().to_string();
    assert!(
        message.contains("warmup:5") && message.contains("cosine:T"),
        "{message}"
    );
    let message = Schedule::parse("step:10:1.5").unwrap_err().to_string();
    assert!(
        message.contains("1.5") && message.contains("(0, 1]"),
        "{message}"
    );
}

#[test]
fn schedule_validate_formula_curve_and_serde() {
    assert!(Schedule::Step {
        every: 0,
        factor: 0.5
    }
    .validate()
    .is_err());
    assert!(Schedule::Step {
        every: 1,
        factor: f64::NAN
    }
    .validate()
    .is_err());
    assert!(Schedule::Exp { gamma: 0.0 }.validate().is_err());
    assert!(Schedule::Inverse { decay: f64::NAN }.validate().is_err());
    assert!(Schedule::Cosine { period: 0 }.validate().is_err());
    assert_eq!(Schedule::Cosine { period: 0 }.rate(1.0, 5), 0.0);
    assert_eq!(
        Schedule::Step {
            every: 0,
            factor: 0.5
        }
        .rate(1.0, 5),
        1.0
    );

    let forms = [
        (Schedule::Constant, "α"),
        (Schedule::parse("step:100:0.5").unwrap(), "α·0.5^⌊k/100⌋"),
        (Schedule::parse("exp:0.95").unwrap(), "α·0.95ᵏ"),
        (Schedule::parse("inverse:0.1").unwrap(), "α/(1 + 0.1·k)"),
        (
            Schedule::parse("cosine:30").unwrap(),
            "α·(1 + cos(π·min(k, 30)/30))/2",
        ),
    ];
    for (s, f) in forms {
        assert_eq!(s.formula(), f);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);
    }
    assert_eq!(
        serde_json::to_string(&Schedule::Step {
            every: 10,
            factor: 0.5
        })
        .unwrap(),
        r#"{"kind":"step","every":10,"factor":0.5}"#
    );

    let s = Schedule::Cosine { period: 300 };
    for (k_max, points) in [(0u64, 5usize), (3, 10), (1000, 2), (1000, 64), (7, 8)] {
        let curve = s.curve(0.1, k_max, points);
        assert!(curve.len() <= points);
        assert_eq!(curve.len() as u64, (k_max + 1).min(points as u64));
        assert_eq!(curve[0].0, 0);
        assert_eq!(curve.last().unwrap().0, k_max);
        assert!(curve.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(curve.iter().all(|&(k, r)| r == s.rate(0.1, k)));
    }
    assert_eq!(s.curve(0.1, 1000, 1), vec![(0, 0.1)]);
    assert!(s.curve(0.1, 1000, 0).is_empty());
}

// ------------------------------------------------------------- mini-batches

/// Every update of `epochs` epochs, as owned lists.
fn batches_of(b: &mut Batches, epochs: u64) -> Vec<Vec<u32>> {
    (0..epochs * b.per_epoch())
        .map(|k| b.rows_for_step(k).unwrap().to_vec())
        .collect()
}

#[test]
fn full_batch_when_the_batch_covers_the_data() {
    for (rows, batch) in [(21, 21), (21, 100), (1, 1), (0, 1)] {
        let mut b = Batches::new(rows, batch, 7).unwrap();
        assert!(b.is_full());
        assert_eq!(b.per_epoch(), 1);
        assert!(b.rows_for_step(0).is_none());
        assert!(b.rows_for_step(12345).is_none());
        assert_eq!(b.epoch_of(12), 12.0);
    }
    let err = Batches::new(10, 0, 1).unwrap_err();
    assert!(matches!(err, GradstepError::InvalidSetting { .. }));
    assert!(err.to_string().contains("batch size"));
}

#[test]
fn each_epoch_visits_every_row_once_and_the_last_batch_is_shorter() {
    for (rows, batch) in [(21, 5), (32, 8), (10, 3), (7, 1), (100, 99), (2, 1)] {
        let mut b = Batches::new(rows, batch, 42).unwrap();
        assert!(!b.is_full());
        let per_epoch = rows.div_ceil(batch) as u64;
        assert_eq!(b.per_epoch(), per_epoch);
        let all = batches_of(&mut b, 4);
        for epoch in all.chunks(per_epoch as usize) {
            let mut seen: Vec<u32> = epoch.concat();
            seen.sort_unstable();
            assert_eq!(seen, (0..rows as u32).collect::<Vec<_>>(), "{rows}/{batch}");
            for (j, slice) in epoch.iter().enumerate() {
                let want = if j + 1 < epoch.len() {
                    batch
                } else {
                    rows - (per_epoch as usize - 1) * batch
                };
                assert_eq!(slice.len(), want);
            }
            if rows % batch != 0 {
                assert!(epoch.last().unwrap().len() < batch);
            }
        }
        assert_eq!(b.epoch_of(per_epoch * 3), 3.0);
        assert_eq!(
            b.epoch_of(per_epoch + per_epoch / 2),
            1.0 + (per_epoch / 2) as f64 / per_epoch as f64
        );
    }
}

#[test]
fn seeds_and_epochs_decide_the_order() {
    let mut a = Batches::new(50, 7, 1).unwrap();
    let mut b = Batches::new(50, 7, 1).unwrap();
    let mut c = Batches::new(50, 7, 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let (ra, rb, rc) = (
        batches_of(&mut a, 5),
        batches_of(&mut b, 5),
        batches_of(&mut c, 5),
    );
    assert_eq!(ra, rb, "same seed, same batches");
    assert_ne!(ra, rc, "different seeds differ");
    let per = a.per_epoch() as usize;
    for e in 1..5 {
        assert_ne!(
            ra[..per],
            ra[e * per..(e + 1) * per],
            "epoch {e} reshuffles"
        );
        assert_ne!(ra[e * per..(e + 1) * per], rc[e * per..(e + 1) * per]);
    }
    // Not the identity either.
    assert_ne!(ra[..per].concat(), (0..50).collect::<Vec<u32>>());
    // Equality ignores the cache.
    assert_eq!(a, Batches::new(50, 7, 1).unwrap());
}

#[test]
fn rows_for_step_is_the_same_in_any_order_of_k() {
    let mut sequential = Batches::new(23, 4, 99).unwrap();
    let reference = batches_of(&mut sequential, 6);
    let mut random = Batches::new(23, 4, 99).unwrap();
    let total = reference.len() as u64;
    let mut order: Vec<u64> = (0..total).collect();
    // A fixed scramble, with repeats and jumps back to earlier epochs.
    order.reverse();
    order.extend([0, 35, 1, 35, 7, 6, 30, 2, 2, 29]);
    for k in order {
        assert_eq!(
            random.rows_for_step(k).unwrap(),
            &reference[k as usize][..],
            "k={k}"
        );
    }
    // Far epochs work too, and agree between instances.
    let far = 1_000_000_007u64;
    let x = random.rows_for_step(far).unwrap().to_vec();
    assert_eq!(sequential.rows_for_step(far).unwrap(), &x[..]);
}

// --------------------------------------------------------- det.rs

/// Distance in units in the last place, through the ordered integer line.
fn ulps(a: f64, b: f64) -> u64 {
    fn ordered(x: f64) -> i128 {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            -((bits & i64::MAX) as i128)
        } else {
            bits as i128
        }
    }
    (ordered(a) - ordered(b)).unsigned_abs() as u64
}

#[test]
fn pow_u64_within_64_ulps_of_powf_up_to_a_billion() {
    let xs = [
        0.5,
        0.9,
        0.95,
        0.99,
        0.999,
        0.9999,
        1.0 - 1e-6,
        1.0 - 1e-7,
        1.0 - 1e-8,
        1.0 - 2f64.powi(-40),
        1.0,
        1.0 + 1e-9,
        1.000_000_1,
        1.5,
        2.0,
        3.7,
        -0.9,
        -(1.0 - 1e-8),
        0.123_456_789,
        1e-3,
    ];
    let ks = [
        0u64,
        1,
        2,
        3,
        7,
        10,
        31,
        50,
        100,
        255,
        1000,
        12_345,
        100_000,
        999_999,
        1_000_000,
        10_000_000,
        123_456_789,
        999_999_999,
        1_000_000_000,
    ];
    let mut worst = 0;
    for &x in &xs {
        for &k in &ks {
            let got = pow_u64(x, k);
            let want = x.powf(k as f64);
            if want == 0.0 || want.is_infinite() || want.abs() < f64::MIN_POSITIVE {
                // Out of the normal range: both must agree on 0/∞ (sign
                // included), or both be tiny.
                assert!(
                    got == want || (got.abs() < 1e-300 && want.abs() < 1e-300),
                    "{x}^{k}: {got} vs {want}"
                );
                continue;
            }
            let d = ulps(got, want);
            worst = worst.max(d);
            assert!(d <= 64, "{x}^{k}: {got} vs powf {want} ({d} ulps)");
        }
    }
    // The double-double powering is in fact within an ulp.
    assert!(worst <= 1, "worst {worst} ulps");
}

#[test]
fn cos_0_to_pi_within_2_ulps_of_std_cos() {
    let mut worst = 0;
    let mut check = |x: f64| {
        let d = ulps(cos_0_to_pi(x), x.cos());
        assert!(
            d <= 2,
            "cos({x:e}) = {} vs std {} ({d} ulps)",
            cos_0_to_pi(x),
            x.cos()
        );
        worst = worst.max(d);
    };
    let n = 2_000_000;
    for i in 0..=n {
        check(PI * (i as f64 / n as f64));
    }
    // Around the quadrant boundaries and the zero at π/2, ulp by ulp.
    for centre in [0.0, FRAC_PI_4, FRAC_PI_2, 3.0 * FRAC_PI_4, PI] {
        let mut up = centre;
        let mut down = centre;
        for _ in 0..2000 {
            up = f64::from_bits(up.to_bits() + 1);
            if up <= PI {
                check(up);
            }
            if down > 0.0 {
                down = f64::from_bits(down.to_bits() - 1);
                check(down);
            }
        }
    }
    // Small arguments and a pseudo-random sample.
    for e in -60..0 {
        check(2f64.powi(e));
    }
    let mut state = 0x1234_5678_9abc_def0u64;
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        check(PI * ((state >> 11) as f64 / (1u64 << 53) as f64));
    }
    assert_eq!(cos_0_to_pi(0.0), 1.0);
    assert_eq!(cos_0_to_pi(PI), -1.0);
    assert!(worst <= 1, "worst {worst} ulps");
}

// ------------------------------------------ the same bits on every platform
//
// These run natively and, with `cargo test --target wasm32-unknown-unknown
// --test optimizers`, under node: both must reproduce the digests recorded
// here from an x86_64 run. Only the linear problem is used, because its
// gradient needs nothing but + − × ÷ (the logistic one calls exp).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

/// FNV-1a over the bits of `values`.
fn digest(values: impl IntoIterator<Item = f64>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for v in values {
        for byte in v.to_bits().to_le_bytes() {
            h = (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// pow_u64, cos_0_to_pi and every schedule over a grid.
fn det_values() -> Vec<f64> {
    let mut out = Vec::new();
    for x in [0.5, 0.9, 0.95, 0.999, 1.0 - 1e-7, 1.000_000_1, -0.9, 3.7] {
        for k in [
            0u64,
            1,
            2,
            3,
            10,
            100,
            1000,
            123_457,
            10_000_000,
            1_000_000_000,
        ] {
            out.push(pow_u64(x, k));
        }
    }
    let n = 10_000;
    out.extend((0..=n).map(|i| cos_0_to_pi(PI * (i as f64 / n as f64))));
    for s in [
        Schedule::Constant,
        Schedule::Step {
            every: 7,
            factor: 0.7,
        },
        Schedule::Exp { gamma: 0.97 },
        Schedule::Inverse { decay: 0.03 },
        Schedule::Cosine { period: 150 },
    ] {
        out.extend((0..200).map(|k| s.rate(0.123, k)));
    }
    out
}

/// Every optimizer on stackloss: full batch with two schedules, then
/// mini-batches of 4 rows; θ, losses and the described next update.
fn optimizer_values() -> Vec<f64> {
    let r = reference();
    let d = &r.datasets[0];
    assert_eq!(d.model, "linear");
    let problem = Problem::load(&d.file, &d.model);
    let mut out = Vec::new();
    for config in all_configs() {
        let lr = config
            .kind
            .default_learning_rate()
            .unwrap_or(d.gd_learning_rate)
            * 1.5;
        for schedule in [Schedule::Constant, Schedule::Cosine { period: 40 }] {
            let mut opt = config.build(problem.dim());
            let (losses, thetas) = drive(&problem, opt.as_mut(), lr, schedule, 50);
            out.extend(losses);
            out.extend(thetas.concat());
            let theta = thetas.last().unwrap();
            let (_, g) = problem.loss_grad(theta);
            let desc = opt.describe(theta, &g, lr);
            out.extend(desc.rows.concat());
            out.extend(desc.scalars.iter().map(|s| s.1));
        }
        let mut batches = Batches::new(problem.t.len(), 4, 2024).unwrap();
        let mut opt = config.build(problem.dim());
        let mut theta = vec![0.0; problem.dim()];
        for k in 0..60 {
            let rows = batches.rows_for_step(k).unwrap().to_vec();
            let sub = Problem {
                a: rows
                    .iter()
                    .map(|&i| problem.a[i as usize].clone())
                    .collect(),
                t: rows.iter().map(|&i| problem.t[i as usize]).collect(),
                logistic: false,
            };
            let (_, g) = sub.loss_grad(&theta);
            opt.update(&mut theta, &g, lr * 0.5);
            out.extend(rows.iter().map(|&i| f64::from(i)));
            out.extend(theta.iter().copied());
        }
    }
    out
}

/// The digests of an x86_64 run.
const DET_DIGEST: u64 = 0x8aff_d409_517a_5497;
const OPTIMIZER_DIGEST: u64 = 0x4954_7e3d_0447_dd94;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn det_bits_are_the_same_on_every_platform() {
    assert_eq!(
        digest(det_values()),
        DET_DIGEST,
        "{:#x}",
        digest(det_values())
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn optimizer_bits_are_the_same_on_every_platform() {
    let values = optimizer_values();
    assert!(values.iter().all(|v| v.is_finite()));
    assert_eq!(
        digest(values.iter().copied()),
        OPTIMIZER_DIGEST,
        "{:#x}",
        digest(values)
    );
}
