//! Renders every plot to an SVG string and checks what was drawn: the
//! number of markers, the lines, the heatmap colours and the labels.

use gradstep::data::{ColumnRef, Dataset, DatasetSpec, Table};
use gradstep::model::ModelKind;
use gradstep::plot::heatmap::{draw_heatmap, HeatmapOptions, Shading};
use gradstep::plot::loss_curve::{draw_loss_curve, LossCurveOptions};
use gradstep::plot::scene::{self, ModelViewRequest, SceneData};
use gradstep::plot::{
    draw_predicted_actual, draw_regression_line, draw_sigmoid, Axes, LandscapePanel, Style,
    ViewKind,
};
use gradstep::trainer::{Trainer, TrainerConfig};
use plotters::prelude::SVGBackend;

const SIZE: (u32, u32) = (640, 400);

fn svg(draw: impl FnOnce(SVGBackend<'_>)) -> String {
    let mut out = String::new();
    draw(SVGBackend::with_string(&mut out, SIZE));
    out
}

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

/// Texts of all `<text>` elements.
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

fn has_text(svg: &str, want: &str) -> bool {
    texts(svg).iter().any(|t| t == want)
}

#[test]
fn loss_curve_linear_with_reference() {
    let losses: Vec<f64> = (0..50).map(|k| 1.0 + 10.0 * 0.9f64.powi(k)).collect();
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_loss_curve(
                b,
                &losses,
                &LossCurveOptions {
                    reference: Some(1.0),
                    ..Default::default()
                },
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.points_drawn, 50);
    assert!(info.reference_drawn);
    assert_eq!(info.first_non_finite, None);
    // The curve is one polyline; the dashed reference adds several dashes.
    assert!(
        count(&out, "<polyline") >= 3,
        "{}",
        count(&out, "<polyline")
    );
    // One marker at the current loss.
    assert_eq!(count(&out, "<circle"), 1);
    assert!(has_text(&out, "step"));
    assert!(has_text(&out, "loss"));
    // Tick labels are compact numbers.
    assert!(texts(&out).iter().any(|t| t == "10"), "{:?}", texts(&out));
}

#[test]
fn loss_curve_log_scale_survives_zeros_negatives_and_divergence() {
    let losses = vec![4.0, 1.0, 0.0, -1.0, 0.5, f64::INFINITY, f64::NAN];
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_loss_curve(
                b,
                &losses,
                &LossCurveOptions {
                    log_scale: true,
                    ..Default::default()
                },
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.first_non_finite, Some(5));
    assert_eq!(info.points_drawn, 5);
    assert!(has_text(&out, "loss (log scale)"));
    assert!(texts(&out).iter().any(|t| t.contains("diverged")));
    assert!(!out.contains("NaN"));
}

#[test]
fn loss_curve_relative_log_and_decimation() {
    let losses: Vec<f64> = (0..100_000)
        .map(|k| 2.0 + (-(k as f64) / 5000.0).exp())
        .collect();
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_loss_curve(
                b,
                &losses,
                &LossCurveOptions {
                    log_scale: true,
                    relative: true,
                    reference: Some(2.0),
                    ..Default::default()
                },
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert!(
        info.points_drawn <= 2 * SIZE.0 as usize + 2,
        "{}",
        info.points_drawn
    );
    assert!(!info.reference_drawn);
    assert!(has_text(&out, "loss − L* (log scale)"));
    assert!(
        texts(&out).iter().any(|t| t == "80000"),
        "{:?}",
        texts(&out)
    );
}

#[test]
fn empty_and_single_loss_do_not_fail() {
    svg(|b| {
        draw_loss_curve(b, &[], &LossCurveOptions::default()).unwrap();
    });
    let out = svg(|b| {
        draw_loss_curve(b, &[3.0], &LossCurveOptions::default()).unwrap();
    });
    assert_eq!(count(&out, "<circle"), 1);
}

#[test]
fn regression_line_points_fit_and_ghost() {
    let x: Vec<f64> = (0..30).map(f64::from).collect();
    let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    let fitted = |t: f64| 1.5 * t;
    let ghost = |t: f64| 2.0 * t + 1.0;
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_regression_line(
                b,
                &x,
                &y,
                Axes {
                    x: "size_m2",
                    y: "price",
                },
                &fitted,
                Some(&ghost),
                Style::default(),
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.points, 30);
    assert_eq!(count(&out, "<circle"), 30);
    assert_eq!(info.curves, 2);
    assert!(has_text(&out, "size_m2"));
    assert!(has_text(&out, "price"));
    // The fitted line in red.
    assert!(out.contains("#DC2626"), "fit colour missing");
}

#[test]
fn regression_line_clips_a_diverged_fit() {
    let x = [1.0, 2.0, 3.0];
    let y = [1.0, 2.0, 3.0];
    let out = svg(|b| {
        draw_regression_line(
            b,
            &x,
            &y,
            Axes { x: "x", y: "y" },
            &|t| t * 1e200,
            None,
            Style::default(),
        )
        .unwrap();
    });
    // Every coordinate of every polyline stays inside the canvas.
    for poly in out.split("points=\"").skip(1) {
        let pts = &poly[..poly.find('"').unwrap()];
        for pair in pts.split_whitespace() {
            let (a, b) = pair.split_once(',').unwrap();
            let (a, b): (i64, i64) = (a.parse().unwrap(), b.parse().unwrap());
            assert!((0..=640).contains(&a) && (0..=400).contains(&b), "{pair}");
        }
    }
}

#[test]
fn sigmoid_points_curve_and_threshold() {
    let x: Vec<f64> = (1..=10).map(|h| f64::from(h) * 2.0).collect();
    let class: Vec<f64> = x
        .iter()
        .map(|&h| if h > 12.0 { 1.0 } else { 0.0 })
        .collect();
    let p = |t: f64| 1.0 / (1.0 + (-(t - 12.0)).exp());
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_sigmoid(
                b,
                &x,
                &class,
                Axes {
                    x: "hours",
                    y: "P(pass = 1)",
                },
                &p,
                None,
                Style::default(),
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.points, 10);
    assert_eq!(count(&out, "<circle"), 10);
    assert_eq!(info.curves, 1);
    // Both classes are coloured.
    assert!(out.contains("#2563EB") && out.contains("#DC2626"));
    assert!(has_text(&out, "hours"));
    assert!(has_text(&out, "P(pass = 1)"));
}

#[test]
fn heatmap_has_both_colours_boundary_and_points() {
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut c = Vec::new();
    for i in 0..20 {
        for j in 0..5 {
            x.push(f64::from(i));
            y.push(f64::from(j * 4));
            c.push(if i + j * 4 > 18 { 1.0 } else { 0.0 });
        }
    }
    let f = |a: f64, b: f64| 1.0 / (1.0 + (-(a + b - 19.0) / 3.0).exp());
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_heatmap(
                b,
                &x,
                &y,
                &c,
                Axes {
                    x: "hours_studied",
                    y: "hours_slept",
                },
                &f,
                &HeatmapOptions::default(),
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.points, 100);
    // Each point is a filled disc plus a white outline.
    assert_eq!(count(&out, "<circle"), 200);
    assert!(info.boundary_segments >= 50, "{}", info.boundary_segments);
    // Equal neighbours merge, but the 100 × 100 grid needs many rectangles.
    assert!(
        info.cell_rects >= 100 && info.cell_rects < 10_000,
        "{}",
        info.cell_rects
    );
    assert!(count(&out, "<rect") >= info.cell_rects);
    // Blue-ish and red-ish cells.
    let fills: Vec<(u8, u8, u8)> = out
        .split("fill=\"#")
        .skip(1)
        .filter_map(|s| {
            let h = s.get(..6)?;
            Some((
                u8::from_str_radix(&h[0..2], 16).ok()?,
                u8::from_str_radix(&h[2..4], 16).ok()?,
                u8::from_str_radix(&h[4..6], 16).ok()?,
            ))
        })
        .collect();
    let fills: Vec<(i32, i32)> = fills
        .iter()
        .map(|&(r, _, b)| (i32::from(r), i32::from(b)))
        .collect();
    assert!(fills.iter().any(|&(r, b)| b > r + 60), "no blue cell");
    assert!(fills.iter().any(|&(r, b)| r > b + 60), "no red cell");
    assert!(has_text(&out, "hours_studied") && has_text(&out, "hours_slept"));
}

#[test]
fn heatmap_of_values_without_boundary() {
    let x = [0.0, 1.0, 2.0];
    let y = [0.0, 2.0, 1.0];
    let v = [0.0, 3.0, 3.0];
    let mut info = None;
    svg(|b| {
        info = Some(
            draw_heatmap(
                b,
                &x,
                &y,
                &v,
                Axes { x: "a", y: "b" },
                &|a, b| a + b,
                &HeatmapOptions {
                    cells: 20,
                    shading: Shading::Value {
                        low: 0.0,
                        high: 3.0,
                    },
                    boundary: None,
                    style: Style::default(),
                },
            )
            .unwrap(),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.boundary_segments, 0);
    assert_eq!(info.points, 3);
}

#[test]
fn predicted_vs_actual_with_diagonal() {
    let actual: Vec<f64> = (0..40).map(f64::from).collect();
    let predicted: Vec<f64> = actual.iter().map(|v| v * 0.9 + 1.0).collect();
    let mut info = None;
    let out = svg(|b| {
        info = Some(
            draw_predicted_actual(
                b,
                &actual,
                &predicted,
                Axes {
                    x: "actual y",
                    y: "predicted y",
                },
                Style::default(),
            )
            .unwrap(),
        )
    });
    assert_eq!(info.unwrap().points, 40);
    assert_eq!(count(&out, "<circle"), 40);
    assert!(has_text(&out, "actual y") && has_text(&out, "predicted y"));
}

#[test]
fn scale_enlarges_fonts_and_lines() {
    let losses = [3.0, 2.0, 1.0];
    let small = svg(|b| {
        draw_loss_curve(b, &losses, &LossCurveOptions::default()).unwrap();
    });
    let big = svg(|b| {
        draw_loss_curve(
            b,
            &losses,
            &LossCurveOptions {
                style: Style::new(2.0),
                ..Default::default()
            },
        )
        .unwrap();
    });
    let sizes = |svg: &str| -> Vec<f64> {
        svg.split("font-size=\"")
            .skip(1)
            .filter_map(|s| s[..s.find('"')?].parse().ok())
            .collect()
    };
    let (small, big) = (sizes(&small), sizes(&big));
    assert_eq!(small.len(), big.len());
    assert!(!small.is_empty());
    for (s, b) in small.iter().zip(&big) {
        assert!((b / s - 2.0).abs() < 1e-9, "{s} vs {b}");
    }
}

fn trainer(csv: &str, target: &str, model: ModelKind) -> Trainer {
    let table = Table::parse(csv).unwrap();
    let spec = DatasetSpec {
        target: Some(ColumnRef::Name(target.into())),
        features: None,
        model,
        drop_missing: false,
    };
    let dataset = Dataset::from_table(&table, &spec).unwrap();
    let config = TrainerConfig {
        standardize: true,
        learning_rate: 0.1,
        ..TrainerConfig::default()
    };
    let mut t = Trainer::new(dataset, config).unwrap();
    t.run(20);
    // Views never compute the optimum themselves: they show it once known.
    let _ = t.optimum();
    t
}

fn scene_svg(t: &Trainer, view: Option<ViewKind>) -> (String, gradstep::plot::ModelViewInfo) {
    let data = SceneData::new(t.dataset());
    let request = ModelViewRequest {
        view,
        ..Default::default()
    };
    let mut info = None;
    let out =
        svg(|b| info = Some(scene::draw_model(b, t, &data, &request, Style::default()).unwrap()));
    (out, info.unwrap())
}

#[test]
fn scenes_of_the_built_in_examples() {
    let classic = trainer(
        include_str!("../www/examples/classic.csv"),
        "y",
        ModelKind::Linear,
    );
    let (out, info) = scene_svg(&classic, None);
    assert_eq!(info.points, 200);
    assert!(info.cell_rects > 0 && info.boundary_segments == 0);
    assert!(has_text(&out, "x1") && has_text(&out, "x2"));
    let (out, info) = scene_svg(&classic, Some(ViewKind::PredictedActual));
    assert_eq!(info.points, 200);
    assert!(has_text(&out, "predicted y"));

    let hours = trainer(
        include_str!("../www/examples/study-hours.csv"),
        "pass",
        ModelKind::Logistic,
    );
    let (out, info) = scene_svg(&hours, None);
    assert_eq!(info.points, 24);
    assert!(info.curves >= 2, "current curve + optimum ghost");
    assert!(has_text(&out, "P(pass = 1)"));

    let sleep = trainer(
        include_str!("../www/examples/study-sleep.csv"),
        "result",
        ModelKind::Logistic,
    );
    let (out, info) = scene_svg(&sleep, None);
    assert_eq!(info.points, 150);
    assert!(info.boundary_segments > 0);
    assert!(has_text(&out, "hours_studied") && has_text(&out, "hours_slept"));

    let house = trainer(
        include_str!("../www/examples/house-prices.csv"),
        "price",
        ModelKind::Linear,
    );
    let (out, info) = scene_svg(&house, None);
    assert_eq!(info.points, 80);
    assert_eq!(info.curves, 2);
    assert!(has_text(&out, "size_m2") && has_text(&out, "price"));

    let mut loss = String::new();
    let info = scene::draw_loss(
        SVGBackend::with_string(&mut loss, SIZE),
        &house,
        true,
        false,
        Style::default(),
    )
    .unwrap();
    assert_eq!(info.points_drawn, 21);
    assert!(info.reference_drawn);
}

#[test]
fn big_data_is_subsampled_and_slices_are_guarded() {
    let mut csv = String::from("a,b,c,y\n");
    for i in 0..5000 {
        let (a, b, c) = (i % 97, i % 89, i % 13);
        csv.push_str(&format!("{a},{b},{c},{}\n", a + 2 * b - c));
    }
    let t = trainer(&csv, "y", ModelKind::Linear);
    let data = SceneData::new(t.dataset());
    assert_eq!(data.rows.len(), scene::MAX_POINTS);
    let request = ModelViewRequest {
        view: Some(ViewKind::Heatmap),
        slice_x: 7,
        slice_y: 7,
        show_optimum: true,
        insight: true,
    };
    let mut out = String::new();
    let info = scene::draw_model(
        SVGBackend::with_string(&mut out, SIZE),
        &t,
        &data,
        &request,
        Style::default(),
    )
    .unwrap();
    assert_eq!(info.points, scene::MAX_POINTS);
    // Insight sizes the subsampled points (shares mapped to their rows).
    assert!(radii(&out).len() > 3, "{:?}", radii(&out));
    assert_eq!(scene::resolve_slice(3, 7, 7), (0, 1));
    assert_eq!(scene::resolve_slice(3, 2, 2), (2, 0));
}

// ---------------------------------------------------------------------------
// Loss landscape, optimum ghost and per-point insight.
// ---------------------------------------------------------------------------

/// The points of every polyline drawn in `color` (e.g. "#DC2626").
fn polylines(svg: &str, color: &str) -> Vec<Vec<(i64, i64)>> {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p[..p.find("/>").unwrap_or(p.len())].contains(&format!("stroke=\"{color}\"")))
        .map(|p| {
            let pts = &p[p.find("points=\"").unwrap() + 8..];
            pts[..pts.find('"').unwrap()]
                .split_whitespace()
                .map(|pair| {
                    let (a, b) = pair.split_once(',').unwrap();
                    (a.parse().unwrap(), b.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// The distinct radii of the circles.
fn radii(svg: &str) -> std::collections::BTreeSet<u32> {
    svg.split("<circle")
        .skip(1)
        .filter_map(|c| {
            let r = &c[c.find(" r=\"")? + 4..];
            r[..r.find('"')?].parse().ok()
        })
        .collect()
}

fn trainer_with(csv: &str, target: &str, model: ModelKind, config: TrainerConfig) -> Trainer {
    let table = Table::parse(csv).unwrap();
    let spec = DatasetSpec {
        target: Some(ColumnRef::Name(target.into())),
        features: None,
        model,
        drop_missing: false,
    };
    Trainer::new(Dataset::from_table(&table, &spec).unwrap(), config).unwrap()
}

fn draw_panel(
    panel: &mut LandscapePanel,
    t: &Trainer,
    a: usize,
    b: usize,
) -> (String, gradstep::plot::PanelInfo) {
    let mut info = None;
    let out = svg(|backend| info = Some(panel.draw(backend, t, a, b, Style::default()).unwrap()));
    (out, info.unwrap())
}

/// Path points as the trainer recorded them, plus the current point when
/// it is not the last one recorded.
fn expected_path_points(t: &Trainer) -> usize {
    let p = t.dataset().features.cols() + 1;
    let (path, _) = t.parameter_path();
    let last = &path[path.len() - p..];
    let s = t.state();
    let current: Vec<f64> = s.weights.iter().copied().chain([s.bias]).collect();
    path.len() / p + usize::from(last != current.as_slice())
}

#[test]
fn landscape_of_one_feature_linear_regression() {
    let mut t = trainer_with(
        include_str!("../www/examples/house-prices.csv"),
        "price",
        ModelKind::Linear,
        TrainerConfig {
            standardize: true,
            learning_rate: 0.1,
            ..TrainerConfig::default()
        },
    );
    let _ = t.optimum();
    t.run(25);
    let mut panel = LandscapePanel::new();
    let (out, info) = draw_panel(&mut panel, &t, 0, 1);
    assert!(info.recomputed);
    assert_eq!(info.sampled_rows, None, "linear grids use every row");
    assert_eq!(info.drawn.path_points, 26);
    assert_eq!(info.drawn.path_points, expected_path_points(&t));
    let paths = polylines(&out, "#DC2626");
    assert_eq!(paths.len(), 1, "one path polyline");
    assert_eq!(paths[0].len(), 26, "one point per recorded step");
    assert!(info.drawn.optimum_drawn && info.drawn.current_drawn);
    assert!(out.contains("#D97706"), "optimum marker colour");
    assert!(
        info.drawn.contour_lines >= 5,
        "{}",
        info.drawn.contour_lines
    );
    assert!(
        has_text(&out, "w·size_m2 (standardized units)"),
        "{:?}",
        texts(&out)
    );
    assert!(has_text(&out, "b (standardized units)"));
    // One feature: nothing is held, so no caption.
    assert!(!texts(&out).iter().any(|t| t.contains("held")));

    // The ranges cover the start, the path and the optimum.
    let (w, b, _) = t.optimum().found().unwrap();
    let (w, b) = (w[0], b);
    let inside = |v: f64, (lo, hi): (f64, f64)| lo < v && v < hi;
    assert!(inside(w, info.a_range) && inside(b, info.b_range));
    assert!(inside(0.0, info.a_range) && inside(0.0, info.b_range));

    // The grid is the exact loss.
    let grid = panel.grid().unwrap();
    let res = grid.resolution;
    for (ix, iy) in [(0, 0), (res / 3, res - 1), (res - 1, res / 2)] {
        let wa = grid.a_range.0 + (grid.a_range.1 - grid.a_range.0) * ix as f64 / (res - 1) as f64;
        let bb = grid.b_range.0 + (grid.b_range.1 - grid.b_range.0) * iy as f64 / (res - 1) as f64;
        let direct = t.loss_at(&[wa], bb);
        let got = grid.values[iy * res + ix];
        assert!(
            (got - direct).abs() <= 1e-9 * direct.abs(),
            "{got} vs {direct}"
        );
    }

    // Only the path changes: the grid is reused while the path stays inside.
    t.run(5);
    let (_, again) = draw_panel(&mut panel, &t, 0, 1);
    assert!(!again.recomputed);
    assert_eq!(again.a_range, info.a_range);
    assert_eq!(again.drawn.path_points, 31);

    // A click in the middle of the plot sets the start there and resets.
    let m = &again.drawn.mapping;
    let (px, py) = ((m.x_px.0 + m.x_px.1) / 2.0, (m.y_px.0 + m.y_px.1) / 2.0);
    let (w0, b0) = panel.start_at(&t, px, py).expect("inside the plot");
    let mid = |(lo, hi): (f64, f64)| (lo + hi) / 2.0;
    assert!((w0[0] - mid(again.a_range)).abs() < 1e-9 * (1.0 + mid(again.a_range).abs()));
    assert!((b0 - mid(again.b_range)).abs() < 1e-9 * (1.0 + mid(again.b_range).abs()));
    assert!(
        panel.start_at(&t, 0.0, 0.0).is_none(),
        "outside the plot area"
    );
    t.set_start(&w0, b0).unwrap();
    assert_eq!(t.state().step, 0);
    let (_, after) = draw_panel(&mut panel, &t, 0, 1);
    assert_eq!(after.drawn.path_points, 1);

    // Bad parameter indices are errors, not panics.
    let mut out = String::new();
    assert!(panel
        .draw(
            SVGBackend::with_string(&mut out, SIZE),
            &t,
            0,
            2,
            Style::default()
        )
        .is_err());
    let mut out = String::new();
    assert!(panel
        .draw(
            SVGBackend::with_string(&mut out, SIZE),
            &t,
            1,
            1,
            Style::default()
        )
        .is_err());
}

fn spector() -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/spector.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn landscape_of_three_feature_logistic_regression() {
    let mut t = trainer_with(
        &spector(),
        "GRADE",
        ModelKind::Logistic,
        TrainerConfig {
            standardize: true,
            learning_rate: 1.0,
            // Never "converged": keep stepping.
            tolerance: 0.0,
            ..TrainerConfig::default()
        },
    );
    let _ = t.optimum();
    // More steps than the path keeps: it is thinned to a stride.
    t.run(5000);
    let (_, stride) = t.parameter_path();
    assert!(stride > 1, "stride {stride}");
    let mut panel = LandscapePanel::new();
    // GPA (0) against PSI (2); TUCE and b are held.
    let (out, info) = draw_panel(&mut panel, &t, 0, 2);
    assert_eq!(info.drawn.path_points, expected_path_points(&t));
    let paths = polylines(&out, "#DC2626");
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].len(), info.drawn.path_points);
    assert!(info.drawn.optimum_drawn);
    assert!(out.contains("#D97706"));
    assert!(has_text(&out, "w·GPA (standardized units)"));
    assert!(has_text(&out, "w·PSI (standardized units)"));
    assert!(texts(&out)
        .iter()
        .any(|t| t.contains("other parameters held at their current values")));
    assert_eq!(info.sampled_rows, None);

    // The grid is the loss with TUCE and b at their current values (to the
    // display precision of the logistic grid).
    let grid = panel.grid().unwrap();
    let res = grid.resolution;
    let s = t.state();
    for (ix, iy) in [(0, 0), (res / 2, res / 3), (res - 1, res - 1)] {
        let mut w = s.weights.clone();
        w[0] = grid.a_range.0 + (grid.a_range.1 - grid.a_range.0) * ix as f64 / (res - 1) as f64;
        w[2] = grid.b_range.0 + (grid.b_range.1 - grid.b_range.0) * iy as f64 / (res - 1) as f64;
        let direct = t.loss_at(&w, s.bias);
        let got = grid.values[iy * res + ix];
        assert!(
            (got - direct).abs() < 1e-4 * direct.max(1.0),
            "{got} vs {direct}"
        );
    }

    // The held parameters barely move late in training: the grid is kept.
    t.run(10);
    let (_, again) = draw_panel(&mut panel, &t, 0, 2);
    assert!(!again.recomputed);
    // Another pair is another grid; the bias can be an axis.
    let (out, other) = draw_panel(&mut panel, &t, 1, 3);
    assert!(other.recomputed);
    assert!(has_text(&out, "b (standardized units)"));
    // After a reset the held parameters are back at the start: recomputed.
    t.reset();
    let (_, reset) = draw_panel(&mut panel, &t, 1, 3);
    assert!(reset.recomputed);
    assert_eq!(reset.drawn.path_points, 1);
}

#[test]
fn landscape_with_l2_and_big_logistic_data() {
    // Linear with an L2 penalty: the quadratic includes (λ/2)‖w‖².
    let mut t = trainer_with(
        include_str!("../www/examples/classic.csv"),
        "y",
        ModelKind::Linear,
        TrainerConfig {
            standardize: true,
            learning_rate: 0.05,
            l2: 0.3,
            ..TrainerConfig::default()
        },
    );
    t.run(7);
    let mut panel = LandscapePanel::new();
    let (_, info) = draw_panel(&mut panel, &t, 1, 4);
    assert!(info.recomputed);
    let grid = panel.grid().unwrap();
    let res = grid.resolution;
    let s = t.state();
    for (ix, iy) in [(0, 0), (res / 2, res / 5), (res - 1, res - 1)] {
        let mut w = s.weights.clone();
        w[1] = grid.a_range.0 + (grid.a_range.1 - grid.a_range.0) * ix as f64 / (res - 1) as f64;
        let b = grid.b_range.0 + (grid.b_range.1 - grid.b_range.0) * iy as f64 / (res - 1) as f64;
        let direct = t.loss_at(&w, b);
        let got = grid.values[iy * res + ix];
        assert!(
            (got - direct).abs() <= 1e-9 * direct.abs(),
            "{got} vs {direct}"
        );
    }

    // Logistic on 10 000 rows: the grid uses a sample and says so.
    let mut csv = String::from("a,b,c,y\n");
    for i in 0..10_000u32 {
        let (a, b, c) = (
            f64::from(i % 97) / 9.7,
            f64::from(i % 89) / 8.9,
            f64::from(i % 13),
        );
        let z = a - b + 0.2 * c - 0.6 + 0.8 * (f64::from(i % 7) - 3.0);
        csv.push_str(&format!("{a},{b},{c},{}\n", u8::from(z > 0.0)));
    }
    let mut t = trainer_with(
        &csv,
        "y",
        ModelKind::Logistic,
        TrainerConfig {
            standardize: true,
            learning_rate: 1.0,
            ..TrainerConfig::default()
        },
    );
    t.run(30);
    let mut panel = LandscapePanel::new();
    let started = std::time::Instant::now();
    let (out, info) = draw_panel(&mut panel, &t, 0, 1);
    let first = started.elapsed();
    let sampled = info.sampled_rows.expect("a sample");
    assert_eq!(sampled, gradstep::plot::landscape::LOGISTIC_MAX_ROWS);
    assert!(texts(&out).iter().any(|t| t.contains("sample of")));
    assert!(!info.drawn.optimum_drawn, "the optimum was never computed");
    t.run(1);
    let started = std::time::Instant::now();
    let (_, again) = draw_panel(&mut panel, &t, 0, 1);
    let second = started.elapsed();
    eprintln!(
        "10k-row logistic landscape: first draw {first:?} (grid {}), next {second:?} (recomputed: {})",
        info.recomputed, again.recomputed
    );
}

#[test]
fn model_view_insight_and_optimum_ghost() {
    // Sigmoid: sizes vary with the gradient share, misclassified rows ringed.
    let hours = trainer(
        include_str!("../www/examples/study-hours.csv"),
        "pass",
        ModelKind::Logistic,
    );
    let data = SceneData::new(hours.dataset());
    let draw = |t: &Trainer, data: &SceneData, request: ModelViewRequest| {
        let mut info = None;
        let out = svg(|b| {
            info = Some(scene::draw_model(b, t, data, &request, Style::default()).unwrap())
        });
        (out, info.unwrap())
    };
    let plain = ModelViewRequest {
        show_optimum: false,
        ..Default::default()
    };
    let (out, info) = draw(&hours, &data, plain);
    assert_eq!(radii(&out).len(), 1, "plain points share one size");
    assert_eq!((info.flagged, info.ghost), (0, 0));
    let (out, info) = draw(
        &hours,
        &data,
        ModelViewRequest {
            insight: true,
            ..plain
        },
    );
    assert!(radii(&out).len() >= 3, "{:?}", radii(&out));
    let s = hours.state();
    let x = hours.training_features();
    let wrong = (0..x.rows())
        .filter(|&r| {
            let z = s.bias + x.row(r)[0] * s.weights[0];
            (z >= 0.0) != (hours.dataset().target[r] >= 0.5)
        })
        .count();
    assert!(wrong > 0);
    assert_eq!(info.flagged, wrong);
    assert_eq!(count(&out, "stroke=\"#000000\""), wrong, "one ring each");
    let (_, info) = draw(&hours, &data, ModelViewRequest::default());
    assert!(info.ghost >= 1, "the optimum's sigmoid");

    // Line: sizes vary, nothing is misclassified; the ghost line once the
    // optimum is known, and not before (the view never computes it).
    let house_csv = include_str!("../www/examples/house-prices.csv");
    let house = trainer(house_csv, "price", ModelKind::Linear);
    let data = SceneData::new(house.dataset());
    let request = ModelViewRequest {
        insight: true,
        ..Default::default()
    };
    let (out, info) = draw(&house, &data, request);
    assert!(radii(&out).len() >= 3);
    assert_eq!(info.flagged, 0);
    assert_eq!(info.ghost, 1);
    assert!(polylines(&out, "#D97706").len() > 1, "dashed ghost line");
    let fresh = trainer_with(
        house_csv,
        "price",
        ModelKind::Linear,
        TrainerConfig::default(),
    );
    let (_, info) = draw(&fresh, &data, request);
    assert_eq!(info.ghost, 0, "optimum not computed yet");

    // Two features: the optimum's boundary dashed, rings on the heatmap.
    let sleep = trainer(
        include_str!("../www/examples/study-sleep.csv"),
        "result",
        ModelKind::Logistic,
    );
    let data = SceneData::new(sleep.dataset());
    let (out, info) = draw(&sleep, &data, request);
    assert!(info.ghost >= 1, "optimum boundary");
    assert!(polylines(&out, "#D97706").len() > 3, "drawn dashed");
    assert!(info.flagged > 0 && info.flagged < info.points);
    assert!(radii(&out).len() >= 3);
    let (_, info) = draw(
        &sleep,
        &data,
        ModelViewRequest {
            show_optimum: false,
            ..request
        },
    );
    assert_eq!(info.ghost, 0);
}
