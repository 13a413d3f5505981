#!/usr/bin/env bash
# Runs every test of unipos: formatting, lints, the Rust workspace tests, a short fuzz run,
# the JVM side (AIDL contract, Kotlin bridge, Android app's two builds under Robolectric), and the
# signed debug and release APKs with their gates.
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

step "Rust-Kotlin bridge: libunipos + uniffi bindings + android/core JVM tests"
scripts/test-jvm.sh

step "android/app, debug and release builds: service, pay Intent, provisioning, lifecycle under Robolectric over the real library"
scripts/test-android-app.sh

step "android/app APKs: debug (D8) and release (R8), signed, with their gates (badging, manifest, dexdump, API 24 check)"
scripts/build-apk.sh
