# Sourced by scripts/test-android-app.sh and scripts/build-apk.sh: builds android/app's two
# variants on the host, without Gradle, the way the Gradle build types do on a workstation:
#
#   debug   = src/main + src/debug    (simulated devices, emulator defaults, test TMK, StrictMode)
#   release = src/main + src/release  (vendor adapter required, no defaults, never a software TMK)
#
# Steps (each output under android/app/build/host/):
#   rust/       cargo build of unipos-ffi (host libunipos.so + uniffi-bindgen) and unipos-cli
#   gen-uniffi/ Kotlin bindings generated from that library
#   sdk/        sdk-aidl: Debian aidl -> Java -> javac against android-all API 24
#   res/        aapt2 compile of src/main/res (+ the JNA AAR's), aapt2 link per variant against the
#               API 34 framework: resources.ap_, R.java, the manifest's keep rules
#   r/          R.java compiled
#   compat/     app/compat (the only SDK_INT-guarded newer-API code) against API 34
#   core/       sdk-aidl's client library + bindings + android/core against API 24
#   classes-debug/, classes-release/   app main + variant against API 24 (= minSdk)
#
# The Kotlin steps cost most (each kotlinc run 20-80 s here), so they are skipped when a stamp of
# their inputs (sources, generated bindings, R.java, classpath) matches: build-apk.sh after
# test-android-app.sh reuses the classes the tests ran against.
#
# Needs: the env of scripts/setup-jvm.sh sourced; ROOT (repo root). Defines:
#   android_host_build        run all of the above
#   AH_* variables            paths of the outputs
# shellcheck shell=bash

AH_PACKAGE=com.unipos.app
AH_VERSION_CODE=1
AH_VERSION_NAME=0.1.0
AH_MIN_SDK=24
AH_TARGET_SDK=35

ah_say() { printf "==> [%3ds] %s\n" "$(( $(date +%s) - ${AH_T0:-$(date +%s)} ))" "$*" >&2; }
ah_fail() { echo "android-host-build: FAILED: $*" >&2; return 1; }

# kotlinc with warnings hidden; the caller checks for an expected class file
ah_kc() { kotlinc -nowarn -no-reflect "$@" 2>&1 | grep -v '^warning:' >&2 || true; }

# A stamp over files and strings: sha1 of every file's content plus the extra words.
ah_stamp_of() {
    { for f in "$@"; do
        if [ -f "$f" ]; then sha1sum "$f"; elif [ -d "$f" ]; then find "$f" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha1sum; else echo "$f"; fi
      done; } | sha1sum | cut -d' ' -f1
}

# The manifest as Gradle's merger would give it: package, version, uses-sdk added.
ah_merge_manifest() { # src out
    sed -e "s|<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">|<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\"\\
    package=\"$AH_PACKAGE\" android:versionCode=\"$AH_VERSION_CODE\" android:versionName=\"$AH_VERSION_NAME\">\\
    <uses-sdk android:minSdkVersion=\"$AH_MIN_SDK\" android:targetSdkVersion=\"$AH_TARGET_SDK\" />|" "$1" > "$2"
    grep -q "package=\"$AH_PACKAGE\"" "$2" || ah_fail "manifest merge: <manifest> opening tag not found in $1"
}

android_host_build() {
    AH_T0=${AH_T0:-$(date +%s)}
    local target="${CARGO_TARGET_DIR:-$ROOT/target}"
    AH_B="$ROOT/android/app/build/host"
    AH_LIB="$target/debug/libunipos.so"
    AH_UNIPOS_BIN="$target/debug/unipos"
    mkdir -p "$AH_B"
    local app=android/app/src

    # ---- Rust ---------------------------------------------------------------------------------------
    ah_say "cargo build -p unipos-ffi (libunipos.so + uniffi-bindgen) and -p unipos-cli (host simulator)"
    cargo build -q -p unipos-ffi --features bindgen --lib --bin uniffi-bindgen || ah_fail "cargo build unipos-ffi" || return 1
    cargo build -q -p unipos-cli || ah_fail "cargo build unipos-cli" || return 1
    rm -rf "$AH_B/gen-uniffi"; mkdir -p "$AH_B/gen-uniffi"
    "$target/debug/uniffi-bindgen" generate --library "$AH_LIB" --language kotlin --out-dir "$AH_B/gen-uniffi" --no-format >/dev/null \
        || ah_fail "uniffi-bindgen" || return 1

    # ---- sdk-aidl AIDL --------------------------------------------------------------------------------
    ah_say "sdk-aidl: aidl -> Java, javac against android-all API $UNIPOS_ANDROID_COMPILE_SDK"
    rm -rf "$AH_B/gen-aidl" "$AH_B/sdk"; mkdir -p "$AH_B/gen-aidl" "$AH_B/sdk"
    local f
    for f in $(cd sdk-aidl/src/main/aidl && find . -name '*.aidl'); do
        "$UNIPOS_AIDL" --lang=java -I sdk-aidl/src/main/aidl -o "$AH_B/gen-aidl" "sdk-aidl/src/main/aidl/$f" || ah_fail "aidl $f" || return 1
    done
    javac -nowarn --release 8 -Xlint:-options -encoding UTF-8 -cp "$UNIPOS_ANDROID_JAR" -d "$AH_B/sdk" $(find "$AH_B/gen-aidl" -name '*.java') \
        || ah_fail "javac AIDL" || return 1

    # ---- resources: aapt2 -----------------------------------------------------------------------------
    ah_say "resources: aapt2 compile + link per variant against android-all API 34"
    rm -rf "$AH_B/res" "$AH_B/r"; mkdir -p "$AH_B/res/flat" "$AH_B/r"
    aapt2 compile --dir "$app/main/res" -o "$AH_B/res/flat/app.zip" || ah_fail "aapt2 compile app res" || return 1
    local jna_res="$AH_B/res/jna-aar"
    mkdir -p "$jna_res" && (cd "$jna_res" && unzip -qo "$UNIPOS_JNA_AAR" 'res/*' 'jni/*' classes.jar) || ah_fail "unzip JNA AAR" || return 1
    aapt2 compile --dir "$jna_res/res" -o "$AH_B/res/flat/jna.zip" || ah_fail "aapt2 compile JNA res" || return 1
    AH_JNA_CLASSES="$jna_res/classes.jar"
    AH_JNA_JNI="$jna_res/jni"
    local v
    for v in debug release; do
        mkdir -p "$AH_B/res/$v/gen"
        ah_merge_manifest "$app/main/AndroidManifest.xml" "$AH_B/res/$v/AndroidManifest.xml" || return 1
        local mode=()
        [ "$v" = debug ] && mode=(--debug-mode)
        # --warn-manifest-validation: Debian's aapt2 2.19 predates <property> (API 31) in <service>;
        # that one message is expected, any other manifest complaint fails below.
        aapt2 link -o "$AH_B/res/$v/resources.ap_" -I "$UNIPOS_ANDROID_LINK_JAR" \
            --manifest "$AH_B/res/$v/AndroidManifest.xml" --java "$AH_B/res/$v/gen" \
            --proguard "$AH_B/res/$v/aapt-rules.pro" --auto-add-overlay --warn-manifest-validation "${mode[@]}" \
            "$AH_B/res/flat/jna.zip" "$AH_B/res/flat/app.zip" > "$AH_B/res/$v/link.log" 2>&1 \
            || { cat "$AH_B/res/$v/link.log" >&2; ah_fail "aapt2 link ($v)"; return 1; }
        if grep -v "Unknown chunk type\|unexpected element <property> found in <manifest><application><service>" "$AH_B/res/$v/link.log" | grep -q .; then
            cat "$AH_B/res/$v/link.log" >&2; ah_fail "aapt2 link ($v) complained"; return 1
        fi
    done
    # Both variants link the same resources: the ids (compiled into the classes) must agree.
    cmp -s "$AH_B/res/debug/gen/com/unipos/app/R.java" "$AH_B/res/release/gen/com/unipos/app/R.java" \
        || ah_fail "R.java differs between the variants" || return 1
    javac -nowarn --release 8 -Xlint:-options -encoding UTF-8 -d "$AH_B/r" $(find "$AH_B/res/debug/gen" -name R.java) \
        || ah_fail "javac R" || return 1

    # ---- Kotlin (stamped) -----------------------------------------------------------------------------
    local deps="$UNIPOS_JNA_JAR:$UNIPOS_COROUTINES_JAR"
    local stamp
    stamp=$(ah_stamp_of "$app/main/kotlin" "$app/debug/kotlin" "$app/release/kotlin" android/core/src/main/kotlin \
        sdk-aidl/src/main/kotlin "$AH_B/gen-uniffi" "$AH_B/res/debug/gen" "$UNIPOS_ANDROID_JAR" "$UNIPOS_ANDROID_LINK_JAR" \
        "kotlin $UNIPOS_KOTLIN_VERSION" "$deps")
    if [ "$(cat "$AH_B/kotlin.stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$AH_B/classes-release/com/unipos/app/UniPosApplication.class" ]; then
        ah_say "Kotlin classes up to date (stamp $stamp): reused"
    else
        rm -f "$AH_B/kotlin.stamp"
        rm -rf "$AH_B/compat" "$AH_B/core" "$AH_B/classes-debug" "$AH_B/classes-release"
        mkdir -p "$AH_B/compat" "$AH_B/core" "$AH_B/classes-debug" "$AH_B/classes-release"
        ah_say "kotlinc android/app compat/ against android-all API 34 (the only newer-API code, SDK_INT-guarded)"
        ah_kc -jvm-target 17 -cp "$UNIPOS_ANDROID_LINK_JAR:$AH_B/r" -d "$AH_B/compat" $(find "$app/main/kotlin/com/unipos/app/compat" -name '*.kt')
        [ -f "$AH_B/compat/com/unipos/app/compat/Signers.class" ] || ah_fail "kotlinc compat" || return 1
        # android/core is plain JVM code (scripts/test-jvm.sh checks it has no android.* import).
        ah_say "kotlinc sdk-aidl client + bindings + android/core against android-all API $UNIPOS_ANDROID_COMPILE_SDK"
        ah_kc -jvm-target 17 -cp "$UNIPOS_ANDROID_JAR:$AH_B/sdk:$deps" -d "$AH_B/core" \
            $(find sdk-aidl/src/main/kotlin "$AH_B/gen-uniffi" android/core/src/main/kotlin -name '*.kt')
        [ -f "$AH_B/core/com/unipos/core/PosCore.class" ] || ah_fail "kotlinc android/core" || return 1
        for v in debug release; do
            ah_say "kotlinc android/app main + $v against android-all API $UNIPOS_ANDROID_COMPILE_SDK (minSdk)"
            ah_kc -jvm-target 17 -cp "$UNIPOS_ANDROID_JAR:$AH_B/sdk:$AH_B/core:$AH_B/compat:$AH_B/r:$deps" -d "$AH_B/classes-$v" \
                $(find "$app/main/kotlin" "$app/$v/kotlin" -name '*.kt' -not -path '*/compat/*')
            [ -f "$AH_B/classes-$v/com/unipos/app/service/PaymentService.class" ] && [ -f "$AH_B/classes-$v/com/unipos/app/variant/Variant.class" ] \
                || ah_fail "kotlinc android/app ($v)" || return 1
        done
        echo "$stamp" > "$AH_B/kotlin.stamp"
    fi
    if [ -f "$AH_B/classes-release/com/unipos/app/hardware/SimulatedHardware.class" ]; then
        ah_fail "the release classes contain the simulated devices" || return 1
    fi
    if grep -rnE '^\s*import\s+androidx?\.(appcompat|compose|core|fragment|lifecycle|recyclerview)' "$app/main" "$app/debug" "$app/release"; then
        ah_fail "android/app must use platform widgets only (no AndroidX / Compose)" || return 1
    fi
    # The classpath of a variant's app classes (what the tests and D8/R8 take).
    AH_CP_DEBUG="$AH_B/classes-debug:$AH_B/compat:$AH_B/core:$AH_B/sdk:$AH_B/r"
    AH_CP_RELEASE="$AH_B/classes-release:$AH_B/compat:$AH_B/core:$AH_B/sdk:$AH_B/r"
    AH_DEPS="$deps"
}
