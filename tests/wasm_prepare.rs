//! The sliced configure of the wasm façade under node: `begin_configure` /
//! `end_parse`, `configure_step`, `finish_configure` give what the one-call
//! `configure` / `finish_parse` give, and errors keep the previous model.
#![cfg(target_arch = "wasm32")]

use gradstep::web::Session;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).expect("field")
}

fn string(value: &JsValue, name: &str) -> String {
    field(value, name).as_string().expect("string")
}

fn json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

fn request(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn message(e: wasm_bindgen::JsError) -> String {
    let value = JsValue::from(e);
    js_sys::Reflect::get(&value, &"message".into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// `n` rows: x varies, k is constant, y = 2x + 1 (+ a wiggle).
fn csv(n: usize) -> String {
    let mut text = String::from("x,k,y\n");
    for i in 0..n {
        text.push_str(&format!("{i},5,{}\n", 2 * i + 1 + i % 3));
    }
    text
}

/// Runs the configuration being prepared in slices of `rows`.
fn run_slices(session: &mut Session, rows: u32) -> Result<JsValue, String> {
    let mut last = 0.0;
    let mut calls = 0;
    while !session.configure_done() {
        let fraction = session.configure_step(rows).map_err(message)?;
        assert!((0.0..=1.0).contains(&fraction), "{fraction}");
        assert!(
            fraction >= last || fraction == 0.0,
            "{fraction} after {last}"
        );
        last = fraction;
        calls += 1;
    }
    assert!(calls > 1, "{calls} slices");
    session.finish_configure().map_err(message)
}

#[wasm_bindgen_test]
fn sliced_load_picks_the_target_the_one_call_load_picks() {
    let text = csv(3000);
    let mut one = Session::new();
    let want = one.load_csv(&text, "data.csv").unwrap();
    // y fails (k is a constant feature), so k becomes the target.
    assert_eq!(string(&field(&want, "config"), "target"), "k");

    let mut sliced = Session::new();
    sliced.begin_load();
    sliced.push_bytes(text.as_bytes()).unwrap();
    sliced.start_parse("data.csv").unwrap();
    while !sliced.parse_done() {
        sliced.parse_step(500).unwrap();
    }
    sliced.end_parse().unwrap();
    let got = run_slices(&mut sliced, 100).unwrap();
    assert_eq!(json(&got), json(&want));
    // The start gradient is summed over slices: equal up to rounding.
    let (a, b) = (sliced.state().unwrap(), one.state().unwrap());
    for name in ["step", "loss", "bias", "gradient_bias", "gradient_norm"] {
        assert_eq!(json(&field(&a, name)), json(&field(&b, name)), "{name}");
    }
    let grads = |s: &JsValue| js_sys::Array::from(&field(s, "gradient_weights")).to_vec();
    for (x, y) in grads(&a).iter().zip(&grads(&b)) {
        let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
        assert!((x - y).abs() <= 1e-12 * y.abs(), "{x} vs {y}");
    }
}

#[wasm_bindgen_test]
fn sliced_configure_equals_configure_and_errors_keep_the_model() {
    let text = csv(3000);
    let mut one = Session::new();
    one.load_csv(&text, "data.csv").unwrap();
    let mut sliced = Session::new();
    sliced.load_csv(&text, "data.csv").unwrap();

    let choice = r#"{"target":"y","features":["x"],"standardize":false}"#;
    let want = one.configure(request(choice)).unwrap();
    sliced.begin_configure(request(choice)).unwrap();
    let got = run_slices(&mut sliced, 64).unwrap();
    assert_eq!(json(&got), json(&want));
    assert_eq!(string(&field(&got, "config"), "target"), "y");
    let before = sliced.summary().map(|s| json(&s)).unwrap();

    // A constant feature fails in a step; the model stays as it was.
    sliced
        .begin_configure(request(r#"{"target":"y","features":["x","k"]}"#))
        .unwrap();
    let e = run_slices(&mut sliced, 64).unwrap_err();
    assert!(e.contains("'k'"), "{e}");
    assert!(sliced.configure_done());
    assert!(sliced.finish_configure().is_err());
    assert_eq!(sliced.summary().map(|s| json(&s)).unwrap(), before);
    sliced.step().unwrap();

    // An unknown column fails at once; cancelling keeps the model too.
    assert!(sliced
        .begin_configure(request(r#"{"target":"nope"}"#))
        .is_err());
    sliced
        .begin_configure(request(r#"{"target":"x","features":["y"]}"#))
        .unwrap();
    sliced.configure_step(10).unwrap();
    assert!(!sliced.configure_done());
    sliced.cancel_configure();
    assert!(sliced.configure_done());
    assert_eq!(
        string(&field(&sliced.summary().unwrap(), "config"), "target"),
        "y"
    );
    assert_eq!(sliced.step_count().unwrap(), 1.0);
}

#[wasm_bindgen_test]
fn text_is_checked_as_it_arrives() {
    // A character split between two chunks.
    let text = "x,\u{e9}t\u{e9}\n1,2\n2,4.1\n3,5.9\n".as_bytes();
    let cut = text.iter().position(|&b| b == 0xc3).unwrap() + 1;
    let mut session = Session::new();
    session.begin_load();
    session.push_bytes(&text[..cut]).unwrap();
    session.push_bytes(&text[cut..]).unwrap();
    let summary = session.finish_load("accents.csv").unwrap();
    assert_eq!(
        string(&field(&summary, "config"), "target"),
        "\u{e9}t\u{e9}"
    );

    // Not UTF-8: the offset of the first bad byte, and the data stays.
    session.begin_load();
    session.push_bytes(b"a,b\n1,2\n").unwrap();
    session.push_bytes(&[b'3', 0xff, b'\n']).unwrap();
    let e = message(session.finish_load("bad.csv").unwrap_err());
    assert!(e.ends_with("invalid byte at offset 9)"), "{e}");
    // A character cut off by the end of the file.
    session.begin_load();
    session.push_bytes(b"a,b\n1,2\n3,").unwrap();
    session.push_bytes(&[0xc3]).unwrap();
    let e = message(session.finish_load("cut.csv").unwrap_err());
    assert!(e.ends_with("invalid byte at offset 10)"), "{e}");
    let summary = session.summary().unwrap();
    assert_eq!(string(&summary, "source"), "accents.csv");
}
