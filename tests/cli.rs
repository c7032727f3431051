//! The `gradstep` command line, run as a user would.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{floats, reference, rel};
use serde_json::Value;
use std::process::{Command, Output};

fn gradstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradstep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("gradstep runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_no_non_finite(&text);
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

fn text_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_no_non_finite(&text);
    text
}

/// No NaN or infinity is ever printed.
fn assert_no_non_finite(text: &str) {
    for bad in ["NaN", "nan", "inf", "Infinity"] {
        assert!(
            !text.split(|c: char| !c.is_alphanumeric()).any(|w| w == bad),
            "{bad} in output:\n{text}"
        );
    }
}

fn temp_csv(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("gradstep-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn fit_json_reproduces_the_linear_reference() {
    let v = json_of(&gradstep(&[
        "fit",
        "tests/data/diabetes.csv",
        "--standardize",
        "--json",
    ]));
    let r = &reference()["diabetes"];
    assert_eq!(v["model"], "linear");
    assert_eq!(v["target"], "progression", "the default target");
    assert_eq!(v["features"].as_array().unwrap().len(), 10);
    assert_eq!(v["status"], "converged");
    assert!(
        rel(
            v["loss"].as_f64().unwrap(),
            r["raw"]["mse"].as_f64().unwrap()
        ) < 1e-6
    );
    for (got, want) in floats(&v["weights"]).iter().zip(floats(&r["raw"]["coef"])) {
        assert!(rel(*got, want) < 1e-3, "{got} vs {want}");
    }
    for (got, want) in floats(&v["optimum"]["weights"])
        .iter()
        .zip(floats(&r["raw"]["coef"]))
    {
        assert!(rel(*got, want) < 1e-8);
    }
    assert!(v["metrics"]["r2"].as_f64().unwrap() > 0.5);
    assert!(v["metrics"]["r2_reason"].is_null());
    assert_eq!(v["learning_rate_auto"], true);
}

#[test]
fn fit_json_reproduces_the_logistic_reference_with_the_default_model() {
    let v = json_of(&gradstep(&[
        "fit",
        "tests/data/spector.csv",
        "--standardize",
        "--json",
    ]));
    let r = &reference()["spector"]["raw"]["newton"];
    assert_eq!(v["model"], "logistic");
    assert_eq!(v["target"], "GRADE");
    assert_eq!(v["classes"]["positive"], "1");
    assert!(rel(v["loss"].as_f64().unwrap(), r["log_loss"].as_f64().unwrap()) < 1e-6);
    for (got, want) in floats(&v["weights"]).iter().zip(floats(&r["coef"])) {
        assert!(rel(*got, want) < 1e-3, "{got} vs {want}");
    }
}

#[test]
fn fit_by_index_and_feature_list() {
    let v = json_of(&gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--target",
        "4",
        "--features",
        "AIRFLOW,2",
        "--lr",
        "0.1",
        "--steps",
        "3",
        "--standardize",
        "--json",
    ]));
    assert_eq!(v["features"], serde_json::json!(["AIRFLOW", "WATERTEMP"]));
    assert_eq!(v["steps"], 3);
    assert_eq!(v["learning_rate"], 0.1);
    assert_eq!(v["status"], "running");
}

#[test]
fn a_column_named_like_a_number_is_found_by_name() {
    let path = temp_csv(
        "numbered.csv",
        "2,x,y\n1,3,5\n2,1,3\n3,4,8\n4,1,5\n5,9,14\n",
    );
    let v = json_of(&gradstep(&[
        "fit",
        &path,
        "--target",
        "y",
        "--features",
        "2,x",
        "--steps",
        "5",
        "--json",
    ]));
    assert_eq!(v["features"], serde_json::json!(["2", "x"]));
}

#[test]
fn history_gives_the_loss_of_every_step_and_tol_0_runs_every_step() {
    let v = json_of(&gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--standardize",
        "--steps",
        "25",
        "--tol",
        "0",
        "--history",
        "--json",
    ]));
    let h = floats(&v["history"]);
    assert_eq!(h.len(), 26, "the loss at step 0 and after each of 25 steps");
    assert_eq!(v["steps"], 25);
    assert!(h.windows(2).all(|w| w[1] <= w[0]), "α = 1/L descends");
    assert_eq!(h[25], v["loss"].as_f64().unwrap());
}

#[test]
fn every_optimizer_and_schedule_flag_works() {
    for args in [
        vec!["--optimizer", "momentum", "--momentum", "0.8"],
        vec!["--optimizer", "nesterov"],
        vec!["--optimizer", "adagrad", "--lr", "0.5"],
        vec![
            "--optimizer",
            "rmsprop",
            "--decay",
            "0.9",
            "--eps",
            "1e-6",
            "--lr",
            "0.2",
        ],
        vec![
            "--optimizer",
            "adam",
            "--beta1",
            "0.8",
            "--beta2",
            "0.99",
            "--lr",
            "0.05",
        ],
        vec!["--schedule", "step:10:0.5"],
        vec!["--schedule", "exp:0.99"],
        vec!["--schedule", "inverse:0.1"],
        vec!["--schedule", "cosine:100"],
        vec!["--batch-size", "5", "--seed", "7"],
    ] {
        let mut all = vec![
            "fit",
            "tests/data/stackloss.csv",
            "--standardize",
            "--steps",
            "200",
            "--json",
        ];
        all.extend(&args);
        let v = json_of(&gradstep(&all));
        assert!(
            v["loss"].as_f64().unwrap() < 100.0,
            "{args:?}: {}",
            v["loss"]
        );
    }
}

#[test]
fn rejects_a_hyperparameter_the_optimizer_does_not_use() {
    for (args, flag) in [
        (
            vec!["--optimizer", "adam", "--momentum", "0.5"],
            "--momentum",
        ),
        (vec!["--beta1", "0.5"], "--beta1"),
        (vec!["--optimizer", "momentum", "--eps", "1e-6"], "--eps"),
        (vec!["--optimizer", "adam", "--decay", "0.9"], "--decay"),
    ] {
        let mut all = vec!["fit", "tests/data/stackloss.csv"];
        all.extend(&args);
        assert_rejected(&all, &[flag, "does not use it"]);
    }
}

#[test]
fn the_same_seed_reproduces_a_mini_batch_run() {
    let run = || {
        json_of(&gradstep(&[
            "fit",
            "tests/data/diabetes.csv",
            "--standardize",
            "--batch-size",
            "16",
            "--seed",
            "3",
            "--steps",
            "300",
            "--tol",
            "0",
            "--json",
        ]))
    };
    assert_eq!(run()["weights"], run()["weights"]);
}

#[test]
fn steps_can_be_written_in_scientific_notation() {
    let v = json_of(&gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--standardize",
        "--steps",
        "1e12",
        "--json",
    ]));
    assert_eq!(v["status"], "converged");
}

#[test]
fn separable_data_reports_no_optimum_with_a_reason() {
    let path = temp_csv(
        "hours.csv",
        "hours,passed\n2,no\n4,no\n6,no\n14,yes\n16,yes\n18,yes\n",
    );
    let v = json_of(&gradstep(&["fit", &path, "--steps", "200", "--json"]));
    assert_eq!(v["model"], "logistic");
    assert!(v["optimum"].is_null());
    assert!(v["optimum_reason"].as_str().unwrap().contains("separable"));
}

#[test]
fn a_run_diverged_at_the_start_says_so_once_and_exits_1() {
    // Σ t² overflows: the loss at the start cannot be represented.
    let path = temp_csv("huge-target.csv", "y,x\n1e308,1\n-1e308,5\n5e307,2\n");
    let out = gradstep(&["fit", &path]);
    assert_eq!(out.status.code(), Some(1), "a diverged run is not a fit");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_non_finite(&text);
    let step_rows = text
        .lines()
        .filter(|l| l.split_whitespace().next() == Some("0"))
        .count();
    assert_eq!(step_rows, 1, "step 0 is printed once:\n{text}");
    assert!(
        text.contains("status: diverged: the loss at the starting point is too large to represent")
            && text.contains("(the parameters below are those of step 0)"),
        "{text}"
    );
    assert!(
        text.contains("R² undefined (the target's spread is too large to represent)"),
        "{text}"
    );
    let json = gradstep(&["fit", &path, "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["status"], "diverged");
    assert_eq!(v["steps"], 0);
}

#[test]
fn a_learning_rate_that_diverges_exits_1_after_the_report() {
    let out = gradstep(&["fit", "tests/data/stackloss.csv", "--lr", "10"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("status: diverged at step 1: ")
            && text.contains("(the parameters below are those of step 1)"),
        "{text}"
    );
    assert!(text.contains("exact optimum loss"), "{text}");
    // The advice names what to do here, not the page's Reset button.
    assert!(
        text.contains("and run again, or add --standardize"),
        "{text}"
    );
    assert!(!text.contains("Reset"), "{text}");
    // The figures it prints (with the Unicode minus) can be pasted back.
    let out = gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--lr",
        "4.305e\u{2212}5",
        "--l2",
        "1e\u{2212}3",
        "--steps",
        "5",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rejects_a_batch_size_outside_one_to_n_and_an_unknown_start() {
    for (flag, value, needle) in [
        ("--batch-size", "0", "give 1 to 21"),
        ("--batch-size", "22", "give 1 to 21"),
        ("--start", "middle", "not zeros or random"),
    ] {
        let out = gradstep(&["fit", "tests/data/stackloss.csv", flag, value]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.lines().count() == 1, "{err}");
    }
}

#[test]
fn start_zeros_keeps_the_seed_for_the_shuffle_only() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "fit",
            "tests/data/stackloss.csv",
            "--standardize",
            "--steps",
            "30",
            "--json",
        ];
        args.extend_from_slice(extra);
        json_of(&gradstep(&args))
    };
    let random = run(&["--seed", "7", "--batch-size", "5"]);
    let zeros = run(&["--seed", "7", "--batch-size", "5", "--start", "zeros"]);
    assert_eq!(random["start"], "random");
    assert_eq!(zeros["start"], "zeros");
    assert_eq!(zeros["seed"], 7);
    assert_ne!(random["loss"], zeros["loss"]);
    // Full batch from zeros: the seed changes nothing, bit for bit.
    let full = run(&["--seed", "7", "--batch-size", "21", "--start", "zeros"]);
    let plain = run(&[]);
    assert_eq!(plain["start"], "zeros");
    assert_eq!(full["loss"], plain["loss"]);
    assert_eq!(full["weights"], plain["weights"]);
}

#[test]
fn a_constant_target_says_why_r2_is_undefined() {
    let path = temp_csv("flat.csv", "x,y\n1,5\n2,5\n3,5\n4,5\n");
    let v = json_of(&gradstep(&["fit", &path, "--target", "y", "--json"]));
    assert!(v["metrics"]["r2"].is_null());
    assert_eq!(v["metrics"]["r2_reason"], "the target is constant");
    let text = text_of(&gradstep(&["fit", &path, "--target", "y"]));
    assert!(
        text.contains("R² undefined (the target is constant)"),
        "{text}"
    );
}

#[test]
fn values_near_the_largest_double_never_print_inf() {
    let path = temp_csv("huge.csv", "a,y\n1,1e308\n2,-1e308\n3,5e307\n");
    let out = gradstep(&["fit", &path, "--target", "y"]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_no_non_finite(&text);
    // A report (0, or 1 when the run diverged) or one line of bad input (2).
    assert!(matches!(out.status.code(), Some(0..=2)), "{text}");
}

#[test]
fn human_output_shows_progress_parameters_metrics_and_optimum() {
    let text = text_of(&gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--standardize",
    ]));
    for needle in [
        "AIRFLOW",
        "bias",
        "MSE",
        "RMSE",
        "R²",
        "exact optimum",
        "status: converged",
        "        10  ",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn missing_values_can_be_dropped_or_filled() {
    let path = temp_csv("holes.csv", "x,z,y\n1,2,3\n2,,5\n3,1,7\n4,5,9\n5,2,11\n");
    let dropped = json_of(&gradstep(&[
        "fit",
        &path,
        "--missing",
        "drop",
        "--steps",
        "10",
        "--json",
    ]));
    assert_eq!(dropped["rows"], 4);
    assert_eq!(dropped["dropped_rows"], 1);
    let same = json_of(&gradstep(&[
        "fit",
        &path,
        "--drop-missing",
        "--steps",
        "10",
        "--json",
    ]));
    assert_eq!(same["rows"], 4);
    let filled = json_of(&gradstep(&[
        "fit",
        &path,
        "--missing",
        "mean",
        "--steps",
        "10",
        "--json",
    ]));
    assert_eq!(filled["rows"], 5);
    assert_eq!(filled["imputed_cells"], 1);
}

#[test]
fn inspect_describes_formats_and_defaults() {
    let path = temp_csv("german.csv", "\u{feff}id;Preis;Menge;Anteil\r\n1;7,88;1.234,5;11,8 %\r\n2;12,50;2.000,0;3 %\r\n3;1,99;15,0;0,5 %\r\n");
    let v = json_of(&gradstep(&["inspect", &path, "--json"]));
    assert_eq!(v["rows"], 3);
    assert_eq!(v["delimiter"], ";");
    assert_eq!(v["columns"][1]["kind"], "numeric");
    assert!(
        v["columns"][1]["format"]
            .as_str()
            .unwrap()
            .contains("decimal comma"),
        "{}",
        v["columns"][1]
    );
    assert!(v["columns"][3]["format"]
        .as_str()
        .unwrap()
        .contains("percent"));
    assert_eq!(v["defaults"]["target"], "Anteil");
    assert!(v["columns"][0]["excluded"]
        .as_str()
        .unwrap()
        .contains("row ID"));
    let text = text_of(&gradstep(&["inspect", &path]));
    assert!(
        text.contains("decimal comma")
            && text.contains("left out: 'id' looks like a row ID")
            && text.contains("encoding UTF-8 with a byte order mark"),
        "{text}"
    );
    // Every column's missing count sits in one text column, however long
    // its kind.
    let at: Vec<usize> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.find(" 0  ").expect("a missing count of 0"))
        .collect();
    assert_eq!(at.len(), 4, "{text}");
    assert!(at.iter().all(|&p| p == at[0]), "{text}");
}

/// Bad input: exit code 2, one line on stderr naming the file and the
/// problem, nothing that looks like a panic.
fn assert_rejected(args: &[&str], needles: &[&str]) {
    let out = gradstep(args);
    assert_eq!(out.status.code(), Some(2), "args {args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert!(err.chars().count() < 500, "bounded: {err}");
}

#[test]
fn rejects_bad_files_and_settings_with_exit_code_2_and_one_line() {
    let ragged = temp_csv("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
    assert_rejected(&["fit", &ragged], &["ragged.csv", "line 3", "2 fields"]);
    let text = temp_csv("text.csv", "x,y\n1,2\nhello,3\n4,5\n");
    assert_rejected(
        &["fit", &text, "--features", "x", "--target", "y"],
        &["text.csv", "'x'"],
    );
    let empty = temp_csv("empty.csv", "");
    assert_rejected(&["fit", &empty], &["empty.csv", "empty"]);
    assert_rejected(&["inspect", &empty], &["empty.csv", "empty"]);
    let blank = temp_csv("blank.csv", "   \n\t\n  \n");
    assert_rejected(&["inspect", &blank], &["blank.csv", "empty"]);
    assert_rejected(
        &["fit", "tests/data/stackloss.csv", "--target", "nope"],
        &["stackloss.csv", "'nope'"],
    );
    assert_rejected(
        &["fit", "tests/data/stackloss.csv", "--model", "logistic"],
        &["two classes", "STACKLOSS"],
    );
    assert_rejected(
        &["fit", "tests/data/does-not-exist.csv"],
        &["does-not-exist.csv", "cannot read"],
    );
    assert_rejected(
        &["fit", "tests/data/stackloss.csv", "--lr", "-1"],
        &["learning rate", "-1"],
    );
    assert_rejected(
        &["fit", "tests/data/stackloss.csv", "--optimizer", "sgdx"],
        &["optimizer"],
    );
    assert_rejected(
        &["fit", "tests/data/stackloss.csv", "--schedule", "step:0:2"],
        &["schedule"],
    );
    assert_rejected(
        &["fit", "tests/data/stackloss.csv", "--frobnicate"],
        &["frobnicate"],
    );
    assert_rejected(
        &[
            "fit",
            "tests/data/stackloss.csv",
            "--history",
            "--steps",
            "1e12",
        ],
        &["--history"],
    );
    let long_cell = temp_csv(
        "long.csv",
        &format!("a,b\n1,{}\n2,3\n", "x".repeat(200_000)),
    );
    assert_rejected(&["inspect", &long_cell], &["long.csv"]);
    let wide = temp_csv(
        "wide.csv",
        &(0..5000)
            .map(|j| format!("c{j}"))
            .collect::<Vec<_>>()
            .join(","),
    );
    assert_rejected(&["inspect", &wide], &["1000"]);
}

#[test]
fn a_reader_that_stops_early_ends_it_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // `fit --json --history` over 10⁵ steps writes megabytes; close the pipe
    // after the first bytes, as `| head -c 100` would.
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradstep"))
        .args([
            "fit",
            "tests/data/classic.csv",
            "--json",
            "--history",
            "--tol",
            "0",
            "--steps",
            "1e5",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("internal error") && err.is_empty(), "{err}");
}

#[test]
fn fit_json_lists_only_the_hyperparameters_the_rule_uses() {
    let adam = json_of(&gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--standardize",
        "--optimizer",
        "adam",
        "--steps",
        "3",
        "--json",
    ]));
    assert_eq!(
        adam["optimizer"],
        serde_json::json!({"kind": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8})
    );
    let adagrad = json_of(&gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--optimizer",
        "adagrad",
        "--steps",
        "3",
        "--json",
    ]));
    assert_eq!(
        adagrad["optimizer"],
        serde_json::json!({"kind": "adagrad", "eps": 1e-10})
    );
    let gd = json_of(&gradstep(&["fit", "tests/data/stackloss.csv", "--json"]));
    assert_eq!(gd["optimizer"], serde_json::json!({"kind": "gd"}));
}
