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
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

fn temp_csv(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("gradstep-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn fit_json_reproduces_linear_reference() {
    let out = gradstep(&[
        "fit",
        "tests/data/diabetes.csv",
        "--target",
        "progression",
        "--model",
        "linear",
        "--standardize",
        "--json",
    ]);
    let v = json_of(&out);
    let r = &reference()["diabetes"];
    assert_eq!(v["model"], "linear");
    assert_eq!(v["target"], "progression");
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
    assert!(
        rel(
            v["bias"].as_f64().unwrap(),
            r["raw"]["intercept"].as_f64().unwrap()
        ) < 1e-3
    );
    for (got, want) in floats(&v["optimum"]["weights"])
        .iter()
        .zip(floats(&r["raw"]["coef"]))
    {
        assert!(rel(*got, want) < 1e-8);
    }
    assert!(v["metrics"]["r2"].as_f64().unwrap() > 0.5);
    assert!(v["steps"].as_u64().unwrap() > 0);
}

#[test]
fn fit_json_reproduces_logistic_reference_with_default_model() {
    // No --model: a two-valued target picks logistic by itself.
    let v = json_of(&gradstep(&[
        "fit",
        "tests/data/spector.csv",
        "--target",
        "GRADE",
        "--standardize",
        "--json",
    ]));
    let r = &reference()["spector"]["raw"]["newton"];
    assert_eq!(v["model"], "logistic");
    assert_eq!(v["classes"]["positive"], "1");
    assert!(rel(v["loss"].as_f64().unwrap(), r["log_loss"].as_f64().unwrap()) < 1e-6);
    for (got, want) in floats(&v["weights"]).iter().zip(floats(&r["coef"])) {
        assert!(rel(*got, want) < 1e-3, "{got} vs {want}");
    }
    assert!(
        rel(
            v["optimum"]["loss"].as_f64().unwrap(),
            r["log_loss"].as_f64().unwrap()
        ) < 1e-8
    );
    assert!(v["metrics"]["accuracy"].as_f64().unwrap() > 0.8);
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
fn separable_data_reports_no_optimum_with_reason() {
    let path = temp_csv(
        "hours.csv",
        "hours,passed\n2,no\n4,no\n6,no\n14,yes\n16,yes\n18,yes\n",
    );
    let v = json_of(&gradstep(&[
        "fit", &path, "--target", "passed", "--steps", "200", "--json",
    ]));
    assert_eq!(v["model"], "logistic");
    assert!(v["optimum"].is_null());
    assert!(v["reason"].as_str().unwrap().contains("separable"));
}

#[test]
fn human_output_shows_progress_parameters_metrics_and_optimum() {
    let out = gradstep(&[
        "fit",
        "tests/data/stackloss.csv",
        "--target",
        "STACKLOSS",
        "--standardize",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "AIRFLOW",
        "bias",
        "MSE",
        "RMSE",
        "R²",
        "exact optimum",
        "status: converged",
        "      10  ",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn inspect_json_describes_columns() {
    let path = temp_csv("semi.csv", "name;age;score\nann;31;2.5\nbob;;3.0\n");
    let v = json_of(&gradstep(&["inspect", &path, "--json"]));
    assert_eq!(v["rows"], 2);
    assert_eq!(v["delimiter"], ";");
    assert_eq!(v["has_header"], true);
    assert_eq!(v["columns"][0]["kind"], "text");
    assert_eq!(v["columns"][1]["name"], "age");
    assert_eq!(v["columns"][1]["kind"], "numeric");
    assert_eq!(v["columns"][1]["missing"], 1);
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
}

#[test]
fn rejects_bad_files_with_exit_code_2() {
    let ragged = temp_csv("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
    assert_rejected(&["fit", &ragged], &["ragged.csv", "line 3", "2 fields"]);
    let text = temp_csv("text.csv", "x,y\n1,2\nhello,3\n4,5\n");
    assert_rejected(
        &["fit", &text, "--target", "y"],
        &["text.csv", "'x'", "hello", "line 3"],
    );
    let empty = temp_csv("empty.csv", "");
    assert_rejected(&["fit", &empty], &["empty.csv", "empty"]);
    assert_rejected(&["inspect", &empty], &["empty.csv", "empty"]);
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
}
