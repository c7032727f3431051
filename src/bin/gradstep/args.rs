//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Watch gradient descent train linear and logistic regression on a CSV.
#[derive(Debug, Parser)]
#[command(name = "gradstep", version, about)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model by gradient descent and compare it with the exact optimum.
    Fit(Box<FitArgs>),
    /// Show how the CSV was read: delimiter, header, column types and formats, defaults.
    Inspect(InspectArgs),
}

/// Arguments of `gradstep fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Target column, by name or 1-based index (default: a label-like or
    /// two-class column, else the last numeric column).
    #[arg(long)]
    pub target: Option<String>,
    /// Feature columns, comma separated names or 1-based indices (default:
    /// every other usable numeric column but row IDs).
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// linear or logistic (default: logistic when the target has two values).
    #[arg(long)]
    pub model: Option<String>,
    /// Train on z-scored features (results are still reported in original units).
    #[arg(long)]
    pub standardize: bool,
    /// Cells that are missing or not numbers: error, drop (the rows) or mean (fill).
    #[arg(long, default_value = "error")]
    pub missing: String,
    /// The same as --missing drop.
    #[arg(long)]
    pub drop_missing: bool,
    /// The update rule: gd, momentum, nesterov, adagrad, rmsprop or adam.
    #[arg(long, default_value = "gd")]
    pub optimizer: String,
    /// Learning rate α, or "auto": 1/L for gd, momentum and Nesterov (L = the
    /// largest Hessian eigenvalue), PyTorch's default for the others.
    #[arg(long, default_value = "auto", allow_hyphen_values = true)]
    pub lr: String,
    /// μ of momentum and Nesterov (PyTorch's default 0.9).
    #[arg(long, allow_hyphen_values = true, value_parser = number)]
    pub momentum: Option<f64>,
    /// β₁ of Adam (0.9).
    #[arg(long, allow_hyphen_values = true, value_parser = number)]
    pub beta1: Option<f64>,
    /// β₂ of Adam (0.999).
    #[arg(long, allow_hyphen_values = true, value_parser = number)]
    pub beta2: Option<f64>,
    /// ε of AdaGrad (1e-10), RMSProp (1e-8) and Adam (1e-8).
    #[arg(long, allow_hyphen_values = true, value_parser = number)]
    pub eps: Option<f64>,
    /// RMSProp's smoothing constant (PyTorch's `alpha`, 0.99).
    #[arg(long, allow_hyphen_values = true, value_parser = number)]
    pub decay: Option<f64>,
    /// Rows per mini-batch (default: all rows, full batch).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// How α changes: constant, step:E:F, exp:GAMMA, inverse:D or cosine:T.
    #[arg(long, default_value = "constant")]
    pub schedule: String,
    /// Maximum number of updates (e.g. 1000 or 1e6).
    #[arg(long, default_value = "1e6")]
    pub steps: String,
    /// Stop when the gradient norm falls below this (or, with a constant α, once 20 updates in a row
    /// move no parameter at double precision); 0 never stops early.
    #[arg(long, default_value_t = 1e-6, allow_hyphen_values = true, value_parser = number)]
    pub tol: f64,
    /// L2 penalty λ in (λ/2)‖w‖².
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true, value_parser = number)]
    pub l2: f64,
    /// Start from random parameters drawn with this seed (default: zeros);
    /// it also seeds the mini-batch shuffle.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where θ starts: zeros, or random (drawn with --seed). Default:
    /// random when --seed is given, else zeros; `--start zeros --seed S`
    /// repeats a page run whose shuffle seed is S.
    #[arg(long)]
    pub start: Option<String>,
    /// With --json: add `history`, the loss after every step (step 0 first).
    #[arg(long)]
    pub history: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `gradstep inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A number as gradstep writes them too: `8.61e−5` with the Unicode minus
/// (U+2212) reads like `8.61e-5`, so a figure from a report can be pasted.
pub fn number(text: &str) -> Result<f64, String> {
    text.trim()
        .replace('\u{2212}', "-")
        .parse::<f64>()
        .map_err(|_| format!("'{}' is not a number", gradstep::limits::quote(text)))
}
