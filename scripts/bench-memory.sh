#!/bin/sh
# Memory benchmark of `audit` at scale (README, "Performance"): writes an account snapshot of N
# secrets with scripts/gen_scale_snapshot.py (default 200,000: a 199 MB list-secrets.json, 3
# million findings), audits it once per report format with `/usr/bin/time -v` (pinned to one core
# with taskset when there is one) and prints, per format, the peak resident memory against the
# 1.5 GB target, the user CPU, the wall time and the report's size. The snapshot and the reports
# are deleted at the end (they take about 3 GB in TMPDIR).
#
#   scripts/bench-memory.sh                      # 200,000 secrets; every streamed format
#   scripts/bench-memory.sh 20000 json           # a smaller account, one format
#
# Builds the release binary without the AWS SDK first (`cargo build --release
# --no-default-features`; set SECAUDIT_BIN to measure another binary). The load average is
# printed with every figure: on a shared machine, wall time is only an upper bound.
set -eu
cd "$(dirname "$0")/.."
count=${1:-200000}
shift 2>/dev/null || true
formats=${*:-json csv table sarif junit ocsf asff}
target_kb=1500000 # 1.5 GB

if [ -z "${SECAUDIT_BIN:-}" ]; then
    cargo build --release --no-default-features --quiet
    SECAUDIT_BIN="${CARGO_TARGET_DIR:-target}/release/secaudit"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/secaudit-bench-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM HUP
python3 scripts/gen_scale_snapshot.py "$count" "$work/snapshot" > /dev/null
pin=""
command -v taskset > /dev/null && pin="taskset -c 0"

echo "audit of $count secrets ($(du -m "$work/snapshot" | tail -n 1 | cut -f 1) MB snapshot), $SECAUDIT_BIN"
printf '%-6s %12s %8s %10s %10s %8s  %s\n' format "peak MB" target "user s" wall "report MB" "load average"
for format in $formats; do
    load=$(cut -d ' ' -f 1-3 /proc/loadavg 2> /dev/null || uptime)
    status=0
    /usr/bin/time -v -o "$work/time" $pin "$SECAUDIT_BIN" -q audit --snapshot "$work/snapshot" \
        --format "$format" --output "$work/report" 2> "$work/stderr" || status=$?
    # 0 clean, 1 failing findings, 3 partial coverage: a report was written.
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ] && [ "$status" -ne 3 ]; then
        echo "$format: exit $status" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
    peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
    user=$(sed -n 's/.*User time (seconds): //p' "$work/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
    report_mb=$(( $(stat -c %s "$work/report") / 1000000 ))
    verdict=met
    [ "$peak_kb" -lt "$target_kb" ] || verdict=MISSED
    printf '%-6s %12s %8s %10s %10s %8s  %s\n' "$format" "$((peak_kb / 1000))" "$verdict" \
        "$user" "$wall" "$report_mb" "$load"
    rm -f "$work/report"
done
