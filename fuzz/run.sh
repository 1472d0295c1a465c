#!/bin/sh
# Runs each fuzz target for a fixed time (default 600 s each; first argument overrides), outside
# the main test command. Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the stable
# toolchain works with RUSTC_BOOTSTRAP=1 (cargo fuzz passes -Z flags). Code is safe Rust
# (`unsafe_code = "forbid"`), so no sanitizer: panics, overflows (debug assertions on), stack
# exhaustion, timeouts and out-of-memory are what is hunted.
#
# New inputs go to fuzz/work/<target>/ (not committed); the seeds (fuzz/seeds/<target>/, and
# tests/cases for case_file) stay as they are. A crash lands in fuzz/artifacts/<target>/: copy it
# to fuzz/regressions/<target>/ (replayed by `cargo test --test fuzz_replay`) and fix it.
#   fuzz/run.sh 600            # every target, 600 s each
#   fuzz/run.sh 60 policy      # one target
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift 2>/dev/null || true
targets=${*:-policy case_file snapshot lifecycle}
export RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/fuzz/target"
for target in $targets; do
    mkdir -p "fuzz/work/$target" "fuzz/artifacts/$target"
    seeds="fuzz/seeds/$target"
    [ "$target" = case_file ] && seeds="tests/cases"
    max_len=65536
    [ "$target" = snapshot ] && max_len=400000
    nice -n 19 cargo fuzz run -s none "$target" "fuzz/work/$target" "$seeds" -- \
        -dict=fuzz/iam.dict -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$target/" 2>&1 | tee "fuzz/work/$target.log" | tail -n 12
done
