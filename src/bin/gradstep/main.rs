//! `gradstep`: the training engine on the command line.
//!
//! ```text
//! gradstep fit FILE [--target COL] [--features A,B,...] [--model linear|logistic] [--standardize]
//!              [--optimizer gd|momentum|nesterov|adagrad|rmsprop|adam] [--lr ALPHA|auto] ...
//! gradstep inspect FILE [--json]
//! ```
//! Bad input exits with code 2 and one line on stderr naming the file and
//! what is wrong in it; a fit that diverged prints its report and exits with 1.

/// `println!` for the command's output: a reader that stops early (`| head`)
/// ends the program quietly instead of a panic on the closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("gradstep: cannot write the output: {e}");
            std::process::exit(2);
        }
    }};
}

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod fit;
#[cfg(not(target_arch = "wasm32"))]
mod inspect;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    // A panic would be a bug; still, the person sees one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string().replace('\n', " ");
        eprintln!(
            "gradstep: internal error: {}",
            gradstep::limits::quote(&text)
        );
    }));
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return std::process::ExitCode::SUCCESS;
            }
            let text = e.to_string();
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("gradstep: {first} (see gradstep --help)");
            return std::process::ExitCode::from(2);
        }
    };
    let result = match &cli.command {
        args::Command::Fit(a) => fit::run(a),
        args::Command::Inspect(a) => inspect::run(a).map(|()| fit::FitEnd::Trained),
    };
    match result {
        Ok(fit::FitEnd::Trained) => std::process::ExitCode::SUCCESS,
        Ok(fit::FitEnd::Diverged) => std::process::ExitCode::from(1),
        Err(message) => {
            eprintln!("gradstep: {}", message.replace('\n', " "));
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
