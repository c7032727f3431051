//! The training worker's façade over the native [`Session`].

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{bytes_of, err, floats_of, from_js, string_of, to_js};
use crate::session::readout::ViewRequest;
use crate::session::view::encode;
use crate::session::{DataSettings, RateRule, RunSettings, Session};

/// The session of the training worker.
#[wasm_bindgen]
pub struct WorkerSession {
    inner: Session,
}

impl Default for WorkerSession {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl WorkerSession {
    /// An empty session with the page's default learning-rate rule.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WorkerSession {
        console_error_panic_hook::set_once();
        WorkerSession {
            inner: Session::new(RateRule::Visible),
        }
    }

    /// Starts reading a file called `name` of `size` bytes.
    pub fn begin_load(&mut self, name: JsValue, size: JsValue) -> Result<(), JsError> {
        let name = string_of(&name, "the file name")?;
        self.inner
            .begin_load(&name, size.as_f64().map(|v| v as u64));
        Ok(())
    }

    /// Reads the next chunk: `{bytes, rows, fraction}`.
    pub fn push_bytes(&mut self, chunk: JsValue) -> Result<JsValue, JsError> {
        let bytes = bytes_of(&chunk, "the chunk")?;
        to_js(&self.inner.push_bytes(&bytes).map_err(err)?)
    }

    /// Ends the file and poses the problem with `settings` (see
    /// `DataSettings`; null for the defaults).
    pub fn finish_load(&mut self, settings: JsValue) -> Result<(), JsError> {
        let settings: DataSettings = from_js(settings, "data settings")?;
        self.inner.finish_load(&settings).map_err(err)
    }

    /// Abandons the file being read.
    pub fn cancel_load(&mut self) {
        self.inner.cancel_load();
    }

    /// Loads CSV text (pasted, or carried by a link).
    pub fn load_text(
        &mut self,
        name: JsValue,
        text: JsValue,
        settings: JsValue,
    ) -> Result<(), JsError> {
        let name = string_of(&name, "the name")?;
        let text = string_of(&text, "the CSV text")?;
        let settings: DataSettings = from_js(settings, "data settings")?;
        self.inner
            .load_bytes(&name, text.as_bytes(), &settings)
            .map_err(err)
    }

    /// Loads a built-in example.
    pub fn load_example(&mut self, id: JsValue) -> Result<(), JsError> {
        let id = string_of(&id, "the example id")?;
        self.inner.load_example(&id).map_err(err)
    }

    /// Poses the problem anew with `settings`.
    pub fn configure(&mut self, settings: JsValue) -> Result<(), JsError> {
        let settings: DataSettings = from_js(settings, "data settings")?;
        self.inner.configure(&settings).map_err(err)
    }

    /// Changes run `index`'s settings (next step on, no restart).
    pub fn set_run(&mut self, index: u32, settings: JsValue) -> Result<(), JsError> {
        let settings: RunSettings = from_js(settings, "run settings")?;
        self.inner.set_run(index as usize, &settings).map_err(err)
    }

    /// Adds a run; returns its index.
    pub fn add_run(&mut self, settings: JsValue) -> Result<u32, JsError> {
        let settings: RunSettings = from_js(settings, "run settings")?;
        self.inner.add_run(&settings).map(|i| i as u32).map_err(err)
    }

    /// Copies run `index` at its current step; returns the copy's index.
    pub fn fork_run(&mut self, index: u32) -> Result<u32, JsError> {
        self.inner
            .fork_run(index as usize)
            .map(|i| i as u32)
            .map_err(err)
    }

    /// Pins or unpins run `index`.
    pub fn pin_run(&mut self, index: u32, pinned: bool) -> Result<(), JsError> {
        self.inner.pin_run(index as usize, pinned).map_err(err)
    }

    /// Removes run `index`.
    pub fn remove_run(&mut self, index: u32) -> Result<(), JsError> {
        self.inner.remove_run(index as usize).map_err(err)
    }

    /// Makes run `index` the active one.
    pub fn select_run(&mut self, index: u32) -> Result<(), JsError> {
        self.inner.select_run(index as usize).map_err(err)
    }

    /// `n` updates of every run that can step; returns the status changes
    /// `[{run, status, message}]`.
    pub fn step(&mut self, n: u32) -> Result<JsValue, JsError> {
        to_js(&self.inner.step(u64::from(n)).map_err(err)?)
    }

    /// Whether any run can step.
    pub fn can_step(&self) -> bool {
        self.inner.can_step()
    }

    /// Back to step 0 for every run.
    pub fn reset(&mut self) -> Result<(), JsError> {
        self.inner.reset().map_err(err)
    }

    /// Moves the start to θ (training units; empty: the default start).
    pub fn set_start(&mut self, theta: JsValue) -> Result<(), JsError> {
        let theta = floats_of(&theta, "θ")?;
        self.inner.set_start(&theta).map_err(err)
    }

    /// Moves run `index`'s start to θ (training units; empty: the default
    /// start) and resets it.
    pub fn set_run_start(&mut self, index: u32, theta: JsValue) -> Result<(), JsError> {
        let theta = floats_of(&theta, "θ")?;
        self.inner
            .set_run_start(index as usize, &theta)
            .map_err(err)
    }

    /// How to replay the race: `{runs: [{start, timeline: [{step,
    /// settings}], exact}]}`.
    pub fn race_record(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.race_record().map_err(err)?)
    }

    /// Moves the start: parameters `a` and `b` at `va` and `vb`, the others
    /// at the active run's values.
    pub fn set_start_pair(&mut self, a: u32, va: f64, b: u32, vb: f64) -> Result<(), JsError> {
        self.inner
            .set_start_pair(a as usize, va, b as usize, vb)
            .map_err(err)
    }

    /// About `max_rows` rows of background work: `{optimum_ready,
    /// sweep_ready, idle}`.
    pub fn background(&mut self, max_rows: u32) -> Result<JsValue, JsError> {
        to_js(
            &self
                .inner
                .background(max_rows.max(1) as usize)
                .map_err(err)?,
        )
    }

    /// Starts an α-sweep of `steps` steps per rate.
    pub fn start_sweep(&mut self, steps: u32) -> Result<(), JsError> {
        self.inner.start_sweep(steps).map_err(err)
    }

    /// The data summary (see `session::readout::Summary`).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.summary().map_err(err)?)
    }

    /// The readout for `view` (see `session::readout::Readout`).
    pub fn readout(&self, view: JsValue) -> Result<JsValue, JsError> {
        let view: ViewRequest = from_js(view, "view")?;
        to_js(&self.inner.readout(&view).map_err(err)?)
    }

    /// The scene, as bytes for `Painter.set_scene`.
    pub fn scene(&self) -> Result<js_sys::Uint8Array, JsError> {
        Ok(js_sys::Uint8Array::from(
            &encode(&self.inner.scene().map_err(err)?)[..],
        ))
    }

    /// A frame for `view`, as bytes for `Painter.set_frame`.
    pub fn frame(&mut self, view: JsValue) -> Result<js_sys::Uint8Array, JsError> {
        let view: ViewRequest = from_js(view, "view")?;
        Ok(js_sys::Uint8Array::from(
            &encode(&self.inner.frame(&view).map_err(err)?)[..],
        ))
    }

    /// The landscape grid for parameters `a` and `b`: `{version, bytes}`
    /// (bytes for `Painter.set_grid`), or null when there is none.
    pub fn grid(&mut self, a: u32, b: u32) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Out {
            version: f64,
        }
        match self.inner.grid(a as usize, b as usize).map_err(err)? {
            Some((version, grid)) => {
                let out = to_js(&Out {
                    version: version as f64,
                })?;
                let bytes = js_sys::Uint8Array::from(&encode(&grid)[..]);
                js_sys::Reflect::set(&out, &"bytes".into(), &bytes)
                    .map_err(|_| JsError::new("could not build the grid message"))?;
                Ok(out)
            }
            None => Ok(JsValue::NULL),
        }
    }

    /// Whether the last α-sweep no longer describes the active run.
    pub fn sweep_stale(&self) -> bool {
        self.inner.sweep_stale()
    }

    /// The last α-sweep as bytes for `Painter.set_sweep`, or null.
    pub fn sweep(&self) -> Option<js_sys::Uint8Array> {
        self.inner
            .sweep()
            .map(|s| js_sys::Uint8Array::from(&encode(s)[..]))
    }

    /// The Hessian's eigenvalues for the curvature panel (exact for linear;
    /// at the active run's θ for logistic, one pass over the data).
    pub fn curvature(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.curvature_report().map_err(err)?)
    }

    /// The `k` rows that pull hardest on the active run's step.
    pub fn contributors(&self, k: u32) -> Result<JsValue, JsError> {
        to_js(&self.inner.contributors(k as usize).map_err(err)?)
    }

    /// The active run's gradient checked against central differences.
    pub fn gradient_check(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.gradient_check().map_err(err)?)
    }

    /// The model's output for the Predict form's boxes, one string per
    /// chosen column (a number or a word): `{value, text}`.
    pub fn predict_cells(&self, cells: JsValue) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Out {
            value: f64,
            text: String,
        }
        let cells = super::strings_of(&cells, "the Predict values")?;
        let (value, text) = self.inner.predict_cells(&cells).map_err(err)?;
        to_js(&Out {
            value: if value.is_finite() { value } else { 0.0 },
            text,
        })
    }

    /// Rows `from..from + count` with the active run's predictions.
    pub fn rows(&self, from: u32, count: u32) -> Result<JsValue, JsError> {
        to_js(
            &self
                .inner
                .rows(from as usize, count as usize)
                .map_err(err)?,
        )
    }

    /// The active run's model as an object: what `fit --json` prints (the
    /// worker turns it into text, so the bundle carries no JSON writer).
    pub fn export_model(&self) -> Result<JsValue, JsError> {
        let d = self
            .inner
            .loaded()
            .ok_or_else(|| JsError::new("no data is loaded yet"))?;
        to_js(&crate::report::FitReport::of(d, self.inner.active()))
    }

    /// The active run's loss history as CSV.
    pub fn history_csv(&self) -> Result<String, JsError> {
        self.inner.history_csv().map_err(err)
    }

    /// The data's text when at most `max_bytes` long, else null.
    pub fn source_text(&self, max_bytes: u32) -> Option<String> {
        self.inner.source_text(max_bytes as usize)
    }

    /// rows × parameters of the problem (0 before data).
    pub fn cells(&self) -> f64 {
        self.inner.cells() as f64
    }
}
