#!/usr/bin/env bash
# Runs Worth's xirr bench (criterion), then pyxirr and numpy-financial on the same series,
# and prints the time per series of each with the ratios to Worth's.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
rates="$(mktemp)"
trap 'rm -f "$rates"' EXIT

python3 -m pip install --quiet pyxirr numpy-financial

WORTH_BENCH_OUT="$rates" cargo bench -p worth-core --bench xirr
estimates="$target/criterion/xirr/100k_series/new/estimates.json"
ns_per_series="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate'] / 100000)" "$estimates")"

python3 scripts/bench-xirr.py --worth-ns "$ns_per_series" --worth-rates "$rates"
