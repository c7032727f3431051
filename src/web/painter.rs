//! The main thread's painter: decodes what the worker sends and draws it.

use std::cell::RefCell;

use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{bytes_of, err, from_js, to_js};
use crate::plot::painter::{self, LossOptions, ModelOptions};
use crate::plot::{PlotMapping, Style};
use crate::session::view::{decode, Frame, Grid, Scene, Sweep};

/// The last scene, frame and grid, and where the landscape was drawn.
#[derive(Default)]
struct State {
    scene: Option<Scene>,
    frame: Option<Frame>,
    grid: Option<Grid>,
    sweep: Option<Sweep>,
    landscape: Option<(f64, u32, u32, PlotMapping)>,
}

/// Draws the worker's scenes and frames on canvases.
#[wasm_bindgen]
#[derive(Default)]
pub struct Painter {
    // Never borrowed across a call into JavaScript that could throw: every
    // method copies what it needs out first.
    state: RefCell<State>,
}

fn canvas_of(value: &JsValue) -> Result<HtmlCanvasElement, JsError> {
    let canvas = value
        .dyn_ref::<HtmlCanvasElement>()
        .cloned()
        .ok_or_else(|| JsError::new("expected a <canvas> element"))?;
    if canvas.width() == 0 || canvas.height() == 0 {
        return Err(JsError::new("the canvas has no size"));
    }
    Ok(canvas)
}

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("could not get a 2D context from the canvas"))
}

fn style(dpr: f64) -> Style {
    Style::new(if dpr.is_finite() && dpr > 0.0 {
        dpr
    } else {
        1.0
    })
}

#[wasm_bindgen]
impl Painter {
    /// A painter with nothing to draw yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Painter {
        console_error_panic_hook::set_once();
        Painter::default()
    }

    /// Takes a new scene (bytes from `WorkerSession.scene`).
    pub fn set_scene(&self, bytes: JsValue) -> Result<(), JsError> {
        let scene: Scene = decode(&bytes_of(&bytes, "the scene")?).map_err(err)?;
        let mut s = self.state.borrow_mut();
        s.scene = Some(scene);
        s.grid = None;
        s.landscape = None;
        Ok(())
    }

    /// Takes a new frame (bytes from `WorkerSession.frame`).
    pub fn set_frame(&self, bytes: JsValue) -> Result<(), JsError> {
        let frame: Frame = decode(&bytes_of(&bytes, "the frame")?).map_err(err)?;
        self.state.borrow_mut().frame = Some(frame);
        Ok(())
    }

    /// Takes a landscape grid (bytes from `WorkerSession.grid`).
    pub fn set_grid(&self, bytes: JsValue) -> Result<(), JsError> {
        let grid: Grid = decode(&bytes_of(&bytes, "the grid")?).map_err(err)?;
        self.state.borrow_mut().grid = Some(grid);
        Ok(())
    }

    /// Takes an α-sweep (bytes from `WorkerSession.sweep`).
    pub fn set_sweep(&self, bytes: JsValue) -> Result<(), JsError> {
        let sweep: Sweep = decode(&bytes_of(&bytes, "the sweep")?).map_err(err)?;
        self.state.borrow_mut().sweep = Some(sweep);
        Ok(())
    }

    /// Draws the loss curve; `options` is `{log_scale, relative, epochs}`.
    pub fn draw_loss(
        &self,
        canvas: JsValue,
        dpr: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let options: LossOptions = from_js(options, "loss options")?;
        let frame = self
            .state
            .borrow()
            .frame
            .clone()
            .ok_or_else(|| JsError::new("nothing to draw yet"))?;
        let info =
            painter::draw_loss(backend(canvas)?, &frame, &options, style(dpr)).map_err(err)?;
        #[derive(Serialize)]
        struct Out {
            points: usize,
            reference: bool,
        }
        to_js(&Out {
            points: info.points_drawn,
            reference: info.reference_drawn,
        })
    }

    /// Draws the model view; `options` is `{view, slice_x, slice_y, ghost,
    /// shares}`. Returns `{view}`: the view drawn.
    pub fn draw_model(
        &self,
        canvas: JsValue,
        dpr: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let options: ModelOptions = from_js(options, "model options")?;
        let (scene, frame) = {
            let s = self.state.borrow();
            (s.scene.clone(), s.frame.clone())
        };
        let (scene, frame) = scene
            .zip(frame)
            .ok_or_else(|| JsError::new("nothing to draw yet"))?;
        let (view, _) = painter::draw_model(backend(canvas)?, &scene, &frame, &options, style(dpr))
            .map_err(err)?;
        #[derive(Serialize)]
        struct Out {
            view: crate::plot::ViewKind,
        }
        to_js(&Out { view })
    }

    /// Draws the landscape (the grid set last and the frame's paths).
    /// Returns `{a, b, a_range, b_range, sampled_rows}` or null when there
    /// is no grid yet.
    pub fn draw_landscape(&self, canvas: JsValue, dpr: f64) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let (scene, frame, grid) = {
            let s = self.state.borrow();
            (s.scene.clone(), s.frame.clone(), s.grid.clone())
        };
        let (Some(scene), Some(frame), Some(grid)) = (scene, frame, grid) else {
            return Ok(JsValue::NULL);
        };
        let st = style(dpr);
        let info =
            painter::draw_landscape(backend(canvas)?, &scene, &frame, &grid, st).map_err(err)?;
        self.state.borrow_mut().landscape = Some((st.scale, grid.a, grid.b, info.mapping.clone()));
        #[derive(Serialize)]
        struct Out {
            a: u32,
            b: u32,
            a_range: (f64, f64),
            b_range: (f64, f64),
            sampled_rows: Option<u32>,
        }
        to_js(&Out {
            a: grid.a,
            b: grid.b,
            a_range: grid.a_range,
            b_range: grid.b_range,
            sampled_rows: grid.sampled_rows,
        })
    }

    /// The two parameter values at CSS pixel (x, y) of the last landscape
    /// drawing: `[a, value_a, b, value_b]`, or null outside the plot.
    pub fn landscape_value_at(&self, x: f64, y: f64) -> Result<JsValue, JsError> {
        let s = self.state.borrow();
        let Some((scale, a, b, mapping)) = &s.landscape else {
            return Ok(JsValue::NULL);
        };
        match mapping.value_at(x * scale, y * scale) {
            Some((va, vb)) => to_js(&(a, va, b, vb)),
            None => Ok(JsValue::NULL),
        }
    }
}
