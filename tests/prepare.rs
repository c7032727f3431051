//! The sliced trainer preparation (`TrainerBuilder`) against the one-shot
//! path `Trainer::new(Dataset::from_table(..)?, config)`: same dataset,
//! scaler, training matrix, curvature (bit for bit), same start loss and
//! gradient (to rounding), same errors; and how long one slice takes on a
//! million rows.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::{Duration, Instant};

use common::data_file;
use gradstep::data::{ColumnRef, Dataset, DatasetSpec, Table};
use gradstep::model::ModelKind;
use gradstep::prepare::TrainerBuilder;
use gradstep::trainer::{Init, Trainer, TrainerConfig};
use proptest::prelude::*;

const REAL: [(&str, ModelKind); 4] = [
    ("diabetes.csv", ModelKind::Linear),
    ("stackloss.csv", ModelKind::Linear),
    ("spector.csv", ModelKind::Logistic),
    ("breast_cancer_mean10.csv", ModelKind::Logistic),
];

fn spec(model: ModelKind) -> DatasetSpec {
    DatasetSpec {
        model,
        ..DatasetSpec::default()
    }
}

fn config(standardize: bool) -> TrainerConfig {
    TrainerConfig {
        standardize,
        ..TrainerConfig::default()
    }
}

fn one_shot(table: &Table, spec: &DatasetSpec, config: TrainerConfig) -> gradstep::Result<Trainer> {
    Trainer::new(Dataset::from_table(table, spec)?, config)
}

/// Runs the builder with `max_rows` per step, checking the fractions.
fn sliced(
    table: &Table,
    spec: &DatasetSpec,
    config: TrainerConfig,
    max_rows: usize,
) -> gradstep::Result<Trainer> {
    let mut builder = TrainerBuilder::new(table, spec, config)?;
    let mut last = 0.0;
    let mut calls = 0usize;
    while !builder.is_done() {
        let fraction = builder.step(table, max_rows)?;
        assert!(
            (last..=1.0).contains(&fraction),
            "fraction {fraction} after {last}"
        );
        assert_eq!(fraction == 1.0, builder.is_done(), "1 exactly when done");
        last = fraction;
        calls += 1;
        assert!(calls < 100_000_000, "the builder makes progress");
    }
    builder.finish()
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-12 * scale.max(a.abs()).max(b.abs()).max(1e-300)
}

/// Everything the trainer was built from, compared.
fn assert_same(got: &Trainer, want: &Trainer, what: &str) {
    let (g, w) = (got.dataset(), want.dataset());
    assert_eq!(g.features, w.features, "{what}: features");
    assert_eq!(g.target, w.target, "{what}: target");
    assert_eq!(g.feature_names, w.feature_names, "{what}");
    assert_eq!(g.target_name, w.target_name, "{what}");
    assert_eq!(g.model, w.model, "{what}");
    assert_eq!(g.classes, w.classes, "{what}");
    assert_eq!(g.dropped_rows, w.dropped_rows, "{what}");
    assert_eq!(g.warnings, w.warnings, "{what}");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(got.scaler().mean()),
        bits(want.scaler().mean()),
        "{what}: mean"
    );
    assert_eq!(
        bits(got.scaler().std()),
        bits(want.scaler().std()),
        "{what}: std"
    );
    assert_eq!(
        bits(got.training_features().as_slice()),
        bits(want.training_features().as_slice()),
        "{what}: training matrix"
    );
    assert_eq!(got.config(), want.config(), "{what}: config");
    assert_eq!(got.curvature(), want.curvature(), "{what}: curvature");
    assert_eq!(
        got.lipschitz().to_bits(),
        want.lipschitz().to_bits(),
        "{what}: L"
    );

    let (s, t) = (got.state(), want.state());
    assert_eq!(
        (s.step, &s.weights, s.bias),
        (t.step, &t.weights, t.bias),
        "{what}"
    );
    assert_eq!((s.status, &s.message), (t.status, &t.message), "{what}");
    assert_eq!(s.learning_rate, t.learning_rate, "{what}");
    assert!(
        close(s.loss, t.loss, 0.0),
        "{what}: loss {} vs {}",
        s.loss,
        t.loss
    );
    // Gradient terms can cancel: compare against the size of the gradient.
    let scale = t.gradient_norm;
    for (a, b) in s.gradient_weights.iter().zip(&t.gradient_weights) {
        assert!(close(*a, *b, scale), "{what}: ∂L/∂w {a} vs {b}");
    }
    assert!(
        close(s.gradient_bias, t.gradient_bias, scale),
        "{what}: ∂L/∂b"
    );
    assert!(close(s.gradient_norm, t.gradient_norm, 0.0), "{what}: ‖g‖");
    assert_eq!(got.loss_history().len(), 1, "{what}");
    assert!(
        close(got.loss_history()[0], want.loss_history()[0], 0.0),
        "{what}"
    );
}

#[test]
fn builder_equals_one_shot_on_real_data() {
    for (file, model) in REAL {
        let table = Table::parse(&data_file(file)).unwrap();
        for standardize in [false, true] {
            let want = one_shot(&table, &spec(model), config(standardize)).unwrap();
            for max_rows in [1, 7, 1000, usize::MAX] {
                let what = format!("{file}, standardize {standardize}, max_rows {max_rows}");
                let got = sliced(&table, &spec(model), config(standardize), max_rows).unwrap();
                assert_same(&got, &want, &what);
            }
        }
    }
}

#[test]
fn training_goes_the_same_way() {
    for (file, model) in REAL {
        let table = Table::parse(&data_file(file)).unwrap();
        let config = TrainerConfig {
            standardize: true,
            learning_rate: 0.05,
            l2: 0.01,
            init: Init::Random { seed: 7 },
            ..TrainerConfig::default()
        };
        let mut want = one_shot(&table, &spec(model), config).unwrap();
        let mut got = sliced(&table, &spec(model), config, 13).unwrap();
        assert_same(&got, &want, file);
        want.run(200);
        got.run(200);
        let (a, b) = (got.state(), want.state());
        assert_eq!(a.step, b.step);
        assert!(close(a.loss, b.loss, 0.0) || (a.loss - b.loss).abs() < 1e-9 * b.loss.abs());
        for (x, y) in a.weights.iter().zip(&b.weights) {
            assert!(
                (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                "{file}: {x} vs {y}"
            );
        }
        // Reset re-evaluates the start on the whole matrix.
        got.reset();
        want.reset();
        assert_eq!(got.state(), want.state());
    }
}

#[test]
fn classic_and_dropped_rows_and_text_classes() {
    // Target first, by name; a text target with two labels.
    let table = Table::parse(&data_file("classic.csv")).unwrap();
    let by_name = DatasetSpec {
        target: Some(ColumnRef::Name("y".into())),
        ..DatasetSpec::default()
    };
    for max_rows in [1, 3, 64, usize::MAX] {
        let want = one_shot(&table, &by_name, config(true)).unwrap();
        let got = sliced(&table, &by_name, config(true), max_rows).unwrap();
        assert_same(&got, &want, "classic");
    }

    let text = "a,b,label\n1,5,yes\n2,,no\n3,7,yes\n4,1,no\nx,2,yes\n6,3,no\n7,9,\n";
    let table = Table::parse(text).unwrap();
    let dropping = DatasetSpec {
        model: ModelKind::Logistic,
        drop_missing: true,
        ..DatasetSpec::default()
    };
    for max_rows in [1, 2, usize::MAX] {
        let want = one_shot(&table, &dropping, config(false)).unwrap();
        let got = sliced(&table, &dropping, config(false), max_rows).unwrap();
        assert_same(&got, &want, "dropped rows");
        assert_eq!(got.dataset().dropped_rows, 3);
        assert_eq!(got.dataset().target, vec![1.0, 1.0, 0.0, 0.0]);
    }
}

/// The error of the builder (at `new`, a step or `finish`) as text.
fn sliced_error(
    table: &Table,
    spec: &DatasetSpec,
    config: TrainerConfig,
    max_rows: usize,
) -> String {
    match sliced(table, spec, config, max_rows) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn one_shot_error(table: &Table, spec: &DatasetSpec, config: TrainerConfig) -> String {
    match one_shot(table, spec, config) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_are_the_one_shot_errors() {
    let linear = spec(ModelKind::Linear);
    let logistic = spec(ModelKind::Logistic);
    let dropping = DatasetSpec {
        drop_missing: true,
        ..DatasetSpec::default()
    };
    let bad_rate = TrainerConfig {
        learning_rate: -1.0,
        ..TrainerConfig::default()
    };
    let cases: Vec<(&str, &str, DatasetSpec, TrainerConfig)> = vec![
        (
            "missing cell",
            "x,z,y\n1,2,3\n2,,5\n3,1,4\n",
            linear.clone(),
            config(true),
        ),
        (
            "text cell",
            "x,z,y\n1,2,3\n2,a,5\n3,1,4\n4,4,4\n5,5,5\n",
            linear.clone(),
            config(true),
        ),
        (
            "all dropped",
            "x,y\n,3\n2,\n",
            dropping.clone(),
            config(true),
        ),
        (
            "constant column",
            "x,z,y\n1,2,3\n2,2,5\n3,2,4\n",
            linear.clone(),
            config(true),
        ),
        (
            "constant after drop",
            "x,z,y\n1,2,3\n2,9,\n3,2,4\n",
            dropping.clone(),
            config(true),
        ),
        (
            "three classes",
            "x,y\n1,0\n2,1\n3,2\n4,1\n",
            logistic.clone(),
            config(true),
        ),
        (
            "one class",
            "x,y\n1,1\n2,1\n3,1\n",
            logistic.clone(),
            config(true),
        ),
        (
            "three text classes",
            "x,y\n1,a\n2,b\n3,c\n4,a\n",
            logistic.clone(),
            config(true),
        ),
        (
            "many classes",
            "x,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n7,7\n8,8\n9,9\n10,10\n11,11\n",
            logistic.clone(),
            config(true),
        ),
        (
            "text target",
            "x,y\n1,a\n2,b\n",
            linear.clone(),
            config(true),
        ),
        ("bad rate", "x,y\n1,2\n2,3\n", linear.clone(), bad_rate),
        (
            "constant before bad rate",
            "x,z,y\n1,2,3\n2,2,5\n",
            linear.clone(),
            bad_rate,
        ),
        (
            "classes before constant",
            "x,z,y\n1,2,0\n2,2,1\n3,2,2\n",
            logistic.clone(),
            config(true),
        ),
    ];
    for (what, text, spec, config) in cases {
        let table = Table::parse(text).unwrap();
        let want = one_shot_error(&table, &spec, config);
        for max_rows in [1, 2, usize::MAX] {
            assert_eq!(
                sliced_error(&table, &spec, config, max_rows),
                want,
                "{what}"
            );
        }
    }

    // Choice errors come from `new`.
    let table = Table::parse("x,name,y\n1,a,2\n2,b,3\n").unwrap();
    for spec in [
        DatasetSpec {
            target: Some(ColumnRef::Name("nope".into())),
            ..DatasetSpec::default()
        },
        DatasetSpec {
            features: Some(vec![ColumnRef::Name("name".into())]),
            ..DatasetSpec::default()
        },
        DatasetSpec {
            features: Some(vec![ColumnRef::Name("y".into())]),
            ..DatasetSpec::default()
        },
    ] {
        let want = one_shot_error(&table, &spec, config(true));
        let got = TrainerBuilder::new(&table, &spec, config(true)).unwrap_err();
        assert_eq!(got.to_string(), want);
    }
}

#[test]
fn missing_cell_error_surfaces_in_a_step_and_stays() {
    let table = Table::parse("x,z,y\n1,2,3\n2,,5\n3,1,4\n").unwrap();
    let mut builder = TrainerBuilder::new(&table, &spec(ModelKind::Linear), config(true)).unwrap();
    let first = builder.step(&table, 1).unwrap_err();
    assert_eq!(builder.step(&table, 1).unwrap_err(), first);
    assert!(!builder.is_done());
    assert_eq!(builder.finish().unwrap_err(), first);
    // With drop_missing the row goes and a warning says so.
    let dropping = DatasetSpec {
        drop_missing: true,
        ..DatasetSpec::default()
    };
    let t = sliced(&table, &dropping, config(true), 1).unwrap();
    assert_eq!(t.dataset().dropped_rows, 1);
    assert!(t.dataset().warnings[0].starts_with("dropped 1 row with missing values"));
}

#[test]
fn finish_before_done_is_an_error() {
    let table = Table::parse(&data_file("stackloss.csv")).unwrap();
    let mut builder = TrainerBuilder::new(&table, &spec(ModelKind::Linear), config(true)).unwrap();
    builder.step(&table, 3).unwrap();
    let e = builder.finish().unwrap_err().to_string();
    assert!(e.contains("not ready"), "{e}");
}

/// A small random table: `d` features with values from a few levels (so
/// that constant columns and two-valued targets happen), some missing cells.
fn table_text(values: &[Vec<Option<u8>>]) -> String {
    let d = values[0].len();
    let mut text: String = (0..d).map(|j| format!("c{j},")).collect::<String>() + "t\n";
    for row in values {
        let cells: Vec<String> = row
            .iter()
            .map(|v| v.map_or(String::new(), |v| format!("{}", f64::from(v) * 0.5 - 1.0)))
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_tables_agree(
        rows in (1usize..24, 2usize..5).prop_flat_map(|(n, cols)| {
            prop::collection::vec(
                prop::collection::vec(prop::option::weighted(0.95, 0u8..4), cols),
                n,
            )
        }),
        logistic in any::<bool>(),
        drop_missing in any::<bool>(),
        standardize in any::<bool>(),
        max_rows in 1usize..9,
    ) {
        let text = table_text(&rows);
        let Ok(table) = Table::parse(&text) else { return Ok(()) };
        let spec = DatasetSpec {
            model: if logistic { ModelKind::Logistic } else { ModelKind::Linear },
            drop_missing,
            ..DatasetSpec::default()
        };
        match (one_shot(&table, &spec, config(standardize)), sliced(&table, &spec, config(standardize), max_rows)) {
            (Ok(want), Ok(got)) => assert_same(&got, &want, &text),
            (Err(want), Err(got)) => prop_assert_eq!(got.to_string(), want.to_string()),
            (want, got) => prop_assert!(false, "{text}: one-shot {want:?} but sliced {got:?}"),
        }
    }
}

/// CSV text of `n` rows × `d` features plus a linear target.
fn big_csv(n: usize, d: usize) -> String {
    let mut rng = common::Lcg(12345);
    let mut text = String::with_capacity(n * (d + 1) * 8);
    for j in 0..d {
        text.push_str(&format!("x{j},"));
    }
    text.push_str("y\n");
    let mut row = Vec::with_capacity(d);
    for _ in 0..n {
        row.clear();
        let mut y = 3.0;
        for j in 0..d {
            let v = (rng.next_f64() * 1000.0).round() / 100.0;
            y += if j % 2 == 0 { v } else { -v };
            row.push(v);
        }
        for v in &row {
            text.push_str(&format!("{v},"));
        }
        text.push_str(&format!("{:.3}\n", y + rng.next_f64()));
    }
    text
}

/// Prints (does not assert on) the longest `step(table, 50_000)` on a
/// million rows × 10 features, against the one-shot path.
#[test]
fn million_rows_step_times() {
    let (n, d) = (1_000_000, 10);
    let t0 = Instant::now();
    let table = Table::parse(&big_csv(n, d)).unwrap();
    let parse = t0.elapsed();
    let spec = DatasetSpec::default();
    for standardize in [true, false] {
        let config = config(standardize);
        let t0 = Instant::now();
        let dataset = Dataset::from_table(&table, &spec).unwrap();
        let from_table = t0.elapsed();
        let t1 = Instant::now();
        let mut want = Trainer::new(dataset, config).unwrap();
        let new = t1.elapsed();
        let t2 = Instant::now();
        let lipschitz = want.lipschitz();
        let gram = t2.elapsed();

        let t0 = Instant::now();
        let mut builder = TrainerBuilder::new(&table, &spec, config).unwrap();
        let mut times: Vec<(Duration, f64)> = Vec::new();
        while !builder.is_done() {
            let before = builder.fraction();
            let t = Instant::now();
            builder.step(&table, 50_000).unwrap();
            times.push((t.elapsed(), before));
        }
        let calls = times.len();
        let (longest, slowest_at) = times.iter().copied().max_by_key(|t| t.0).unwrap();
        times.sort_by_key(|t| t.0);
        let median = times[calls / 2].0;
        let t = Instant::now();
        let mut got = builder.finish().unwrap();
        let finish = t.elapsed();
        let total = t0.elapsed();
        println!(
            "# PERF prepare 1M×10 (standardize {standardize}): parse {parse:.2?}; one-shot from_table {from_table:.2?}, \
             Trainer::new {new:.2?}, lipschitz {gram:.2?}; sliced: {calls} × step(50_000), median {median:.2?}, \
             longest {longest:.2?} (at {:.0}%), finish {finish:.2?}, total {total:.2?}",
            100.0 * slowest_at
        );
        assert_eq!(got.lipschitz().to_bits(), lipschitz.to_bits());
        assert!(close(got.state().loss, want.state().loss, 0.0));
        got.step();
        want.step();
        assert!((got.state().loss - want.state().loss).abs() <= 1e-9 * want.state().loss);
    }
}
