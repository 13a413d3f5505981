#!/usr/bin/env bash
# The nearest runnable proof of the ARM64 build: cross-builds the Rust crates for
# aarch64-unknown-linux-gnu with Debian's rustc-web/cargo-web (rustup cannot fetch other targets
# here) and the arm64 standard library, and runs their tests under qemu-aarch64. Android itself
# (aarch64-linux-android) needs the NDK, which is not available: see docs/ffi.md.
#
# Recipe and gotchas (measured on this project's machines: the design notes, TOOLCHAIN.md §6):
#   1. rustup's cargo is first in PATH: use /usr/bin/cargo AND export RUSTC/RUSTDOC.
#   2. never pass `-L /usr/aarch64-linux-gnu` to qemu (threads spin forever); plain qemu-aarch64
#      uses the multiarch libc6:arm64. A timeout guards every qemu run anyway.
#
# Usage: scripts/test-aarch64.sh [cargo test args...]   (default: the FFI crate and what it wraps)
# Environment: CARGO_TARGET_DIR (default <repo>/target/aarch64-cross), AARCH64_TEST_TIMEOUT (s, 900)
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
say() { printf '==> %s\n' "$*" >&2; }

need_install=0
for c in /usr/bin/cargo /usr/bin/rustc aarch64-linux-gnu-gcc qemu-aarch64; do
    command -v "$c" >/dev/null 2>&1 || need_install=1
done
[ -d /usr/lib/rustlib/aarch64-unknown-linux-gnu ] || need_install=1
if [ "$need_install" = 1 ]; then
    say "installing rustc-web, cargo-web, arm64 std, cross gcc, qemu-user (apt)"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q --no-install-recommends \
        rustc-web cargo-web libstd-rust-web-dev:arm64 \
        gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi

export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
TIMEOUT="${AARCH64_TEST_TIMEOUT:-900}"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="timeout -k 10 $TIMEOUT qemu-aarch64"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/aarch64-cross}"
# Emulation is slow: give the host simulator time to answer in the engine tests.
export UNIPOS_TEST_RESPONSE_TIMEOUT_MS="${UNIPOS_TEST_RESPONSE_TIMEOUT_MS:-3000}"
say "$(/usr/bin/rustc --version) -> aarch64-unknown-linux-gnu, tests under $(qemu-aarch64 --version | head -n1)"

# Test targets that re-execute their own binary as a child process (the crash tests: they
# spawn `current_exe()` and SIGKILL it) cannot run under qemu-user without binfmt_misc
# registration of aarch64 binaries, which a container usually lacks ("child exited before
# CRASH_POINT"). They run natively in `cargo test`; here they are left out by file.
targets_of() {
    local dir="rust-core/$1" args=(--lib) f
    for f in "$dir"/tests/*.rs; do
        [ -f "$f" ] || continue
        if grep -q 'current_exe()' "$f"; then
            echo "   (skipped under qemu: $f re-executes itself)" >&2
        else
            args+=(--test "$(basename "$f" .rs)")
        fi
    done
    echo "${args[@]}"
}
LOG="$CARGO_TARGET_DIR/aarch64-test.log"
mkdir -p "$CARGO_TARGET_DIR"
: > "$LOG"
RC=0
if [ "$#" -gt 0 ]; then
    /usr/bin/cargo test --target aarch64-unknown-linux-gnu "$@" 2>&1 | tee -a "$LOG" || RC=1
else
    for crate in ffi crypto iso8583 terminal; do
        pkg=$(sed -n 's/^name = "\(unipos-[a-z0-9-]*\)"/\1/p' "rust-core/$crate/Cargo.toml" | head -n1)
        say "cargo test -p $pkg (aarch64, qemu)"
        # shellcheck disable=SC2046
        /usr/bin/cargo test --no-fail-fast --target aarch64-unknown-linux-gnu -p "$pkg" $(targets_of "$crate") \
            2>&1 | tee -a "$LOG" || RC=1
    done
fi
# the cdylib itself, as shipped (release, stripped): its size for the record
if [ "$RC" = 0 ] && [ "${AARCH64_SKIP_RELEASE:-0}" != 1 ]; then
    /usr/bin/cargo build -q --release --target aarch64-unknown-linux-gnu -p unipos-ffi --lib
    SO="$CARGO_TARGET_DIR/aarch64-unknown-linux-gnu/release/libunipos.so"
    file "$SO" >&2 || true
    say "release libunipos.so (aarch64, stripped): $(stat -c %s "$SO") bytes"
fi
PASSED=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
FAILED=$(grep -oE '; [0-9]+ failed' "$LOG" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
[ "$RC" = 0 ] || [ "${FAILED:-0}" != 0 ] || FAILED=1
say "done in $(( $(date +%s) - T0 )) s"
echo "${PASSED:-0} passed, ${FAILED:-0} failed"
[ "$RC" = 0 ]
