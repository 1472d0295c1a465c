#!/usr/bin/env bash
# Prepares what the report-format tests need beyond Rust: the OCSF schema package (pydantic-ocsf,
# which ships the official OCSF schema exports, so validation works offline) in `.venv`, and
# Debian's `chromium` for the HTML report's browser test (scripts/chromium-env.sh).
# Idempotent: returns at once when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PYDANTIC_OCSF_VERSION="3.0.0"
VENV=".venv"

scripts/chromium-env.sh

if [ -f "$VENV/.pydantic-ocsf-$PYDANTIC_OCSF_VERSION" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" 2>/dev/null || {
    apt-get install -y -q python3-venv >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
    rm -rf "$VENV"
    python3 -m venv "$VENV"
  }
fi
echo "report-env: installing pydantic-ocsf==$PYDANTIC_OCSF_VERSION into $VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "pydantic-ocsf==$PYDANTIC_OCSF_VERSION"
"$VENV/bin/python" -c "from ocsf.v1_5_0.events import ComplianceFinding" >/dev/null
touch "$VENV/.pydantic-ocsf-$PYDANTIC_OCSF_VERSION"
