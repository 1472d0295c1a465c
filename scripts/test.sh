#!/usr/bin/env bash
# The project's test command (README): formatting and lints, every Rust test (unit, property,
# CLI, conformance, catalogue, and the collector's integration tests against a moto server that
# the tests start on 127.0.0.1 from the virtual environment this script prepares), then the
# conformance corpus through the `secaudit test` command itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true

# moto for the collector's integration tests, installed into .venv by the project's own script.
if [ -x scripts/moto-env.sh ]; then
  scripts/moto-env.sh
  export SECAUDIT_MOTO_SERVER="$PWD/.venv/bin/moto_server"
fi

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets
cargo run --quiet -- test tests/cases
