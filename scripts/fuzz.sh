#!/usr/bin/env bash
# Fuzzes the decoders of the Rust core with cargo-fuzz (libFuzzer), on the stable toolchain.
#
#   scripts/fuzz.sh                 # every target, 20 s each
#   scripts/fuzz.sh --long          # every target, 300 s each
#   scripts/fuzz.sh --seconds 60 tlv_parse qr_route
#   scripts/fuzz.sh --list          # the targets
#
# Targets (fuzz/fuzz_targets/):
#   iso8583_decode  cup::profile().unpack and FrameLayout::UNIONPAY.split (+ pack/unpack round trip)
#   tlv_parse       tlv::parse_all and TlvIter (+ encode/parse round trip)
#   qr_route        Router::default().route on arbitrary UTF-8, check_code_syntax, mask_code
#   qr_json         messages::fuzz_decode (every QR response and request decoder) (+ request round trip)
#   posp_request    the host simulator's POSP pipeline PospHost::handle_frame (MAC'd paths reachable)
#
# What it does: installs cargo-fuzz (pinned, `cargo install --locked`) if missing; builds every
# target (release + debug assertions, AddressSanitizer when the toolchain ships its runtime);
# builds seed corpora from the project's own messages (fuzz/seeds: PROTOCOL.md §3 captures,
# the CRYPTO.md field-55 blob, the QR contract's documented bodies, and the codec benchmark's
# 0200 sale); runs each target for the given time on one core; prints executions, exec/s,
# corpus size and findings per target. Exits 1 if any target crashed (the reproducer is in
# fuzz/artifacts/<target>/; `cargo fuzz tmin <target> <file>` minimises it).
#
# cargo-fuzz needs nightly-only flags (-Zsanitizer, sancov): RUSTC_BOOTSTRAP=1 lets the stable
# compiler accept them. Environment: FUZZ_SANITIZER=address|none overrides the choice;
# CARGO_TARGET_DIR defaults to target/fuzz; FUZZ_RSS_MB (default 2048) is libFuzzer's memory limit.
set -euo pipefail
# (Everything in a function: bash parses it whole, so editing this file mid-run is safe.)
main() {
cd "$(dirname "$0")/.."
root="$PWD"

CARGO_FUZZ_VERSION=0.13.2
TARGETS=(iso8583_decode tlv_parse qr_route qr_json posp_request)

seconds=20
selected=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --long) seconds=300 ;;
        --seconds) seconds="$2"; shift ;;
        --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) selected+=("$1") ;;
    esac
    shift
done
[[ ${#selected[@]} -gt 0 ]] || selected=("${TARGETS[@]}")

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/fuzz}"

# 1. cargo-fuzz, pinned.
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# 2. Sanitizer: ASan when the stable toolchain ships its runtime (it does on x86_64 Linux).
host="$(rustc -vV | sed -n 's/^host: //p')"
rtlib="$(rustc --print sysroot)/lib/rustlib/$host/lib"
if [[ -z "${FUZZ_SANITIZER:-}" ]]; then
    if ls "$rtlib" 2>/dev/null | grep -q 'rt\.asan'; then FUZZ_SANITIZER=address; else FUZZ_SANITIZER=none; fi
fi
echo "== sanitizer: $FUZZ_SANITIZER; ${seconds}s per target; targets: ${selected[*]}"
fuzz_flags=(-O -a --sanitizer "$FUZZ_SANITIZER")

# 3. Build.
build_start=$SECONDS
(cd fuzz && cargo fuzz build "${fuzz_flags[@]}")
echo "== built in $((SECONDS - build_start)) s"

# 4. Seed corpora from the project's own messages (kept beside any corpus of earlier runs).
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read().strip()))' "$1"; }
sale_hex="$(cargo run --quiet --release --manifest-path scripts/bench/rust/Cargo.toml --target-dir "$root/target/unipos-bench" --bin fixtures \
    | awk '/^sale_0200/{s=$2} /^posp_sale_frame/{p=$2} END{print s, p}')"
read -r sale_0200 posp_sale <<<"$sale_hex"
for t in "${TARGETS[@]}"; do mkdir -p "fuzz/corpus/$t"; done
for f in fuzz/seeds/iso8583_decode/*.hex; do
    n="$(basename "$f" .hex)"
    unhex "$f" > "fuzz/corpus/iso8583_decode/seed_${n}_frame"
    # The bare message: the frame less its length (2), TPDU (5) and header (6).
    unhex "$f" | tail -c +14 > "fuzz/corpus/iso8583_decode/seed_${n}_message"
    # The host gets the captures too, with and without a session and a good MAC.
    for mode in 00 01 03; do
        { printf "\\x$mode"; unhex "$f"; } > "fuzz/corpus/posp_request/seed_${mode}_${n}"
    done
done
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$sale_0200" \
    > fuzz/corpus/iso8583_decode/seed_codec_bench_sale_0200
for mode in 00 01 03; do
    python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1] + sys.argv[2]))' "$mode" "$posp_sale" \
        > "fuzz/corpus/posp_request/seed_${mode}_sale_0200"
done
for f in fuzz/seeds/tlv_parse/*.hex; do unhex "$f" > "fuzz/corpus/tlv_parse/seed_$(basename "$f" .hex)"; done
cp fuzz/seeds/qr_route/* fuzz/corpus/qr_route/
cp fuzz/seeds/qr_json/* fuzz/corpus/qr_json/

# 5. Run.
mkdir -p fuzz/artifacts fuzz/logs
status=0
summary=()
for t in "${selected[@]}"; do
    mkdir -p "fuzz/artifacts/$t"
    log="fuzz/logs/$t.log"
    echo "== fuzzing $t for ${seconds}s"
    set +e
    (cd fuzz && cargo fuzz run "${fuzz_flags[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/") >"$log" 2>&1
    rc=$?
    set -e
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1 || true)"
    cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)"
    corpus="$(find "fuzz/corpus/$t" -type f | wc -l || true)"
    if [[ $rc -ne 0 ]]; then
        status=1
        finding="CRASH (exit $rc): $(grep -m1 -E 'panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer' "$log" || echo see log)"
        echo "!!! $t: $finding"
        grep -E 'Test unit written to|artifact_prefix' "$log" | tail -2 || true
    else
        finding="none"
    fi
    line="$(printf '%-15s execs=%-10s exec/s=%-7s cov=%-5s corpus=%-5s findings=%s' \
        "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corpus" "$finding")"
    echo "$line"
    summary+=("$line")
done

echo
echo "== summary (${seconds}s per target, sanitizer $FUZZ_SANITIZER, logs in fuzz/logs/)"
printf '%s\n' "${summary[@]}"
exit $status
}

main "$@"
