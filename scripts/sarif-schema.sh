#!/usr/bin/env bash
# Prepares what the SARIF test (tests/lint_cli.rs) validates against: the SARIF 2.1.0 JSON schema
# as the npm package @microsoft/jest-sarif (MIT) ships it, copied to .venv/sarif-schema-2.1.0.json,
# and Python's `jsonschema` in .venv. Idempotent: returns at once when both are there.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE="@microsoft/jest-sarif@1.0.0-beta.0"
SCHEMA=".venv/sarif-schema-2.1.0.json"

scripts/moto-env.sh
if ! .venv/bin/python -c "import jsonschema" 2>/dev/null; then
  echo "sarif-schema: installing jsonschema into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check jsonschema
fi
if [ -s "$SCHEMA" ]; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "sarif-schema: fetching $PACKAGE with npm" >&2
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null && tar xzf ./*.tgz)
license="$(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' "$work/package/package.json")"
if [ "$license" != "MIT" ]; then
  echo "sarif-schema: $PACKAGE is not MIT-licensed ($license)" >&2
  exit 1
fi
cp "$work/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$SCHEMA"
echo "sarif-schema: $SCHEMA" >&2
