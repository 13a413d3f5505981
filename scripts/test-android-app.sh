#!/usr/bin/env bash
# Host (JVM) verification of android/app without Gradle or the Android SDK, for BOTH build types:
#   1. scripts/lib/android-host-build.sh: the Rust core (libunipos.so, uniffi bindings, the `unipos`
#      host simulator), sdk-aidl, the app's resources (aapt2 against the API 34 framework), and the
#      app compiled as two variants, debug (main + src/debug) and release (main + src/release), against
#      android-all API 24 = minSdk (compat/ against API 34: the only SDK_INT-guarded newer calls);
#   2. per variant, the tests of src/test + src/test<Variant> (as Gradle's test<Variant>UnitTest):
#      plain tests and Robolectric tests (offline, SDK 30, the app's real resources) over the REAL
#      libunipos.so (JNA) against a real `unipos host run` on loopback.
# Last line: "N passed, N failed" (both variants). Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
AH_T0=$(date +%s)
say() { printf "==> [%3ds] %s\n" "$(( $(date +%s) - AH_T0 ))" "$*" >&2; }
fail() { echo "test-android-app: FAILED: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

say "JVM toolchain (scripts/setup-jvm.sh)"
# shellcheck disable=SC1090
. "$(scripts/setup-jvm.sh --print-env-file)"
# shellcheck source=lib/android-host-build.sh
. scripts/lib/android-host-build.sh
android_host_build || fail "host build of android/app"
B="$AH_B"

# ---- host simulator ---------------------------------------------------------------------------------
rm -rf "$B/tmp" "$B/test-debug" "$B/test-release"
mkdir -p "$B/tmp"
HOSTLOG="$B/hostsim.log"
# The default terminals plus 62969006-62969020 (one per test class), a customer who pays a shown
# dynamic code after 3 s: scripts/lib/hostsim-test.json.
"$AH_UNIPOS_BIN" host run --answer-timeout 3 --ca-out "$B/hostsim-ca.pem" --config scripts/lib/hostsim-test.json \
    </dev/null >"$HOSTLOG" 2>&1 &
HOSTPID=$!
trap 'kill "$HOSTPID" 2>/dev/null || true; wait "$HOSTPID" 2>/dev/null || true' EXIT
addr_of() { grep -i "$1" "$HOSTLOG" | grep -oE '(127\.0\.0\.1|localhost):[0-9]+' | head -n1 || true; }
POSP="" ADMIN="" HTTPS=""
for _ in $(seq 1 300); do
    POSP=$(addr_of posp); ADMIN=$(addr_of admin); HTTPS=$(addr_of https)
    [ -n "$POSP" ] && [ -n "$ADMIN" ] && [ -n "$HTTPS" ] && break
    kill -0 "$HOSTPID" 2>/dev/null || { cat "$HOSTLOG" >&2; fail "host simulator exited"; }
    sleep 0.1
done
[ -n "$POSP" ] && [ -n "$ADMIN" ] || { cat "$HOSTLOG" >&2; fail "host simulator addresses not found"; }
HTTPS=$(addr_of https)
say "host simulator: POSP $POSP, HTTPS $HTTPS, admin $ADMIN"
# Pictures of the screens (CashierScreensTest): written here, compared with docs/screens/;
# UNIPOS_RECORD_SCREENS=1 scripts/test-android-app.sh records them anew (then review and commit).
rm -rf "$B/screens"; mkdir -p "$B/screens"

# ---- per variant: compile the tests, run them ------------------------------------------------------------
TOTAL=0 FAILED=0 RC=0
run_variant() { # variant app-classpath
    local v="$1" app_cp="$2"
    local out="$B/test-$v"
    local V; V="$(tr '[:lower:]' '[:upper:]' <<< "${v:0:1}")${v:1}"
    mkdir -p "$out"
    say "android/app $v tests: src/test + src/test$V (against android-all API 30, as Gradle's compileSdk)"
    local test_cp="$app_cp:$AH_DEPS:$UNIPOS_TEST_CP:$UNIPOS_ANDROID_TEST_JAR"
    ah_kc -jvm-target 17 -cp "$test_cp" -d "$out" \
        $(find android/app/src/test/kotlin "android/app/src/test$V/kotlin" -name '*.kt' 2>/dev/null)
    local tests
    tests=$(cd "$out" && find . -name '*Test.class' ! -name '*$*' | sed 's|^\./||; s|\.class$||; s|/|.|g' | LC_ALL=C sort)
    [ -n "$tests" ] || fail "kotlinc $v tests produced no test classes"
    # While developing: UNIPOS_APP_TESTS="PayActivityTest PaymentServiceTest" runs only those classes.
    if [ -n "${UNIPOS_APP_TESTS:-}" ]; then
        tests=$(for t in $tests; do for w in $UNIPOS_APP_TESTS; do if [ "${t##*.}" = "$w" ]; then echo "$t"; fi; done; done)
        [ -n "$tests" ] || { say "$v: no class of UNIPOS_APP_TESTS here, skipped"; return 0; }
    fi
    cp -r android/app/src/test/resources/. "$out/" 2>/dev/null || true
    # What AGP's isIncludeAndroidResources gives Robolectric: the merged manifest and the linked
    # resources of the variant, so tests see the app's real strings, manifest and targetSdk.
    mkdir -p "$out/com/android/tools"
    printf 'android_merged_manifest=%s\nandroid_resource_apk=%s\nandroid_custom_package=%s\n' \
        "$B/res/$v/AndroidManifest.xml" "$B/res/$v/resources.ap_" "$AH_PACKAGE" > "$out/com/android/tools/test_config.properties"

    say "JUnit ($v): $(echo $tests | wc -w) classes (Robolectric $UNIPOS_ROBOLECTRIC_VERSION, offline)"
    set +e
    # shellcheck disable=SC2086
    # Every class in one Robolectric sandbox (native graphics for all, as the pictures need): the
    # core's uniffi callback tables (key wrapper, log sink) are process-wide, and a second sandbox's
    # class loader leaves them pointing at the first one's handles ("UniffiHandleMap: Invalid handle").
    java $UNIPOS_ROBOLECTRIC_JVM_ARGS -Drobolectric.graphicsMode=NATIVE -Djna.library.path="$(dirname "$AH_LIB")" \
        -Dunipos.posp="$POSP" -Dunipos.admin="$ADMIN" -Dunipos.tmp="$B/tmp/$v" \
        -Dunipos.https="$HTTPS" -Dunipos.ca="$B/hostsim-ca.pem" -Dunipos.src="$ROOT/android/app/src/main" \
        -Dunipos.screens.out="$B/screens" -Dunipos.screens.ref="$ROOT/docs/screens" \
        -Dunipos.screens.record="${UNIPOS_RECORD_SCREENS:-0}" -Duser.timezone=Asia/Shanghai \
        -cp "$out:$test_cp:$UNIPOS_KOTLIN_STDLIB" org.junit.runner.JUnitCore $tests > "$B/junit-$v.log" 2>&1
    local rc=$?
    set -e
    grep -v '^\s*at ' "$B/junit-$v.log" | grep -v '^$' | grep -v '^WARNING' | tail -n 30
    local total failed
    if grep -q '^OK (' "$B/junit-$v.log"; then
        total=$(sed -n 's/^OK (\([0-9]*\) tests\{0,1\})$/\1/p' "$B/junit-$v.log" | tail -1); failed=0
    else
        total=$(sed -n 's/^Tests run: *\([0-9]*\), *Failures: *\([0-9]*\).*/\1/p' "$B/junit-$v.log" | tail -1)
        failed=$(sed -n 's/^Tests run: *\([0-9]*\), *Failures: *\([0-9]*\).*/\2/p' "$B/junit-$v.log" | tail -1)
        [ -n "$total" ] || { total=0; failed=1; }
    fi
    [ "$rc" = 0 ] || [ "$failed" != 0 ] || failed=1
    say "$v: $((total - failed)) passed, $failed failed (log: $B/junit-$v.log)"
    TOTAL=$((TOTAL + total)); FAILED=$((FAILED + failed))
    [ "$rc" = 0 ] || RC=1
}
run_variant debug "$AH_CP_DEBUG"
run_variant release "$AH_CP_RELEASE"

echo "(host simulator log: $HOSTLOG)"
say "done in $(( $(date +%s) - AH_T0 )) s"
echo "$((TOTAL - FAILED)) passed, $FAILED failed"
[ "$RC" = 0 ] && [ "$FAILED" = 0 ] && [ "$TOTAL" -gt 0 ]
