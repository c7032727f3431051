//! The main thread's painter: decodes what the worker sends and draws it
//! on the page's canvases (sized CSS size × device pixel ratio).

use std::cell::RefCell;
use std::rc::Rc;

use plotters::prelude::DrawingBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::{bytes_of, err, floats_of, from_js, to_js};
use crate::plot::painter::{self, EigenOptions, LegendEntry, LossOptions, ModelOptions};
use crate::plot::{sweep, PlotMapping, Style};
use crate::session::view::{decode, Frame, Grid, Scene, Sweep};

/// Where a plot was last drawn: the device pixel ratio the canvas was
/// sized with and the plot area's mapping, to turn CSS clicks into values.
#[derive(Clone)]
struct Drawn {
    dpr: f64,
    mapping: PlotMapping,
}

/// The last scene, frame, grid and sweep (shared, so a draw copies a
/// pointer, not the sample), and where the landscape and sweep were drawn.
#[derive(Default)]
struct State {
    scene: Option<Rc<Scene>>,
    frame: Option<Rc<Frame>>,
    grid: Option<Rc<Grid>>,
    sweep: Option<Rc<Sweep>>,
    landscape: Option<(Drawn, u32, u32)>,
    sweep_drawn: Option<(Drawn, Vec<f64>)>,
}

/// Draws the worker's scenes and frames on canvases.
#[wasm_bindgen]
#[derive(Default)]
pub struct Painter {
    // Never borrowed across a call that could throw: every method copies
    // what it needs out first (Rc clones) and stores results after.
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

fn backend(canvas: HtmlCanvasElement) -> Result<FastCanvas, JsError> {
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let inner = CanvasBackend::with_canvas_object(canvas);
    match (inner, ctx) {
        (Some(inner), Some(ctx)) => Ok(FastCanvas {
            inner,
            ctx,
            fill: None,
            circles: false,
        }),
        _ => Err(JsError::new("could not get a 2D context from the canvas")),
    }
}

/// plotters-canvas with two shortcuts, both invisible in the result:
/// - a filled rectangle in the colour of the previous one does not set the
///   fill style again (a heatmap or a landscape is a few thousand rectangles
///   in a couple of dozen colours, and parsing the CSS colour string was
///   most of each rectangle's cost);
/// - opaque filled circles of one colour in a row become one path filled
///   once (a scatter of 2000 points was 6000 canvas calls, most of a model
///   view's cost while playing). Anything else drawn ends the path first,
///   so the order of what is painted never changes.
struct FastCanvas {
    inner: CanvasBackend,
    /// The same canvas' context (the one `inner` draws with).
    ctx: CanvasRenderingContext2d,
    /// The fill colour last set by this wrapper, while nothing else has
    /// set one since.
    fill: Option<BackendColor>,
    /// Circles are being added to one path in the current fill colour.
    circles: bool,
}

type CanvasErrorKind = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

/// Text sizes measured so far: (font family, style, size in px, text).
type TextKey = (String, String, u64, String);

/// Most text sizes kept (the cache starts afresh beyond this).
const TEXT_SIZES_KEPT: usize = 4096;

thread_local! {
    static TEXT_SIZES: RefCell<std::collections::HashMap<TextKey, (u32, u32)>> =
        RefCell::new(std::collections::HashMap::new());
}

impl FastCanvas {
    /// Fills the pending circles' path, if any.
    fn flush(&mut self) {
        if self.circles {
            self.circles = false;
            self.ctx.fill();
        }
    }

    /// Sets the fill colour unless it is already set.
    fn set_fill(&mut self, color: BackendColor) {
        let same = self
            .fill
            .is_some_and(|c| c.rgb == color.rgb && c.alpha == color.alpha);
        if !same {
            let (r, g, b) = color.rgb;
            let css: JsValue = format!("rgba({r},{g},{b},{})", color.alpha).into();
            #[allow(deprecated)]
            self.ctx.set_fill_style(&css);
            self.fill = Some(color);
        }
    }

    /// Before a call that `inner` draws (and that may set the fill style).
    fn hand_over(&mut self) {
        self.flush();
        self.fill = None;
    }
}

impl Drop for FastCanvas {
    fn drop(&mut self) {
        self.flush();
    }
}

impl DrawingBackend for FastCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), CanvasErrorKind> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), CanvasErrorKind> {
        self.flush();
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), CanvasErrorKind> {
        self.hand_over();
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), CanvasErrorKind> {
        self.flush();
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), CanvasErrorKind> {
        self.flush();
        let color = style.color();
        if !fill {
            return self.inner.draw_rect(upper_left, bottom_right, style, fill);
        }
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.set_fill(color);
        self.ctx.fill_rect(
            f64::from(upper_left.0),
            f64::from(upper_left.1),
            f64::from(bottom_right.0 - upper_left.0),
            f64::from(bottom_right.1 - upper_left.1),
        );
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), CanvasErrorKind> {
        self.flush();
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), CanvasErrorKind> {
        let color = style.color();
        // Overlaps of translucent circles blend once per circle: those stay
        // separate fills.
        if !fill || color.alpha < 1.0 {
            self.hand_over();
            return self.inner.draw_circle(center, radius, style, fill);
        }
        let same = self.circles && self.fill.is_some_and(|c| c.rgb == color.rgb);
        if !same {
            self.flush();
            self.set_fill(color);
            self.ctx.begin_path();
            self.circles = true;
        }
        let (x, y, r) = (f64::from(center.0), f64::from(center.1), f64::from(radius));
        self.ctx.move_to(x + r, y);
        if self.ctx.arc(x, y, r, 0.0, std::f64::consts::TAU).is_err() {
            // plotters-canvas reports the error in its own type.
            self.hand_over();
            return self.inner.draw_circle(center, radius, style, fill);
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), CanvasErrorKind> {
        self.hand_over();
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), CanvasErrorKind> {
        self.hand_over();
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), CanvasErrorKind> {
        // plotters measures a label by adding a <span> to the page and
        // reading its size: a forced layout of the whole page per label,
        // about ten per plot. Labels repeat from frame to frame, so each
        // size is measured once.
        let key = (
            style.family().as_str().to_string(),
            style.style().as_str().to_string(),
            style.size().to_bits(),
            text.to_string(),
        );
        if let Some(size) = TEXT_SIZES.with(|c| c.borrow().get(&key).copied()) {
            return Ok(size);
        }
        let size = self.inner.estimate_text_size(text, style)?;
        TEXT_SIZES.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= TEXT_SIZES_KEPT {
                c.clear();
            }
            c.insert(key, size);
        });
        Ok(size)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), CanvasErrorKind> {
        self.hand_over();
        self.inner.blit_bitmap(pos, size, src)
    }
}

/// The device pixel ratio as given (for mapping clicks), 1 when unusable.
fn ratio(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr
    } else {
        1.0
    }
}

fn nothing_yet() -> JsError {
    JsError::new("nothing to draw yet: set a scene and a frame first")
}

#[wasm_bindgen]
impl Painter {
    /// A painter with nothing to draw yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Painter {
        console_error_panic_hook::set_once();
        Painter::default()
    }

    /// Takes a new scene (bytes from `WorkerSession.scene`); forgets the
    /// grid and the sweep of the last configuration.
    pub fn set_scene(&self, bytes: JsValue) -> Result<(), JsError> {
        let scene: Scene = decode(&bytes_of(&bytes, "the scene")?).map_err(err)?;
        let mut s = self.state.borrow_mut();
        s.scene = Some(Rc::new(scene));
        s.grid = None;
        s.landscape = None;
        s.sweep = None;
        s.sweep_drawn = None;
        Ok(())
    }

    /// Takes a new frame (bytes from `WorkerSession.frame`).
    pub fn set_frame(&self, bytes: JsValue) -> Result<(), JsError> {
        let frame: Frame = decode(&bytes_of(&bytes, "the frame")?).map_err(err)?;
        self.state.borrow_mut().frame = Some(Rc::new(frame));
        Ok(())
    }

    /// Takes a landscape grid (bytes from `WorkerSession.grid`).
    pub fn set_grid(&self, bytes: JsValue) -> Result<(), JsError> {
        let grid: Grid = decode(&bytes_of(&bytes, "the grid")?).map_err(err)?;
        self.state.borrow_mut().grid = Some(Rc::new(grid));
        Ok(())
    }

    /// Takes an α-sweep (bytes from `WorkerSession.sweep`).
    pub fn set_sweep(&self, bytes: JsValue) -> Result<(), JsError> {
        let sweep: Sweep = decode(&bytes_of(&bytes, "the sweep")?).map_err(err)?;
        self.state.borrow_mut().sweep = Some(Rc::new(sweep));
        Ok(())
    }

    /// The six run colours, `["#rrggbb", …]`: run i is drawn in colour i.
    pub fn run_colors(&self) -> Result<JsValue, JsError> {
        to_js(&painter::run_colors())
    }

    /// Draws every run's loss curve; `options` is `{log_scale, relative,
    /// epochs, batch}`. Returns `{points, reference, runs}`.
    pub fn draw_loss(
        &self,
        canvas: JsValue,
        dpr: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let options: LossOptions = from_js(options, "loss options")?;
        let (scene, frame) = self.scene_and_frame()?;
        let info = painter::draw_loss(backend(canvas)?, &scene, &frame, &options, Style::new(dpr))
            .map_err(err)?;
        #[derive(Serialize)]
        struct Out {
            points: usize,
            reference: bool,
            runs: usize,
        }
        to_js(&Out {
            points: info.points_drawn,
            reference: info.reference_drawn,
            runs: info.runs,
        })
    }

    /// Draws the model view; `options` is `{view, slice_x, slice_y, ghost,
    /// shares, newton, others}`. Returns `{view, legend: [{kind, label,
    /// color}]}`: the view drawn and what the legend should list.
    pub fn draw_model(
        &self,
        canvas: JsValue,
        dpr: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let options: ModelOptions = from_js(options, "model options")?;
        let (scene, frame) = self.scene_and_frame()?;
        let info = painter::draw_model(backend(canvas)?, &scene, &frame, &options, Style::new(dpr))
            .map_err(err)?;
        #[derive(Serialize)]
        struct Out {
            view: crate::plot::ViewKind,
            legend: Vec<LegendEntry>,
        }
        to_js(&Out {
            view: info.view,
            legend: info.legend,
        })
    }

    /// Draws the landscape (the grid set last and every run's path).
    /// Returns `{a, b, a_range, b_range, sampled_rows}`, or null when there
    /// is no scene, frame or grid yet.
    pub fn draw_landscape(&self, canvas: JsValue, dpr: f64) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let (scene, frame, grid) = {
            let s = self.state.borrow();
            (s.scene.clone(), s.frame.clone(), s.grid.clone())
        };
        let (Some(scene), Some(frame), Some(grid)) = (scene, frame, grid) else {
            return Ok(JsValue::NULL);
        };
        let info =
            painter::draw_landscape(backend(canvas)?, &scene, &frame, &grid, Style::new(dpr))
                .map_err(err)?;
        self.state.borrow_mut().landscape = Some((
            Drawn {
                dpr: ratio(dpr),
                mapping: info.mapping,
            },
            grid.a,
            grid.b,
        ));
        #[derive(Serialize)]
        struct Out {
            a: u32,
            b: u32,
            a_range: (f64, f64),
            b_range: (f64, f64),
            sampled_rows: Option<u32>,
            noise_drawn: bool,
        }
        to_js(&Out {
            a: grid.a,
            b: grid.b,
            a_range: grid.a_range,
            b_range: grid.b_range,
            sampled_rows: grid.sampled_rows,
            noise_drawn: info.noise_drawn,
        })
    }

    /// The two parameter values at CSS pixel (x, y) of the last landscape
    /// drawing: `[a, value_a, b, value_b]`, or null outside the plot.
    pub fn landscape_value_at(&self, x: f64, y: f64) -> Result<JsValue, JsError> {
        let hit = {
            let s = self.state.borrow();
            s.landscape.as_ref().and_then(|(d, a, b)| {
                d.mapping
                    .value_at(x * d.dpr, y * d.dpr)
                    .map(|(va, vb)| (*a, va, *b, vb))
            })
        };
        match hit {
            Some(v) => to_js(&v),
            None => Ok(JsValue::NULL),
        }
    }

    /// Draws the errors along the Hessian's eigendirections; `options` is
    /// `{log_scale}` (log by default). Returns `{directions}`, or null when
    /// the frame carries none.
    pub fn draw_eigen(
        &self,
        canvas: JsValue,
        dpr: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let options: EigenOptions = from_js(options, "eigen options")?;
        let Ok((_, frame)) = self.scene_and_frame() else {
            return Ok(JsValue::NULL);
        };
        if frame.eigen.is_none() {
            return Ok(JsValue::NULL);
        }
        let info = painter::draw_eigen(backend(canvas)?, &frame, &options, Style::new(dpr))
            .map_err(err)?;
        #[derive(Serialize)]
        struct Out {
            directions: usize,
        }
        match info {
            Some(i) => to_js(&Out {
                directions: i.directions,
            }),
            None => Ok(JsValue::NULL),
        }
    }

    /// Draws the α-sweep set last. Returns `{points}`, or null when there
    /// is no scene, frame or sweep yet.
    pub fn draw_sweep(&self, canvas: JsValue, dpr: f64) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let sweep = {
            let s = self.state.borrow();
            (s.scene.is_some() && s.frame.is_some())
                .then(|| s.sweep.clone())
                .flatten()
        };
        let Some(sweep) = sweep else {
            return Ok(JsValue::NULL);
        };
        let info = painter::draw_sweep(backend(canvas)?, &sweep, Style::new(dpr)).map_err(err)?;
        self.state.borrow_mut().sweep_drawn = Some((
            Drawn {
                dpr: ratio(dpr),
                mapping: info.mapping,
            },
            sweep.rates.clone(),
        ));
        #[derive(Serialize)]
        struct Out {
            points: usize,
        }
        to_js(&Out {
            points: info.points,
        })
    }

    /// The tried α nearest to CSS pixel (x, y) of the last sweep drawing,
    /// or null outside the plot.
    pub fn sweep_rate_at(&self, x: f64, y: f64) -> JsValue {
        let s = self.state.borrow();
        s.sweep_drawn
            .as_ref()
            .and_then(|(d, rates)| sweep::rate_at(&d.mapping, rates, x * d.dpr, y * d.dpr))
            .map_or(JsValue::NULL, JsValue::from_f64)
    }

    /// Draws the schedule's small curve from `points`, a Float64Array (or
    /// an array) `k0, r0, k1, r1, …` of α over the steps. Returns `{points}`.
    pub fn draw_schedule(
        &self,
        canvas: JsValue,
        dpr: f64,
        points: JsValue,
    ) -> Result<JsValue, JsError> {
        let canvas = canvas_of(&canvas)?;
        let flat = floats_of(&points, "the schedule points")?;
        let info = painter::draw_schedule(backend(canvas)?, &flat, Style::new(dpr)).map_err(err)?;
        #[derive(Serialize)]
        struct Out {
            points: usize,
        }
        to_js(&Out {
            points: info.points,
        })
    }
}

impl Painter {
    /// The scene and frame (shared pointers), or the "nothing yet" error.
    fn scene_and_frame(&self) -> Result<(Rc<Scene>, Rc<Frame>), JsError> {
        let s = self.state.borrow();
        s.scene.clone().zip(s.frame.clone()).ok_or_else(nothing_yet)
    }
}
