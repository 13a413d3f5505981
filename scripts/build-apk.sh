#!/usr/bin/env bash
# Builds the app as real, signed APKs without Gradle or the Android SDK (docs/android-app.md, "The
# APK built here"), and checks them:
#
#   android/app/build/apk/unipos-debug.apk     main + src/debug,   D8 (debug mode)
#   android/app/build/apk/unipos-release.apk   main + src/release, R8 with the project's keep rules
#
# From: the classes scripts/lib/android-host-build.sh compiles (reused when test-android-app.sh
# just built them), aapt2 (Debian android-sdk-build-tools) linked against the API 34 framework,
# D8/R8 9.5.28 (Maven Central), the JNA AAR's libjnidispatch.so, zipalign, and apksigner with a
# throwaway key made here (a terminal APK is re-signed by the vendor: docs/android-app.md).
#
# Gates (any failure fails the script): apksigner verify, zipalign -c -p 4, aapt2 dump badging
# (package, minSdk 24, targetSdk 35, the launcher activity), the manifest (the payment service, the
# foreground service and its type, the job service, the payment permission signature|knownSigner
# with knownCerts, the managed-configuration meta-data), dexdump holding every manifest component
# class (also after R8), no simulated devices or software key wrapper in the release dex, and an API 24 check of every
# java.* / android.* call (animal-sniffer with the Android API 24 signature).
#
# What the APKs LACK: lib/<abi>/libunipos.so. It needs the Android NDK (bionic), which this machine
# cannot have; nothing here installs or runs the APKs. Last line: "N passed, N failed" (gates).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
AH_T0=$(date +%s)
say() { printf "==> [%3ds] %s\n" "$(( $(date +%s) - AH_T0 ))" "$*" >&2; }
die() { echo "build-apk: FAILED: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

say "toolchain (scripts/setup-jvm.sh)"
# shellcheck disable=SC1090
. "$(scripts/setup-jvm.sh --print-env-file)"
# shellcheck source=lib/android-host-build.sh
. scripts/lib/android-host-build.sh
android_host_build || die "host build of android/app"
B="$AH_B"
OUT="$ROOT/android/app/build/apk"
W="$OUT/work"
rm -rf "$W"; mkdir -p "$W" "$OUT"
JAVA_HOME_DIR="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
ABIS="arm64-v8a armeabi-v7a x86_64"          # android/app/build.gradle.kts abiFilters

PASSED=0 FAILED=0
gate() { # name command...
    local name="$1"; shift
    if "$@" > "$W/gate.log" 2>&1; then
        PASSED=$((PASSED + 1)); printf '  PASS  %s\n' "$name"
    else
        FAILED=$((FAILED + 1)); printf '  FAIL  %s\n' "$name"; sed 's/^/        /' "$W/gate.log" | tail -n 20
    fi
}

# ---- the signing key: throwaway, made once per build folder ---------------------------------------------
KS="$OUT/throwaway-signing.p12"
if [ ! -f "$KS" ]; then
    keytool -genkeypair -keystore "$KS" -storetype PKCS12 -storepass unipos-throwaway -keypass unipos-throwaway \
        -alias throwaway -keyalg RSA -keysize 2048 -validity 3650 \
        -dname "CN=unipos throwaway key, OU=host build not for terminals" >/dev/null 2>&1 || die "keytool"
fi

# Library keep rules that AGP would take from the dependencies' jars.
unzip -p "$UNIPOS_COROUTINES_JAR" META-INF/com.android.tools/r8/coroutines.pro > "$W/coroutines.pro" 2>/dev/null || : > "$W/coroutines.pro"

# The manifest's component classes (fully qualified), as the dex must hold them.
components() { # merged manifest
    tr '\n' ' ' < "$1" | grep -oE '<(application|activity|service|receiver|provider)\b[^>]*android:name="[^"]+"' \
        | grep -oE 'android:name="[^"]+"' | sed 's/android:name="//; s/"$//' \
        | sed "s/^\./$AH_PACKAGE./"
}

build_variant() { # variant
    local v="$1" cp dex="$W/$v/dex"
    mkdir -p "$dex"
    if [ "$v" = debug ]; then cp="$AH_CP_DEBUG"; else cp="$AH_CP_RELEASE"; fi
    # One jar of the app's own classes (app + variant, compat, core + bindings, sdk-aidl, R).
    mkdir -p "$W/$v/classes"
    local d
    for d in ${cp//:/ }; do cp -r "$d/." "$W/$v/classes/"; done
    (cd "$W/$v/classes" && jar cf "$W/$v/app-classes.jar" .)
    # kotlin-stdlib's compile-only annotations (org.jetbrains:annotations, a Maven dependency of the
    # stdlib under Gradle) go on R8's classpath, not into the APK.
    local inputs=("$W/$v/app-classes.jar" "$UNIPOS_KOTLIN_STDLIB" "$UNIPOS_COROUTINES_JAR" "$AH_JNA_CLASSES")
    local t=$(date +%s)
    if [ "$v" = debug ]; then
        say "D8 (debug mode, min-api 24)"
        java -Xmx2g -cp "$UNIPOS_R8_JAR" com.android.tools.r8.D8 --debug --min-api 24 \
            --lib "$JAVA_HOME_DIR" --lib "$UNIPOS_ANDROID_LINK_JAR" --output "$dex" "${inputs[@]}" > "$W/$v/dex.log" 2>&1 \
            || { cat "$W/$v/dex.log" >&2; die "D8"; }
    else
        say "R8 (release, min-api 24; keep rules: aapt2's, android/app, android/core, sdk-aidl, coroutines, the AGP stand-in)"
        java -Xmx3g -cp "$UNIPOS_R8_JAR" com.android.tools.r8.R8 --release --min-api 24 \
            --lib "$JAVA_HOME_DIR" --lib "$UNIPOS_ANDROID_LINK_JAR" --output "$dex" \
            --pg-conf "$B/res/release/aapt-rules.pro" --pg-conf android/app/proguard-rules.pro \
            --pg-conf android/app/proguard-android-optimize-standin.pro --pg-conf android/core/consumer-rules.pro \
            --pg-conf sdk-aidl/consumer-rules.pro --pg-conf "$W/coroutines.pro" \
            --classpath "$KOTLIN_HOME/lib/annotations-13.0.jar" \
            --pg-map-output "$OUT/unipos-release-mapping.txt" "${inputs[@]}" > "$W/$v/dex.log" 2>&1 \
            || { cat "$W/$v/dex.log" >&2; die "R8"; }
    fi
    say "  $(ls "$dex"/classes*.dex | wc -l) dex file(s), $(du -cb "$dex"/classes*.dex | tail -1 | cut -f1) bytes, $(( $(date +%s) - t )) s"

    # Package: the linked resources, the dex, Kotlin's builtins, libjnidispatch.so per ABI (stored).
    local apk="$W/$v/unsigned.apk"
    cp "$B/res/$v/resources.ap_" "$apk"
    (cd "$dex" && zip -q -X "$apk" classes*.dex)
    mkdir -p "$W/$v/kt" && (cd "$W/$v/kt" && unzip -qo "$UNIPOS_KOTLIN_STDLIB" 'kotlin/*.kotlin_builtins' 'kotlin/*/*.kotlin_builtins' 2>/dev/null || true)
    [ -d "$W/$v/kt/kotlin" ] && (cd "$W/$v/kt" && zip -q -X -r "$apk" kotlin)
    mkdir -p "$W/$v/native"
    local abi
    for abi in $ABIS; do
        mkdir -p "$W/$v/native/lib/$abi" && cp "$AH_JNA_JNI/$abi/libjnidispatch.so" "$W/$v/native/lib/$abi/"
    done
    (cd "$W/$v/native" && zip -q -X -0 -r "$apk" lib)
    zipalign -p -f 4 "$apk" "$W/$v/aligned.apk" || die "zipalign ($v)"
    apksigner sign --ks "$KS" --ks-pass pass:unipos-throwaway --ks-key-alias throwaway --min-sdk-version 24 \
        --v1-signing-enabled false --v2-signing-enabled true --v3-signing-enabled true \
        --out "$OUT/unipos-$v.apk" "$W/$v/aligned.apk" || die "apksigner sign ($v)"
    rm -f "$OUT/unipos-$v.apk.idsig"
}

check_variant() { # variant
    local v="$1" apk="$OUT/unipos-$v.apk" dex="$W/$v/dex"
    echo "gates: unipos-$v.apk ($(stat -c %s "$apk") bytes)"
    gate "apksigner verify" apksigner verify --min-sdk-version 24 "$apk"
    gate "zipalign -c -p 4" zipalign -c -p 4 "$apk"
    aapt2 dump badging "$apk" > "$OUT/unipos-$v.badging.txt" 2>&1 || true
    aapt2 dump xmltree --file AndroidManifest.xml "$apk" > "$W/$v/manifest.txt" 2>&1 || true
    local b="$OUT/unipos-$v.badging.txt" m="$W/$v/manifest.txt"
    gate "badging: package com.unipos.app 1 / 0.1.0" grep -q "^package: name='com.unipos.app' versionCode='1' versionName='0.1.0'" "$b"
    gate "badging: minSdk 24" grep -q "^sdkVersion:'24'" "$b"
    gate "badging: targetSdk 35" grep -q "^targetSdkVersion:'35'" "$b"
    gate "badging: launcher activity" grep -q "^launchable-activity: name='com.unipos.app.ui.CashierActivity'" "$b"
    gate "badging: native code $ABIS" grep -q "^native-code: 'arm64-v8a' 'armeabi-v7a' 'x86_64'" "$b"
    gate "manifest: payment service + bind action" bash -c "grep -q 'com.unipos.app.service.PaymentService\|\\.service\\.PaymentService' '$m' && grep -q 'com.unipos.action.BIND_PAYMENT_SERVICE' '$m'"
    gate "manifest: permission signature|knownSigner (0x08000002) + knownCerts" bash -c \
        "grep -q 'com.unipos.permission.PAYMENT' '$m' && grep -q 'protectionLevel(0x01010009)=0x8000002\|protectionLevel(0x01010009)=0x08000002' '$m' && grep -q 'knownCerts' '$m'"
    gate "manifest: managed configuration meta-data (@xml/app_restrictions)" bash -c \
        "grep -q 'android.content.APP_RESTRICTIONS' '$m' && unzip -l '$apk' | grep -q 'res/xml/app_restrictions.xml'"
    gate "manifest: foreground service, type specialUse (0x40000000)" bash -c \
        "grep -q 'TransactionForegroundService' '$m' && grep -q 'foregroundServiceType(0x01010599)=0x40000000' '$m'"
    gate "manifest: job service behind BIND_JOB_SERVICE" bash -c "grep -q 'MaintenanceJobService' '$m' && grep -q 'android.permission.BIND_JOB_SERVICE' '$m'"
    if [ "$v" = debug ]; then
        gate "manifest: debuggable (debug build)" grep -q 'debuggable(0x0101000f)=true' "$m"
    else
        gate "manifest: not debuggable (release build)" bash -c "! grep -q 'debuggable' '$m'"
    fi
    local f
    for f in "$dex"/classes*.dex; do dexdump "$f" 2>/dev/null | grep "Class descriptor" ; done \
        | sed "s/.*'L//; s/;'//; s|/|.|g" | LC_ALL=C sort -u > "$W/$v/dex-classes.txt"
    local missing=""
    for c in $(components "$B/res/$v/AndroidManifest.xml"); do grep -qx "$c" "$W/$v/dex-classes.txt" || missing="$missing $c"; done
    gate "dexdump: every manifest component class ($(components "$B/res/$v/AndroidManifest.xml" | wc -l))" test -z "$missing"
    [ -z "$missing" ] || echo "        missing:$missing"
    gate "dexdump: the core bindings and JNA are in" bash -c "grep -qx com.unipos.core.ffi.PosTerminal '$W/$v/dex-classes.txt' && grep -qx com.sun.jna.Native '$W/$v/dex-classes.txt'"
    if [ "$v" = release ]; then
        gate "dexdump: no simulated devices in the release build" bash -c "! grep -q 'SimulatedHardware' '$W/$v/dex-classes.txt'"
        # Not referenced by release code (R8 drops it). NB: with no vendor adapter linked in (none is
        # public), R8 also proves that no VendorHardwareFactory can exist and drops the transacting
        # path (CoreEngine, the keystore wrapper): this APK can only refuse transactions. A vendor
        # library module brings its factory (kept by proguard-rules.pro) and with it that path.
        gate "dexdump: no software key-wrapping stand-in in the release build" bash -c \
            "! grep -q 'SoftwareKeyWrapper' '$W/$v/dex-classes.txt'"
    fi
    echo "  $(wc -l < "$W/$v/dex-classes.txt") classes in the dex"
}

api_check() { # variant
    local v="$1" t="$W/$v/api-tree"
    # uniffi's JavaLangRefCleaner/JavaLangRefCleanable use java.lang.ref.Cleaner (Java 9) only after
    # Class.forName finds it; on Android 7 the bindings take JNA's cleaner. Everything else is checked.
    mkdir -p "$t" && cp -r "$W/$v/classes/." "$t/"
    # Known (they ship) but not checked: those two, and compat/ (SDK_INT-guarded newer API on purpose,
    # compiled against API 34; Lint's NewApi checks it on a workstation).
    local compat="$W/$v/api-unchecked"; mkdir -p "$compat/com/unipos/app" "$compat/com/unipos/core/ffi"
    mv "$t"/com/unipos/core/ffi/JavaLangRefCleaner.class "$t"/com/unipos/core/ffi/JavaLangRefCleanable.class "$compat/com/unipos/core/ffi/"
    mv "$t/com/unipos/app/compat" "$compat/com/unipos/app/"
    gate "API 24 check of java.* and android.* calls ($v, animal-sniffer)" \
        java -cp "$UNIPOS_ANIMAL_SNIFFER_CP" scripts/tools/ApiCheck.java "$UNIPOS_ANDROID_SIGNATURE" "$t" \
            -- "$compat" "$UNIPOS_KOTLIN_STDLIB" "$UNIPOS_COROUTINES_JAR" "$AH_JNA_CLASSES"
}

for v in debug release; do
    say "APK: $v"
    build_variant "$v"
done
for v in debug release; do
    check_variant "$v"
    api_check "$v"
done

echo
echo "aapt2 dump badging android/app/build/apk/unipos-release.apk:"
sed 's/^/  /' "$OUT/unipos-release.badging.txt"
echo
printf 'unipos-debug.apk    %8d bytes  (%s)\n' "$(stat -c %s "$OUT/unipos-debug.apk")" "$OUT/unipos-debug.apk"
printf 'unipos-release.apk  %8d bytes  (%s; R8 mapping unipos-release-mapping.txt)\n' "$(stat -c %s "$OUT/unipos-release.apk")" "$OUT/unipos-release.apk"
echo "NOTE: neither APK contains lib/<abi>/libunipos.so: it needs the Android NDK, which this machine cannot have."
say "done in $(( $(date +%s) - AH_T0 )) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
