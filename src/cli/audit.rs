//! `secaudit audit`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct AuditArgs {}

pub fn run(_args: AuditArgs, _quiet: bool) -> anyhow::Result<Outcome> {
    anyhow::bail!("`audit` is not built yet")
}
