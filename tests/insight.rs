//! The curvature that explains a run, races, forks, the gradient check, and
//! a session that keeps its last good state.

mod common;

use common::*;
use gradstep::model::{Objective, Problem, RowSet};
use gradstep::optim::{OptimizerConfig, OptimizerKind};
use gradstep::session::readout::ViewRequest;
use gradstep::session::{DataSettings, RunSettings};
use gradstep::train::Status;

fn house() -> Vec<u8> {
    std::fs::read(format!(
        "{}/www/examples/house-prices.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_predicted_rate_matches_the_measured_slope_of_the_gap() {
    let mut s = session("diabetes.csv", &settings(true));
    s.set_run(0, &run_with_tolerance(0.0)).unwrap();
    s.solve_optimum().unwrap();
    let l_star = s.optimum().unwrap().found().unwrap().1;
    let frame = s.frame(&ViewRequest::default()).unwrap();
    let rate = frame.runs[0]
        .predicted_rate
        .expect("gradient descent has a rate");
    assert!(rate > 0.0 && rate < 1.0);
    s.step(400).unwrap();
    let g1 = s.runs()[0].trainer.loss() - l_star;
    s.step(400).unwrap();
    let g2 = s.runs()[0].trainer.loss() - l_star;
    let measured = (g2 / g1).ln() / 400.0;
    let predicted = rate.ln();
    assert!(
        ((measured - predicted) / predicted).abs() < 0.05,
        "measured slope {measured} vs predicted {predicted}"
    );
}

#[test]
fn momentum_needs_fewer_steps_than_gradient_descent_on_a_narrow_valley() {
    // Standardized diabetes still has a condition number of about 400.
    let mut s = session("diabetes.csv", &settings(true));
    s.set_run(0, &run_with_tolerance(0.0)).unwrap();
    s.add_run(&RunSettings {
        optimizer: OptimizerConfig::new(OptimizerKind::Momentum),
        tolerance: 0.0,
        ..RunSettings::default()
    })
    .unwrap();
    s.solve_optimum().unwrap();
    s.step(3000).unwrap();
    let r = s
        .readout(&ViewRequest {
            race_gap: 1e-6,
            ..ViewRequest::default()
        })
        .unwrap();
    let gd = r.runs[0].reached_at;
    let mom = r.runs[1]
        .reached_at
        .expect("momentum closes the gap in 3000 steps");
    assert!(
        gd.is_none_or(|g| 2 * mom < g),
        "momentum {mom} vs gd {gd:?}"
    );
}

#[test]
fn the_race_table_states_the_steps_the_eigenvalues_predict() {
    // GD at a constant α on a quadratic: the start's error along each
    // eigendirection shrinks by exactly |1 − αλᵢ| per step, so the
    // prediction is the measured count (up to round-off at the boundary).
    let mut s = session("diabetes.csv", &settings(true));
    let gd = RunSettings {
        learning_rate: Some(0.1),
        ..run_with_tolerance(0.0)
    };
    s.set_run(0, &gd).unwrap();
    s.add_run(&RunSettings {
        optimizer: OptimizerConfig::new(OptimizerKind::Adam),
        ..gd
    })
    .unwrap();
    s.solve_optimum().unwrap();
    s.step(6000).unwrap();
    let r = s
        .readout(&ViewRequest {
            race_gap: 1e-6,
            ..ViewRequest::default()
        })
        .unwrap();
    let measured = r.runs[0]
        .reached_at
        .expect("GD closes the gap in 6000 steps");
    let predicted = r.runs[0].predicted_reach.expect("GD has a linear rate");
    assert!(
        measured.abs_diff(predicted) <= 1,
        "measured {measured} vs predicted {predicted}"
    );
    assert_eq!(r.runs[1].predicted_reach, None, "Adam has no linear rate");
    // A fork starts mid-way, so it has no prediction from the start.
    s.fork_run(0).unwrap();
    let r = s.readout(&ViewRequest::default()).unwrap();
    assert_eq!(r.runs[2].predicted_reach, None);
}

#[test]
fn a_fork_continues_from_the_same_point_and_a_pin_stops() {
    let mut s = session("stackloss.csv", &settings(true));
    s.step(20).unwrap();
    let k = s.fork_run(0).unwrap();
    assert_eq!(s.runs()[k].trainer.theta(), s.runs()[0].trainer.theta());
    assert_eq!(s.runs()[k].trainer.step_count(), 20);
    s.set_run(
        k,
        &RunSettings {
            optimizer: OptimizerConfig::new(OptimizerKind::Adam),
            learning_rate: Some(0.1),
            ..RunSettings::default()
        },
    )
    .unwrap();
    s.pin_run(0, true).unwrap();
    s.step(5).unwrap();
    assert_eq!(s.runs()[0].trainer.step_count(), 20, "pinned");
    assert_eq!(s.runs()[k].trainer.step_count(), 25);
    let r = s.readout(&ViewRequest::default()).unwrap();
    assert!(
        r.runs[k].origin.contains("forked from run 1 at step 20"),
        "{}",
        r.runs[k].origin
    );
    for _ in 0..5 {
        let _ = s.add_run(&RunSettings::default());
    }
    assert_eq!(s.runs().len(), 6, "at most six runs");
    assert!(s.add_run(&RunSettings::default()).is_err());

    // Reset and a new start leave the pinned run as it was.
    let pinned = s.runs()[0].trainer.theta().to_vec();
    s.reset().unwrap();
    assert_eq!(s.runs()[0].trainer.step_count(), 20);
    assert_eq!(s.runs()[k].trainer.step_count(), 0);
    let p = pinned.len();
    s.set_start(&vec![0.5; p]).unwrap();
    assert_eq!(s.runs()[0].trainer.theta(), pinned.as_slice());
    assert_eq!(s.runs()[k].trainer.start(), vec![0.5; p].as_slice());
}

#[test]
fn a_run_records_its_settings_over_time_and_new_runs_take_the_start() {
    let mut s = session("stackloss.csv", &settings(true));
    let p = s.runs()[0].trainer.theta().len();
    s.set_start(&vec![0.25; p]).unwrap();
    s.step(10).unwrap();
    let slower = RunSettings {
        learning_rate: Some(0.01),
        ..RunSettings::default()
    };
    s.set_run(0, &slower).unwrap();
    // Two changes at one step are one entry.
    s.set_run(0, &slower).unwrap();
    s.step(5).unwrap();
    let record = s.race_record().unwrap();
    let t = &record.runs[0].timeline;
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!((t[0].step, t[0].settings.learning_rate), (0, None));
    assert_eq!((t[1].step, t[1].settings.learning_rate), (10, Some(0.01)));
    assert_eq!(record.runs[0].start, vec![0.25; p]);
    assert!(record.runs[0].exact);

    // Replaying the record gives the same run, bit for bit.
    let mut replay = session("stackloss.csv", &settings(true));
    replay.set_start(&record.runs[0].start).unwrap();
    replay.step(10).unwrap();
    replay.set_run(0, &t[1].settings).unwrap();
    replay.step(5).unwrap();
    assert_eq!(
        replay.runs()[0].trainer.theta(),
        s.runs()[0].trainer.theta()
    );

    // A run added now starts at the session's start; Reset clears the
    // timeline to the current settings.
    let k = s.add_run(&RunSettings::default()).unwrap();
    assert_eq!(s.runs()[k].trainer.start(), vec![0.25; p].as_slice());
    s.reset().unwrap();
    let record = s.race_record().unwrap();
    assert_eq!(record.runs[0].timeline.len(), 1);
    assert_eq!(record.runs[0].timeline[0].settings, slower);
    // Back to the default start: the record says so with an empty start.
    s.set_start(&[]).unwrap();
    assert!(s.race_record().unwrap().runs[0].start.is_empty());
}

#[test]
fn one_newton_step_lands_on_the_least_squares_optimum() {
    let mut s = session("stackloss.csv", &settings(false));
    s.solve_optimum().unwrap();
    let star = s.optimum().unwrap().found().unwrap().0.to_vec();
    let frame = s
        .frame(&ViewRequest {
            newton: true,
            ..ViewRequest::default()
        })
        .unwrap();
    let newton = frame.newton.expect("a Newton point");
    for (a, b) in newton.iter().zip(&star) {
        assert!(rel(*a, *b) < 1e-6, "{newton:?} vs {star:?}");
    }
}

#[test]
fn the_errors_along_eigendirections_shrink_by_one_minus_alpha_lambda() {
    let mut s = session("stackloss.csv", &settings(true));
    s.solve_optimum().unwrap();
    s.step(30).unwrap();
    let frame = s
        .frame(&ViewRequest {
            eigen: true,
            ..ViewRequest::default()
        })
        .unwrap();
    let e = frame.eigen.expect("eigen errors");
    let p = e.eigenvalues.len();
    let alpha = s.runs()[0].trainer.config().learning_rate;
    // Between steps 10 and 11 each direction's error shrinks by |1 − αλ|.
    let at = |k: usize, i: usize| e.errors[k * p + i];
    for i in 0..p {
        let want = (1.0 - alpha * e.eigenvalues[i]).abs();
        let got = at(11, i) / at(10, i);
        if at(10, i) > 1e-9 {
            assert!((got - want).abs() < 1e-6, "direction {i}: {got} vs {want}");
        }
    }
}

#[test]
fn the_gradient_check_agrees_on_raw_house_prices_and_catches_a_planted_error() {
    let mut s = gradstep::session::Session::new(gradstep::session::RateRule::Visible);
    s.load_bytes("house.csv", &house(), &settings(false))
        .unwrap();
    let c = s.gradient_check().unwrap();
    assert!(c.all_agree, "step 0: {:?}", c.rows);
    // After convergence (the gradient is about zero, the loss about 1e9).
    let mut s2 = gradstep::session::Session::new(gradstep::session::RateRule::OneOverL);
    s2.load_bytes("house.csv", &house(), &settings(true))
        .unwrap();
    s2.step(2000).unwrap();
    let c = s2.gradient_check().unwrap();
    assert!(c.all_agree, "converged: {:?}", c.rows);

    // A gradient off by 0.1% is caught.
    struct Off<'a>(&'a Problem);
    impl Objective for Off<'_> {
        fn layout(&self) -> gradstep::model::Layout {
            self.0.layout()
        }
        fn rows(&self) -> usize {
            self.0.rows()
        }
        fn evaluate(
            &self,
            t: &[f64],
            r: RowSet<'_>,
            g: Option<&mut [f64]>,
        ) -> gradstep::model::Evaluation {
            let mut g = g;
            let e = self.0.evaluate(t, r, g.as_deref_mut());
            if let Some(g) = g {
                g[0] *= 1.001;
            }
            e
        }
    }
    let d = s.loaded().unwrap();
    let theta = d.runs()[0].trainer.theta().to_vec();
    let planted = gradstep::model::gradient_check(&Off(d.problem()), &theta, &[1.0, 1.0]);
    assert!(!planted.rows[0].agrees, "{:?}", planted.rows[0]);
    assert!(planted.rows[1].agrees);
}

#[test]
fn a_failed_load_or_setting_keeps_the_last_good_state() {
    let mut s = session("stackloss.csv", &settings(true));
    s.step(3).unwrap();
    let before = s.runs()[0].trainer.theta().to_vec();
    assert!(s
        .load_bytes("bad.csv", b"a,b\n1,2\n3\n", &DataSettings::default())
        .is_err());
    assert!(s
        .configure(&DataSettings {
            target: Some("nope".into()),
            ..settings(true)
        })
        .is_err());
    assert!(s
        .set_run(
            0,
            &RunSettings {
                learning_rate: Some(-1.0),
                ..RunSettings::default()
            }
        )
        .is_err());
    assert!(s
        .set_run(
            0,
            &RunSettings {
                learning_rate: Some(f64::NAN),
                ..RunSettings::default()
            }
        )
        .is_err());
    assert_eq!(s.runs()[0].trainer.theta(), &before[..]);
    assert_eq!(s.runs()[0].trainer.step_count(), 3);
    s.step(1).unwrap();
    assert_eq!(s.runs()[0].trainer.step_count(), 4);
    assert_eq!(s.loaded().unwrap().name(), "stackloss.csv");
}

#[test]
fn status_reads_ready_at_step_zero() {
    let s = session("stackloss.csv", &settings(true));
    assert_eq!(s.runs()[0].trainer.status(), Status::Ready);
    let r = s.readout(&ViewRequest::default()).unwrap();
    assert_eq!(r.runs[0].status, "ready");
}

#[test]
fn the_page_default_rate_takes_visible_steps_on_every_example() {
    for e in gradstep::session::examples::EXAMPLES {
        let mut s = gradstep::session::Session::new(gradstep::session::RateRule::Visible);
        s.load_example(e.id).unwrap();
        let l = s.loaded().unwrap().lipschitz().unwrap();
        let rate = s.runs()[0].trainer.config().learning_rate;
        assert!(rate <= 1.0 / l, "{}: {rate} > 1/L", e.id);
        s.step(19).unwrap();
        assert_ne!(
            s.runs()[0].trainer.status(),
            Status::Converged,
            "{} converged within 19 steps",
            e.id
        );
    }
}

#[test]
fn a_big_step_call_stops_at_the_step_that_converges_and_a_converged_run_goes_on() {
    let mut fit = session("stackloss.csv", &settings(true));
    fit.train(100_000).unwrap();
    let converged_at = fit.runs()[0].trainer.step_count();
    assert_eq!(fit.runs()[0].trainer.status(), Status::Converged);

    let mut s = session("stackloss.csv", &settings(true));
    let changes = s.step(100_000).unwrap();
    assert_eq!(s.runs()[0].trainer.step_count(), converged_at);
    assert_eq!(changes.len(), 1);
    assert!(
        changes[0].message.contains("below the tolerance"),
        "{}",
        changes[0].message
    );
    s.step(7).unwrap();
    assert_eq!(s.runs()[0].trainer.step_count(), converged_at + 7);
}

#[test]
fn the_page_default_rate_takes_visible_steps_on_one_feature_uploads_at_any_scale() {
    // One standardized feature is a round bowl, where 1/L is Newton's
    // step; tiny targets start near the stop, huge ones far from it.
    for standardize in [true, false] {
        for x_scale in [1e-6, 1.0, 1e6] {
            for y_scale in [1e-7, 1e-3, 1.0, 1e8] {
                let mut text = String::from("x,y\n");
                for i in 0..40 {
                    let x = (i as f64 - 13.0) * x_scale;
                    let noise = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
                    let y = (2.0 + 0.3 * (i as f64) + noise) * y_scale;
                    text.push_str(&format!("{x:e},{y:e}\n"));
                }
                let mut s = gradstep::session::Session::new(gradstep::session::RateRule::Visible);
                s.load_bytes("one.csv", text.as_bytes(), &settings(standardize))
                    .unwrap();
                let what = format!("standardize {standardize}, x ×{x_scale:e}, y ×{y_scale:e}");
                let l = s.loaded().unwrap().lipschitz().unwrap();
                let rate = s.runs()[0].trainer.config().learning_rate;
                assert!(rate <= 1.0 / l, "{what}: α {rate} > 1/L");
                s.step(19).unwrap();
                assert_eq!(
                    s.runs()[0].trainer.status(),
                    Status::Running,
                    "{what}: α {rate}, L {l}, ‖g‖ {}",
                    s.runs()[0].trainer.gradient_norm()
                );
            }
        }
    }
}

#[test]
fn the_rows_that_pull_hardest_sum_with_the_rest_to_the_whole_step() {
    let mut s = session("spector.csv", &settings(true));
    s.step(3).unwrap();
    let all = s.contributors(10_000).unwrap();
    assert_eq!(all.len(), 32);
    let total: f64 = all.iter().map(|c| c.share_value).sum();
    assert!((total - 1.0).abs() < 1e-9, "shares sum to 1: {total}");
    let top = s.contributors(3).unwrap();
    assert_eq!(top.len(), 3);
    assert!(top[0].share_value.abs() >= top[2].share_value.abs());
    assert!(top
        .iter()
        .all(|c| c.misclassified.is_some() && c.prediction.starts_with("P = ")));
}

#[test]
fn a_new_learning_rate_does_not_resume_a_run_whose_start_overflows() {
    let mut s = session_text("y,x\n1e308,1\n-1e308,5\n5e307,2\n", &settings(true));
    let mut run = s.loaded().unwrap().runs()[0].settings;
    run.learning_rate = Some(1e-6);
    s.set_run(0, &run).unwrap();
    let t = &s.runs()[0].trainer;
    assert_eq!(t.status().name(), "diverged");
    assert!(
        t.message().unwrap().contains("starting point"),
        "{:?}",
        t.message()
    );
    assert!(!s.can_step());
}

#[test]
fn a_start_loss_too_large_to_represent_reads_as_no_number() {
    // From the wasm fuzzer: a target near 1e308 overflows the start loss.
    let s = session_text("y,x\n1e308,1\n-1e308,5\n5e307,2\n", &settings(true));
    let r = s.readout(&ViewRequest::default()).unwrap();
    assert_eq!(r.runs[0].status, "diverged");
    assert_eq!(r.runs[0].loss, None);
    assert!(!r.runs[0].loss_text.is_empty());
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("inf") && !json.contains("NaN"), "{json}");
}

#[test]
fn an_exact_fit_writes_its_round_off_optimum_as_0() {
    let mut s = gradstep::session::Session::new(gradstep::session::RateRule::Visible);
    s.load_example("classic").unwrap();
    s.solve_optimum().unwrap();
    let l_star = s.optimum().unwrap().found().unwrap().1;
    let r = s.readout(&ViewRequest::default()).unwrap();
    if l_star == 0.0 {
        assert_eq!(r.optimum.loss, "0");
    } else {
        assert!(
            l_star.abs() < 1e-20,
            "the classic example fits exactly: {l_star}"
        );
        assert!(
            r.optimum.loss.starts_with("0 (up to round-off: "),
            "{}",
            r.optimum.loss
        );
    }
    // A real optimum is written as a number.
    let mut s = session("stackloss.csv", &settings(true));
    s.solve_optimum().unwrap();
    let r = s.readout(&ViewRequest::default()).unwrap();
    assert!(
        r.optimum.loss.parse::<f64>().unwrap() > 1.0,
        "{}",
        r.optimum.loss
    );
}

#[test]
fn separable_classes_stopped_by_the_tolerance_are_not_called_a_minimum() {
    let mut s = session_text("h,pass\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n", &settings(true));
    s.solve_optimum().unwrap();
    assert!(s.loaded().unwrap().separable());
    s.set_run(0, &run_with_tolerance(1e-3)).unwrap();
    let changes = s.step(1_000_000).unwrap();
    assert_eq!(s.runs()[0].trainer.status(), Status::Converged);
    let said = &changes[0].message;
    assert!(
        said.contains("but this is no minimum: the classes are separable"),
        "{said}"
    );
    assert!(!said.contains("so this is a minimum"), "{said}");
    let r = s.readout(&ViewRequest::default()).unwrap();
    assert_eq!(r.runs[0].message.as_deref(), Some(said.as_str()));
    assert!(
        r.detail
            .predicted_rate
            .starts_with("none: there is no minimum"),
        "{}",
        r.detail.predicted_rate
    );
    let frame = s.frame(&ViewRequest::default()).unwrap();
    assert_eq!(frame.runs[0].predicted_rate, None);
    // With a finite optimum the stop is a minimum, as before.
    let mut s = session_text("h,pass\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n", &settings(true));
    s.solve_optimum().unwrap();
    let changes = s.step(1_000_000).unwrap();
    assert!(
        changes[0].message.ends_with("so this is a minimum"),
        "{}",
        changes[0].message
    );
}

#[test]
fn an_alpha_sweep_describes_only_the_settings_it_was_run_for() {
    let mut s = session("stackloss.csv", &settings(true));
    s.start_sweep(20).unwrap();
    while !s.background(1_000_000).unwrap().idle {}
    assert!(s.sweep().is_some() && !s.sweep_stale());
    // A new α is what the sweep is for: still valid.
    let gd = s.runs()[0].settings;
    s.set_run(
        0,
        &RunSettings {
            learning_rate: Some(0.01),
            ..gd
        },
    )
    .unwrap();
    assert!(s.sweep().is_some());
    // Adam: the sweep of gradient descent no longer applies.
    let adam = RunSettings {
        optimizer: OptimizerConfig::new(OptimizerKind::Adam),
        ..gd
    };
    s.set_run(0, &adam).unwrap();
    assert!(s.sweep().is_none() && s.sweep_stale());
    s.set_run(0, &gd).unwrap();
    assert!(s.sweep().is_some() && !s.sweep_stale());
}
