//! `secaudit test`. Placeholder: being written.

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct TestArgs {}

pub fn run(_args: TestArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`test` is not built yet")
}
