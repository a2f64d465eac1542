#!/usr/bin/env bash
# Builds the release app and prints the benchmark table (transfer sizes, time to first render).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
BENCH_DIST="$ROOT/target/bench-dist"
trunk build --release --dist "$BENCH_DIST" >/dev/null
node bench/run.mjs "$BENCH_DIST" "$@"
