//! The thin WebAssembly façade used by the page: one [`Session`] owns the
//! parsed table, the dataset and the trainer in wasm memory; only numbers,
//! `Float64Array`s and small summary objects cross to JavaScript.

mod draw;
pub mod examples;
mod summary;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::data::{ColumnKind, ColumnRef, Dataset, DatasetSpec, Table, TableBuilder};
use crate::model::ModelKind;
use crate::plot::scene::SceneData;
use crate::trainer::{Trainer, TrainerConfig};
use crate::GradstepError;

use summary::Choice;

/// Largest file the page accepts, in bytes.
const MAX_BYTES: usize = 512 * 1024 * 1024;

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// What the page asks for in [`Session::configure`].
#[derive(Debug, Deserialize)]
struct ConfigRequest {
    /// Target column name.
    target: String,
    /// Feature column names; all other numeric columns when absent.
    features: Option<Vec<String>>,
    /// "linear", "logistic" or "auto" (two distinct values → logistic).
    #[serde(default)]
    model: Option<String>,
    #[serde(default = "yes")]
    standardize: bool,
    #[serde(default)]
    drop_missing: bool,
}

fn yes() -> bool {
    true
}

/// A loaded table with a trainer on it.
struct Loaded {
    source: String,
    table: Table,
    choice: Choice,
    trainer: Trainer,
    scene: SceneData,
}

/// Everything the page works with. Failed calls leave it as it was.
#[wasm_bindgen]
pub struct Session {
    loaded: Option<Loaded>,
    incoming: Vec<u8>,
    parsing: Option<(String, TableBuilder)>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Session {
    /// An empty session (installs the panic hook that logs to the console).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        console_error_panic_hook::set_once();
        Session {
            loaded: None,
            incoming: Vec::new(),
            parsing: None,
        }
    }

    /// The built-in examples: `[{id, name, description}]`, default first.
    pub fn examples() -> Result<JsValue, JsError> {
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

    /// Loads a built-in example and returns the summary.
    pub fn load_example(&mut self, id: &str) -> Result<JsValue, JsError> {
        let example = examples::find(id)
            .ok_or_else(|| JsError::new(&format!("there is no example named '{id}'")))?;
        let table = Table::parse(example.csv).map_err(js_error)?;
        let target = table
            .resolve(&ColumnRef::Name(example.target.into()))
            .map_err(js_error)?;
        let choice = default_choice(&table, target, Some(example.model));
        self.install(example.name.to_string(), table, choice)?;
        self.summary()
    }

    /// Parses CSV text (e.g. pasted), picks a target (the last column that
    /// works) and returns the summary. On error the previous data stays.
    pub fn load_csv(&mut self, text: &str, name: &str) -> Result<JsValue, JsError> {
        let table = Table::parse(text).map_err(js_error)?;
        self.install_auto(name, table)?;
        self.summary()
    }

    /// Starts receiving a file in chunks ([`Session::push_bytes`]).
    pub fn begin_load(&mut self) {
        self.incoming = Vec::new();
        self.parsing = None;
    }

    /// Appends a chunk of the file being received.
    pub fn push_bytes(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        if self.incoming.len().saturating_add(chunk.len()) > MAX_BYTES {
            self.incoming = Vec::new();
            return Err(js_error(GradstepError::TooLarge {
                what: format!("the file is over {} MB", MAX_BYTES / (1024 * 1024)),
            }));
        }
        self.incoming.extend_from_slice(chunk);
        Ok(())
    }

    /// Parses the received bytes as a CSV file called `name`, in one call.
    pub fn finish_load(&mut self, name: &str) -> Result<JsValue, JsError> {
        self.start_parse(name)?;
        self.finish_parse()
    }

    /// Starts parsing the received bytes as a CSV file called `name`, a
    /// slice at a time ([`Session::parse_step`]), so the page stays
    /// responsive on big files.
    pub fn start_parse(&mut self, name: &str) -> Result<(), JsError> {
        let bytes = std::mem::take(&mut self.incoming);
        let text = String::from_utf8(bytes).map_err(|e| {
            JsError::new(&format!(
                "could not read '{name}': it is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        let mut builder = TableBuilder::new();
        builder.push_text(&text);
        self.parsing = Some((name.to_string(), builder));
        Ok(())
    }

    /// Parses up to `max_rows` more records; returns the parsed fraction
    /// (0..=1). An error ends the parse (the previous data stays).
    pub fn parse_step(&mut self, max_rows: u32) -> Result<f64, JsError> {
        let (_, builder) = self
            .parsing
            .as_mut()
            .ok_or_else(|| JsError::new("no file is being parsed"))?;
        match builder.parse_step(max_rows.max(1) as usize) {
            Ok(consumed) => {
                let total = builder.total_bytes().max(1);
                Ok(consumed as f64 / total as f64)
            }
            Err(e) => {
                self.parsing = None;
                Err(js_error(e))
            }
        }
    }

    /// Whether every record of the file being parsed is read.
    pub fn parse_done(&self) -> bool {
        self.parsing.as_ref().is_none_or(|(_, b)| b.is_done())
    }

    /// Ends the parse (parsing what is left) and installs the table with the
    /// first target that works; returns the summary.
    pub fn finish_parse(&mut self) -> Result<JsValue, JsError> {
        let (name, builder) = self
            .parsing
            .take()
            .ok_or_else(|| JsError::new("no file is being parsed"))?;
        let table = builder.finish().map_err(js_error)?;
        self.install_auto(&name, table)?;
        self.summary()
    }

    /// Chooses target, features, model and standardization; returns the
    /// summary. `{target, features?, model?: "auto"|"linear"|"logistic",
    /// standardize?, drop_missing?}`. On error nothing changes.
    pub fn configure(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let request: ConfigRequest = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("invalid settings: {e}")))?;
        let loaded = self
            .loaded
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded"))?;
        let table = &loaded.table;
        let target = table
            .resolve(&ColumnRef::Name(request.target.clone()))
            .map_err(js_error)?;
        let features = match &request.features {
            Some(names) => names
                .iter()
                .map(|n| table.resolve(&ColumnRef::Name(n.clone())))
                .collect::<crate::Result<Vec<usize>>>()
                .map_err(js_error)?,
            None => numeric_features(table, target),
        };
        let model = match request.model.as_deref() {
            None | Some("auto") | Some("") => table.suggest_model(target),
            Some(m) => m.parse::<ModelKind>().map_err(js_error)?,
        };
        let choice = Choice {
            target,
            features,
            model,
            standardize: request.standardize,
            drop_missing: request.drop_missing,
        };
        let (trainer, scene) = build(table, &choice)?;
        let loaded = self
            .loaded
            .as_mut()
            .ok_or_else(|| JsError::new("no data is loaded"))?;
        loaded.choice = choice;
        loaded.trainer = trainer;
        loaded.scene = scene;
        self.summary()
    }

    /// The summary of the loaded data and model.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let l = self.current()?;
        to_js(&summary::summary(
            &l.source, &l.table, &l.choice, &l.trainer,
        ))
    }

    /// The training state: step, loss, status, parameters and gradients in
    /// original units.
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&summary::state(&self.current()?.trainer))
    }

    /// Fit quality at the current parameters: `{kind: "linear", mse, rmse,
    /// r2}` or `{kind: "logistic", log_loss, accuracy}`. A pass over all
    /// rows, so the page asks for it less often on big data.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.current()?.trainer.metrics())
    }

    /// Exactly one update; returns the status ("running", "converged",
    /// "diverged").
    pub fn step(&mut self) -> Result<String, JsError> {
        let t = &mut self.current_mut()?.trainer;
        Ok(t.step().status.name().to_string())
    }

    /// Up to `steps` updates, stopping at convergence or divergence;
    /// returns the status.
    pub fn run(&mut self, steps: u32) -> Result<String, JsError> {
        let t = &mut self.current_mut()?.trainer;
        Ok(t.run(u64::from(steps)).status.name().to_string())
    }

    /// The current step number.
    pub fn step_count(&self) -> Result<f64, JsError> {
        Ok(self.current()?.trainer.state().step as f64)
    }

    /// The current loss.
    pub fn loss(&self) -> Result<f64, JsError> {
        Ok(self.current()?.trainer.state().loss)
    }

    /// Back to step 0, keeping the learning rate.
    pub fn reset(&mut self) -> Result<(), JsError> {
        self.current_mut()?.trainer.reset();
        Ok(())
    }

    /// Sets the learning rate used from the next step on (no reset).
    pub fn set_learning_rate(&mut self, rate: f64) -> Result<(), JsError> {
        self.current_mut()?
            .trainer
            .set_learning_rate(rate)
            .map_err(js_error)
    }

    /// The loss after each step so far.
    pub fn loss_history(&self) -> Result<js_sys::Float64Array, JsError> {
        Ok(js_sys::Float64Array::from(
            self.current()?.trainer.loss_history(),
        ))
    }

    /// Current weights in original units.
    pub fn weights(&self) -> Result<js_sys::Float64Array, JsError> {
        let (w, _) = self.current()?.trainer.original_parameters();
        Ok(js_sys::Float64Array::from(&w[..]))
    }

    /// The model's output (value or probability) for one example given in
    /// original units, one number per feature.
    pub fn predict(&self, features: &[f64]) -> Result<f64, JsError> {
        let t = &self.current()?.trainer;
        let d = t.dataset().features.cols();
        if features.len() != d {
            return Err(JsError::new(&format!(
                "expected {d} feature value(s), got {}",
                features.len()
            )));
        }
        Ok(t.predict(features))
    }

    /// Draws the loss curve onto `canvas` (sized by the page at CSS size ×
    /// `dpr`); `relative` plots L − L* (needs a finite optimum).
    pub fn draw_loss(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dpr: f64,
        log_scale: bool,
        relative: bool,
    ) -> Result<(), JsError> {
        draw::loss(canvas, &self.current()?.trainer, dpr, log_scale, relative)
    }

    /// Draws the model view onto `canvas`: `view` is "line", "sigmoid",
    /// "heatmap" or "predicted-actual" (an unavailable one falls back to
    /// the default); `slice_x`/`slice_y` pick the heatmap's features.
    /// Returns the view drawn.
    pub fn draw_model(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dpr: f64,
        view: &str,
        slice_x: u32,
        slice_y: u32,
    ) -> Result<String, JsError> {
        let l = self.current()?;
        draw::model(canvas, &l.trainer, &l.scene, dpr, view, slice_x, slice_y)
    }
}

impl Session {
    fn current(&self) -> Result<&Loaded, JsError> {
        self.loaded
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded"))
    }

    fn current_mut(&mut self) -> Result<&mut Loaded, JsError> {
        self.loaded
            .as_mut()
            .ok_or_else(|| JsError::new("no data is loaded"))
    }

    /// Replaces the loaded data only when a trainer could be built.
    fn install(&mut self, source: String, table: Table, choice: Choice) -> Result<(), JsError> {
        let (trainer, scene) = build(&table, &choice)?;
        self.loaded = Some(Loaded {
            source,
            table,
            choice,
            trainer,
            scene,
        });
        Ok(())
    }

    /// Installs `table` with the first target that works, from the last
    /// column backwards; the first error is reported when none does.
    fn install_auto(&mut self, name: &str, table: Table) -> Result<(), JsError> {
        let n = table.columns().len();
        let mut first_error = None;
        for target in (0..n).rev() {
            if target + 1 < n && table.columns()[target].kind != ColumnKind::Numeric {
                continue;
            }
            let choice = default_choice(&table, target, None);
            match build(&table, &choice) {
                Ok((trainer, scene)) => {
                    self.loaded = Some(Loaded {
                        source: name.to_string(),
                        table,
                        choice,
                        trainer,
                        scene,
                    });
                    return Ok(());
                }
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e);
                    }
                }
            }
        }
        Err(first_error.unwrap_or_else(|| JsError::new("the file has no usable columns")))
    }
}

fn numeric_features(table: &Table, target: usize) -> Vec<usize> {
    table
        .columns()
        .iter()
        .enumerate()
        .filter(|(j, c)| *j != target && c.kind == ColumnKind::Numeric)
        .map(|(j, _)| j)
        .collect()
}

fn default_choice(table: &Table, target: usize, model: Option<ModelKind>) -> Choice {
    Choice {
        target,
        features: numeric_features(table, target),
        model: model.unwrap_or_else(|| table.suggest_model(target)),
        standardize: true,
        drop_missing: false,
    }
}

/// Dataset, trainer at the suggested learning rate, and drawing data.
fn build(table: &Table, choice: &Choice) -> Result<(Trainer, SceneData), JsError> {
    let spec = DatasetSpec {
        target: Some(ColumnRef::Index(choice.target + 1)),
        features: Some(
            choice
                .features
                .iter()
                .map(|&j| ColumnRef::Index(j + 1))
                .collect(),
        ),
        model: choice.model,
        drop_missing: choice.drop_missing,
    };
    let dataset = Dataset::from_table(table, &spec).map_err(js_error)?;
    let scene = SceneData::new(&dataset);
    let config = TrainerConfig {
        standardize: choice.standardize,
        ..TrainerConfig::default()
    };
    let mut trainer = Trainer::new(dataset, config).map_err(js_error)?;
    let rate = summary::suggested_rate(trainer.lipschitz());
    trainer.set_learning_rate(rate).map_err(js_error)?;
    // Compute the optimum now rather than during the first redraw.
    let _ = trainer.optimum();
    Ok((trainer, scene))
}
