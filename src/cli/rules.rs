//! `secaudit rules`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct RulesArgs {}

pub fn run(_args: RulesArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`rules` is not built yet")
}
