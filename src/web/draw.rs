//! The only place that creates canvas backends: the page's canvases are
//! drawn by the generic plots of `crate::plot`.

use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsError;
use web_sys::HtmlCanvasElement;

use crate::plot::landscape::{LandscapePanel, PanelInfo};
use crate::plot::scene::{self, ModelViewRequest, SceneData};
use crate::plot::{Style, ViewKind};
use crate::trainer::Trainer;

use super::insight::optimum_if_cheap;

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    if canvas.width() == 0 || canvas.height() == 0 {
        return Err(JsError::new("the canvas has no size"));
    }
    CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("could not get a 2D context from the canvas"))
}

pub fn loss(
    canvas: HtmlCanvasElement,
    trainer: &Trainer,
    dpr: f64,
    log_scale: bool,
    relative: bool,
) -> Result<(), JsError> {
    // The reference line needs the optimum: computed here only when cheap.
    let _ = optimum_if_cheap(trainer);
    scene::draw_loss(
        backend(canvas)?,
        trainer,
        log_scale,
        relative,
        Style::new(dpr),
    )
    .map(|_| ())
    .map_err(|e| JsError::new(&e.to_string()))
}

#[allow(clippy::too_many_arguments)]
pub fn model(
    canvas: HtmlCanvasElement,
    trainer: &Trainer,
    data: &SceneData,
    dpr: f64,
    view: &str,
    slice_x: u32,
    slice_y: u32,
    ghost: bool,
    insight: bool,
) -> Result<String, JsError> {
    let dataset = trainer.dataset();
    let wished = ViewKind::from_name(view);
    let drawn = scene::resolve_view(dataset.model, dataset.features.cols(), wished)
        .ok_or_else(|| JsError::new("the model has no features to draw"))?;
    if ghost {
        let _ = optimum_if_cheap(trainer);
    }
    let request = ModelViewRequest {
        view: Some(drawn),
        slice_x: slice_x as usize,
        slice_y: slice_y as usize,
        show_optimum: ghost,
        insight,
    };
    scene::draw_model(backend(canvas)?, trainer, data, &request, Style::new(dpr))
        .map_err(|e| JsError::new(&e.to_string()))?;
    Ok(drawn.name().to_string())
}

pub fn landscape(
    canvas: &HtmlCanvasElement,
    panel: &mut LandscapePanel,
    trainer: &Trainer,
    dpr: f64,
    a: u32,
    b: u32,
) -> Result<PanelInfo, JsError> {
    let _ = optimum_if_cheap(trainer);
    let backend = backend(canvas.clone())?;
    panel
        .draw(backend, trainer, a as usize, b as usize, Style::new(dpr))
        .map_err(|e| JsError::new(&e.to_string()))
}
