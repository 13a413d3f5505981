#!/usr/bin/env bash
# Installs the JVM side's toolchain on a fresh Debian 12 machine, from the registries this
# project can reach (npm, Maven Central, Debian apt), into one cache directory:
#
#   kotlinc 2.4.20            npm pack kotlin-compiler (JetBrains' full distribution)
#   aidl                      Debian package `aidl` (Android 10's aidl, to Java)
#   android-all (API 24, 30)  org.robolectric:android-all: the real android.* classes, to compile
#                             against (API 24 = Android 7.0, our minSdk) and for test classpaths (30)
#   android-all-instrumented  what Robolectric loads at test time (API 24 and API 30), pre-fetched
#                             so Robolectric runs offline (robolectric.offline=true)
#   Robolectric 4.17          and its whole transitive closure (JUnit 4.13.2, hamcrest-core 1.3, ...)
#   JNA, kotlinx-coroutines   for the uniffi bindings on the host JVM (JNA's jar carries
#                             libjnidispatch for linux-x86-64); JNA's Android AAR too
#
# and the APK toolchain (scripts/build-apk.sh; android/app's resources for the host tests):
#   aapt2, apksigner, zipalign  Debian packages android-sdk-build-tools (aapt2 2.19), dexdump
#   D8 / R8 9.5.28            com.android.tools:r8 (Maven Central)
#   android-all API 34        org.robolectric:android-all:14-robolectric-10818077: the framework
#                             `aapt2 link -I` links resources against (the newest aapt2 2.19 reads)
#   Jazzer 0.24.0             com.code-intelligence:jazzer + jazzer-api (scripts/fuzz-jvm.sh)
#   animal-sniffer 1.24       + the Android API 24 signature (net.sf.androidscents.signature:
#                             android-api-level-24:7.0_r2): java.* and android.* calls vs minSdk
#
# Idempotent and non-interactive; a second run only checks a stamp and prints the environment
# (well under a second). Writes a sourceable file:
#
#   . "$(scripts/setup-jvm.sh --print-env-file)"       # or: eval "$(scripts/setup-jvm.sh --exports)"
#
# Options:  --quiet             print nothing but errors
#           --print-env-file    print only the path of env.sh (after making sure all is installed)
#           --exports           print only the `export ...` lines (after making sure all is installed)
#           --force             re-resolve everything (ignores the stamps)
# Environment: UNIPOS_JVM_HOME  cache directory (default $HOME/.cache/unipos-jvm)
set -euo pipefail

# ---- pinned versions (change here; everything else follows) --------------------------------------
KOTLIN_VERSION=2.4.20
KOTLIN_TGZ_SHA1=29e70cd78d185cc7e4d5292548477984256f406f   # npm pack kotlin-compiler@2.4.20
ROBOLECTRIC_VERSION=4.17
JUNIT_VERSION=4.13.2
HAMCREST_VERSION=1.3
JNA_VERSION=5.18.1
COROUTINES_VERSION=1.10.2
DEPENDENCY_PLUGIN_VERSION=3.8.1
# android-all versions exactly as Robolectric 4.17's DefaultSdkProvider names them
ANDROID_ALL_COMPILE=7.0.0_r1-robolectric-r1            # API 24: compile classpath (minSdk)
ANDROID_ALL_TEST=11-robolectric-6757853                 # API 30: the android.jar of a test classpath
ANDROID_ALL_RUNTIME_SDKS="24 30"                        # API levels the Robolectric tests run on
declare -A ANDROID_ALL_INSTRUMENTED=(
    [24]=7.0.0_r1-robolectric-r1-i7
    [30]=11-robolectric-6757853-i7
)
# APK toolchain (separate pom and stamp: changing it never re-resolves the test jars above)
R8_VERSION=9.5.28
ANDROID_ALL_LINK=14-robolectric-10818077                # API 34: framework for aapt2 link
ANIMAL_SNIFFER_VERSION=1.24
ANDROID_SIGNATURE=net.sf.androidscents.signature:android-api-level-24:7.0_r2   # minSdk 24
# JVM fuzzing (scripts/fuzz-jvm.sh): Jazzer's standalone driver (its jar carries libFuzzer for
# linux-x86-64) and its API (separate pom and stamp too)
JAZZER_VERSION=0.24.0

# ---- options ---------------------------------------------------------------------------------------
QUIET=0 MODE=summary FORCE=0
for arg in "$@"; do
    case "$arg" in
        --quiet) QUIET=1 ;;
        --print-env-file) MODE=envfile; QUIET=1 ;;
        --exports) MODE=exports; QUIET=1 ;;
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        *) echo "setup-jvm: unknown option $arg" >&2; exit 2 ;;
    esac
done
say() { [ "$QUIET" = 1 ] || echo "setup-jvm: $*" >&2; }
die() { echo "setup-jvm: ERROR: $*" >&2; exit 1; }

JVM_HOME="${UNIPOS_JVM_HOME:-$HOME/.cache/unipos-jvm}"
mkdir -p "$JVM_HOME"
JVM_HOME="$(cd "$JVM_HOME" && pwd)"
ENV_FILE="$JVM_HOME/env.sh"
T0=$(date +%s%N)

# One installer at a time (test scripts of several modules may call this concurrently).
exec 9>"$JVM_HOME/.lock"
flock 9

command -v java >/dev/null || die "java (JDK 17) is required"
command -v javac >/dev/null || die "javac (JDK 17) is required"

# ---- 1. Debian aidl --------------------------------------------------------------------------------
apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
        say "apt-get update (package list missing or stale)"
        $sudo apt-get update -q >/dev/null
        $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null
    fi
}
if ! command -v aidl >/dev/null 2>&1; then
    say "installing Debian aidl"
    apt_install aidl
fi
AIDL_BIN="$(command -v aidl)" || die "aidl not installed"
# aapt2 (package aapt), apksigner, zipalign come with android-sdk-build-tools; dexdump is its own.
if ! command -v aapt2 >/dev/null 2>&1 || ! command -v apksigner >/dev/null 2>&1 \
        || ! command -v zipalign >/dev/null 2>&1 || ! command -v dexdump >/dev/null 2>&1 \
        || ! command -v zip >/dev/null 2>&1; then
    say "installing Debian android-sdk-build-tools (aapt2, apksigner, zipalign), dexdump, zip"
    apt_install android-sdk-build-tools dexdump zip
fi
for t in aapt2 apksigner zipalign dexdump zip; do command -v "$t" >/dev/null || die "$t not installed"; done

# ---- 2. kotlinc from npm ---------------------------------------------------------------------------
KOTLIN_HOME="$JVM_HOME/kotlinc-$KOTLIN_VERSION"
if [ "$FORCE" = 1 ] || [ ! -f "$KOTLIN_HOME/.ok" ]; then
    command -v npm >/dev/null || die "npm is required to fetch kotlin-compiler"
    say "fetching kotlin-compiler@$KOTLIN_VERSION from npm"
    rm -rf "$KOTLIN_HOME" "$KOTLIN_HOME.tmp"
    mkdir -p "$KOTLIN_HOME.tmp"
    (cd "$KOTLIN_HOME.tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null)
    tgz="$KOTLIN_HOME.tmp/kotlin-compiler-$KOTLIN_VERSION.tgz"
    got=$(sha1sum "$tgz" | cut -d' ' -f1)
    [ "$got" = "$KOTLIN_TGZ_SHA1" ] || die "kotlin-compiler tarball sha1 $got != pinned $KOTLIN_TGZ_SHA1"
    tar xzf "$tgz" -C "$KOTLIN_HOME.tmp"
    mv "$KOTLIN_HOME.tmp/package" "$KOTLIN_HOME"
    rm -rf "$KOTLIN_HOME.tmp"
    ver=$("$KOTLIN_HOME/bin/kotlinc" -version 2>&1 | grep -o 'kotlinc-jvm [0-9.]*' || true)
    [ "$ver" = "kotlinc-jvm $KOTLIN_VERSION" ] || die "kotlinc -version printed '$ver'"
    say "$ver OK"
    touch "$KOTLIN_HOME/.ok"
fi

# ---- 3. Maven Central artifacts --------------------------------------------------------------------
# A generated pom resolves everything in one mvn run, into a Maven repository inside the cache
# (self-contained; nothing is written to ~/.m2). Its hash is the stamp: change a version above
# and the next run re-resolves.
MVN_DIR="$JVM_HOME/maven"
M2="$JVM_HOME/m2"
mkdir -p "$MVN_DIR"
instrumented_items=""
for sdk in $ANDROID_ALL_RUNTIME_SDKS; do
    instrumented_items+="
              <artifactItem><groupId>org.robolectric</groupId><artifactId>android-all-instrumented</artifactId><version>${ANDROID_ALL_INSTRUMENTED[$sdk]}</version></artifactItem>"
done
POM_TEXT="<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<!-- generated by scripts/setup-jvm.sh; do not edit -->
<project xmlns=\"http://maven.apache.org/POM/4.0.0\">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.unipos.toolchain</groupId>
  <artifactId>unipos-jvm-deps</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.robolectric</groupId><artifactId>robolectric</artifactId><version>$ROBOLECTRIC_VERSION</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>$JUNIT_VERSION</version></dependency>
    <dependency><groupId>org.hamcrest</groupId><artifactId>hamcrest-core</artifactId><version>$HAMCREST_VERSION</version></dependency>
    <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>$JNA_VERSION</version></dependency>
    <!-- kotlin-stdlib comes from kotlinc $KOTLIN_VERSION itself (one stdlib on every classpath) -->
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-coroutines-core-jvm</artifactId><version>$COROUTINES_VERSION</version>
      <exclusions><exclusion><groupId>org.jetbrains.kotlin</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
        <executions>
          <execution>
            <id>classpath</id><phase>validate</phase><goals><goal>build-classpath</goal></goals>
            <configuration><outputFile>\${project.basedir}/classpath.txt</outputFile><includeScope>runtime</includeScope></configuration>
          </execution>
          <execution>
            <id>android-all</id><phase>validate</phase><goals><goal>copy</goal></goals>
            <configuration>
              <outputDirectory>\${project.basedir}/../android-all</outputDirectory>
              <artifactItems>
              <artifactItem><groupId>org.robolectric</groupId><artifactId>android-all</artifactId><version>$ANDROID_ALL_COMPILE</version></artifactItem>
              <artifactItem><groupId>org.robolectric</groupId><artifactId>android-all</artifactId><version>$ANDROID_ALL_TEST</version></artifactItem>$instrumented_items
              <artifactItem><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>$JNA_VERSION</version><type>aar</type><outputDirectory>\${project.basedir}/../android-libs</outputDirectory></artifactItem>
              </artifactItems>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>"
# Resolves a generated pom in DIR when its text changed since the last run (its hash is the
# stamp, written by the caller after its own post-processing as "$RESOLVED_HASH").
# Returns 1 (nothing to do) when up to date.
mvn_resolve() { # dir pom-text what
    local dir="$1" text="$2"
    RESOLVED_HASH=$(printf '%s' "$text" | sha1sum | cut -d' ' -f1)
    [ "$FORCE" = 1 ] || [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$RESOLVED_HASH" ] || return 1
    command -v mvn >/dev/null || die "mvn is required"
    say "resolving $3"
    mkdir -p "$dir"
    printf '%s\n' "$text" > "$dir/pom.xml"
    rm -f "$dir/.stamp"
    if ! mvn -B -q -f "$dir/pom.xml" -Dmaven.repo.local="$M2" validate >"$dir/mvn.log" 2>&1; then
        cat "$dir/mvn.log" >&2
        die "mvn failed (log above, also in $dir/mvn.log)"
    fi
}
if mvn_resolve "$MVN_DIR" "$POM_TEXT" "Maven Central artifacts (Robolectric $ROBOLECTRIC_VERSION closure, android-all jars, JNA, coroutines)"; then
    # lib/: one symlink per runtime jar (no copies: they stay in the cache's Maven repository).
    # An AAR on a JVM classpath is useless, so its classes.jar is extracted, as Gradle does.
    rm -rf "$JVM_HOME/lib"
    mkdir -p "$JVM_HOME/lib"
    { tr ':' '\n' < "$MVN_DIR/classpath.txt"; echo; } | while read -r f; do
        [ -n "$f" ] || continue
        case "$f" in
            *.jar) ln -s "$f" "$JVM_HOME/lib/$(basename "$f")" ;;
            *.aar) tmp=$(mktemp -d)
                   (cd "$tmp" && jar xf "$f" classes.jar 2>/dev/null) || true
                   [ -f "$tmp/classes.jar" ] && mv "$tmp/classes.jar" "$JVM_HOME/lib/$(basename "$f" .aar)-classes.jar"
                   rm -rf "$tmp" ;;
        esac
    done
    # android-all jars were copied out of the Maven repository; do not keep them twice (~300 MB).
    rm -rf "$M2/org/robolectric/android-all" "$M2/org/robolectric/android-all-instrumented"
    echo "$RESOLVED_HASH" > "$MVN_DIR/.stamp"
fi

# ---- 3b. APK toolchain from Maven Central ------------------------------------------------------------
APK_DIR="$JVM_HOME/apk-tools"
SIG_G=${ANDROID_SIGNATURE%%:*}; SIG_REST=${ANDROID_SIGNATURE#*:}; SIG_A=${SIG_REST%%:*}; SIG_V=${SIG_REST#*:}
APK_POM_TEXT="<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<!-- generated by scripts/setup-jvm.sh; do not edit -->
<project xmlns=\"http://maven.apache.org/POM/4.0.0\">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.unipos.toolchain</groupId>
  <artifactId>unipos-apk-tools</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.codehaus.mojo</groupId><artifactId>animal-sniffer</artifactId><version>$ANIMAL_SNIFFER_VERSION</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
        <executions>
          <execution>
            <id>sniffer-classpath</id><phase>validate</phase><goals><goal>build-classpath</goal></goals>
            <configuration><outputFile>\${project.basedir}/sniffer-classpath.txt</outputFile><includeScope>runtime</includeScope></configuration>
          </execution>
          <execution>
            <id>apk-tools</id><phase>validate</phase><goals><goal>copy</goal></goals>
            <configuration>
              <outputDirectory>\${project.basedir}</outputDirectory>
              <artifactItems>
              <artifactItem><groupId>com.android.tools</groupId><artifactId>r8</artifactId><version>$R8_VERSION</version></artifactItem>
              <artifactItem><groupId>$SIG_G</groupId><artifactId>$SIG_A</artifactId><version>$SIG_V</version><type>signature</type></artifactItem>
              <artifactItem><groupId>org.robolectric</groupId><artifactId>android-all</artifactId><version>$ANDROID_ALL_LINK</version><outputDirectory>\${project.basedir}/../android-all</outputDirectory></artifactItem>
              </artifactItems>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>"
if mvn_resolve "$APK_DIR" "$APK_POM_TEXT" "the APK toolchain (r8 $R8_VERSION, android-all $ANDROID_ALL_LINK, animal-sniffer $ANIMAL_SNIFFER_VERSION, $SIG_A)"; then
    rm -rf "$M2/org/robolectric/android-all/$ANDROID_ALL_LINK"
    echo "$RESOLVED_HASH" > "$APK_DIR/.stamp"
fi
R8_JAR="$APK_DIR/r8-$R8_VERSION.jar"
ANDROID_LINK_JAR="$JVM_HOME/android-all/android-all-$ANDROID_ALL_LINK.jar"
SIGNATURE_FILE="$APK_DIR/$SIG_A-$SIG_V.signature"
SNIFFER_CP=$(cat "$APK_DIR/sniffer-classpath.txt" 2>/dev/null || true)
for f in "$R8_JAR" "$ANDROID_LINK_JAR" "$SIGNATURE_FILE"; do [ -f "$f" ] || die "missing $f (run with --force)"; done
case "$SNIFFER_CP" in *animal-sniffer-$ANIMAL_SNIFFER_VERSION.jar*) ;; *) die "animal-sniffer classpath missing (run with --force)" ;; esac

# ---- 3c. Jazzer from Maven Central ---------------------------------------------------------------------
FUZZ_DIR="$JVM_HOME/fuzz-tools"
FUZZ_POM_TEXT="<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<!-- generated by scripts/setup-jvm.sh; do not edit -->
<project xmlns=\"http://maven.apache.org/POM/4.0.0\">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.unipos.toolchain</groupId>
  <artifactId>unipos-fuzz-tools</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
        <executions>
          <execution>
            <id>jazzer</id><phase>validate</phase><goals><goal>copy</goal></goals>
            <configuration>
              <outputDirectory>\${project.basedir}</outputDirectory>
              <artifactItems>
              <artifactItem><groupId>com.code-intelligence</groupId><artifactId>jazzer</artifactId><version>$JAZZER_VERSION</version></artifactItem>
              <artifactItem><groupId>com.code-intelligence</groupId><artifactId>jazzer-api</artifactId><version>$JAZZER_VERSION</version></artifactItem>
              </artifactItems>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>"
if mvn_resolve "$FUZZ_DIR" "$FUZZ_POM_TEXT" "Jazzer $JAZZER_VERSION"; then
    echo "$RESOLVED_HASH" > "$FUZZ_DIR/.stamp"
fi
JAZZER_JAR="$FUZZ_DIR/jazzer-$JAZZER_VERSION.jar"
JAZZER_API_JAR="$FUZZ_DIR/jazzer-api-$JAZZER_VERSION.jar"
for f in "$JAZZER_JAR" "$JAZZER_API_JAR"; do [ -f "$f" ] || die "missing $f (run with --force)"; done

LIB="$JVM_HOME/lib"
AA="$JVM_HOME/android-all"
ANDROID_JAR="$AA/android-all-$ANDROID_ALL_COMPILE.jar"
ANDROID_TEST_JAR="$AA/android-all-$ANDROID_ALL_TEST.jar"
for f in "$ANDROID_JAR" "$ANDROID_TEST_JAR"; do [ -f "$f" ] || die "missing $f (run with --force)"; done
for sdk in $ANDROID_ALL_RUNTIME_SDKS; do
    [ -f "$AA/android-all-instrumented-${ANDROID_ALL_INSTRUMENTED[$sdk]}.jar" ] || die "missing instrumented android-all for SDK $sdk (run with --force)"
done
# The runtime classpath, in a stable order.
TEST_CP=$(find "$LIB" -maxdepth 1 -name '*.jar' | LC_ALL=C sort | tr '\n' ':' | sed 's/:$//')
JNA_JAR="$LIB/jna-$JNA_VERSION.jar"
COROUTINES_JAR="$LIB/kotlinx-coroutines-core-jvm-$COROUTINES_VERSION.jar"
JUNIT_CP="$LIB/junit-$JUNIT_VERSION.jar:$LIB/hamcrest-core-$HAMCREST_VERSION.jar"
for f in "$JNA_JAR" "$COROUTINES_JAR" "$LIB/junit-$JUNIT_VERSION.jar" "$LIB/hamcrest-core-$HAMCREST_VERSION.jar" "$LIB/robolectric-$ROBOLECTRIC_VERSION.jar"; do
    [ -f "$f" ] || die "missing $f (run with --force)"
done

# ---- 4. env.sh -------------------------------------------------------------------------------------
ENV_TEXT="# generated by scripts/setup-jvm.sh; source it:  . \"$ENV_FILE\"
export UNIPOS_JVM_HOME=\"$JVM_HOME\"
export KOTLIN_HOME=\"$KOTLIN_HOME\"
case \":\$PATH:\" in *\":$KOTLIN_HOME/bin:\"*) ;; *) export PATH=\"$KOTLIN_HOME/bin:\$PATH\" ;; esac
export UNIPOS_KOTLIN_VERSION=\"$KOTLIN_VERSION\"
export UNIPOS_KOTLIN_STDLIB=\"$KOTLIN_HOME/lib/kotlin-stdlib.jar\"
export UNIPOS_AIDL=\"$AIDL_BIN\"
# the real android.* classes of API 24 (our minSdk) to compile main code against: using a newer API
# fails to compile, as it would crash an Android 7 terminal
export UNIPOS_ANDROID_JAR=\"$ANDROID_JAR\"
export UNIPOS_ANDROID_COMPILE_SDK=24
# the android.jar of a Robolectric TEST classpath (API 30; plays the role of Gradle's compileSdk
# android.jar): compile tests against it and put it last on the test runtime classpath. JUnit's
# reflection outside the sandbox needs it, and the SDK 24 sandbox links Robolectric's shadows of newer
# classes (SigningInfo, NetworkSpecifier...) through it. Inside the sandbox Robolectric loads the
# instrumented jar of the SDK each test runs on.
export UNIPOS_ANDROID_TEST_JAR=\"$ANDROID_TEST_JAR\"
# Robolectric's pre-fetched instrumented framework jars (the SDKs the tests may run on)
export UNIPOS_ANDROID_ALL_DIR=\"$AA\"
export UNIPOS_ROBOLECTRIC_SDKS=\"$ANDROID_ALL_RUNTIME_SDKS\"
export UNIPOS_ROBOLECTRIC_VERSION=\"$ROBOLECTRIC_VERSION\"
export UNIPOS_ROBOLECTRIC_JVM_ARGS=\"-Drobolectric.offline=true -Drobolectric.dependency.dir=$AA -Drobolectric.logging.enabled=false\"
# runtime classpath: Robolectric + its closure + JUnit $JUNIT_VERSION + hamcrest-core $HAMCREST_VERSION + JNA + coroutines
export UNIPOS_TEST_CP=\"$TEST_CP\"
export UNIPOS_JUNIT_CP=\"$JUNIT_CP\"
export UNIPOS_JNA_JAR=\"$JNA_JAR\"
export UNIPOS_JNA_AAR=\"$JVM_HOME/android-libs/jna-$JNA_VERSION.aar\"
export UNIPOS_COROUTINES_JAR=\"$COROUTINES_JAR\"
# APK toolchain (scripts/build-apk.sh): aapt2/apksigner/zipalign/dexdump are on PATH (Debian)
export UNIPOS_R8_JAR=\"$R8_JAR\"
# the framework aapt2 links resources against (API 34: the newest Debian's aapt2 2.19 can read)
export UNIPOS_ANDROID_LINK_JAR=\"$ANDROID_LINK_JAR\"
export UNIPOS_ANDROID_SIGNATURE=\"$SIGNATURE_FILE\"
export UNIPOS_ANIMAL_SNIFFER_CP=\"$SNIFFER_CP\"
export UNIPOS_JAZZER_VERSION=\"$JAZZER_VERSION\"
export UNIPOS_JAZZER_JAR=\"$JAZZER_JAR\"
export UNIPOS_JAZZER_API_JAR=\"$JAZZER_API_JAR\""
if [ "$(cat "$ENV_FILE" 2>/dev/null)" != "$ENV_TEXT" ]; then
    printf '%s\n' "$ENV_TEXT" > "$ENV_FILE.tmp" && mv "$ENV_FILE.tmp" "$ENV_FILE"
fi

case "$MODE" in
    envfile) echo "$ENV_FILE" ;;
    exports) grep '^export ' "$ENV_FILE" | grep -v '^export PATH' ; echo "export PATH=\"$KOTLIN_HOME/bin:\$PATH\"" ;;
    summary)
        ms=$(( ($(date +%s%N) - T0) / 1000000 ))
        say "ready in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s: $JVM_HOME"
        say "  kotlinc $KOTLIN_VERSION ($KOTLIN_HOME), aidl ($AIDL_BIN)"
        say "  android-all compile jar API 24; Robolectric $ROBOLECTRIC_VERSION offline SDKs: $ANDROID_ALL_RUNTIME_SDKS"
        say "  JUnit $JUNIT_VERSION, hamcrest-core $HAMCREST_VERSION, JNA $JNA_VERSION, kotlinx-coroutines $COROUTINES_VERSION"
        say "  APK: aapt2 $(aapt2 version 2>&1 | head -1), r8 $R8_VERSION, android-all API 34 (link), animal-sniffer $ANIMAL_SNIFFER_VERSION + API 24 signature"
        say "  source it:  . $ENV_FILE" ;;
esac
