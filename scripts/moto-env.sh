#!/usr/bin/env bash
# Prepares `.venv` with a pinned moto server for the collector's integration tests
# (tests/collect_moto.rs start `.venv/bin/moto_server` on a free 127.0.0.1 port and stop it),
# and a pinned cfn-lint for the CloudFormation member-role template
# (tests/member_role_template.rs runs `.venv/bin/cfn-lint`).
# Idempotent: when the venv already has the pinned versions, it returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION="5.2.5"
CFN_LINT_VERSION="1.58.0"
VENV=".venv"
export AWS_EC2_METADATA_DISABLED=true

MARKER="$VENV/.moto-$MOTO_VERSION-cfn-lint-$CFN_LINT_VERSION"
if [ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/cfn-lint" ] && [ -f "$MARKER" ]; then
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian/Ubuntu ship venv separately.
    if command -v apt-get >/dev/null 2>&1; then
      echo "moto-env: installing python3-venv" >&2
      (apt-get install -y -q python3-venv >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q python3-venv >/dev/null; })
      rm -rf "$VENV"
      python3 -m venv "$VENV"
    else
      echo "moto-env: python3 -m venv failed and apt-get is not available" >&2
      exit 1
    fi
  fi
fi

echo "moto-env: installing moto[server]==$MOTO_VERSION and cfn-lint==$CFN_LINT_VERSION into $VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"
"$VENV/bin/moto_server" --help >/dev/null
"$VENV/bin/cfn-lint" --version >/dev/null
touch "$MARKER"
