#!/usr/bin/env bash
# Installs Debian's `chromium` for the HTML report's browser test (tests/html_report.rs renders
# the report in headless Chromium). Idempotent: returns at once when chromium is on PATH.
# Needs root (CI and the development machines run as root) and Debian's package archive.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium-env: chromium is missing and apt-get is not available" >&2
  exit 1
fi
echo "chromium-env: installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version >&2
