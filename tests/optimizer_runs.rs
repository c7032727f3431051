//! Every optimizer through the real engine (the session, the trainer and
//! the data passes), against tests/data/optimizer_reference.json: the first
//! 50 steps on standardized stackloss (linear) and spector (logistic), from
//! θ = 0, computed in numpy with PyTorch's documented update rules by
//! scripts/reference/optimizers.py (see its header for the sources).

mod common;

use common::*;
use gradstep::optim::{OptimizerConfig, Schedule};
use gradstep::session::RunSettings;
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_slice(&data_file("optimizer_reference.json")).expect("reference parses")
}

#[test]
fn every_optimizer_matches_the_pytorch_reference_to_1e10() {
    let r = reference();
    let runs = r["runs"].as_array().unwrap();
    assert!(runs.len() >= 22);
    for run in runs {
        let dataset = run["dataset"].as_str().unwrap();
        let file = format!("{dataset}.csv");
        let mut s = session(&file, &settings(true));
        let config: OptimizerConfig = serde_json::from_value(run["config"].clone()).unwrap();
        let schedule: Schedule = serde_json::from_value(run["schedule"].clone()).unwrap();
        let lr = run["learning_rate"].as_f64().unwrap();
        s.set_run(
            0,
            &RunSettings {
                optimizer: config,
                learning_rate: Some(lr),
                schedule,
                tolerance: 0.0,
                ..RunSettings::default()
            },
        )
        .unwrap();
        let losses = floats(&run["loss"]);
        let thetas = run["theta"].as_array().unwrap();
        let tag = format!("{dataset} {} α={lr} {:?}", run["optimizer"], schedule);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs().max(1e-12);
        assert!(close(s.runs()[0].trainer.loss(), losses[0]), "{tag} step 0");
        for (k, theta) in thetas.iter().enumerate() {
            s.step(1).unwrap();
            let t = &s.runs()[0].trainer;
            assert!(
                close(t.loss(), losses[k + 1]),
                "{tag} step {}: loss {} vs {}",
                k + 1,
                t.loss(),
                losses[k + 1]
            );
            for (a, b) in t.theta().iter().zip(floats(theta)) {
                assert!(close(*a, b), "{tag} step {}: θ {:?}", k + 1, t.theta());
            }
        }
    }
}

#[test]
fn a_batch_of_n_is_the_full_batch_bit_for_bit() {
    for file in ["stackloss.csv", "spector.csv"] {
        let mut full = session(file, &settings(true));
        let mut batch = session(file, &settings(true));
        let n = batch.loaded().unwrap().dataset().rows();
        for (s, size) in [(&mut full, 0usize), (&mut batch, n)] {
            s.set_run(
                0,
                &RunSettings {
                    optimizer: OptimizerConfig::new(gradstep::optim::OptimizerKind::Adam),
                    learning_rate: Some(0.05),
                    batch_size: size,
                    seed: 9,
                    ..RunSettings::default()
                },
            )
            .unwrap();
            s.step(80).unwrap();
        }
        let (a, b) = (&full.runs()[0].trainer, &batch.runs()[0].trainer);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a.theta()), bits(b.theta()), "{file}");
        assert_eq!(a.loss().to_bits(), b.loss().to_bits(), "{file}");
    }
}

#[test]
fn the_same_seed_gives_the_same_mini_batch_run_and_another_seed_another() {
    let go = |seed: u64| {
        let mut s = session("diabetes.csv", &settings(true));
        s.set_run(
            0,
            &RunSettings {
                batch_size: 16,
                seed,
                ..RunSettings::default()
            },
        )
        .unwrap();
        s.step(200).unwrap();
        s.runs()[0].trainer.theta().to_vec()
    };
    assert_eq!(go(3), go(3));
    assert_ne!(go(3), go(4));
}

#[test]
fn the_recorded_loss_is_the_full_data_loss_with_mini_batches() {
    let mut s = session("diabetes.csv", &settings(true));
    s.set_run(
        0,
        &RunSettings {
            batch_size: 8,
            seed: 1,
            ..RunSettings::default()
        },
    )
    .unwrap();
    s.step(30).unwrap();
    let d = s.loaded().unwrap();
    let t = &d.runs()[0].trainer;
    let direct = d.loss_at(t.theta());
    assert_eq!(t.loss().to_bits(), direct.to_bits());
    let b = t.batch().expect("a mini-batch step records its batch");
    assert_eq!(b.rows, 8);
    assert!(b.angle_degrees.is_some());
    assert!(
        t.epoch() > 0.5,
        "30 batches of 8 over 442 rows is over half an epoch"
    );
}

#[test]
fn hyperparameters_change_on_the_next_step_without_a_reset() {
    let mut s = session("spector.csv", &settings(true));
    let adam = OptimizerConfig::new(gradstep::optim::OptimizerKind::Adam);
    s.set_run(
        0,
        &RunSettings {
            optimizer: adam,
            learning_rate: Some(0.05),
            ..RunSettings::default()
        },
    )
    .unwrap();
    s.step(10).unwrap();
    let before = s.runs()[0].trainer.optimizer().steps();
    let changed = OptimizerConfig { beta1: 0.5, ..adam };
    s.set_run(
        0,
        &RunSettings {
            optimizer: changed,
            learning_rate: Some(0.05),
            ..RunSettings::default()
        },
    )
    .unwrap();
    assert_eq!(s.runs()[0].trainer.step_count(), 10, "no reset");
    assert_eq!(
        s.runs()[0].trainer.optimizer().steps(),
        before,
        "memory kept"
    );
    s.step(1).unwrap();
    assert_eq!(s.runs()[0].trainer.optimizer().config().beta1, 0.5);
}
