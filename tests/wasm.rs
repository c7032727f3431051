//! The wasm façade under node (wasm-bindgen-test): a session loads data,
//! steps, lowers the loss, and reports bad input as errors, not panics.
#![cfg(target_arch = "wasm32")]

use gradstep::web::Session;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).expect("field")
}

fn number(value: &JsValue, name: &str) -> f64 {
    field(value, name).as_f64().expect("number")
}

fn string(value: &JsValue, name: &str) -> String {
    field(value, name).as_string().expect("string")
}

#[wasm_bindgen_test]
fn examples_are_listed() {
    let list = js_sys::Array::from(&Session::examples().unwrap());
    assert_eq!(list.length(), 4);
    assert_eq!(string(&list.get(0), "id"), "classic");
}

#[wasm_bindgen_test]
fn default_example_trains_and_the_loss_decreases() {
    let mut session = Session::new();
    let summary = session.load_example("classic").unwrap();
    assert_eq!(number(&summary, "rows"), 200.0);
    let config = field(&summary, "config");
    assert_eq!(string(&config, "target"), "y");
    assert_eq!(string(&config, "model"), "linear");
    let rate = number(&summary, "suggested_learning_rate");
    assert!(rate > 0.0 && rate <= 10.0);

    let before = session.loss().unwrap();
    assert_eq!(session.step().unwrap(), "running");
    let after = session.loss().unwrap();
    assert!(after < before, "{after} < {before}");
    assert_eq!(session.step_count().unwrap(), 1.0);

    session.run(2000).unwrap();
    let state = session.state().unwrap();
    assert_eq!(string(&state, "status"), "converged");
    let weights = session.weights().unwrap().to_vec();
    for (w, want) in weights.iter().zip([1.0, -1.0, 1.0, -1.0]) {
        assert!((w - want).abs() < 1e-3, "{weights:?}");
    }
    assert_eq!(
        session.loss_history().unwrap().length() as f64,
        session.step_count().unwrap() + 1.0
    );

    session.reset().unwrap();
    assert_eq!(session.step_count().unwrap(), 0.0);
}

#[wasm_bindgen_test]
fn bad_csv_is_an_error_and_the_previous_data_stays() {
    let mut session = Session::new();
    session.load_example("study-hours").unwrap();
    let err = session
        .load_csv("a,b\n1,2\n3\n", "ragged.csv")
        .expect_err("a ragged file is rejected");
    let message = JsValue::from(err);
    let text = js_sys::Reflect::get(&message, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(text.contains("fields"), "{text}");
    // Still the study-hours data, still trainable.
    let summary = session.summary().unwrap();
    assert_eq!(number(&summary, "rows"), 24.0);
    let before = session.loss().unwrap();
    session.step().unwrap();
    assert!(session.loss().unwrap() < before);

    assert!(session.load_csv("", "empty.csv").is_err());
    assert!(session.load_example("nope").is_err());
    assert!(session.set_learning_rate(-1.0).is_err());
    assert!(session.set_learning_rate(f64::NAN).is_err());
    assert!(session.predict(&[1.0, 2.0, 3.0]).is_err());
}

#[wasm_bindgen_test]
fn invalid_choices_are_errors() {
    let mut session = Session::new();
    session.load_example("house-prices").unwrap();
    let request = js_sys::JSON::parse(r#"{"target":"price","model":"logistic"}"#).unwrap();
    assert!(session.configure(request).is_err());
    let request = js_sys::JSON::parse(r#"{"target":"nope"}"#).unwrap();
    assert!(session.configure(request).is_err());
    assert!(session.configure(JsValue::from_str("garbage")).is_err());
    // Still configured as before.
    let summary = session.summary().unwrap();
    assert_eq!(string(&field(&summary, "config"), "model"), "linear");
    let request =
        js_sys::JSON::parse(r#"{"target":"size_m2","model":"auto","standardize":false}"#).unwrap();
    let summary = session.configure(request).unwrap();
    assert_eq!(string(&field(&summary, "config"), "target"), "size_m2");
}

#[wasm_bindgen_test]
fn chunked_loading_and_pasted_text() {
    let mut session = Session::new();
    session.begin_load();
    session.push_bytes(b"x,y\n1,2\n2,4.1\n").unwrap();
    session.push_bytes(b"3,5.9\n4,8.2\n").unwrap();
    let summary = session.finish_load("small.csv").unwrap();
    assert_eq!(number(&summary, "rows"), 4.0);
    assert_eq!(string(&summary, "source"), "small.csv");

    // Sliced parsing: progress grows to 1, then the table is installed.
    let mut text = String::from("a,b,y\n");
    for i in 0..500 {
        text.push_str(&format!("{i},{},{}\n", i % 7, 2 * i + i % 7));
    }
    session.begin_load();
    session.push_bytes(text.as_bytes()).unwrap();
    session.start_parse("sliced.csv").unwrap();
    let mut last = 0.0;
    let mut calls = 0;
    while !session.parse_done() {
        let fraction = session.parse_step(50).unwrap();
        assert!((last..=1.0).contains(&fraction));
        last = fraction;
        calls += 1;
    }
    assert!(calls > 2, "{calls}");
    let summary = session.finish_parse().unwrap();
    assert_eq!(number(&summary, "rows"), 500.0);

    session.begin_load();
    session.push_bytes(&[0xff, 0xfe, 0x00]).unwrap();
    assert!(session.finish_load("binary.bin").is_err());
    assert_eq!(number(&session.summary().unwrap(), "rows"), 500.0);

    let summary = session
        .load_csv("h,s,r\n1,5,0\n2,6,0\n3,5,1\n4,7,1\n2.5,6,1\n", "pasted")
        .unwrap();
    assert_eq!(string(&field(&summary, "config"), "model"), "logistic");
    let p = session.predict(&[2.0, 6.0]).unwrap();
    assert!((0.0..=1.0).contains(&p));
}
