//! `gradstep fit`: gradient descent on a CSV, reported in original units
//! next to the exact optimum.

use crate::args::{read, FitArgs};
use gradstep::data::{ColumnRef, Dataset, DatasetSpec, Table};
use gradstep::model::{Metrics, ModelKind};
use gradstep::optim::Status;
use gradstep::optimum::Optimum;
use gradstep::report::FitReport;
use gradstep::trainer::{Init, Trainer, TrainerConfig};
use serde_json::Value;

/// Loads the data, trains, and prints the result.
pub fn run(args: &FitArgs) -> Result<(), String> {
    let name = args.file.display().to_string();
    let in_file = |e: gradstep::GradstepError| format!("{name}: {e}");
    let text = read(&args.file)?;
    let table = Table::parse(&text).map_err(in_file)?;
    let target = args.target.as_deref().map(ColumnRef::parse);
    let model = match &args.model {
        Some(m) => m.parse::<ModelKind>().map_err(|e| e.to_string())?,
        None => {
            let index = match &target {
                Some(t) => table.resolve(t).map_err(in_file)?,
                None => table.columns().len().saturating_sub(1),
            };
            table.suggest_model(index)
        }
    };
    let spec = DatasetSpec {
        target,
        features: args
            .features
            .as_ref()
            .map(|f| f.iter().map(|s| ColumnRef::parse(s)).collect()),
        model,
        drop_missing: args.drop_missing,
    };
    let dataset = Dataset::from_table(&table, &spec).map_err(in_file)?;
    let auto_lr = args.lr.trim().eq_ignore_ascii_case("auto");
    let learning_rate = if auto_lr {
        1.0
    } else {
        args.lr
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("--lr: '{}' is not a number or 'auto'", args.lr))?
    };
    let config = TrainerConfig {
        learning_rate,
        standardize: args.standardize,
        init: args.seed.map_or(Init::Zeros, |seed| Init::Random { seed }),
        tolerance: args.tol,
        l2: args.l2,
    };
    let mut trainer = Trainer::new(dataset, config).map_err(|e| e.to_string())?;
    if auto_lr {
        let l = trainer.lipschitz();
        let lr = if l > 0.0 && l.is_finite() {
            1.0 / l
        } else {
            1.0
        };
        trainer.set_learning_rate(lr).map_err(|e| e.to_string())?;
    }
    if args.json {
        trainer.run(args.steps);
        println!("{}", report_json(&trainer, auto_lr));
    } else {
        print_header(&name, &trainer, auto_lr);
        train_with_progress(&mut trainer, args.steps);
        print_result(&trainer);
    }
    Ok(())
}

fn print_header(name: &str, t: &Trainer, auto_lr: bool) {
    let d = t.dataset();
    println!(
        "{name}: {} rows, target '{}', features {}{}",
        d.target.len(),
        d.target_name,
        d.feature_names.join(", "),
        if t.standardized() {
            " (standardized)"
        } else {
            ""
        }
    );
    for w in &d.warnings {
        println!("warning: {w}");
    }
    match (&d.classes, d.model) {
        (Some(c), ModelKind::Logistic) => println!(
            "model: logistic regression, p = σ(w·x + b), loss = −(1/n) Σ [t ln p + (1 − t) ln(1 − p)]; classes: '{}' → 0, '{}' → 1",
            c.negative, c.positive
        ),
        _ => println!("model: linear regression, y = w·x + b, loss = (1/n) Σ (t − y)²"),
    }
    let l = t.lipschitz();
    println!(
        "learning rate α = {:.6e}{} (divergence above 2/L = {:.4e}; condition number {:.3e})",
        t.learning_rate(),
        if auto_lr {
            format!(" = 1/L, L = {l:.6e}")
        } else {
            String::new()
        },
        2.0 / l,
        t.curvature().condition_number
    );
    println!("{:>10}  {:>18}  {:>12}", "step", "loss", "‖∇L‖");
}

/// Trains, printing the state at steps 0, 1, 2, 5, 10, 20, 50, … and the last.
fn train_with_progress(t: &mut Trainer, max_steps: u64) {
    let print = |s: &gradstep::trainer::StepState| {
        println!(
            "{:>10}  {:>18.10e}  {:>12.4e}",
            s.step, s.loss, s.gradient_norm
        )
    };
    print(t.state());
    let mut next_mark = 1u64;
    let mut mark_index = 0usize;
    while t.state().step < max_steps && (t.state().status == Status::Running || t.state().step == 0)
    {
        let todo = next_mark.min(max_steps) - t.state().step;
        let state = t.run(todo);
        if state.status != Status::Running || state.step == next_mark {
            print(state);
        }
        while next_mark <= t.state().step {
            mark_index += 1;
            next_mark = [1, 2, 5][mark_index % 3] * 10u64.pow((mark_index / 3) as u32);
        }
    }
    let s = t.state();
    if s.step % 10 != 0 && s.status == Status::Running {
        print(s);
    }
}

fn print_result(t: &Trainer) {
    let s = t.state();
    match &s.message {
        Some(m) => println!("status: {} after {} steps: {m}", s.status.name(), s.step),
        None => {
            let mut advice = vec!["allow more --steps"];
            if t.learning_rate() * t.lipschitz() < 0.99 {
                advice.push("raise --lr towards 1/L");
            }
            if !t.standardized() {
                advice.push("--standardize");
            }
            println!(
                "status: still running after {} steps (gradient norm {:.3e}); {}",
                s.step,
                s.gradient_norm,
                advice.join(", or ")
            )
        }
    }
    let (w, b) = t.original_parameters();
    let names = &t.dataset().feature_names;
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let optimum = t.original_optimum();
    let opt = optimum.found();
    println!("parameters in original units:");
    println!(
        "  {:<width$}  {:>16}  {:>16}",
        "", "gradient descent", "exact optimum"
    );
    for (j, name) in names.iter().enumerate() {
        let o = opt.map_or(String::from("—"), |(ow, _, _)| num(ow[j]));
        println!("  {name:<width$}  {:>16}  {o:>16}", num(w[j]));
    }
    let o = opt.map_or(String::from("—"), |(_, ob, _)| num(ob));
    println!("  {:<width$}  {:>16}  {o:>16}", "bias", num(b));
    match t.metrics() {
        Metrics::Linear { mse, rmse, r2 } => {
            println!("metrics: MSE {}  RMSE {}  R² {r2:.6}", num(mse), num(rmse))
        }
        Metrics::Logistic { log_loss, accuracy } => {
            println!(
                "metrics: log-loss {log_loss:.6e}  accuracy {:.2}%",
                accuracy * 100.0
            )
        }
    }
    match &optimum {
        Optimum::Found { loss, .. } => println!(
            "exact optimum loss {}; gradient descent is {:.3e} above it",
            num(*loss),
            s.loss - loss
        ),
        Optimum::NoFiniteOptimum { reason } => println!("exact optimum: none — {reason}"),
    }
}

fn report_json(t: &Trainer, auto_lr: bool) -> Value {
    let mut out = serde_json::to_value(FitReport::of(t)).unwrap_or(Value::Null);
    out["learning_rate_auto"] = Value::Bool(auto_lr);
    out
}

/// Plain decimals where they read well, scientific notation elsewhere.
fn num(x: f64) -> String {
    if x == 0.0 || (1e-3..1e7).contains(&x.abs()) {
        format!("{x:.8}")
    } else {
        format!("{x:.6e}")
    }
}
