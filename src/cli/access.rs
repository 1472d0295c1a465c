//! `secaudit access`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct AccessArgs {}

pub fn run(_args: AccessArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`access` is not built yet")
}
