//! The `secaudit` binary: parses the command line, sets up logging, runs one subcommand and maps
//! its outcome to the exit code (0 clean, 1 findings / denied / failing tests, 2 could not run,
//! 3 partial coverage). Everything else lives in `cli/` and the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::logging::init(args.verbose, args.quiet);
    match cli::run(args) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            if cli::is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", cli::one_line(&error));
            ExitCode::from(2)
        }
    }
}
