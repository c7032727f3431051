//! The painter's plots rendered to SVG strings from hand-made scenes,
//! frames, grids and sweeps: what was drawn (runs, points, paths, markers,
//! legend entries), the geometry (square landscape, predicted slopes, click
//! mappings) and that odd input (empty, NaN, ∞, huge) never panics.
//!
//! A few pictures land in `test-artifacts/` to look at; `timing` prints draw
//! times (run it with `--release -- --nocapture timing`).

use std::time::Instant;

use gradstep::model::ModelKind;
use gradstep::plot::painter::{
    self, gradient_shares, EigenOptions, LossOptions, ModelInfo, ModelOptions,
};
use gradstep::plot::{sweep, Style, ViewKind, RUN_COLORS};
use gradstep::session::view::{EigenView, Frame, Grid, OptimumView, RunView, Scene, Sweep};
use plotters::backend::SVGBackend;

const W: u32 = 800;
const H: u32 = 450;

/// Renders with `draw` on a `w × h` SVG and returns the text and the result.
fn svg<T>(w: u32, h: u32, draw: impl FnOnce(SVGBackend<'_>) -> T) -> (String, T) {
    let mut out = String::new();
    let r = draw(SVGBackend::with_string(&mut out, (w, h)));
    (out, r)
}

fn save(name: &str, text: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(name), text);
}

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Polylines stroked in colour `c`.
fn polylines_in(svg: &str, c: plotters::style::RGBColor) -> usize {
    let stroke = format!("stroke=\"{}\"", hex(c));
    svg.split("<polyline")
        .skip(1)
        .filter(|tag| tag.split("/>").next().is_some_and(|t| t.contains(&stroke)))
        .count()
}

/// The text labels of an SVG.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

fn assert_clean(svg: &str) {
    for t in texts(svg) {
        assert!(
            !t.contains("NaN") && !t.contains("inf") && !t.contains('—'),
            "label {t:?}"
        );
    }
    assert!(!svg.contains("NaN"), "NaN in the SVG");
}

/// One-feature linear data: y ≈ 100 + 10x, standardized.
fn linear_scene(m: usize) -> Scene {
    let x: Vec<f64> = (0..m).map(|i| i as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|v| 100.0 + 10.0 * v + 5.0 * (v * 1.7).sin())
        .collect();
    let mean = x.iter().sum::<f64>() / m as f64;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / m as f64)
        .sqrt()
        .max(1e-9);
    Scene {
        model: ModelKind::Linear,
        feature_names: vec!["size".into()],
        target_name: "price".into(),
        classes: None,
        parameter_names: vec!["w₁ (size)".into(), "b".into()],
        standardized: true,
        shift: vec![mean],
        scale: vec![1.0 / sd],
        means: vec![mean],
        sample_rows: (1..=m as u32).collect(),
        sample_features: x,
        sample_target: y,
        total_rows: m,
        views: ViewKind::available(ModelKind::Linear, 1),
        lipschitz: Some(2.0),
    }
}

/// Logistic data with `d` features: two clusters, classes no/yes.
fn logistic_scene(m: usize, d: usize) -> Scene {
    let mut features = vec![0.0; m * d];
    let mut target = vec![0.0; m];
    for i in 0..m {
        let class = (i % 2) as f64;
        target[i] = class;
        for j in 0..d {
            let jitter = ((i * 7 + j * 13) % 17) as f64 / 17.0 - 0.5;
            features[j * m + i] = 2.0 * class + jitter * 3.0 + j as f64;
        }
    }
    let names: Vec<String> = (0..d).map(|j| format!("x{}", j + 1)).collect();
    let mut params: Vec<String> = names.iter().map(|n| format!("w ({n})")).collect();
    params.push("b".into());
    let means: Vec<f64> = (0..d)
        .map(|j| features[j * m..(j + 1) * m].iter().sum::<f64>() / m as f64)
        .collect();
    Scene {
        model: ModelKind::Logistic,
        feature_names: names,
        target_name: "passed".into(),
        classes: Some(["no".into(), "yes".into()]),
        parameter_names: params,
        standardized: false,
        shift: vec![0.0; d],
        scale: vec![1.0; d],
        means,
        sample_rows: (1..=m as u32).collect(),
        sample_features: features,
        sample_target: target,
        total_rows: m * 10,
        views: ViewKind::available(ModelKind::Logistic, d),
        lipschitz: Some(1.0),
    }
}

/// Thinned steps: every step to 16, then every 8th.
fn thinned_steps(last: u64) -> Vec<f64> {
    (0..=last)
        .filter(|s| *s <= 16 || s % 8 == 0 || *s == last)
        .map(|s| s as f64)
        .collect()
}

fn run(i: usize, p: usize, last: u64, l_star: f64, rate: Option<f64>) -> RunView {
    let steps = thinned_steps(last);
    let r = rate.unwrap_or(0.97);
    let loss: Vec<f64> = steps
        .iter()
        .map(|s| l_star + (10.0 + i as f64) * r.powf(*s))
        .collect();
    let path: Vec<f64> = (0..=20)
        .flat_map(|k| {
            let t = k as f64 / 20.0;
            [
                -2.0 + t * (1.5 + 0.2 * i as f64),
                -1.5 + t * (1.0 + 0.1 * i as f64),
            ]
        })
        .collect();
    RunView {
        id: i as u32,
        label: format!("GD α = 0.{}", i + 1),
        theta: (0..p).map(|k| 0.1 * (i + k) as f64).collect(),
        gradient: (0..p).map(|k| 0.5 - 0.1 * k as f64).collect(),
        step: last,
        loss: *loss.last().unwrap(),
        status: "running".into(),
        pinned: i == 2,
        batches_per_epoch: 1.0,
        history_steps: steps,
        history_loss: loss,
        batch_steps: Vec::new(),
        batch_loss: Vec::new(),
        path,
        predicted_rate: rate,
    }
}

fn frame(runs: usize, p: usize, optimum: bool) -> Frame {
    Frame {
        active: 0,
        runs: (0..runs)
            .map(|i| run(i, p, 200, 1.0, Some(0.95 + 0.005 * i as f64)))
            .collect(),
        optimum: optimum.then(|| OptimumView {
            theta: (0..p).map(|k| 0.3 + 0.1 * k as f64).collect(),
            loss: 1.0,
        }),
        newton: Some((0..p).map(|k| 0.25 + 0.1 * k as f64).collect()),
        pair: Some((0, 1)),
        eigen: None,
        noise: None,
    }
}

fn grid(res: u32) -> Grid {
    let n = res as usize;
    let values = (0..n * n)
        .map(|k| {
            let (ix, iy) = (k % n, k / n);
            let (a, b) = (
                -3.0 + 6.0 * ix as f64 / (n - 1) as f64,
                -2.0 + 4.0 * iy as f64 / (n - 1) as f64,
            );
            1.0 + (a - 0.3).powi(2) + 4.0 * (b - 0.4).powi(2)
        })
        .collect();
    Grid {
        a: 0,
        b: 1,
        a_range: (-3.0, 3.0),
        b_range: (-2.0, 2.0),
        resolution: res,
        values,
        sampled_rows: Some(2083),
    }
}

fn style() -> Style {
    Style::new(1.0)
}

fn model(scene: &Scene, frame: &Frame, options: ModelOptions) -> (String, ModelInfo) {
    let (s, r) = svg(W, H, |b| {
        painter::draw_model(b, scene, frame, &options, style())
    });
    (s, r.expect("model view draws"))
}

// ---------------------------------------------------------------- loss

#[test]
fn loss_draws_every_run_in_its_colour() {
    let scene = linear_scene(40);
    let f = frame(6, 2, true);
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &f, &LossOptions::default(), style())
    });
    let info = info.unwrap();
    save("loss-6-runs.svg", &s);
    assert_eq!(info.runs, 6);
    assert!(info.reference_drawn, "L* line");
    for c in RUN_COLORS {
        assert!(polylines_in(&s, c) >= 1, "a curve in {}", hex(c));
    }
    // The pinned run (index 2) is dashed: many short polylines.
    assert!(polylines_in(&s, RUN_COLORS[2]) > 5);
    // Thinned histories sit at their real steps: the axis ends at step 200.
    assert!(info.mapping.x_range.1 >= 200.0 && info.mapping.x_range.1 <= 205.0);
    assert!(info.titles.0.contains("step"));
    assert!(info.titles.1.contains("MSE"));
    assert_clean(&s);
}

#[test]
fn loss_last_point_is_at_the_last_real_step() {
    let scene = linear_scene(40);
    let mut f = frame(1, 2, false);
    f.runs[0].history_steps = vec![0.0, 1.0, 2.0, 4.0, 8.0, 64.0, 1000.0];
    f.runs[0].history_loss = vec![5.0, 4.0, 3.0, 2.5, 2.0, 1.5, 1.2];
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &f, &LossOptions::default(), style())
    });
    let info = info.unwrap();
    assert_eq!(info.points_drawn, 7);
    let m = &info.mapping;
    let px =
        m.x_px.0 + (1000.0 - m.x_range.0) / (m.x_range.1 - m.x_range.0) * (m.x_px.1 - m.x_px.0);
    let line = s
        .split("<polyline")
        .nth(1 + s.split("<polyline").count() - 2)
        .unwrap();
    let points = line
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let last_x: f64 = points
        .split_whitespace()
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((last_x - px).abs() <= 1.5, "{last_x} vs {px}");
}

#[test]
fn loss_in_epochs() {
    let scene = linear_scene(40);
    let mut f = frame(2, 2, true);
    for r in &mut f.runs {
        r.batches_per_epoch = 10.0;
    }
    let options = LossOptions {
        epochs: true,
        ..Default::default()
    };
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &f, &options, style())
    });
    let info = info.unwrap();
    let end = info.mapping.x_range.1;
    assert!((20.0..=20.5).contains(&end), "{:?}", info.mapping);
    assert!(info.titles.0.contains("epoch"));
    assert_clean(&s);
}

#[test]
fn relative_needs_the_optimum() {
    let scene = linear_scene(40);
    let options = LossOptions {
        relative: true,
        ..Default::default()
    };
    let with = frame(3, 2, true);
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &with, &options, style())
    });
    let info = info.unwrap();
    save("loss-relative.svg", &s);
    assert!(info.relative && info.log);
    assert!(!info.reference_drawn, "no L* line on the L − L* plot");
    assert!(info.titles.1.starts_with("L − L*"));
    assert_eq!(info.predicted.len(), 3);
    assert_clean(&s);

    let without = frame(3, 2, false);
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &without, &options, style())
    });
    let info = info.unwrap();
    assert!(!info.relative && !info.log);
    assert!(info.predicted.is_empty());
    assert!(texts(&s).iter().any(|t| t.contains("L* is not known yet")));
    assert_clean(&s);
}

#[test]
fn predicted_slope_is_log_rate_per_step() {
    let scene = linear_scene(40);
    let f = frame(4, 2, true);
    for epochs in [false, true] {
        let options = LossOptions {
            relative: true,
            epochs,
            ..Default::default()
        };
        let (s, info) = svg(W, H, |b| {
            painter::draw_loss(b, &scene, &f, &options, style())
        });
        let info = info.unwrap();
        assert_eq!(info.predicted.len(), 4);
        for p in &info.predicted {
            let rate = f.runs[p.run].predicted_rate.unwrap();
            let slope = (p.end.1.ln() - p.start.1.ln()) / (p.end.0 - p.start.0);
            assert!((slope - rate.ln()).abs() < 1e-9, "{slope} vs {}", rate.ln());
            // It starts at the run's first point: (L₀ − L*).
            let l0 = f.runs[p.run].history_loss[0] - 1.0;
            assert!((p.start.1 - l0).abs() < 1e-9 * l0);
            assert_eq!(p.start.0, 0.0);
        }
        assert!(texts(&s).iter().any(|t| t.contains("predicted ×")));
    }
}

#[test]
fn log_scale_survives_zero_and_negative_losses() {
    let scene = linear_scene(40);
    let mut f = frame(2, 2, true);
    f.runs[0].history_loss = vec![0.0; f.runs[0].history_steps.len()];
    f.runs[1].history_loss = f.runs[1].history_steps.iter().map(|s| 1.0 - s).collect();
    for options in [
        LossOptions {
            log_scale: true,
            ..Default::default()
        },
        LossOptions {
            relative: true,
            ..Default::default()
        },
    ] {
        let (s, info) = svg(W, H, |b| {
            painter::draw_loss(b, &scene, &f, &options, style())
        });
        let info = info.unwrap();
        assert_eq!(info.runs, 2);
        assert_clean(&s);
    }
}

#[test]
fn batch_dots_are_faint_and_bounded() {
    let scene = linear_scene(40);
    let mut f = frame(3, 2, true);
    for r in &mut f.runs {
        r.batches_per_epoch = 8.0;
        r.batch_steps = (1..=4096).map(f64::from).collect();
        r.batch_loss = (1..=4096)
            .map(|k| 1.0 + 10.0 * 0.999f64.powi(k) * (1.0 + 0.3 * (k as f64).sin()))
            .collect();
        r.history_steps = (0..4096).map(f64::from).collect();
        r.history_loss = (0..4096).map(|k| 1.0 + 10.0 * 0.999f64.powi(k)).collect();
    }
    let options = LossOptions {
        batch: true,
        ..Default::default()
    };
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &f, &options, style())
    });
    let info = info.unwrap();
    save("loss-batches.svg", &s);
    assert!(info.batch_points > 100, "{}", info.batch_points);
    assert!(
        info.batch_points < 3 * 4096 / 2,
        "decimated: {}",
        info.batch_points
    );
    assert!(
        info.points_drawn < 3 * 4 * W as usize,
        "decimated: {}",
        info.points_drawn
    );
    let off = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &f, &LossOptions::default(), style())
    })
    .1
    .unwrap();
    assert_eq!(off.batch_points, 0);
}

#[test]
fn diverged_runs_end_with_a_note() {
    let scene = linear_scene(40);
    let mut f = frame(2, 2, true);
    let n = f.runs[1].history_loss.len();
    f.runs[1].history_loss[n / 2] = f64::INFINITY;
    f.runs[1].history_loss[n / 2 + 1] = f64::NAN;
    let (s, info) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &f, &LossOptions::default(), style())
    });
    let info = info.unwrap();
    assert_eq!(info.diverged.len(), 1);
    assert!(texts(&s).iter().any(|t| t.contains("diverged")));
    assert_clean(&s);
}

// ---------------------------------------------------------------- model

fn all_ghosts() -> ModelOptions {
    ModelOptions {
        ghost: true,
        newton: true,
        others: true,
        shares: true,
        ..Default::default()
    }
}

#[test]
fn line_view_with_every_ghost() {
    let scene = linear_scene(40);
    let mut f = frame(6, 2, true);
    // Training units: w̃ = 10 · sd(x) ≈ 115, b = mean(y) ≈ 295.
    for (i, r) in f.runs.iter_mut().enumerate() {
        let t = (i + 1) as f64 / 6.0;
        r.theta = vec![115.0 * t, 295.0 * t.sqrt()];
    }
    f.optimum.as_mut().unwrap().theta = vec![115.4, 295.0];
    f.newton = Some(vec![105.0, 290.0]);
    let (s, info) = model(&scene, &f, all_ghosts());
    save("model-line.svg", &s);
    assert_eq!(info.view, ViewKind::Line);
    assert_eq!(info.drawn.points, 40);
    assert!(info.drawn.fit_visible);
    // 5 other runs, the optimum and the Newton point.
    assert_eq!(info.drawn.ghosts.len(), 7);
    assert_eq!(info.ghosts_drawn, 7);
    let kinds: Vec<&str> = info.legend.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "faint").count(), 5);
    assert!(kinds.contains(&"dashed") && kinds.contains(&"dotted"));
    assert!(kinds.contains(&"line") && kinds.contains(&"points") && kinds.contains(&"sized"));
    assert!(info
        .legend
        .iter()
        .any(|e| e.kind == "line" && e.color == painter::run_colors()[0]));
    assert_clean(&s);
}

#[test]
fn step_zero_line_is_inside_the_chart() {
    // Prices around 100–500 and θ = 0: the line y = 0 is far below the data.
    let scene = linear_scene(40);
    let mut f = frame(1, 2, false);
    f.runs[0].theta = vec![0.0, 0.0];
    let (s, info) = model(&scene, &f, ModelOptions::default());
    save("model-line-step0.svg", &s);
    assert!(info.drawn.fit_visible);
    assert!(info.drawn.curves >= 1);
    assert_eq!(info.drawn.points, 40);
    // "Within reason": a wild line does not squash the data.
    f.runs[0].theta = vec![0.0, -1e9];
    let (s, info) = model(&scene, &f, ModelOptions::default());
    assert!(!info.drawn.fit_visible);
    assert!(texts(&s).iter().any(|t| t.contains("off the chart")));
    assert_eq!(info.drawn.points, 40);
}

#[test]
fn gradient_shares_add_up_to_one() {
    for scene in [linear_scene(30), logistic_scene(30, 2)] {
        let d = scene.feature_names.len();
        let m = scene.sample_target.len();
        let theta: Vec<f64> = (0..=d).map(|k| 0.3 - 0.2 * k as f64).collect();
        // The gradient over all rows (the sample is every row), training units.
        let mut g = vec![0.0; d + 1];
        for i in 0..m {
            let xt: Vec<f64> = (0..d)
                .map(|j| (scene.sample_features[j * m + i] - scene.shift[j]) * scene.scale[j])
                .collect();
            let z = theta[d] + xt.iter().zip(&theta).map(|(x, t)| x * t).sum::<f64>();
            let y = scene.sample_target[i];
            let dl = match scene.model {
                ModelKind::Linear => 2.0 * (z - y),
                ModelKind::Logistic => 1.0 / (1.0 + (-z).exp()) - y,
            };
            for j in 0..d {
                g[j] += dl * xt[j] / m as f64;
            }
            g[d] += dl / m as f64;
        }
        let shares = gradient_shares(&scene, &theta, &g).unwrap();
        assert_eq!(shares.len(), m);
        let total: f64 = shares.iter().sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!(gradient_shares(&scene, &theta, &vec![0.0; d + 1]).is_none());
        assert!(gradient_shares(&scene, &theta[..d], &g).is_none());
    }
}

#[test]
fn sigmoid_rings_misclassified_points() {
    let scene = logistic_scene(40, 1);
    let mut f = frame(3, 2, true);
    // p = σ(x − 2): points of class 1 below x = 2 and class 0 above are wrong.
    f.runs[0].theta = vec![1.0, -2.0];
    let m = scene.sample_target.len();
    let wrong = (0..m)
        .filter(|&i| {
            let p_pos = scene.sample_features[i] - 2.0 >= 0.0;
            p_pos != (scene.sample_target[i] >= 0.5)
        })
        .count();
    assert!(wrong > 0);
    let (s, info) = model(&scene, &f, all_ghosts());
    save("model-sigmoid.svg", &s);
    assert_eq!(info.view, ViewKind::Sigmoid);
    assert_eq!(info.drawn.flagged, wrong);
    assert!(info.legend.iter().any(|e| e.kind == "ring"));
    assert_eq!(info.drawn.ghosts.len(), 4);
    assert_clean(&s);
}

#[test]
fn heatmaps_for_two_and_more_features() {
    let scene = logistic_scene(200, 2);
    let mut f = frame(6, 3, true);
    f.runs[0].theta = vec![1.0, 1.0, -4.0];
    f.optimum.as_mut().unwrap().theta = vec![2.0, 1.5, -7.0];
    let (s, info) = model(&scene, &f, all_ghosts());
    save("model-heatmap.svg", &s);
    assert_eq!(info.view, ViewKind::Heatmap);
    assert_eq!(info.drawn.points, 200);
    assert!(info.drawn.boundary_lines >= 1);
    // Stripes: one polygon per colour level that shows, at most 24.
    assert!(info.drawn.shading_shapes > 1 && info.drawn.shading_shapes <= 24);
    assert!(info.legend.iter().any(|e| e.kind == "shading"));
    assert!(info
        .legend
        .iter()
        .any(|e| e.label.contains("decision boundary")));
    assert_clean(&s);

    // Linear with three features: a value heatmap and the mean-level line.
    let mut lin = logistic_scene(100, 3);
    lin.model = ModelKind::Linear;
    lin.classes = None;
    lin.views = ViewKind::available(ModelKind::Linear, 3);
    lin.sample_target = (0..100).map(|i| 50.0 + i as f64).collect();
    let mut f = frame(2, 4, true);
    f.runs[0].theta = vec![5.0, 2.0, 1.0, 60.0];
    let options = ModelOptions {
        slice_x: 2,
        slice_y: 2, // the same axis twice: another one is picked
        ghost: true,
        ..Default::default()
    };
    let (s, info) = model(&lin, &f, options);
    save("model-heatmap-linear.svg", &s);
    assert_eq!(info.view, ViewKind::Heatmap);
    assert_eq!(info.drawn.points, 100);
    assert!(info.legend.iter().any(|e| e.label.contains("ŷ =")));
    assert_clean(&s);

    // At step 0 every weight is 0: no boundary to draw, and the legend says
    // so instead of listing a line that is not there.
    let mut f = frame(6, 3, true);
    f.runs[0].theta = vec![0.0, 0.0, 0.0];
    let (s, info) = model(&scene, &f, all_ghosts());
    assert_eq!(info.drawn.boundary_lines, 0);
    let entry = info
        .legend
        .iter()
        .find(|e| e.label.contains("decision boundary"))
        .expect("a legend entry about the boundary");
    assert_eq!(entry.kind, "none");
    assert!(
        entry.label.contains("no decision boundary p = 0.5 yet"),
        "{}",
        entry.label
    );
    assert!(
        entry.label.contains("p = 0.5 across this view"),
        "{}",
        entry.label
    );
    assert_clean(&s);
}

#[test]
fn predicted_actual_with_ghosts() {
    let mut scene = logistic_scene(120, 3);
    scene.model = ModelKind::Linear;
    scene.classes = None;
    scene.views = ViewKind::available(ModelKind::Linear, 3);
    scene.sample_target = (0..120).map(|i| 10.0 + i as f64 * 0.5).collect();
    let f = frame(3, 4, true);
    let options = ModelOptions {
        view: Some(ViewKind::PredictedActual),
        ..all_ghosts()
    };
    let (s, info) = model(&scene, &f, options);
    save("model-predicted-actual.svg", &s);
    assert_eq!(info.view, ViewKind::PredictedActual);
    assert_eq!(info.drawn.ghosts.len(), 4);
    assert!(info
        .legend
        .iter()
        .any(|e| e.label.contains("mean prediction")));
    assert_clean(&s);
}

#[test]
fn unavailable_view_falls_back_to_the_default() {
    let scene = logistic_scene(20, 1);
    let f = frame(1, 2, false);
    let options = ModelOptions {
        view: Some(ViewKind::PredictedActual),
        ..Default::default()
    };
    let (_, info) = model(&scene, &f, options);
    assert_eq!(info.view, ViewKind::Sigmoid);
}

// ---------------------------------------------------------------- landscape

#[test]
fn landscape_is_square_with_every_path() {
    let scene = linear_scene(40);
    let f = frame(6, 2, true);
    let g = grid(40);
    let (s, info) = svg(W, H, |b| {
        painter::draw_landscape(b, &scene, &f, &g, style())
    });
    let info = info.unwrap();
    save("landscape.svg", &s);
    let m = &info.mapping;
    let (w, h) = ((m.x_px.1 - m.x_px.0).abs(), (m.y_px.1 - m.y_px.0).abs());
    assert!((w - h).abs() <= 2.0, "{w} × {h}");
    // Centred across the canvas (the y labels sit left of the plot).
    let centre = (m.x_px.0 + m.x_px.1) / 2.0;
    assert!((centre - f64::from(W) / 2.0).abs() < 40.0, "{centre}");
    assert_eq!(info.paths, 6);
    assert_eq!(info.current_drawn, 6);
    assert!(info.starts_drawn >= 1);
    assert!(info.optimum_drawn && info.newton_drawn);
    for c in RUN_COLORS {
        assert!(polylines_in(&s, c) >= 1, "a path in {}", hex(c));
    }
    let t = texts(&s);
    assert!(t
        .iter()
        .any(|t| t.contains("w₁ (size), price units per SD of size")));
    assert!(t.iter().any(|t| t.contains("sample of 2,083")));
    assert_clean(&s);
}

#[test]
fn landscape_value_at_inverts_the_mapping() {
    let scene = linear_scene(40);
    let f = frame(2, 2, true);
    let g = grid(30);
    let (s, info) = svg(W, H, |b| {
        painter::draw_landscape(b, &scene, &f, &g, style())
    });
    let info = info.unwrap();
    // The optimum's orange disc: its centre maps back to θ*.
    let orange = format!("fill=\"{}\"", hex(plotters::style::RGBColor(217, 119, 6)));
    let tag = s
        .split("<circle")
        .find(|t| t.split("/>").next().unwrap().contains(&orange))
        .expect("the optimum marker");
    let attr = |name: &str| -> f64 {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (a, b) = info.mapping.value_at(attr("cx"), attr("cy")).unwrap();
    let opt = &f.optimum.as_ref().unwrap().theta;
    let per_px = 6.0 / (info.mapping.x_px.1 - info.mapping.x_px.0).abs();
    assert!((a - opt[0]).abs() <= 1.5 * per_px, "{a} vs {}", opt[0]);
    assert!((b - opt[1]).abs() <= 1.5 * 4.0 / (info.mapping.y_px.1 - info.mapping.y_px.0).abs());
    assert!(info.mapping.value_at(0.0, 0.0).is_none());
}

#[test]
fn landscape_hides_paths_of_another_pair() {
    let scene = linear_scene(40);
    let mut f = frame(2, 2, true);
    f.pair = Some((1, 0));
    let g = grid(20);
    let (s, info) = svg(W, H, |b| {
        painter::draw_landscape(b, &scene, &f, &g, style())
    });
    let info = info.unwrap();
    assert_eq!(info.current_drawn, 2);
    assert!(info.path_points.iter().all(|p| *p <= 1));
    assert!(texts(&s).iter().any(|t| t.contains("another pair")));
}

// ---------------------------------------------------------------- eigen, sweep, schedule

#[test]
fn eigen_errors_one_line_per_direction() {
    let mut f = frame(1, 3, true);
    let steps: Vec<f64> = (0..300).map(f64::from).collect();
    let eigenvalues = vec![0.01, 0.5, 2.0];
    let errors = steps
        .iter()
        .flat_map(|k| {
            eigenvalues
                .iter()
                .map(move |l: &f64| (1.0 - 0.4 * l).abs().powf(*k))
        })
        .collect();
    f.eigen = Some(EigenView {
        eigenvalues,
        steps,
        errors,
    });
    let (s, info) = svg(W, H, |b| {
        painter::draw_eigen(b, &f, &EigenOptions::default(), style())
    });
    let info = info.unwrap().unwrap();
    save("eigen.svg", &s);
    assert_eq!(info.directions, 3);
    assert_eq!(info.legend.len(), 3);
    assert!(texts(&s).iter().any(|t| t == "λ = 0.01"));
    assert_clean(&s);
    let none = frame(1, 3, true);
    let r = svg(W, H, |b| {
        painter::draw_eigen(b, &none, &EigenOptions::default(), style())
    })
    .1;
    assert!(r.unwrap().is_none());
}

fn a_sweep() -> Sweep {
    let rates: Vec<f64> = (0..25).map(|k| 1e-3 * 2f64.powi(k) / 4.0).collect();
    let losses = rates
        .iter()
        .map(|r| {
            if *r > 1.0 {
                f64::NAN
            } else {
                1.0 + (1.0 - r).powi(50) * 10.0
            }
        })
        .collect();
    Sweep {
        steps: 50,
        rates,
        losses,
        marks: vec![("1/L".into(), 0.5), ("2/L".into(), 1.0)],
        sampled_rows: Some(5000),
    }
}

#[test]
fn sweep_draws_and_maps_clicks_to_the_nearest_rate() {
    let sw = a_sweep();
    let (s, info) = svg(W, H, |b| painter::draw_sweep(b, &sw, style()));
    let info = info.unwrap();
    save("sweep.svg", &s);
    let diverged = sw.losses.iter().filter(|l| l.is_nan()).count();
    assert!(diverged > 0);
    assert_eq!(info.diverged, diverged);
    assert_eq!(info.points, 25 - diverged);
    assert_eq!(info.marks, 2);
    let m = &info.mapping;
    let px_of = |r: f64| {
        m.x_px.0 + (r.log10() - m.x_range.0) / (m.x_range.1 - m.x_range.0) * (m.x_px.1 - m.x_px.0)
    };
    let y_mid = (m.y_px.0 + m.y_px.1) / 2.0;
    for (k, &r) in sw.rates.iter().enumerate() {
        // A click a little off the point still picks it.
        let nudge = if k % 2 == 0 { 2.0 } else { -2.0 };
        assert_eq!(
            sweep::rate_at(m, &sw.rates, px_of(r) + nudge, y_mid),
            Some(r)
        );
    }
    assert_eq!(sweep::rate_at(m, &sw.rates, 0.0, y_mid), None);
    assert!(texts(&s).iter().any(|t| t.contains("5,000")));
    assert_clean(&s);
}

#[test]
fn schedule_fits_a_small_canvas() {
    let flat: Vec<f64> = (0..120)
        .flat_map(|k| [f64::from(k) * 2.0, 0.1 * 0.5f64.powi(k / 30)])
        .collect();
    let (s, info) = svg(480, 160, |b| {
        painter::draw_schedule(b, &flat, Style::new(2.0))
    });
    let info = info.unwrap();
    save("schedule.svg", &s);
    assert!(info.points >= 2);
    assert_clean(&s);
    // Odd length and nothing at all.
    assert!(
        svg(240, 80, |b| painter::draw_schedule(b, &flat[..5], style()))
            .1
            .is_ok()
    );
    let (s, info) = svg(240, 80, |b| painter::draw_schedule(b, &[], style()));
    assert_eq!(info.unwrap().points, 0);
    assert_clean(&s);
}

// ---------------------------------------------------------------- odd input

fn nasty(v: f64) -> Frame {
    let mut f = frame(3, 2, true);
    for r in &mut f.runs {
        r.theta = vec![v, v];
        r.gradient = vec![v, -v];
        r.history_loss.iter_mut().for_each(|l| *l = v);
        r.path.iter_mut().for_each(|p| *p = v);
        r.predicted_rate = Some(v);
        r.batches_per_epoch = v;
        r.batch_steps = vec![v, 1.0];
        r.batch_loss = vec![1.0, v];
    }
    f.optimum = Some(OptimumView {
        theta: vec![v, v],
        loss: v,
    });
    f.newton = Some(vec![v, v]);
    f.eigen = Some(EigenView {
        eigenvalues: vec![v, 1.0],
        steps: vec![0.0, v, 2.0],
        errors: vec![v, 1.0, 0.0, v, 1.0],
    });
    f
}

#[test]
fn odd_values_never_panic() {
    let scene = linear_scene(40);
    let lsc = logistic_scene(30, 2);
    for v in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        0.0,
        1e-300,
    ] {
        let f = nasty(v);
        for options in [
            LossOptions::default(),
            LossOptions {
                log_scale: true,
                relative: true,
                epochs: true,
                batch: true,
            },
        ] {
            let (s, r) = svg(W, H, |b| {
                painter::draw_loss(b, &scene, &f, &options, style())
            });
            assert!(r.is_ok(), "loss at {v}");
            assert_clean(&s);
        }
        for sc in [&scene, &lsc] {
            for view in [None, Some(ViewKind::PredictedActual)] {
                let options = ModelOptions {
                    view,
                    ..all_ghosts()
                };
                let (s, r) = svg(W, H, |b| painter::draw_model(b, sc, &f, &options, style()));
                if sc.feature_names.len() == 1 {
                    assert!(r.is_ok(), "model at {v}: {r:?}");
                    assert_clean(&s);
                }
            }
        }
        let mut g = grid(10);
        g.values.iter_mut().step_by(3).for_each(|x| *x = v);
        g.a_range = (v, 1.0);
        let (s, r) = svg(W, H, |b| {
            painter::draw_landscape(b, &scene, &f, &g, style())
        });
        assert!(r.is_ok(), "landscape at {v}");
        assert_clean(&s);
        let (s, r) = svg(W, H, |b| {
            painter::draw_eigen(b, &f, &EigenOptions::default(), style())
        });
        assert!(r.is_ok(), "eigen at {v}");
        assert_clean(&s);
        let mut sw = a_sweep();
        sw.losses[3] = v;
        sw.rates[4] = v;
        sw.marks.push(("odd".into(), v));
        let (s, r) = svg(W, H, |b| painter::draw_sweep(b, &sw, style()));
        assert!(r.is_ok(), "sweep at {v}");
        assert_clean(&s);
        let (s, r) = svg(240, 80, |b| {
            painter::draw_schedule(b, &[0.0, v, v, 1.0, 2.0, 0.5], style())
        });
        assert!(r.is_ok(), "schedule at {v}");
        assert_clean(&s);
    }
}

#[test]
fn empty_and_mismatched_input_gives_clear_errors() {
    let scene = linear_scene(40);
    let empty = Frame {
        active: 3,
        runs: Vec::new(),
        optimum: None,
        newton: None,
        pair: None,
        eigen: None,
        noise: None,
    };
    let (s, r) = svg(W, H, |b| {
        painter::draw_loss(b, &scene, &empty, &LossOptions::default(), style())
    });
    assert_eq!(r.unwrap().runs, 0);
    assert!(texts(&s).iter().any(|t| t.contains("no runs")));
    let r = svg(W, H, |b| {
        painter::draw_model(b, &scene, &empty, &ModelOptions::default(), style())
    })
    .1;
    assert!(r.unwrap_err().to_string().contains("no run"));
    let r = svg(W, H, |b| {
        painter::draw_landscape(b, &scene, &empty, &grid(8), style())
    })
    .1;
    assert_eq!(r.unwrap().paths, 0);

    // θ of the wrong length.
    let f = frame(2, 5, true);
    let r = svg(W, H, |b| {
        painter::draw_model(b, &scene, &f, &ModelOptions::default(), style())
    })
    .1;
    assert!(r.unwrap_err().to_string().contains("θ"));
    // A grid whose values do not fill it.
    let mut g = grid(8);
    g.values.pop();
    let r = svg(W, H, |b| {
        painter::draw_landscape(b, &scene, &f, &g, style())
    })
    .1;
    assert!(r.unwrap_err().to_string().contains("grid"));
    g.resolution = 0;
    g.values.clear();
    assert!(svg(W, H, |b| painter::draw_landscape(
        b,
        &scene,
        &f,
        &g,
        style()
    ))
    .1
    .is_err());
    // A scene without features, a sample that does not match.
    let mut bare = scene.clone();
    bare.feature_names.clear();
    bare.views.clear();
    let r = svg(W, H, |b| {
        painter::draw_model(b, &bare, &f, &ModelOptions::default(), style())
    })
    .1;
    assert!(r.is_err());
    let mut odd = scene.clone();
    odd.sample_features.truncate(7);
    let f = frame(1, 2, true);
    let (_, r) = svg(W, H, |b| {
        painter::draw_model(b, &odd, &f, &all_ghosts(), style())
    });
    assert_eq!(r.unwrap().drawn.points, 0);
}

#[test]
fn degenerate_data_draws() {
    // One point, a grid of zeros, a constant target.
    let mut scene = linear_scene(1);
    scene.sample_target = vec![5.0];
    let f = frame(1, 2, true);
    let (s, r) = svg(W, H, |b| {
        painter::draw_model(b, &scene, &f, &all_ghosts(), style())
    });
    assert_eq!(r.unwrap().drawn.points, 1);
    assert_clean(&s);
    let mut g = grid(16);
    g.values.iter_mut().for_each(|v| *v = 0.0);
    let (s, r) = svg(W, H, |b| {
        painter::draw_landscape(b, &scene, &f, &g, style())
    });
    assert!(r.unwrap().contour_lines == 0);
    assert_clean(&s);
    let mut one = frame(1, 2, true);
    one.runs[0].history_steps = vec![0.0];
    one.runs[0].history_loss = vec![3.0];
    let (s, r) = svg(W, H, |b| {
        painter::draw_loss(
            b,
            &scene,
            &one,
            &LossOptions {
                log_scale: true,
                ..Default::default()
            },
            style(),
        )
    });
    assert_eq!(r.unwrap().points_drawn, 1);
    assert_clean(&s);
    // A tiny canvas.
    let (_, r) = svg(20, 10, |b| {
        painter::draw_loss(b, &scene, &one, &LossOptions::default(), style())
    });
    let _ = r;
}

#[test]
fn run_colors_are_six_css_colours() {
    let c = painter::run_colors();
    assert_eq!(c.len(), 6);
    for s in &c {
        assert!(s.len() == 7 && s.starts_with('#'));
    }
    let mut d = c.clone();
    d.dedup();
    assert_eq!(d.len(), 6);
}

// ---------------------------------------------------------------- cost

/// The biggest frame the session sends: 6 runs × 4096 history points and
/// mini-batch losses, 1024 path points each, 2000 sample points.
fn big_frame(p: usize) -> Frame {
    let mut f = frame(6, p, true);
    for (i, r) in f.runs.iter_mut().enumerate() {
        r.history_steps = (0..4096).map(|k| f64::from(k) * 3.0).collect();
        r.history_loss = (0..4096)
            .map(|k| 1.0 + (10.0 + i as f64) * 0.998f64.powi(k))
            .collect();
        r.batch_steps = r.history_steps.clone();
        r.batch_loss = r
            .history_loss
            .iter()
            .enumerate()
            .map(|(k, l)| l * (1.0 + 0.2 * (k as f64 * 0.37).sin()))
            .collect();
        r.batches_per_epoch = 16.0;
        r.path = (0..1024)
            .flat_map(|k| {
                let t = f64::from(k) / 1023.0;
                [-2.5 + 2.8 * t + 0.05 * i as f64, -1.8 + 2.2 * t.sqrt()]
            })
            .collect();
    }
    let steps: Vec<f64> = (0..1024).map(|k| f64::from(k) * 12.0).collect();
    let eigenvalues: Vec<f64> = (0..p).map(|k| 0.01 * 10f64.powi(k as i32)).collect();
    let errors = steps
        .iter()
        .flat_map(|s| {
            eigenvalues
                .iter()
                .map(move |l| (1.0 - 0.4 * l.min(2.0)).abs().powf(*s))
        })
        .collect();
    f.eigen = Some(EigenView {
        eigenvalues,
        steps,
        errors,
    });
    f
}

fn time<T>(label: &str, mut draw: impl FnMut() -> T) {
    draw();
    let n = 5;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(draw());
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!("timing: {label:<32} {ms:6.2} ms");
}

#[test]
fn timing() {
    // 800 × 450 CSS at a device pixel ratio of 2.
    let (w, h, st) = (1600, 900, Style::new(2.0));
    let line = linear_scene(2000);
    let heat = logistic_scene(2000, 2);
    let f2 = big_frame(2);
    let f3 = big_frame(3);
    let g = grid(64);
    let sw = a_sweep();
    let relative = LossOptions {
        relative: true,
        batch: true,
        ..Default::default()
    };
    time("loss (6 × 4096, batches, L − L*)", || {
        svg(w, h, |b| {
            painter::draw_loss(b, &line, &f2, &relative, st).unwrap()
        })
    });
    time("model line (2000 pts, 7 ghosts)", || {
        svg(w, h, |b| {
            painter::draw_model(b, &line, &f2, &all_ghosts(), st).unwrap()
        })
    });
    time("model heatmap (2000 pts, 7 ghosts)", || {
        svg(w, h, |b| {
            painter::draw_model(b, &heat, &f3, &all_ghosts(), st).unwrap()
        })
    });
    let pa = ModelOptions {
        view: Some(ViewKind::PredictedActual),
        ..all_ghosts()
    };
    time("model predicted-actual", || {
        svg(w, h, |b| {
            painter::draw_model(b, &line, &f2, &pa, st).unwrap()
        })
    });
    time("landscape (64², 6 × 1024 path)", || {
        svg(w, h, |b| {
            painter::draw_landscape(b, &line, &f2, &g, st).unwrap()
        })
    });
    time("eigen (3 × 1024)", || {
        svg(w, h, |b| {
            painter::draw_eigen(b, &f3, &EigenOptions::default(), st).unwrap()
        })
    });
    time("sweep (25 rates)", || {
        svg(w, h, |b| painter::draw_sweep(b, &sw, st).unwrap())
    });
    let flat: Vec<f64> = (0..120)
        .flat_map(|k| [f64::from(k), 0.1 / (1.0 + f64::from(k))])
        .collect();
    time("schedule (240 × 80 CSS)", || {
        svg(480, 160, |b| painter::draw_schedule(b, &flat, st).unwrap())
    });
}
