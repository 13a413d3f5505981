#!/usr/bin/env bash
# Host (JVM) verification of android/app without Gradle or the Android SDK:
#   1. the Rust core: libunipos.so (unipos-ffi) + uniffi Kotlin bindings + the `unipos` CLI (host simulator);
#   2. sdk-aidl: Debian aidl -> Java, compiled against android-all API 24;
#   3./4. sdk-aidl's client library, android/core (bindings + wrapper) and android/app compiled
#      against Robolectric's real android-all jars: app/compat/ against API 30
#      (it holds the only newer-than-minSdk calls, behind SDK_INT checks), everything else against
#      API 24 = minSdk, so any other use of a newer framework API fails here;
#   5. the app's JUnit tests: plain policy tests, and Robolectric tests (offline) that drive
#      PaymentService through its Binder stub and PayActivity through the pay Intent, over the
#      REAL libunipos.so (JNA) against a real `unipos host run` on loopback.
# Last line: "N passed, N failed". Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
T0=$(date +%s)
say() { printf "==> [%3ds] %s\n" "$(( $(date +%s) - T0 ))" "$*" >&2; }
fail() { echo "test-android-app: FAILED: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

say "JVM toolchain (scripts/setup-jvm.sh)"
# shellcheck disable=SC1090
. "$(scripts/setup-jvm.sh --print-env-file)"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
B="$ROOT/android/app/build/host"
rm -rf "$B"
mkdir -p "$B"/{gen-aidl,gen-uniffi,sdk,app-compat,app,test}
kc() { # kotlinc with warnings hidden; the caller checks for an expected class file
    kotlinc -nowarn -no-reflect "$@" 2>&1 | grep -v '^warning:' >&2 || true
}

# ---- 1. Rust ------------------------------------------------------------------------------------------
say "cargo build -p unipos-ffi (libunipos.so + uniffi-bindgen) and -p unipos-cli (host simulator)"
cargo build -q -p unipos-ffi --features bindgen --lib --bin uniffi-bindgen || fail "cargo build unipos-ffi"
cargo build -q -p unipos-cli || fail "cargo build unipos-cli"
LIB="$TARGET/debug/libunipos.so"
"$TARGET/debug/uniffi-bindgen" generate --library "$LIB" --language kotlin --out-dir "$B/gen-uniffi" --no-format >/dev/null \
    || fail "uniffi-bindgen"

# ---- 2. sdk-aidl AIDL ---------------------------------------------------------------------------------
say "sdk-aidl: aidl -> Java, javac against android-all API $UNIPOS_ANDROID_COMPILE_SDK"
for f in $(cd sdk-aidl/src/main/aidl && find . -name '*.aidl'); do
    "$UNIPOS_AIDL" --lang=java -I sdk-aidl/src/main/aidl -o "$B/gen-aidl" "sdk-aidl/src/main/aidl/$f" || fail "aidl $f"
done
javac -nowarn --release 8 -Xlint:-options -encoding UTF-8 -cp "$UNIPOS_ANDROID_JAR" -d "$B/sdk" $(find "$B/gen-aidl" -name '*.java') \
    || fail "javac AIDL"

# ---- 3./4. Kotlin: two kotlinc runs (each costs ~20-60 s of compiler start-up on this machine) ---------------
APP_SRC=android/app/src/main/kotlin
CORE_DEPS="$UNIPOS_JNA_JAR:$UNIPOS_COROUTINES_JAR"
say "android/app compat/ against android-all API 30 (the only newer-API code, SDK_INT-guarded)"
kc -jvm-target 17 -cp "$UNIPOS_ANDROID_TEST_JAR" -d "$B/app-compat" $(find "$APP_SRC/com/unipos/app/compat" -name '*.kt')
[ -f "$B/app-compat/com/unipos/app/compat/Signers.class" ] || fail "kotlinc android/app compat"
# sdk-aidl's client library (its own build-host.sh checks it at JVM target 1.8), android/core (bindings +
# wrapper, plain JVM: scripts/test-jvm.sh checks it has no android.* import) and the rest of the app,
# all against API 24 = minSdk.
say "sdk-aidl client + android/core + android/app against android-all API $UNIPOS_ANDROID_COMPILE_SDK (minSdk)"
kc -jvm-target 17 -cp "$UNIPOS_ANDROID_JAR:$B/sdk:$B/app-compat:$CORE_DEPS" -d "$B/app" \
    $(find sdk-aidl/src/main/kotlin "$B/gen-uniffi" android/core/src/main/kotlin -name '*.kt') \
    $(find "$APP_SRC" -name '*.kt' -not -path '*/compat/*')
[ -f "$B/app/com/unipos/core/PosCore.class" ] && [ -f "$B/app/com/unipos/app/service/PaymentService.class" ] \
    || fail "kotlinc sdk-aidl + android/core + android/app"
cp -r "$B/app-compat/." "$B/app/"
if grep -rnE '^\s*import\s+androidx?\.(appcompat|compose|core|fragment|lifecycle|recyclerview)' android/app/src/main; then
    fail "android/app must use platform widgets only (no AndroidX / Compose)"
fi

say "android/app tests (against android-all API 30, as Gradle's compileSdk)"
TEST_CP="$B/app:$B/sdk:$CORE_DEPS:$UNIPOS_TEST_CP:$UNIPOS_ANDROID_TEST_JAR"
kc -jvm-target 17 -cp "$TEST_CP" -d "$B/test" $(find android/app/src/test/kotlin -name '*.kt')
TESTS=$(cd "$B/test" && find . -name '*Test.class' ! -name '*$*' | sed 's|^\./||; s|\.class$||; s|/|.|g' | LC_ALL=C sort)
[ -n "$TESTS" ] || fail "kotlinc tests produced no test classes"
cp -r android/app/src/test/resources/. "$B/test/" 2>/dev/null || true

# ---- 5. host simulator + JUnit ------------------------------------------------------------------------------
HOSTLOG="$B/hostsim.log"
"$TARGET/debug/unipos" host run --ca-out "$B/hostsim-ca.pem" </dev/null >"$HOSTLOG" 2>&1 &
HOSTPID=$!
trap 'kill "$HOSTPID" 2>/dev/null || true; wait "$HOSTPID" 2>/dev/null || true' EXIT
addr_of() { grep -i "$1" "$HOSTLOG" | grep -oE '(127\.0\.0\.1|localhost):[0-9]+' | head -n1 || true; }
POSP="" ADMIN=""
for _ in $(seq 1 300); do
    POSP=$(addr_of posp); ADMIN=$(addr_of admin)
    [ -n "$POSP" ] && [ -n "$ADMIN" ] && break
    kill -0 "$HOSTPID" 2>/dev/null || { cat "$HOSTLOG" >&2; fail "host simulator exited"; }
    sleep 0.1
done
[ -n "$POSP" ] && [ -n "$ADMIN" ] || { cat "$HOSTLOG" >&2; fail "host simulator addresses not found"; }
say "host simulator: POSP $POSP, admin $ADMIN"

say "JUnit: $(echo $TESTS | wc -w) classes (Robolectric $UNIPOS_ROBOLECTRIC_VERSION, offline)"
set +e
# shellcheck disable=SC2086
java $UNIPOS_ROBOLECTRIC_JVM_ARGS -Djna.library.path="$TARGET/debug" \
    -Dunipos.posp="$POSP" -Dunipos.admin="$ADMIN" -Dunipos.tmp="$B/tmp" \
    -cp "$B/test:$TEST_CP:$UNIPOS_KOTLIN_STDLIB" org.junit.runner.JUnitCore $TESTS > "$B/junit.log" 2>&1
rc=$?
set -e
grep -v '^\s*at ' "$B/junit.log" | grep -v '^$' | tail -n 40
if grep -q '^OK (' "$B/junit.log"; then
    total=$(sed -n 's/^OK (\([0-9]*\) tests\{0,1\})$/\1/p' "$B/junit.log" | tail -1); failed=0
else
    total=$(sed -n 's/^Tests run: *\([0-9]*\), *Failures: *\([0-9]*\).*/\1/p' "$B/junit.log" | tail -1)
    failed=$(sed -n 's/^Tests run: *\([0-9]*\), *Failures: *\([0-9]*\).*/\2/p' "$B/junit.log" | tail -1)
    [ -n "$total" ] || { total=0; failed=1; }
fi
echo "(full log: $B/junit.log; host simulator log: $HOSTLOG)"
say "done in $(( $(date +%s) - T0 )) s"
echo "$((total - failed)) passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ] && [ "$total" -gt 0 ]
