//! `secaudit config-rule`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct ConfigRuleArgs {}

pub fn run(_args: ConfigRuleArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`config-rule` is not built yet")
}
