#!/usr/bin/env bash
# The project's test command (README): formatting and lints, every Rust test (unit, property,
# CLI, golden, conformance, catalogue, and the collector's integration tests against a moto
# server that the tests start on 127.0.0.1 from the virtual environment this script prepares),
# then the policy-test examples and the conformance corpus through `secaudit test` itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true

# moto for the collector's integration tests, installed into .venv by the project's own script.
scripts/moto-env.sh
export SECAUDIT_MOTO_SERVER="$PWD/.venv/bin/moto_server"
# The SARIF 2.1.0 schema (from an npm package) and jsonschema, for the lint and report SARIF tests.
scripts/sarif-schema.sh
# The OCSF schema package (pydantic-ocsf, in .venv) and Debian's chromium for the report tests.
scripts/report-env.sh

cargo fmt --all -- --check
python3 tests/cases/check_format.py
cargo clippy --all-targets -- -D warnings
cargo test --all-targets

# `cargo test` built the binary; running it directly avoids a third build of the AWS SDK with
# the non-test feature set. The closing line is `N passed, N failed`.
"${CARGO_TARGET_DIR:-target}/debug/secaudit" test --fail-on-empty \
  examples/policy-tests examples/policy-tests-snapshot tests/cases
