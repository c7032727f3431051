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
    Fit(FitArgs),
    /// Show how the CSV was read: delimiter, header, column types, missing cells.
    Inspect(InspectArgs),
}

/// Arguments of `gradstep fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Target column, by name or 1-based index (default: the last column).
    #[arg(long)]
    pub target: Option<String>,
    /// Feature columns, comma separated names or 1-based indices
    /// (default: every other numeric column).
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// linear or logistic (default: logistic when the target has two values).
    #[arg(long)]
    pub model: Option<String>,
    /// Train on z-scored features (results are still reported in original units).
    #[arg(long)]
    pub standardize: bool,
    /// Learning rate α, or "auto" for 1/L (L = largest Hessian eigenvalue).
    #[arg(long, default_value = "auto", allow_hyphen_values = true)]
    pub lr: String,
    /// Maximum number of gradient steps.
    #[arg(long, default_value_t = 1_000_000)]
    pub steps: u64,
    /// Stop when the gradient norm falls below this.
    #[arg(long, default_value_t = 1e-6, allow_hyphen_values = true)]
    pub tol: f64,
    /// L2 penalty λ in (λ/2)‖w‖².
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub l2: f64,
    /// Start from random parameters with this seed (default: zeros).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Drop rows with missing or non-numeric cells instead of failing.
    #[arg(long)]
    pub drop_missing: bool,
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

/// Reads a file as text, with a message naming it when that fails.
pub fn read(path: &std::path::Path) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read the file: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: the file is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
