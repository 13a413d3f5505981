#!/usr/bin/env bash
# The main job on a fresh machine: build and run `unipos demo` (a cashier's whole day against
# the built-in host simulator, ending with MATCH). Extra arguments go to `unipos demo`,
# e.g. `scripts/demo.sh --keep /tmp/day`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run --quiet --locked -p unipos-cli -- demo "$@"
