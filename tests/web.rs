//! The wasm façade as the page calls it (run under node by
//! `cargo test --target wasm32-unknown-unknown --features worker,painter`):
//! bad arguments give a JS error with one line, and the next call works on
//! the last good state.
#![cfg(all(target_arch = "wasm32", feature = "worker", feature = "painter"))]

use gradstep::web::{Painter, WorkerSession};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test as test;

fn message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    js_sys::Reflect::get(&v, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
}

#[test]
fn null_and_garbage_give_one_line_errors_and_the_session_goes_on() {
    let mut s = WorkerSession::new();
    let e = message(s.push_bytes(JsValue::NULL).unwrap_err());
    assert!(e.contains("Uint8Array") && !e.contains('\n'), "{e}");
    assert!(s
        .load_text(JsValue::NULL, JsValue::NULL, JsValue::NULL)
        .is_err());
    assert!(s.predict_cells(JsValue::NULL).is_err());
    assert!(s
        .predict_cells(js_sys::Array::of1(&JsValue::from_f64(1.0)).into())
        .is_err());
    assert!(
        s.finish_load(JsValue::NULL).is_err(),
        "no file is being read"
    );
    assert!(s.step(1).is_err(), "no data yet");
    s.load_example("classic".into()).unwrap();
    s.step(3).unwrap();
    assert!(s.set_run(0, JsValue::from_str("not settings")).is_err());
    assert!(s.configure(JsValue::from_str("{")).is_err());
    let bad_csv = "a,b\n1,2\n3\n";
    assert!(s
        .load_text("bad.csv".into(), bad_csv.into(), JsValue::NULL)
        .is_err());
    s.step(2).unwrap();
    let summary = s.summary().unwrap();
    let source = js_sys::Reflect::get(&summary, &"source".into()).unwrap();
    assert!(
        source.as_string().unwrap().starts_with("Classic"),
        "{source:?}"
    );
    // A huge learning rate diverges cleanly; the readout never holds NaN.
    let settings = js_sys::JSON::parse(r#"{"learning_rate": 1e308}"#).unwrap();
    s.set_run(0, settings).unwrap();
    s.step(5).unwrap();
    let readout = s.readout(JsValue::NULL).unwrap();
    let text: String = js_sys::JSON::stringify(&readout).unwrap().into();
    assert!(
        !text.contains("NaN") && !text.contains("Infinity") && !text.contains("null,\"loss"),
        "{text}"
    );
    assert!(text.contains("diverged"), "{text}");
}

#[test]
fn unknown_settings_are_refused_by_name_and_bad_numbers_in_words() {
    let mut s = WorkerSession::new();
    s.load_example("classic".into()).unwrap();
    let json = |t: &str| js_sys::JSON::parse(t).unwrap();
    let e = message(s.set_run(0, json(r#"{"learnng_rate": 0.1}"#)).unwrap_err());
    assert_eq!(e, "invalid run settings: unknown setting `learnng_rate`");
    let e = message(
        s.set_run(0, json(r#"{"optimizer": {"kind": "adam", "beta": 0.5}}"#))
            .unwrap_err(),
    );
    assert_eq!(e, "invalid run settings: unknown setting `optimizer.beta`");
    let e = message(s.configure(json(r#"{"standardise": true}"#)).unwrap_err());
    assert!(e.contains("`standardise`"), "{e}");
    let nan = js_sys::Object::new();
    js_sys::Reflect::set(&nan, &"batch_size".into(), &f64::NAN.into()).unwrap();
    let e = message(s.set_run(0, nan.into()).unwrap_err());
    assert!(!e.contains("NaN") && e.contains("not a number"), "{e}");
    // Known keys still work, and so does the session.
    s.set_run(
        0,
        json(r#"{"learning_rate": 0.1, "optimizer": {"kind": "momentum", "momentum": 0.5}}"#),
    )
    .unwrap();
    s.step(2).unwrap();
}

#[test]
fn the_painter_refuses_a_missing_canvas_and_keeps_working() {
    let mut s = WorkerSession::new();
    s.load_example("study-sleep".into()).unwrap();
    let p = Painter::new();
    assert!(p.set_scene(JsValue::NULL).is_err());
    assert!(p
        .set_scene(js_sys::Uint8Array::from(&[1u8, 2, 3][..]).into())
        .is_err());
    p.set_scene(s.scene().unwrap().into()).unwrap();
    p.set_frame(s.frame(JsValue::NULL).unwrap().into()).unwrap();
    let e = message(p.draw_loss(JsValue::NULL, 1.0, JsValue::NULL).unwrap_err());
    assert!(e.contains("canvas"), "{e}");
    assert!(p
        .draw_model(JsValue::from_f64(3.0), 1.0, JsValue::NULL)
        .is_err());
    // Still usable after the errors.
    p.set_frame(s.frame(JsValue::NULL).unwrap().into()).unwrap();
}
