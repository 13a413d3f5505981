#!/usr/bin/env bash
# Every benchmark of issue #9 in one run, on this machine, one after the other (never two at
# once: the machine has 2 cores):
#   1. peers.sh       ISO 8583 codec: unipos vs pyiso8583, moov-io/iso8583, jPOS (same message,
#                     byte-identical check first)
#   2. crypto         MAC (CUP ECB, X9.9, X9.19) and PIN block (ISO 0/3) criterion benches
#                     (scripts/bench/rust/benches/crypto.rs)
#   3. sale           cargo bench -p unipos-terminal --bench sale [-- https]: p50/p99 over TCP and HTTPS beside fsync
#                     (SALE_RUNS runs, default 3; SALE_N sales each, default 500)
#   4. hostsim        cargo bench -p unipos-hostsim --bench throughput, then
#                     scripts/bench/hostsim.sh (4 terminals, 5 s, 3 runs)
#   5. settlement     cargo bench -p unipos-terminal --bench settlement (999 sales, a full batch, then
#                     settlement + batch upload; SETTLEMENT_N overrides; SKIP_SETTLEMENT=1 skips)
#
#   scripts/bench/run-all.sh [--quick]
#   STEPS="4 5" scripts/bench/run-all.sh     # only some steps
#
# Everything is logged under target/bench-results/all-<time>/. Peers are installed from the
# registries into $UNIPOS_BENCH_CACHE (see peers.sh).
set -uo pipefail
# (Everything in a function: bash parses it whole, so editing this file mid-run is safe.)
main() {
cd "$(dirname "$0")/../.."
root="$PWD"
quick=""
[[ "${1:-}" == "--quick" ]] && quick="--quick"

out="$root/target/bench-results/all-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
steps=" ${STEPS:-1 2 3 4 5} "
want() { [[ "$steps" == *" $1 "* ]]; }
step() { echo; echo "######## $1 (load $(cut -d' ' -f1-3 /proc/loadavg), $(date +%T))"; }
{
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
    echo "rustc: $(rustc --version); go: $(go version 2>/dev/null); java: $(java -version 2>&1 | head -1); python: $(python3 --version)"
    echo "filesystem of target/: $(df -T "$root/target" | awk 'NR==2{print $1, $2}')"
} | tee "$out/machine.txt"
start=$SECONDS

if want 1; then
step "1/5 peers"
BENCH_OUT="$out/peers" scripts/bench/peers.sh $quick

fi

if want 2; then
step "2/5 MAC and PIN block"
crit=()
[[ -n "$quick" ]] && crit=(--warm-up-time 1 --measurement-time 2)
# criterion writes under $CARGO_TARGET_DIR/criterion: give this crate its own.
CARGO_TARGET_DIR="$root/target/unipos-bench" cargo bench --quiet --manifest-path scripts/bench/rust/Cargo.toml \
    --bench crypto -- "${crit[@]}" 2>&1 | tee "$out/crypto.txt" | grep -E 'time:|thrpt:|^[a-z_]+(/[a-z0-9_]+)?$' || true
python3 - "$root/target/unipos-bench/criterion" <<'PY' | tee "$out/crypto.md"
import json, os, sys
base = sys.argv[1]
print("| benchmark | median | 95% CI of the median | MAD |")
print("|---|---:|---|---:|")
for dirpath, dirs, files in sorted(os.walk(base)):
    if dirpath.endswith(os.path.join("new")) and "estimates.json" in files:
        name = os.path.relpath(os.path.dirname(dirpath), base)
        e = json.load(open(os.path.join(dirpath, "estimates.json")))
        m = e["median"]
        f = lambda ns: "%.1f ns" % ns if ns < 1e4 else "%.2f µs" % (ns / 1e3)
        print("| %s | %s | %s – %s | %s |" % (name, f(m["point_estimate"]),
              f(m["confidence_interval"]["lower_bound"]), f(m["confidence_interval"]["upper_bound"]),
              f(e["median_abs_dev"]["point_estimate"])))
PY

fi

if want 3; then
step "3/5 sale end to end beside fsync"
runs="${SALE_RUNS:-3}"; [[ -n "$quick" ]] && runs=1
for i in $(seq 1 "$runs"); do
    echo "-- run $i"
    cargo bench --quiet -p unipos-terminal --bench sale -- "${SALE_N:-500}" 2>&1 | tee -a "$out/sale.txt" | grep -vE '^\s*$|Compiling|Finished'
    cargo bench --quiet -p unipos-terminal --bench sale -- https "${SALE_N:-500}" 2>&1 | tee -a "$out/sale.txt" | grep -vE '^\s*$|Compiling|Finished'
done

fi

if want 4; then
step "4/5 host simulator throughput"
crit=()
[[ -n "$quick" ]] && crit=(--warm-up-time 1 --measurement-time 3)
cargo bench --quiet -p unipos-hostsim --bench throughput -- "${crit[@]}" 2>&1 | tee "$out/hostsim-criterion.txt" | grep -E 'time:|thrpt:|^posp' || true
if [[ -n "$quick" ]]; then
    scripts/bench/hostsim.sh 4 2 1 2>&1 | tee "$out/hostsim-loadgen.txt"
else
    scripts/bench/hostsim.sh 4 5 3 2>&1 | tee "$out/hostsim-loadgen.txt"
fi

fi

if want 5 && [[ "${SKIP_SETTLEMENT:-0}" != 1 ]]; then
    step "5/5 settlement of a full batch (999, the batch limit)"
    n="${SETTLEMENT_N:-999}"; [[ -n "$quick" ]] && n=200
    ( time cargo bench --quiet -p unipos-terminal --bench settlement -- "$n" ) 2>&1 | tee "$out/settlement.txt" | grep -vE '^\s*$'
fi

echo
echo "######## done in $((SECONDS - start)) s; logs in $out"
echo "--- peers"; cat "$out/peers/table.md" 2>/dev/null
echo "--- MAC / PIN"; cat "$out/crypto.md"
echo "--- sale / fsync"; grep -E "sale end|p50" "$out/sale.txt" 2>/dev/null
echo "--- host simulator"; grep -E "median|thrpt" "$out"/hostsim-*.txt 2>/dev/null
echo "--- settlement"; grep -E "settlement|host received|real" "$out/settlement.txt" 2>/dev/null
}

main "$@"
