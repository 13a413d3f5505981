#!/usr/bin/env bash
# The Rust–Kotlin bridge on the host JVM: builds the unipos-ffi cdylib (libunipos.so), generates
# the uniffi Kotlin bindings from THAT library, compiles android/core (bindings + wrapper) and its
# JUnit tests with kotlinc, starts the real host simulator on loopback, and runs the tests against
# it. Ends with a plain `N passed, N failed` line; exits non-zero on any failure.
#
# Fresh machine: installs what it needs through scripts/setup-jvm.sh (kotlinc from npm; JUnit, JNA,
# kotlinx-coroutines from Maven Central; idempotent, ~1 s when already installed).
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target), UNIPOS_JVM_HOME (see setup-jvm.sh)

set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
T0=$(date +%s)
say() { printf '==> %s\n' "$*" >&2; }

# ---- 1. toolchain ----------------------------------------------------------------------------------
say "JVM toolchain (scripts/setup-jvm.sh)"
ENV_FILE="$(scripts/setup-jvm.sh --print-env-file)"
# shellcheck disable=SC1090
. "$ENV_FILE"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$ROOT/android/core/build/jvm"
GEN="$ROOT/android/core/build/generated/uniffi"
rm -rf "$OUT" "$GEN"
mkdir -p "$OUT" "$GEN"

# ---- 2. Rust: the cdylib + bindgen (one build), and the host simulator -------------------------------
say "cargo build -p unipos-ffi (cdylib libunipos.so + uniffi-bindgen)"
cargo build -q -p unipos-ffi --features bindgen --lib --bin uniffi-bindgen
LIB="$TARGET/debug/libunipos.so"
[ -f "$LIB" ] || { echo "missing $LIB" >&2; exit 1; }

# The host hands out a 3 s answer timeout (DF04) so that lost-answer tests give up quickly.
cargo build -q -p unipos-cli
# The simulator's default terminals plus 62969006-62969020 (one per test class that transacts), and
# a simulated customer who pays a shown dynamic code after 3 s (scripts/lib/hostsim-test.json).
HOSTSIM_CMD=("$TARGET/debug/unipos" host run --answer-timeout 3 --config "$ROOT/scripts/lib/hostsim-test.json")


# ---- 3. bindings from the built library (library mode: same metadata, same checksums) ----------------
say "uniffi-bindgen generate --language kotlin"
"$TARGET/debug/uniffi-bindgen" generate --library "$LIB" --language kotlin \
    --out-dir "$GEN" --no-format >/dev/null

# ---- 4. Kotlin: android/core must be plain JVM code ---------------------------------------------------
if grep -rnE '^\s*import\s+android(x)?\.' android/core/src/main android/core/src/test "$GEN" >/dev/null 2>&1; then
    grep -rnE '^\s*import\s+android(x)?\.' android/core/src/main android/core/src/test "$GEN" >&2
    echo "android/core must not import android.* (it runs on the host JVM)" >&2
    exit 1
fi
CP="$UNIPOS_JNA_JAR:$UNIPOS_COROUTINES_JAR:$UNIPOS_JUNIT_CP"
say "kotlinc (bindings + wrapper + tests, one call)"
# The contract's ErrorCodes.kt (plain Kotlin) is compiled in so the tests compare the tables.
kotlinc -nowarn -jvm-target 17 -cp "$CP" -d "$OUT" \
    $(find "$GEN" android/core/src/main/kotlin android/core/src/test/kotlin -name '*.kt') \
    "$ROOT/sdk-aidl/src/main/kotlin/com/unipos/sdk/ErrorCodes.kt" 2>&1 | grep -v '^warning:' >&2 || true
[ -f "$OUT/com/unipos/core/PosCore.class" ] || { echo "kotlinc failed" >&2; exit 1; }

# ---- 5. host simulator ------------------------------------------------------------------------------
HOSTLOG="$OUT/hostsim.log"
"${HOSTSIM_CMD[@]}" >"$HOSTLOG" 2>&1 &
HOSTPID=$!
trap 'kill "$HOSTPID" 2>/dev/null || true; wait "$HOSTPID" 2>/dev/null || true' EXIT
addr_of() { grep -i "$1" "$HOSTLOG" | grep -oE '(127\.0\.0\.1|localhost|\[::1\]):[0-9]+' | head -n1 || true; }
POSP="" ADMIN=""
for _ in $(seq 1 300); do
    POSP=$(addr_of posp); ADMIN=$(addr_of admin)
    [ -n "$POSP" ] && [ -n "$ADMIN" ] && break
    kill -0 "$HOSTPID" 2>/dev/null || { cat "$HOSTLOG" >&2; echo "host simulator exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$POSP" ] && [ -n "$ADMIN" ] || { cat "$HOSTLOG" >&2; echo "host simulator addresses not found" >&2; exit 1; }
HTTPS=$(addr_of https)
CA=$(grep -ioE '[^ ]*ca[^ ]*\.pem' "$HOSTLOG" | head -n1 || true)
say "host simulator: POSP $POSP, HTTPS ${HTTPS:-none}, admin $ADMIN, CA ${CA:-none}"

# ---- 6. JUnit ---------------------------------------------------------------------------------------
CLASSES=$(cd "$OUT" && find com/unipos/core -name '*Test.class' ! -name '*$*' | sed 's/\.class$//; s#/#.#g' | sort)
say "JUnit: $(echo $CLASSES | wc -w) classes"
set +e
java -Djna.library.path="$TARGET/debug" -Dunipos.posp="$POSP" -Dunipos.admin="$ADMIN" \
     -Dunipos.https="$HTTPS" -Dunipos.ca="$CA" \
     -cp "$OUT:$CP:$UNIPOS_KOTLIN_STDLIB" org.junit.runner.JUnitCore $CLASSES | tee "$OUT/junit.log"
RC=${PIPESTATUS[0]}
set -e

if grep -qE '^OK \(([0-9]+) tests?\)' "$OUT/junit.log"; then
    RUN=$(grep -oE '^OK \(([0-9]+)' "$OUT/junit.log" | grep -oE '[0-9]+$'); FAILED=0
else
    RUN=$(grep -oE 'Tests run: [0-9]+' "$OUT/junit.log" | grep -oE '[0-9]+$' || echo 0)
    FAILED=$(grep -oE 'Failures: [0-9]+' "$OUT/junit.log" | grep -oE '[0-9]+$' || echo 1)
fi
[ "$RC" = 0 ] || [ "$FAILED" != 0 ] || FAILED=1
say "done in $(( $(date +%s) - T0 )) s"
echo "$((RUN - FAILED)) passed, $FAILED failed"
[ "$RC" = 0 ] && [ "$FAILED" = 0 ]
