//! `secaudit eval`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {}

pub fn run(_args: EvalArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`eval` is not built yet")
}
