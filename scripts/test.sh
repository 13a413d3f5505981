#!/usr/bin/env bash
# Runs every test of unipos: formatting, lints, the Rust workspace tests, a short fuzz run,
# the JVM side (AIDL contract, the SDK's AAR, Kotlin bridge, Android app's two builds under
# Robolectric, a short Jazzer run of the third-party request decoding), and the signed debug and
# release APKs with their gates.
# This is the README's test command and exactly what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "structure: files of one concept, no import circles, no build-machine paths"
python3 scripts/check-structure.py

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (workspace)"
cargo test --workspace --locked

step "fuzzing: a short cargo-fuzz run of every target (scripts/fuzz.sh --long for more)"
scripts/fuzz.sh --seconds 10

step "sdk-aidl: AIDL contract, client library, Robolectric tests (host JVM)"
sdk-aidl/build-host.sh

step "sdk-aidl: the SDK's AAR (same tools as the APK) and its content gate"
sdk-aidl/build-aar.sh

step "Rust-Kotlin bridge: libunipos + uniffi bindings + android/core JVM tests"
scripts/test-jvm.sh

step "android/app, debug and release builds: service, pay Intent, provisioning, lifecycle under Robolectric over the real library"
scripts/test-android-app.sh

step "fuzzing the third-party request decoding (Intent extras, AIDL TransRequest -> core) with Jazzer, 20 s (scripts/fuzz-jvm.sh --long for more)"
scripts/fuzz-jvm.sh --seconds 20

step "android/app APKs: debug (D8) and release (R8), signed, with their gates (badging, manifest, dexdump, API 24 check)"
scripts/build-apk.sh
