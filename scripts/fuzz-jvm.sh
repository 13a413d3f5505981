#!/usr/bin/env bash
# Fuzzes the decoding of third-party requests (the pay Intent's extras and the AIDL TransRequest)
# down to the engine's request in the real libunipos, with Jazzer (Maven Central, via
# scripts/setup-jvm.sh). Target: android/app/src/fuzz/kotlin/com/unipos/app/fuzz/RequestDecodingFuzzer.kt.
#
#   scripts/fuzz-jvm.sh                 a short run (the test command's; 20 s)
#   scripts/fuzz-jvm.sh --seconds N     N seconds
#   scripts/fuzz-jvm.sh --long          10 minutes (the figures in docs/performance.md)
#
# The corpus grows in android/app/build/host/fuzz/corpus (kept between runs on one machine);
# a finding is written to android/app/build/host/fuzz/findings and fails the run.
# Last line: "N passed, N failed" (1 passed: no finding). Exit status non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SECONDS_TO_RUN=20
case "${1:-}" in
    --seconds) SECONDS_TO_RUN="${2:?--seconds N}" ;;
    --long) SECONDS_TO_RUN=600 ;;
    "") ;;
    *) echo "usage: $0 [--seconds N | --long]" >&2; exit 2 ;;
esac
AH_T0=$(date +%s)
fail() { echo "fuzz-jvm: FAILED: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# shellcheck disable=SC1090
. "$(scripts/setup-jvm.sh --print-env-file)"
# shellcheck source=lib/android-host-build.sh
. scripts/lib/android-host-build.sh
android_host_build || fail "host build of android/app"
F="$AH_B/fuzz"
mkdir -p "$F/classes" "$F/corpus" "$F/findings"

CP="$AH_CP_DEBUG:$AH_DEPS:$UNIPOS_ANDROID_TEST_JAR:$UNIPOS_JAZZER_API_JAR"
stamp=$(ah_stamp_of android/app/src/fuzz/kotlin "$AH_B/kotlin.stamp" "$CP")
if [ "$(cat "$F/classes.stamp" 2>/dev/null)" != "$stamp" ]; then
    ah_say "kotlinc the fuzz target"
    rm -rf "$F/classes" && mkdir -p "$F/classes"
    ah_kc -jvm-target 17 -cp "$CP" -d "$F/classes" $(find android/app/src/fuzz/kotlin -name '*.kt')
    [ -f "$F/classes/com/unipos/app/fuzz/RequestDecodingFuzzer.class" ] || fail "kotlinc fuzz target"
    echo "$stamp" > "$F/classes.stamp"
fi

ah_say "Jazzer $UNIPOS_JAZZER_VERSION: $SECONDS_TO_RUN s (corpus $F/corpus)"
set +e
java -Djna.library.path="$(dirname "$AH_LIB")" -Xss4m \
    -cp "$F/classes:$CP:$UNIPOS_KOTLIN_STDLIB:$UNIPOS_JAZZER_JAR" \
    com.code_intelligence.jazzer.Jazzer \
    --target_class=com.unipos.app.fuzz.RequestDecodingFuzzer \
    --instrumentation_includes='com.unipos.**' \
    --reproducer_path="$F/findings" \
    -artifact_prefix="$F/findings/" \
    -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 -rss_limit_mb=4096 \
    "$F/corpus" > "$F/jazzer.log" 2>&1
rc=$?
set -e
grep -E "^#[0-9]+ *(DONE|INITED)|stat::number_of_executed_units|stat::average_exec_per_sec|Done [0-9]+ runs|== Java Exception|FuzzerSecurityIssue|crash-|ERROR" "$F/jazzer.log" | tail -n 12 || true
runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$F/jazzer.log" | tail -1)
ah_say "executions: ${runs:-?} in $SECONDS_TO_RUN s; corpus $(find "$F/corpus" -type f | wc -l) inputs (log: $F/jazzer.log)"
if [ "$rc" != 0 ]; then
    sed -n '/== Java Exception/,/^$/p' "$F/jazzer.log" | head -n 30 >&2
    echo "0 passed, 1 failed"
    exit 1
fi
echo "1 passed, 0 failed"
