#!/usr/bin/env bash
# Sustained POSP throughput of the host simulator on loopback: concurrent terminals on
# persistent TCP connections sending sale + reversal pairs (every request MAC'd, verified,
# journaled and answered with a MAC). Prints each run and the median requests/second.
#
#   scripts/bench/hostsim.sh [terminals] [seconds] [runs]
#
# The criterion benchmark (cargo bench -p unipos-hostsim --bench throughput) measures the
# same traffic with statistics.
set -euo pipefail
cd "$(dirname "$0")/../.."

terminals="${1:-4}"
seconds="${2:-5}"
runs="${3:-3}"

cargo build --release --quiet -p unipos-hostsim --example loadgen
bin="${CARGO_TARGET_DIR:-target}/release/examples/loadgen"

results=()
for i in $(seq 1 "$runs"); do
    line="$("$bin" --terminals "$terminals" --seconds "$seconds")"
    echo "run $i: $line"
    results+=("$(sed -E 's/.*requests_per_second=([0-9]+).*/\1/' <<<"$line")")
done
median="$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
echo "median requests/second over $runs run(s): $median"
