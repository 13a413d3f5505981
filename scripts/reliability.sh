#!/usr/bin/env bash
# Crash-consistency harness: random card and QR transactions in a child process killed with
# SIGKILL at random moments, then recovery, settlement and reconciliation against the host.
# The test suite runs 30 kills; `--long` runs 1,000 (or set UNIPOS_RELIABILITY_KILLS).
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${UNIPOS_RELIABILITY_KILLS:-30}"
if [ "${1:-}" = "--long" ]; then kills=1000; fi
UNIPOS_RELIABILITY_KILLS="$kills" cargo test --locked -p unipos-cli --test reliability -- --nocapture
