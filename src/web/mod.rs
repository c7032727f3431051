//! The thin WebAssembly façade: one-line delegations to the native core.
//!
//! * [`WorkerSession`] runs in the training Web Worker and wraps the native
//!   [`Session`]: loading, settings, training, queries.
//! * [`Painter`] runs on the main thread and draws what the worker sends
//!   (a scene, frames, grids: bytes it decodes itself) onto the page's
//!   canvases with plotters.
//!
//! The two are built as two bundles (cargo features `worker` and
//! `painter`), so that each page thread downloads only its own half.
//!
//! Every method returns a `JsError` with a one-line message on bad input
//! (including `null` where a value is needed) and leaves the object as it
//! was, so the page keeps working on its last good state.

#[cfg(feature = "painter")]
mod painter;
#[cfg(feature = "worker")]
mod worker;

#[cfg(feature = "painter")]
pub use painter::Painter;
#[cfg(feature = "worker")]
pub use worker::WorkerSession;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::session::examples;

pub(crate) fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&crate::limits::quote_long(&e.to_string()))
}

/// A value as a JavaScript object.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(err)
}

/// A JavaScript object as a value (`null` or `undefined` give the default).
/// A key the value does not have is refused by name, as `deny_unknown_fields`
/// would (serde-wasm-bindgen reads only the keys it knows): the value is
/// written back and every key of `value` must be in it.
pub(crate) fn from_js<T: serde::de::DeserializeOwned + Serialize + Default>(
    value: JsValue,
    what: &str,
) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let parsed: T = serde_wasm_bindgen::from_value(value.clone())
        .map_err(|e| JsError::new(&format!("invalid {what}: {}", serde_words(&e.to_string()))))?;
    if let Some(key) = unknown_key(&value, &to_js(&parsed)?, "") {
        return Err(JsError::new(&crate::limits::quote_long(&format!(
            "invalid {what}: unknown setting `{}`",
            crate::limits::quote(&key)
        ))));
    }
    Ok(parsed)
}

/// The first key path of `given` that `known` lacks (objects by key, arrays
/// by index).
fn unknown_key(given: &JsValue, known: &JsValue, path: &str) -> Option<String> {
    if js_sys::Array::is_array(given) {
        let (given, known) = (js_sys::Array::from(given), js_sys::Array::from(known));
        return (0..given.length().min(known.length()))
            .find_map(|k| unknown_key(&given.get(k), &known.get(k), &format!("{path}[{k}]")));
    }
    if !given.is_object() || given.is_function() {
        return None;
    }
    let given = js_sys::Object::from(given.clone());
    for key in js_sys::Object::keys(&given).iter() {
        let name = key.as_string().unwrap_or_default();
        let full = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        if !known.is_object() || !js_sys::Reflect::has(known, &key).unwrap_or(false) {
            return Some(full);
        }
        let inner = js_sys::Reflect::get(&given, &key).unwrap_or(JsValue::UNDEFINED);
        let known_inner = js_sys::Reflect::get(known, &key).unwrap_or(JsValue::UNDEFINED);
        if let Some(found) = unknown_key(&inner, &known_inner, &full) {
            return Some(found);
        }
    }
    None
}

/// A serde message in a person's words: one bounded line, no "Error:"
/// prefix, and no NaN or inf (serde quotes the value it refused).
fn serde_words(message: &str) -> String {
    let m = message.trim_start_matches("Error: ");
    let m = m
        .replace("`NaN`", "not a number")
        .replace("`-inf`", "an infinite value")
        .replace("`inf`", "an infinite value");
    crate::limits::quote_long(&m)
}

pub(crate) fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsError> {
    if let Some(a) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(a.to_vec());
    }
    if let Some(b) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(b).to_vec());
    }
    Err(JsError::new(&format!(
        "{what} must be a Uint8Array or an ArrayBuffer"
    )))
}

pub(crate) fn floats_of(value: &JsValue, what: &str) -> Result<Vec<f64>, JsError> {
    if let Some(a) = value.dyn_ref::<js_sys::Float64Array>() {
        return Ok(a.to_vec());
    }
    if js_sys::Array::is_array(value) {
        let arr = js_sys::Array::from(value);
        return arr
            .iter()
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| JsError::new(&format!("{what} must hold numbers only")))
            })
            .collect();
    }
    Err(JsError::new(&format!(
        "{what} must be a Float64Array or an array of numbers"
    )))
}

#[cfg(feature = "worker")]
pub(crate) fn string_of(value: &JsValue, what: &str) -> Result<String, JsError> {
    value
        .as_string()
        .ok_or_else(|| JsError::new(&format!("{what} must be a string")))
}

/// An array of strings (each at most 4 KiB).
#[cfg(feature = "worker")]
pub(crate) fn strings_of(value: &JsValue, what: &str) -> Result<Vec<String>, JsError> {
    if !js_sys::Array::is_array(value) {
        return Err(JsError::new(&format!("{what} must be an array of strings")));
    }
    js_sys::Array::from(value)
        .iter()
        .map(|v| {
            v.as_string()
                .filter(|s| s.len() <= 4096)
                .ok_or_else(|| JsError::new(&format!("{what} must hold short strings only")))
        })
        .collect()
}

/// Writes a number with the one formatter of gradstep (`crate::format`):
/// at most `digits` significant digits, a true minus sign, `—` for a value
/// that is not finite.
#[wasm_bindgen]
pub fn format_number(value: f64, digits: u32) -> String {
    crate::format::number(value, digits as usize)
}

/// The text a learning-rate box shows for `value` (reads back exactly).
#[wasm_bindgen]
pub fn format_exact(value: f64) -> String {
    crate::format::exact(value)
}

/// The built-in examples: `[{id, name, description}]`, the default first.
#[wasm_bindgen]
pub fn examples_list() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Item {
        id: &'static str,
        name: &'static str,
        description: &'static str,
    }
    let items: Vec<Item> = examples::EXAMPLES
        .iter()
        .map(|e| Item {
            id: e.id,
            name: e.name,
            description: e.description,
        })
        .collect();
    to_js(&items)
}
