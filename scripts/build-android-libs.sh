#!/usr/bin/env bash
# Builds libunipos.so for Android with cargo-ndk into android/core/src/main/jniLibs/<abi>/
# (arm64-v8a, armeabi-v7a, x86_64), release profile (thin LTO, stripped). Called by the Gradle
# task :core:cargoNdkBuild, or by hand.
#
# NEEDS the Android NDK (r26+; ANDROID_NDK_HOME or the SDK's ndk/<version>), rustup with the
# Android targets, and cargo-ndk. None of these is available on the project's CI machines (no
# NDK anywhere reachable), so this script has NOT been run there: the runnable proxy is
# scripts/test-aarch64.sh (aarch64-unknown-linux-gnu under qemu). See docs/ffi.md.
#
# Usage: scripts/build-android-libs.sh [--debug] [abi...]     (default: all three ABIs, release)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=--release
if [ "${1:-}" = --debug ]; then PROFILE=""; shift; fi
ABIS=("$@")
[ "${#ABIS[@]}" -gt 0 ] || ABIS=(arm64-v8a armeabi-v7a x86_64)
MIN_SDK="${UNIPOS_ANDROID_MIN_SDK:-24}"
OUT=android/core/src/main/jniLibs

command -v cargo-ndk >/dev/null 2>&1 || {
    echo "cargo-ndk missing: cargo install cargo-ndk --locked" >&2; exit 1; }
if [ -z "${ANDROID_NDK_HOME:-}${ANDROID_NDK_ROOT:-}" ] && [ ! -d "${ANDROID_HOME:-/nonexistent}/ndk" ]; then
    echo "no Android NDK: set ANDROID_NDK_HOME (cargo-ndk also finds \$ANDROID_HOME/ndk/<version>)" >&2
    exit 1
fi
declare -A TRIPLE=([arm64-v8a]=aarch64-linux-android [armeabi-v7a]=armv7-linux-androideabi
                   [x86_64]=x86_64-linux-android [x86]=i686-linux-android)
targets=()
for abi in "${ABIS[@]}"; do
    [ -n "${TRIPLE[$abi]:-}" ] || { echo "unknown ABI $abi" >&2; exit 1; }
    rustup target add "${TRIPLE[$abi]}" >/dev/null
    targets+=(-t "$abi")
done
# -p: the platform (minSdk) the NDK clang links against; -o: jniLibs/<abi>/libunipos.so.
# Only the library target: the bindgen binary is a host tool (feature `bindgen`, off here).
cargo ndk "${targets[@]}" -p "$MIN_SDK" -o "$OUT" build $PROFILE -p unipos-ffi --lib
ls -l "$OUT"/*/libunipos.so
