//! `gradstep`: the training engine on the command line.
//!
//! ```text
//! gradstep fit FILE --target COL [--features A,B,...] --model linear|logistic [--standardize]
//!              [--lr ALPHA] [--steps N] [--tol T] [--drop-missing] [--json]
//! gradstep inspect FILE [--json]
//! ```
//! Bad input exits with code 2 and one line on stderr naming the file and
//! what is wrong in it.

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod fit;
#[cfg(not(target_arch = "wasm32"))]
mod inspect;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    // Any panic would be a bug; still, the user sees one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("gradstep: internal error: {info}");
    }));
    let cli = args::Cli::parse();
    let result = match &cli.command {
        args::Command::Fit(a) => fit::run(a),
        args::Command::Inspect(a) => inspect::run(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gradstep: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The command line has no meaning in the browser build.
#[cfg(target_arch = "wasm32")]
fn main() {}
