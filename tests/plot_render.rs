//! Renders every plot to an SVG string and checks what was drawn: the
//! number of markers, the lines, the heatmap colours and the labels.

use gradstep::data::{ColumnRef, Dataset, DatasetSpec, Table};
use gradstep::model::ModelKind;
use gradstep::plot::heatmap::{draw_heatmap, HeatmapOptions, Shading};
use gradstep::plot::loss_curve::{draw_loss_curve, LossCurveOptions};
use gradstep::plot::scene::{self, ModelViewRequest, SceneData};
use gradstep::plot::{
    draw_predicted_actual, draw_regression_line, draw_sigmoid, Axes, Style, ViewKind,
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
    assert_eq!(scene::resolve_slice(3, 7, 7), (0, 1));
    assert_eq!(scene::resolve_slice(3, 2, 2), (2, 0));
}
