//! Writes the project's evaluator workload (`benches/workload/mod.rs`) as JSON Lines, one case
//! per line, for `secaudit eval --cases` and for the `eval` benchmark (`SECAUDIT_WORKLOAD`).
//! The default size is the medium workload: 40 principals × 400 secrets × 3 actions.
//!
//! ```text
//! cargo run --release --no-default-features --example gen_workload -- --out /tmp/workload.jsonl
//! ./target/release/secaudit eval --cases /tmp/workload.jsonl > /dev/null
//! ```

#[path = "../benches/workload/mod.rs"]
mod workload;

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::Parser;

/// Writes a synthetic evaluator workload as JSON Lines.
#[derive(Debug, Parser)]
struct Args {
    /// Principals in the account model [default: 40].
    #[arg(long)]
    principals: Option<usize>,
    /// Secrets in the account model [default: 400].
    #[arg(long)]
    secrets: Option<usize>,
    /// Audit actions per (principal, secret), 1 to 8 [default: 3].
    #[arg(long)]
    actions: Option<usize>,
    /// Seed (any text): the same options give the same bytes [default: 1].
    #[arg(long)]
    seed: Option<String>,
    /// Output file (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let medium = workload::Options::medium();
    let options = workload::Options {
        principals: args.principals.unwrap_or(medium.principals),
        secrets: args.secrets.unwrap_or(medium.secrets),
        actions: args.actions.unwrap_or(medium.actions),
        seed: args.seed.unwrap_or(medium.seed),
    };
    if options.principals == 0 || options.secrets == 0 {
        anyhow::bail!("`--principals` and `--secrets` must be at least 1");
    }
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::fs::File::create(path)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let (mut cases, mut requests) = (0usize, 0usize);
    for case in workload::cases(&options) {
        requests += case["requests"].as_array().map_or(0, Vec::len);
        cases += 1;
        serde_json::to_writer(&mut out, &case)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    eprintln!("wrote {cases} cases, {requests} requests");
    Ok(())
}
