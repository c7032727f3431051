//! `gradstep fit`: gradient descent (or another optimizer) on a CSV,
//! reported in original units next to the exact optimum.

use crate::args::FitArgs;
use gradstep::data::{ColumnRef, MissingPolicy};
use gradstep::format::number;
use gradstep::limits::MAX_FULL_HISTORY;
use gradstep::model::{Metrics, ModelKind};
use gradstep::optim::{OptimizerConfig, OptimizerKind, Schedule};
use gradstep::optimum::Optimum;
use gradstep::report::FitReport;
use gradstep::session::{DataSettings, RateRule, RunSettings, Session};
use gradstep::train::Status;

/// Reads `path` into a fresh session a megabyte at a time (never the whole
/// file at once), with the data settings `settings` makes from the table.
pub fn load(
    path: &std::path::Path,
    settings: impl FnOnce(&gradstep::data::Table) -> gradstep::Result<DataSettings>,
) -> Result<Session, String> {
    use std::io::Read;
    let name = path.display().to_string();
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("{name}: cannot read the file: {e}"))?;
    let size = file.metadata().ok().map(|m| m.len());
    let mut s = Session::new(RateRule::OneOverL);
    s.begin_load(&name, size);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = file
            .read(&mut buf)
            .map_err(|e| format!("{name}: cannot read the file: {e}"))?;
        if k == 0 {
            break;
        }
        s.push_bytes(&buf[..k])
            .map_err(|e| format!("{name}: {e}"))?;
    }
    s.finish_load_with(settings)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(s)
}

/// A column named on the command line: a name, or a 1-based index when no
/// column has that name.
fn column_name(table: &gradstep::data::Table, spec: &str) -> gradstep::Result<String> {
    let j = table.resolve(&ColumnRef::parse(spec))?;
    Ok(table.column(j).name.clone())
}

fn parse_steps(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    match crate::args::number(t) {
        Ok(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1.8e19 => Ok(v as u64),
        _ => Err(format!(
            "--steps: '{}' is not a whole number of steps (e.g. 1000 or 1e6)",
            gradstep::limits::quote(t)
        )),
    }
}

/// How a fit that printed its report ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitEnd {
    /// Converged or still running when the steps ran out.
    Trained,
    /// Diverged (exit code 1: the report is printed, but it is no fit).
    Diverged,
}

/// Loads the data, trains, and prints the result.
pub fn run(args: &FitArgs) -> Result<FitEnd, String> {
    let missing: MissingPolicy = if args.drop_missing {
        MissingPolicy::Drop
    } else {
        args.missing
            .parse()
            .map_err(|e: gradstep::GradstepError| format!("--missing: {e}"))?
    };
    let model = match &args.model {
        Some(m) => Some(
            m.parse::<ModelKind>()
                .map_err(|e| format!("--model: {e}"))?,
        ),
        None => None,
    };
    let steps = parse_steps(&args.steps)?;
    if args.history && steps > MAX_FULL_HISTORY {
        return Err(format!(
            "--history keeps the loss of every step, at most {MAX_FULL_HISTORY} of them; lower --steps (it is {steps})"
        ));
    }
    let kind: OptimizerKind = args
        .optimizer
        .parse()
        .map_err(|e| format!("--optimizer: {e}"))?;
    // A hyperparameter the chosen rule does not have is refused, not ignored.
    let given = [
        ("momentum", args.momentum.is_some()),
        ("beta1", args.beta1.is_some()),
        ("beta2", args.beta2.is_some()),
        ("eps", args.eps.is_some()),
        ("decay", args.decay.is_some()),
    ];
    for (name, _) in given.iter().filter(|(_, g)| *g) {
        if !kind.hyperparameters().contains(name) {
            let used_by: Vec<&str> = OptimizerKind::ALL
                .iter()
                .filter(|k| k.hyperparameters().contains(name))
                .map(|k| k.name())
                .collect();
            return Err(format!(
                "--{name}: --optimizer {} does not use it (only {} do)",
                kind.name(),
                used_by.join(", ")
            ));
        }
    }
    let mut optimizer = OptimizerConfig::new(kind);
    if let Some(v) = args.momentum {
        optimizer.momentum = v;
    }
    if let Some(v) = args.beta1 {
        optimizer.beta1 = v;
    }
    if let Some(v) = args.beta2 {
        optimizer.beta2 = v;
    }
    if let Some(v) = args.eps {
        optimizer.eps = Some(v);
    }
    if let Some(v) = args.decay {
        optimizer.decay = v;
    }
    optimizer.validate().map_err(|e| e.to_string())?;
    let schedule = Schedule::parse(&args.schedule).map_err(|e| format!("--schedule: {e}"))?;
    let auto_lr = args.lr.trim().eq_ignore_ascii_case("auto");
    let learning_rate = if auto_lr {
        None
    } else {
        let v: f64 = crate::args::number(&args.lr).map_err(|_| {
            format!(
                "--lr: '{}' is not a number or 'auto'",
                gradstep::limits::quote(&args.lr)
            )
        })?;
        Some(v)
    };

    let base = DataSettings {
        model,
        standardize: args.standardize,
        missing,
        l2: args.l2,
        ..DataSettings::default()
    };
    let mut s = load(&args.file, |table| {
        let mut settings = base.clone();
        if let Some(t) = &args.target {
            settings.target = Some(column_name(table, t)?);
        }
        if let Some(f) = &args.features {
            settings.features = Some(
                f.iter()
                    .map(|c| column_name(table, c))
                    .collect::<gradstep::Result<_>>()?,
            );
        }
        Ok(settings)
    })?;
    let rows = s.loaded().map_or(0, |d| d.dataset().rows());
    if let Some(b) = args.batch_size {
        if b == 0 || b > rows {
            return Err(format!(
                "--batch-size: {b} is not a batch of these {rows} rows; give 1 to {rows} ({rows} is the full batch)"
            ));
        }
    }
    let run = RunSettings {
        optimizer,
        learning_rate,
        schedule,
        batch_size: args.batch_size.unwrap_or(0),
        seed: args.seed.unwrap_or(0),
        tolerance: args.tol,
    };
    s.set_run(0, &run).map_err(|e| e.to_string())?;
    let random_start = match args.start.as_deref().map(str::trim) {
        None => args.seed.is_some(),
        Some(w) if w.eq_ignore_ascii_case("zeros") => false,
        Some(w) if w.eq_ignore_ascii_case("random") => true,
        Some(w) => {
            return Err(format!(
                "--start: '{}' is not zeros or random",
                gradstep::limits::quote(w)
            ))
        }
    };
    if random_start {
        s.set_random_start(args.seed.unwrap_or(0))
            .map_err(|e| e.to_string())?;
    }
    if args.history {
        s.keep_full_history().map_err(|e| e.to_string())?;
    }
    if args.json {
        s.train(steps).map_err(|e| e.to_string())?;
        s.solve_optimum().map_err(|e| e.to_string())?;
        let d = s.loaded().ok_or("no data")?;
        /// The report and whether α was the default rule, written straight
        /// to stdout (a 10⁷-step history is never held as text or a tree).
        #[derive(serde::Serialize)]
        struct Printed {
            #[serde(flatten)]
            report: FitReport,
            learning_rate_auto: bool,
            /// Where θ started: "zeros" or "random" (drawn with the seed).
            start: &'static str,
        }
        let mut report = FitReport::of(d, 0);
        report.message = report.message.map(|m| command_line_words(&m));
        let printed = Printed {
            report,
            learning_rate_auto: auto_lr,
            start: if random_start { "random" } else { "zeros" },
        };
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        let written = serde_json::to_writer(&mut w, &printed)
            .map_err(std::io::Error::from)
            .and_then(|()| {
                use std::io::Write;
                writeln!(w)?;
                w.flush()
            });
        if let Err(e) = written {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(format!("cannot write the output: {e}"));
        }
    } else {
        if args.history {
            out!("note: --history adds the loss of every step to --json output; this report has none");
        }
        print_header(&s, auto_lr);
        train_with_progress(&mut s, steps)?;
        s.solve_optimum().map_err(|e| e.to_string())?;
        print_result(&s);
    }
    Ok(match s.runs()[0].trainer.status() {
        Status::Diverged => FitEnd::Diverged,
        _ => FitEnd::Trained,
    })
}

fn print_header(s: &Session, auto_lr: bool) {
    let Some(d) = s.loaded() else { return };
    let ds = d.dataset();
    out!(
        "{}: {} rows, target '{}', features {}{}",
        d.name(),
        ds.rows(),
        ds.target_name,
        ds.feature_names.join(", "),
        if d.problem().design().is_standardized() {
            " (standardized)"
        } else {
            ""
        }
    );
    for e in d.excluded() {
        if e.reason != gradstep::data::csv::select::ExcludedReason::Target {
            out!("note: {}", e.message);
        }
    }
    for w in &ds.warnings {
        out!("warning: {w}");
    }
    match (&ds.classes, d.model()) {
        (Some(c), ModelKind::Logistic) => out!(
            "model: logistic regression, p = σ(w·x + b), loss = −(1/n) Σ [t ln p + (1 − t) ln(1 − p)]; classes: '{}' → 0, '{}' → 1",
            c.negative, c.positive
        ),
        _ => out!("model: linear regression, y = w·x + b, loss = (1/n) Σ (t − y)²"),
    }
    let t = &d.runs()[0].trainer;
    let c = t.config();
    let l = d.lipschitz();
    let lr_note = match (auto_lr, c.optimizer.kind.default_learning_rate(), l) {
        (true, None, Some(l)) => format!(" = 1/L, L = {}", number(l, 7)),
        (true, Some(_), _) => " (PyTorch's default)".into(),
        _ => String::new(),
    };
    let stability = match (l, l.and_then(|l| c.optimizer.stability_bound(l))) {
        (Some(_), Some((top, formula))) => format!("divergence above {formula} = {}", number(top, 5)),
        (Some(l), None) => format!(
            "adaptive steps, which L = {} does not bound; plain gradient descent would diverge above 2/L = {}",
            number(l, 5),
            number(2.0 / l, 5)
        ),
        (None, _) => "L is undefined (the values are too large)".into(),
    };
    let conditioning = match d.curvature().condition_number {
        Some(k) => format!("condition number {}", number(k, 4)),
        None => "condition number undefined (the Hessian is singular)".into(),
    };
    out!(
        "optimizer: {}, learning rate α = {}{lr_note} ({stability}; {conditioning})",
        c.optimizer.kind.label(),
        number(c.learning_rate, 7)
    );
    if c.batch_size > 0 && c.batch_size < ds.rows() {
        out!(
            "mini-batches of {} rows, shuffled each epoch with seed {} ({} steps per epoch)",
            c.batch_size,
            c.seed,
            t.batches_per_epoch()
        );
    }
    if c.schedule != Schedule::Constant {
        out!("schedule: {}", c.schedule.formula());
    }
    out!("{:>10}  {:>18}  {:>12}", "step", "loss", "‖∇L‖");
}

/// Trains, printing the state at steps 0, 1, 2, 5, 10, 20, 50, … and the last.
fn train_with_progress(s: &mut Session, max_steps: u64) -> Result<(), String> {
    let print = |s: &Session| {
        let t = &s.runs()[0].trainer;
        out!(
            "{:>10}  {:>18}  {:>12}",
            t.step_count(),
            number(t.loss(), 11),
            number(t.gradient_norm(), 5)
        );
    };
    print(s);
    let mut printed = 0u64;
    let mut next_mark = 1u64;
    let mut mark_index = 0usize;
    loop {
        let t = &s.runs()[0].trainer;
        let (step, status) = (t.step_count(), t.status());
        if step >= max_steps || matches!(status, Status::Converged | Status::Diverged) {
            break;
        }
        let todo = next_mark.min(max_steps).saturating_sub(step).max(1);
        s.train(todo).map_err(|e| e.to_string())?;
        let t = &s.runs()[0].trainer;
        // A step refused as diverging leaves the last printed state as it was.
        if t.step_count() > printed
            && (t.step_count() == next_mark || !matches!(t.status(), Status::Running))
        {
            printed = t.step_count();
            print(s);
        }
        while next_mark <= s.runs()[0].trainer.step_count() {
            mark_index += 1;
            next_mark = [1, 2, 5][mark_index % 3] * 10u64.saturating_pow((mark_index / 3) as u32);
        }
    }
    Ok(())
}

/// "1 step", "20 steps".
fn steps(n: u64) -> String {
    if n == 1 {
        "1 step".into()
    } else {
        format!("{n} steps")
    }
}

/// The engine's advice names the page's controls; here they are options.
fn command_line_words(message: &str) -> String {
    message
        .replace(" and press Reset", " and run again")
        .replace(
            "press Reset or lower the learning rate",
            "run again with a lower --lr",
        )
        .replace(", or standardize the features", ", or add --standardize")
}

fn print_result(s: &Session) {
    let Some(d) = s.loaded() else { return };
    let t = &d.runs()[0].trainer;
    let message =
        gradstep::session::shown_message(t, d.separable()).map(|m| command_line_words(&m));
    match message.as_deref() {
        // The message names the divergence itself ("diverged at step 4: …") or not.
        Some(m) if t.status() == Status::Diverged => out!(
            "status: {}{m} (the parameters below are those of step {})",
            if m.starts_with("diverged") {
                ""
            } else {
                "diverged: "
            },
            t.step_count()
        ),
        Some(m) => out!(
            "status: {} after {}: {m}",
            t.status().name(),
            steps(t.step_count())
        ),
        None => {
            let mut advice = vec!["allow more --steps"];
            if let Some(l) = d.lipschitz() {
                if t.config().learning_rate * l < 0.99
                    && t.config().optimizer.kind == OptimizerKind::Gd
                {
                    advice.push("raise --lr towards 1/L");
                }
            }
            if !d.problem().design().is_standardized() {
                advice.push("--standardize");
            }
            out!(
                "status: still running after {} (gradient norm {}); {}",
                steps(t.step_count()),
                number(t.gradient_norm(), 4),
                advice.join(", or ")
            )
        }
    }
    let x = d.problem().design();
    let theta = x.theta_to_original(t.theta());
    let names = &d.dataset().feature_names;
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let optimum = d.optimum_result();
    let opt = optimum
        .and_then(Optimum::found)
        .map(|(th, _)| x.theta_to_original(th));
    out!("parameters in original units:");
    out!(
        "  {:<width$}  {:>16}  {:>16}",
        "",
        t.config().optimizer.kind.label().to_lowercase(),
        "exact optimum"
    );
    for (j, name) in names.iter().enumerate() {
        let o = opt.as_ref().map_or_else(|| "—".to_string(), |o| num(o[j]));
        out!("  {name:<width$}  {:>16}  {o:>16}", num(theta[j]));
    }
    let dim = names.len();
    let o = opt
        .as_ref()
        .map_or_else(|| "—".to_string(), |o| num(o[dim]));
    out!("  {:<width$}  {:>16}  {o:>16}", "bias", num(theta[dim]));
    match t.metrics() {
        Metrics::Linear {
            mse,
            rmse,
            r2,
            r2_reason,
        } => out!(
            "metrics: MSE {}  RMSE {}  R² {}",
            num(mse),
            num(rmse),
            r2.map_or_else(
                || format!("undefined ({})", r2_reason.unwrap_or("—")),
                // A diverged fit's R² can be −8e16: no fixed point for that.
                |v| if v.abs() < 1e6 {
                    format!("{v:.6}")
                } else {
                    number(v, 4)
                }
            )
        ),
        Metrics::Logistic { log_loss, accuracy } => out!(
            "metrics: log-loss {}  accuracy {:.2}%",
            num(log_loss),
            accuracy * 100.0
        ),
    }
    match optimum {
        Some(Optimum::Found { loss, .. }) => {
            let gap = t.loss() - loss;
            // Below L* only by round-off; "−4.8e−7 above" reads as nonsense.
            let gap = if gap >= 0.0 {
                format!("is {} above it", number(gap, 4))
            } else {
                format!("is at it up to round-off ({})", number(gap, 2))
            };
            out!(
                "exact optimum loss {}; {} {gap}",
                num(*loss),
                t.config().optimizer.kind.label().to_lowercase(),
            )
        }
        Some(Optimum::NoFiniteOptimum { reason }) => out!("exact optimum: none — {reason}"),
        None => {}
    }
}

/// Plain decimals where they read well, scientific notation elsewhere;
/// never NaN or inf.
fn num(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x == 0.0 || (1e-3..1e7).contains(&x.abs()) {
        format!("{x:.8}")
    } else {
        format!("{x:.6e}")
    }
}
