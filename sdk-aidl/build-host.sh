#!/usr/bin/env bash
# Host (JVM) build and verification of sdk-aidl, without Gradle or the Android SDK:
#   1. Debian `aidl` compiles src/main/aidl to Java;
#   2. the AIDL contract is checked backward compatible against every frozen api/<n>/ dump
#      (aidl --checkapi), and the gate itself is checked to reject a breaking change;
#   3. javac + kotlinc compile the generated Java and the client library against the real android.*
#      API (Robolectric's android-all jar of API 24 = minSdk);
#   4. the JUnit tests run on the host JVM under Robolectric (real android.os.Parcel, Bundle,
#      Intent, Binder, RemoteCallbackList, SharedPreferences, Looper) on SDK 24 and SDK 30, offline.
# Last line: "N passed, N failed". Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
# shellcheck disable=SC1090
. "$(../scripts/setup-jvm.sh --print-env-file)"

B="$HERE/build/host"
rm -rf "$B"
mkdir -p "$B/gen" "$B/classes/main" "$B/classes/test"
step() { printf '==> %s\n' "$*"; }
fail() { echo "build-host: FAILED: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

step "aidl -> Java ($UNIPOS_AIDL)"
AIDL_FILES=$(cd src/main/aidl && find . -name '*.aidl' | sed 's|^\./||' | LC_ALL=C sort)
for f in $AIDL_FILES; do
    "$UNIPOS_AIDL" --lang=java -I src/main/aidl -o "$B/gen" "src/main/aidl/$f" || fail "aidl $f"
done

step "AIDL API compatibility (aidl --checkapi against api/*)"
(cd src/main/aidl && "$UNIPOS_AIDL" --dumpapi --out="$B/api-current" $AIDL_FILES) || fail "aidl --dumpapi"
latest=""
for d in $(find api -mindepth 1 -maxdepth 1 -type d | sort -t/ -k2 -n); do
    "$UNIPOS_AIDL" --checkapi "$d" "$B/api-current" || fail "contract is not a backward-compatible extension of $d"
    echo "    compatible with $d"
    latest="$d"
done
[ -n "$latest" ] || fail "no frozen API dump under sdk-aidl/api/"
if ! diff -r -q "$latest" "$B/api-current" >/dev/null; then
    echo "    note: the contract has grown since $latest; freeze it as the next api/<n> when it is released"
fi
# The gate must catch a breaking change: drop the last field of a parcelable and expect a failure.
rm -rf "$B/api-broken" && cp -r "$B/api-current" "$B/api-broken"
sed -i '/^  int cardWaitSeconds;$/d' "$B/api-broken/com/unipos/sdk/TransRequest.aidl"
if "$UNIPOS_AIDL" --checkapi "$B/api-current" "$B/api-broken" >/dev/null 2>&1; then
    fail "aidl --checkapi accepted a removed field"
fi
echo "    gate self-test: a removed field is rejected"

CP_MAIN="$UNIPOS_ANDROID_JAR"
step "javac generated AIDL Java (against android-all API $UNIPOS_ANDROID_COMPILE_SDK)"
javac -nowarn --release 8 -Xlint:-options -encoding UTF-8 -cp "$CP_MAIN" -d "$B/classes/main" \
    $(find "$B/gen" -name '*.java') || fail "javac"

step "kotlinc client library (Kotlin $UNIPOS_KOTLIN_VERSION, jvm-target 1.8)"
kotlinc -nowarn -jvm-target 1.8 -Xjdk-release=1.8 -no-reflect \
    -cp "$CP_MAIN:$B/classes/main" -d "$B/classes/main" \
    $(find src/main/kotlin -name '*.kt') 2>&1 | grep -v '^warning: ' || true
[ -f "$B/classes/main/com/unipos/sdk/UniPosClient.class" ] || fail "kotlinc main"

step "kotlinc tests"
kotlinc -nowarn -jvm-target 1.8 -no-reflect \
    -cp "$B/classes/main:$UNIPOS_TEST_CP:$UNIPOS_ANDROID_TEST_JAR" -d "$B/classes/test" \
    $(find src/test/kotlin -name '*.kt') 2>&1 | grep -v '^warning: ' || true
TESTS=$(cd "$B/classes/test" && find . -name '*Test.class' | sed 's|^\./||; s|\.class$||; s|/|.|g' | LC_ALL=C sort)
[ -n "$TESTS" ] || fail "kotlinc tests produced no test classes"
cp -r src/test/resources/. "$B/classes/test/"

step "JUnit under Robolectric $UNIPOS_ROBOLECTRIC_VERSION (offline; SDKs $UNIPOS_ROBOLECTRIC_SDKS)"
set +e
# shellcheck disable=SC2086
java $UNIPOS_ROBOLECTRIC_JVM_ARGS -Dunipos.docs="$HERE/../docs/integration-guide.md" \
    -cp "$B/classes/test:$B/classes/main:$UNIPOS_TEST_CP:$UNIPOS_KOTLIN_STDLIB:$UNIPOS_ANDROID_TEST_JAR" \
    org.junit.runner.JUnitCore $TESTS > "$B/junit.log" 2>&1
rc=$?
set -e
grep -v '^\s*at ' "$B/junit.log" | grep -v '^$' | tail -n 40
if grep -q '^OK (' "$B/junit.log"; then
    total=$(sed -n 's/^OK (\([0-9]*\) tests\{0,1\})$/\1/p' "$B/junit.log" | tail -1)
    failed=0
else
    total=$(sed -n 's/^Tests run: *\([0-9]*\), *Failures: *\([0-9]*\).*/\1/p' "$B/junit.log" | tail -1)
    failed=$(sed -n 's/^Tests run: *\([0-9]*\), *Failures: *\([0-9]*\).*/\2/p' "$B/junit.log" | tail -1)
    [ -n "$total" ] || { total=0; failed=1; }
fi
echo "(full log: $B/junit.log)"
echo "$((total - failed)) passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ] && [ "$total" -gt 0 ]
