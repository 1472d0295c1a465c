//! Logging set-up: `tracing` to stderr, level from `-v`/`-q` or `RUST_LOG`. Never stdout. And
//! what the terminal allows: colour on stderr, the width of stdout for tables.
//! Colour only when stderr is a terminal and `NO_COLOR` is unset (or empty): no escape codes in
//! pipes, files or CI logs.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// True when stderr may carry colour: a terminal, and no `NO_COLOR` (https://no-color.org).
pub fn stderr_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// The width a table on stdout must fit: `COLUMNS` when set to a number (so a pipe or a test
/// can ask for one), else the terminal's; `None` when stdout is not a terminal.
pub fn stdout_width() -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|text| text.trim().parse::<u16>().ok())
        .filter(|columns| *columns > 0)
    {
        return Some(columns);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_rows, columns)| columns)
}

/// Installs the stderr subscriber once, at start-up.
pub fn init(verbose: u8, quiet: bool) {
    let default_level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_colour())
        .with_target(false)
        .try_init();
}
