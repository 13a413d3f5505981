#!/usr/bin/env bash
# ISO 8583 codec against its peers, side by side, same machine, same message: the UnionPay
# 0200 IC sale with field 55 of rust-core/iso8583/benches/codec.rs, packed and unpacked by
#   unipos (Rust, criterion: cargo bench -p unipos-iso8583 --bench codec),
#   pyiso8583 (PyPI; timeit), moov-io/iso8583 (Go module proxy; testing.B), jPOS (Maven
#   Central; JMH).
# Every peer must first pack exactly our bytes and unpack them to the same fields; a peer that
# does not is reported as MISMATCH and left out of the timings.
#
#   scripts/bench/peers.sh [--quick]
#
# Peers are installed from the registries into $UNIPOS_BENCH_CACHE (default
# ~/.cache/unipos-bench); nothing is vendored. Versions: PYISO8583_VERSION (bench-peers/python/
# requirements.txt), MOOV_VERSION (default latest), JPOS_VERSION (bench-peers/java/pom.xml).
# Results: $BENCH_OUT (default target/bench-results/peers-<time>) with a markdown table.
set -uo pipefail
# (Everything in a function: bash parses it whole, so editing this file mid-run is safe.)
main() {
cd "$(dirname "$0")/../.."
root="$PWD"

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

cache="${UNIPOS_BENCH_CACHE:-$HOME/.cache/unipos-bench}"
out="${BENCH_OUT:-$root/target/bench-results/peers-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$cache" "$out"
results="$out/results.txt"
: >"$results"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); results in $out"

# The reference bytes.
sale_hex="$(cargo run --quiet --release --manifest-path scripts/bench/rust/Cargo.toml --target-dir "$root/target/unipos-bench" --bin fixtures \
    | awk '/^sale_0200/{print $2}')"
[[ -n "$sale_hex" ]] || { echo "cannot build the reference sale" >&2; exit 1; }
echo "== reference: 0200 sale, $(( ${#sale_hex} / 2 )) bytes"

# 1. unipos: the existing criterion benchmark.
echo "== unipos (criterion)"
crit_args=()
[[ $quick -eq 1 ]] && crit_args=(--warm-up-time 1 --measurement-time 2)
cargo bench --quiet -p unipos-iso8583 --bench codec -- "${crit_args[@]}" 2>&1 | tee "$out/unipos.txt" | grep -E 'time:|^iso8583' || true

# 2. pyiso8583.
echo "== pyiso8583"
py="$cache/py"
if [[ ! -x "$py/bin/python" ]]; then python3 -m venv "$py"; fi
if "$py/bin/pip" install -q -r bench-peers/python/requirements.txt >"$out/pip.log" 2>&1; then
    secs=1.0; [[ $quick -eq 1 ]] && secs=0.3
    "$py/bin/python" bench-peers/python/bench_pyiso8583.py "$sale_hex" --seconds "$secs" --repeat 7 \
        2>&1 | tee "$out/pyiso8583.txt"
    grep '^RESULT' "$out/pyiso8583.txt" >>"$results" || true
else
    echo "!!! SKIPPED pyiso8583: pip install failed (see $out/pip.log)"
fi

# 3. moov-io/iso8583.
echo "== moov-io/iso8583"
gowork="$cache/go-moov"
rm -rf "$gowork"; mkdir -p "$gowork"
cp bench-peers/go/go.mod bench-peers/go/*.go "$gowork/"
if (cd "$gowork" && go get "github.com/moov-io/iso8583@${MOOV_VERSION:-latest}" && go mod tidy) >"$out/go-get.log" 2>&1; then
    if (cd "$gowork" && UNIPOS_SALE_HEX="$sale_hex" go test -count 1 -run TestSameBytes -v .) 2>&1 | tee "$out/moov-check.txt" | grep -E 'identical|MISMATCH|FAIL'; then :; fi
    if grep -q 'identical' "$out/moov-check.txt"; then
        count=7; bt=1s; [[ $quick -eq 1 ]] && { count=3; bt=300ms; }
        (cd "$gowork" && UNIPOS_SALE_HEX="$sale_hex" go test -run '^$' -bench . -benchmem -benchtime "$bt" -count "$count" .) \
            2>&1 | tee "$out/moov.txt" | grep -E '^Benchmark' || true
        awk '/^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); v[name]=v[name] " " $3 }
             END { map["BenchmarkPackOnly"]="pack"; map["BenchmarkPack"]="build_and_pack"; map["BenchmarkUnpack"]="unpack";
                   for (n in v) { k=split(substr(v[n],2), a, " "); 
                       for (i=1;i<=k;i++) for (j=i+1;j<=k;j++) if (a[j]+0<a[i]+0) { t=a[i]; a[i]=a[j]; a[j]=t }
                       med = (k%2) ? a[(k+1)/2] : (a[k/2]+a[k/2+1])/2;
                       printf "RESULT peer=moov op=%s median_ns=%s min_ns=%s max_ns=%s rounds=%d\n", map[n], med, a[1], a[k], k } }' \
            "$out/moov.txt" >>"$results"
    else
        echo "!!! moov-io/iso8583 does not reproduce our bytes: not timed (see $out/moov-check.txt)"
    fi
else
    echo "!!! SKIPPED moov-io/iso8583: the Go module proxy did not serve it:"
    grep -m2 -E 'error|Forbidden|not available|go:' "$out/go-get.log" | sed 's/^/!!!   /'
fi

# 4. jPOS.
echo "== jPOS"
jmh_json=""
if command -v mvn >/dev/null && command -v java >/dev/null; then
    if mvn -q -B -f bench-peers/java/pom.xml package -DskipTests >"$out/mvn.log" 2>&1; then
        cp="bench-peers/java/target/classes:bench-peers/java/target/lib/*"
        if java -cp "$cp" unipos.bench.SameBytes "$sale_hex" 2>&1 | tee "$out/jpos-check.txt"; [[ ${PIPESTATUS[0]} -eq 0 ]]; then
            jmh=(-f 1 -wi 5 -w 1s -i 7 -r 1s)
            [[ $quick -eq 1 ]] && jmh=(-f 1 -wi 2 -w 500ms -i 3 -r 500ms)
            jmh_json="$out/jmh.json"
            java -cp "$cp" org.openjdk.jmh.Main "${jmh[@]}" -jvmArgs "-Dunipos.sale.hex=$sale_hex" \
                -rf json -rff "$jmh_json" 'unipos.bench.JposBench' >"$out/jmh.txt" 2>&1 || echo "!!! JMH failed (see $out/jmh.txt)"
            grep -E '^Benchmark|JposBench\.' "$out/jmh.txt" | tail -4
        else
            echo "!!! jPOS does not reproduce our bytes: not timed"
        fi
    else
        echo "!!! SKIPPED jPOS: maven build failed (see $out/mvn.log)"
    fi
else
    echo "!!! SKIPPED jPOS: mvn or java missing"
fi

echo
echo "== ISO 8583 0200 sale with field 55, ns per operation (load now $(cut -d' ' -f1-3 /proc/loadavg))"
python3 scripts/bench/summarize.py "$results" "$CARGO_TARGET_DIR/criterion" "$jmh_json" | tee "$out/table.md"
}

main "$@"
