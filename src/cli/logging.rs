//! Logging set-up: `tracing` to stderr, level from `-v`/`-q` or `RUST_LOG`. Never stdout.

use tracing_subscriber::EnvFilter;

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
        .with_target(false)
        .try_init();
}
