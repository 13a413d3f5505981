#!/usr/bin/env bash
# Runs every test of unipos: formatting, lints, the Rust workspace tests, a short fuzz run,
# and the JVM side (AIDL contract, Kotlin bridge, Android app under Robolectric).
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

step "android/app: service, pay Intent and caller checks under Robolectric over the real library"
scripts/test-android-app.sh
