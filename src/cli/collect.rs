//! `secaudit collect`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct CollectArgs {}

pub fn run(_args: CollectArgs, _quiet: bool) -> anyhow::Result<Outcome> {
    anyhow::bail!("`collect` is not built yet")
}
