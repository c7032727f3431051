//! The fuzz oracle: one input drives the whole path a person's file takes —
//! CSV → table → dataset → trainer → optimum → report — twice, read one-shot
//! and read in slices, and checks what must hold for every input:
//!
//! - nothing panics (the caller's harness catches it) and nothing hangs
//!   (the harness's timeout);
//! - reading in slices gives the same table, problem and steps, bit for bit,
//!   as reading the file at once;
//! - every message is one bounded line, and no text a person sees holds NaN
//!   or inf;
//! - a session survives every error: the next call works on the last good
//!   state.
//!
//! The first [`CONTROL_BYTES`] bytes choose the settings (slice size, model,
//! missing-cell policy, optimizer, α, λ, steps, batch, schedule); the rest is
//! the file. `fuzz/` runs it under libFuzzer (`scripts/fuzz.sh`), and
//! `tests/fuzz_regressions.rs` replays the saved corpus in `cargo test`.

use serde::Serialize;

use crate::data::MissingPolicy;
use crate::model::ModelKind;
use crate::optim::{OptimizerConfig, OptimizerKind, Schedule};
use crate::session::readout::ViewRequest;
use crate::session::{DataSettings, RateRule, RunSettings, Session};

/// Bytes at the start of an input that choose the settings.
pub const CONTROL_BYTES: usize = 8;

/// Longest message a person may be shown (in characters).
const MESSAGE_LIMIT: usize = crate::limits::MESSAGE_CHARS + 200;

/// Learning rates the fuzzer picks from: none (the default rule), ordinary,
/// diverging, and the extremes of f64.
const RATES: [Option<f64>; 8] = [
    None,
    Some(1e-3),
    Some(0.1),
    Some(1.0),
    Some(50.0),
    Some(1e6),
    Some(1e308),
    Some(5e-324),
];

/// Penalties λ the fuzzer picks from.
const PENALTIES: [f64; 4] = [0.0, 1e-3, 10.0, 1e308];

/// Slice sizes for the sliced read.
const SLICES: [usize; 8] = [1, 2, 3, 5, 7, 16, 61, 4096];

/// The settings an input chose, and its file.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// Bytes per slice of the sliced read.
    pub slice: usize,
    /// How the problem is posed.
    pub data: DataSettings,
    /// How the run trains.
    pub run: RunSettings,
    /// Updates to take.
    pub steps: u64,
    /// The file.
    pub csv: &'a [u8],
}

impl<'a> Case<'a> {
    /// Splits an input into its settings and its file.
    pub fn from_bytes(input: &'a [u8]) -> Self {
        let mut c = [0u8; CONTROL_BYTES];
        let n = input.len().min(CONTROL_BYTES);
        c[..n].copy_from_slice(&input[..n]);
        let model = match c[1] % 3 {
            0 => None,
            1 => Some(ModelKind::Linear),
            _ => Some(ModelKind::Logistic),
        };
        let missing = match (c[1] / 3) % 3 {
            0 => MissingPolicy::Error,
            1 => MissingPolicy::Drop,
            _ => MissingPolicy::Mean,
        };
        let kind = OptimizerKind::ALL[usize::from(c[2]) % OptimizerKind::ALL.len()];
        let schedule = match c[6] % 5 {
            0 => Schedule::Constant,
            1 => Schedule::Step {
                every: 1 + u64::from(c[6] / 5),
                factor: 0.5,
            },
            2 => Schedule::Exp { gamma: 0.9 },
            3 => Schedule::Inverse { decay: 1.0 },
            _ => Schedule::Cosine {
                period: 1 + u64::from(c[6] / 5),
            },
        };
        Case {
            slice: SLICES[usize::from(c[0]) % SLICES.len()],
            data: DataSettings {
                model,
                missing,
                standardize: c[1] & 0x80 == 0,
                l2: PENALTIES[usize::from(c[4]) % PENALTIES.len()],
                ..DataSettings::default()
            },
            run: RunSettings {
                optimizer: OptimizerConfig::new(kind),
                learning_rate: RATES[usize::from(c[3]) % RATES.len()],
                schedule,
                batch_size: usize::from(c[7] % 8),
                seed: u64::from(c[7]),
                tolerance: if c[5] & 0x80 == 0 { 1e-6 } else { 0.0 },
            },
            steps: u64::from(c[5] & 0x3f),
            csv: &input[n..],
        }
    }
}

/// What broke an invariant, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding(pub String);

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs one input through the whole path; `Err` names the broken invariant.
/// Panics propagate (the harness reports them).
pub fn check(input: &[u8]) -> Result<(), Finding> {
    let case = Case::from_bytes(input);
    forbid_words_not_in(case.csv);
    let mut whole = Session::new(RateRule::Visible);
    let whole_load = whole.load_bytes("fuzz.csv", case.csv, &case.data);
    let mut sliced = Session::new(RateRule::Visible);
    let sliced_load = load_in_slices(&mut sliced, case.csv, case.slice, &case.data);
    match (&whole_load, &sliced_load) {
        (Err(a), Err(b)) => {
            same("load error", &a.to_string(), &b.to_string())?;
            message("load error", &a.to_string())?;
            // The failed load leaves an empty, usable session.
            return survives(&mut whole);
        }
        (Ok(()), Ok(())) => {}
        _ => {
            return Err(Finding(format!(
                "one-shot load gave {whole_load:?}, sliced load gave {sliced_load:?} (slice {})",
                case.slice
            )))
        }
    }
    same(
        "summary",
        &json(&whole.summary())?,
        &json(&sliced.summary())?,
    )?;
    for s in [&mut whole, &mut sliced] {
        if let Err(e) = s.set_run(0, &case.run) {
            message("run settings", &e.to_string())?;
        }
    }
    let a = whole.step(case.steps).map_err(|e| e.to_string());
    let b = sliced.step(case.steps).map_err(|e| e.to_string());
    same("step", &format!("{a:?}"), &format!("{b:?}"))?;
    let ta = &whole.runs()[0].trainer;
    let tb = &sliced.runs()[0].trainer;
    let bits = |t: &[f64]| t.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    if bits(ta.theta()) != bits(tb.theta()) || ta.step_count() != tb.step_count() {
        return Err(Finding(format!(
            "sliced run differs: θ {:?} after {} steps one-shot, {:?} after {} sliced",
            ta.theta(),
            ta.step_count(),
            tb.theta(),
            tb.step_count()
        )));
    }
    if ta.theta().iter().any(|v| !v.is_finite()) {
        return Err(Finding(format!("θ is not finite: {:?}", ta.theta())));
    }
    shown(&mut whole)?;
    if let Err(e) = whole.solve_optimum() {
        message("optimum", &e.to_string())?;
    }
    shown(&mut whole)?;
    if let Some(d) = whole.loaded() {
        let report = crate::report::FitReport::of(d, whole.active());
        text("report", &json(&Ok::<_, crate::GradstepError>(report))?)?;
    }
    // Hostile calls, each followed by a working one.
    let n = whole.loaded().map_or(0, |d| d.parameter_names().len());
    for bad in [
        whole.set_start(&[f64::NAN]).err(),
        whole.set_start(&vec![f64::INFINITY; n]).err(),
        whole.set_run(7, &RunSettings::default()).err(),
        whole
            .set_run(
                0,
                &RunSettings {
                    learning_rate: Some(f64::NAN),
                    ..RunSettings::default()
                },
            )
            .err(),
        whole.predict(&[f64::NAN]).err(),
        whole.predict(&vec![1e308; n.saturating_sub(1)]).err(),
    ]
    .into_iter()
    .flatten()
    {
        message("refused call", &bad.to_string())?;
        survives(&mut whole)?;
    }
    survives(&mut whole)
}

fn load_in_slices(
    s: &mut Session,
    csv: &[u8],
    slice: usize,
    settings: &DataSettings,
) -> crate::Result<()> {
    s.begin_load("fuzz.csv", Some(csv.len() as u64));
    for chunk in csv.chunks(slice) {
        s.push_bytes(chunk)?;
    }
    if csv.is_empty() {
        s.push_bytes(&[])?;
    }
    s.finish_load(settings)
}

/// After an error, the session still answers and trains.
fn survives(s: &mut Session) -> Result<(), Finding> {
    if s.loaded().is_none() {
        return match s.summary() {
            Err(e) => message("summary without data", &e.to_string()),
            Ok(_) => Err(Finding("a summary without data".into())),
        };
    }
    let before = s.runs()[s.active()].trainer.step_count();
    if s.can_step() {
        s.step(1)
            .map_err(|e| Finding(format!("step after an error failed: {e}")))?;
    }
    let after = s.runs()[s.active()].trainer.step_count();
    if after < before {
        return Err(Finding(format!("step count went back: {before} → {after}")));
    }
    shown(s)
}

/// Everything the page and the CLI show for the session: no NaN or inf.
fn shown(s: &mut Session) -> Result<(), Finding> {
    text("summary", &json(&s.summary())?)?;
    text("readout", &json(&s.readout(&ViewRequest::default()))?)?;
    let view = ViewRequest {
        pair: Some((0, 0)),
        eigen: true,
        newton: true,
        ..ViewRequest::default()
    };
    if let Err(e) = s.frame(&view) {
        message("frame", &e.to_string())?;
    }
    text("rows", &json(&s.rows(0, 5))?)?;
    text("curvature", &json(&s.curvature_report())?)?;
    text("contributors", &json(&s.contributors(3))?)?;
    text("gradient check", &json(&s.gradient_check())?)?;
    match s.history_csv() {
        Ok(csv) => text("history", &csv)?,
        Err(e) => message("history", &e.to_string())?,
    }
    if let Some(d) = s.loaded() {
        let zeros = vec![0.0; d.parameter_names().len().saturating_sub(1)];
        match s.predict(&zeros) {
            Ok((v, words)) => {
                if !v.is_finite() {
                    return Err(Finding(format!("prediction {v} ({words})")));
                }
                text("prediction", &words)?;
            }
            Err(e) => message("prediction", &e.to_string())?,
        }
    }
    Ok(())
}

/// The value as JSON, or its error checked as a message.
fn json<T: Serialize>(value: &crate::Result<T>) -> Result<String, Finding> {
    match value {
        Ok(v) => serde_json::to_string(v).map_err(|e| Finding(format!("unserializable: {e}"))),
        Err(e) => {
            message("error", &e.to_string())?;
            Ok(String::new())
        }
    }
}

fn same(what: &str, a: &str, b: &str) -> Result<(), Finding> {
    if a == b {
        Ok(())
    } else {
        Err(Finding(format!(
            "{what} differs between one-shot and sliced reads: {} vs {}",
            crate::limits::quote_long(a),
            crate::limits::quote_long(b)
        )))
    }
}

/// A message a person sees: one line, bounded, no NaN or inf.
fn message(what: &str, m: &str) -> Result<(), Finding> {
    if m.contains('\n') {
        return Err(Finding(format!("{what}: message has several lines: {m:?}")));
    }
    if m.chars().count() > MESSAGE_LIMIT {
        return Err(Finding(format!(
            "{what}: message has {} characters: {}",
            m.chars().count(),
            crate::limits::quote_long(m)
        )));
    }
    text(what, m)
}

/// Text a person sees holds no NaN or inf as a word, unless the file itself
/// holds that word (a quoted cell or a column name is the person's own), or
/// the word is the cut end of a longer word of the file that a message
/// shortened with `…` (`nanEE3` quoted as `nan…`).
fn text(what: &str, t: &str) -> Result<(), Finding> {
    FORBIDDEN.with(|f| {
        for word in t.split(|c: char| !c.is_ascii_alphanumeric()) {
            let Some(&(_, inside_file_word)) = f.borrow().iter().find(|(w, _)| *w == word) else {
                continue;
            };
            let start = word.as_ptr() as usize - t.as_ptr() as usize;
            let cut = t[..start].ends_with('…') || t[start + word.len()..].starts_with('…');
            if !(inside_file_word && cut) {
                return Err(Finding(format!(
                    "{what} shows `{word}`: {}",
                    crate::limits::quote_long(t)
                )));
            }
        }
        Ok(())
    })
}

/// Words that mean a non-finite number.
const NON_FINITE_WORDS: [&str; 5] = ["NaN", "nan", "inf", "Infinity", "infinity"];

thread_local! {
    /// The non-finite words the current input's file does not hold as
    /// words, each with whether the file holds it inside a longer word.
    static FORBIDDEN: std::cell::RefCell<Vec<(&'static str, bool)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn forbid_words_not_in(csv: &[u8]) {
    let file = String::from_utf8_lossy(csv);
    let words: std::collections::HashSet<&str> =
        file.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    FORBIDDEN.with(|f| {
        *f.borrow_mut() = NON_FINITE_WORDS
            .into_iter()
            .filter(|w| !words.contains(w))
            .map(|w| (w, file.contains(w)))
            .collect();
    });
}
