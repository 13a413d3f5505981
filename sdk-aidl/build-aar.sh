#!/usr/bin/env bash
# Builds the SDK's AAR without Gradle, with the tools the APK is built with (scripts/setup-jvm.sh:
# Debian aidl, javac against android-all API 24, kotlinc 2.4.20, jar/zip), and checks what is in it:
#
#   sdk-aidl/build/aar/unipos-sdk.aar
#     AndroidManifest.xml   the library manifest (package com.unipos.sdk, minSdk 24, the permission
#                           request and the Android 11+ <queries>)
#     classes.jar           the generated AIDL classes + the client library (Java 8 bytecode, Kotlin 2.4.20)
#     R.txt                 empty: the library has no resources
#     aidl/com/unipos/sdk/  the .aidl files, for apps that compile the contract themselves
#     proguard.txt          the consumer keep rules
#
# The classes are the ones sdk-aidl/build-host.sh compiled and tested (it runs first when missing).
# Last line: "N passed, N failed" (the gate's checks). Exit status non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
# shellcheck disable=SC1090
. "$(../scripts/setup-jvm.sh --print-env-file)"
B="$HERE/build/aar"
CLASSES="$HERE/build/host/classes/main"
fail() { echo "build-aar: FAILED: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
step() { printf '==> %s\n' "$*"; }

[ -f "$CLASSES/com/unipos/sdk/UniPosClient.class" ] || { step "no tested classes yet: sdk-aidl/build-host.sh"; ./build-host.sh >/dev/null || fail "build-host.sh"; }
# Stale classes would ship an untested contract: the sources must be older than the classes.
newer=$(find src/main -newer "$CLASSES/com/unipos/sdk/UniPosClient.class" -type f | head -n 1)
[ -z "$newer" ] || { step "sources changed ($newer): sdk-aidl/build-host.sh"; ./build-host.sh >/dev/null || fail "build-host.sh"; }

rm -rf "$B" && mkdir -p "$B/aar/aidl"
step "classes.jar (generated AIDL + client library, Kotlin $UNIPOS_KOTLIN_VERSION)"
(cd "$CLASSES" && jar cf "$B/aar/classes.jar" $(find . -name '*.class' -o -name '*.kotlin_module' | sed 's|^\./||' | LC_ALL=C sort))
step "AndroidManifest.xml (library manifest, minSdk 24), R.txt, aidl/, proguard.txt"
sed -e 's|<manifest xmlns:android="http://schemas.android.com/apk/res/android">|<manifest xmlns:android="http://schemas.android.com/apk/res/android"\
    package="com.unipos.sdk">\
    <uses-sdk android:minSdkVersion="24" />|' src/main/AndroidManifest.xml > "$B/aar/AndroidManifest.xml"
: > "$B/aar/R.txt"
cp -r src/main/aidl/. "$B/aar/aidl/"
cp consumer-rules.pro "$B/aar/proguard.txt"
step "unipos-sdk.aar"
(cd "$B/aar" && zip -q -X -r "$B/unipos-sdk.aar" AndroidManifest.xml classes.jar R.txt aidl proguard.txt)

# ---- gate ---------------------------------------------------------------------------------------------
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "    ok: $1"; else FAIL=$((FAIL + 1)); echo "    FAILED: $1" >&2; fi; }
step "gate: contents of $B/unipos-sdk.aar"
LIST=$(unzip -Z1 "$B/unipos-sdk.aar")
JAR_LIST=$(unzip -Z1 "$B/aar/classes.jar")
for e in AndroidManifest.xml classes.jar R.txt proguard.txt aidl/com/unipos/sdk/IUniPosService.aidl \
         aidl/com/unipos/sdk/IUniPosCallback.aidl aidl/com/unipos/sdk/TransRequest.aidl aidl/com/unipos/sdk/TransResult.aidl \
         aidl/com/unipos/sdk/StartResult.aidl; do
    check "entry $e" "grep -qx '$e' <<< \"\$LIST\""
done
for c in IUniPosService IUniPosService\$Stub IUniPosService\$Stub\$Proxy IUniPosCallback TransRequest TransResult StartResult \
         UniPosClient Requests RequestValidator UniPosIntents ErrorCodes Extras BundleCodec UniPos TransState PanMask; do
    check "class com.unipos.sdk.$c" "grep -qxF 'com/unipos/sdk/$c.class' <<< \"\$JAR_LIST\""
done
check "no test or fake classes" "! grep -q 'Test\\|Fake' <<< \"\$JAR_LIST\""
check "Kotlin module metadata" "grep -q '^META-INF/.*\\.kotlin_module$' <<< \"\$JAR_LIST\""
major=$(cd "$B" && unzip -o -q aar/classes.jar com/unipos/sdk/UniPosClient.class -d cls && javap -v cls/com/unipos/sdk/UniPosClient.class | sed -n 's/ *major version: *//p')
check "Java 8 bytecode (minSdk 24 desugaring-free), got major $major" "[ '$major' = 52 ]"
check "manifest: well-formed XML" "python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' '$B/aar/AndroidManifest.xml'"
check "manifest: package com.unipos.sdk" "grep -q 'package=\"com.unipos.sdk\"' '$B/aar/AndroidManifest.xml'"
check "manifest: minSdk 24" "grep -q 'minSdkVersion=\"24\"' '$B/aar/AndroidManifest.xml'"
check "manifest: the payment permission request" "grep -q 'uses-permission android:name=\"com.unipos.permission.PAYMENT\"' '$B/aar/AndroidManifest.xml'"
check "manifest: <queries> for Android 11+" "grep -q '<package android:name=\"com.unipos.app\"' '$B/aar/AndroidManifest.xml'"
check "R.txt empty (no resources)" "[ ! -s '$B/aar/R.txt' ]"
check "the contract version in the AAR is the frozen latest api/<n>" "[ -d api/\$(grep -o 'CONTRACT_VERSION = [0-9]*' src/main/kotlin/com/unipos/sdk/UniPos.kt | grep -o '[0-9]*\$') ]"
size=$(stat -c %s "$B/unipos-sdk.aar")
echo "    $B/unipos-sdk.aar: $size bytes"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
