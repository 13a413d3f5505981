#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian 12 machine. Idempotent and quiet
# when everything is already there.
set -euo pipefail

need_rust_component() {
    if ! cargo "$1" --version >/dev/null 2>&1; then
        echo "setup: installing rustup component $2"
        rustup component add "$2"
    fi
}

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing; install Rust stable (rustup) first" >&2
    exit 1
fi
need_rust_component fmt rustfmt
need_rust_component clippy clippy
