#!/usr/bin/env bash
# The one command that runs every test on a fresh machine: installs the test
# tools (helm, moto) into .tools/ if missing, then runs the whole cargo test suite.
# Extra arguments are passed to `cargo test` (e.g. `scripts/test.sh --test support_selftest`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-test-tools.sh
export PATH="$PWD/.tools/bin:$PATH"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Cases of the round-trip property (tests/roundtrip.rs): a few seconds.
export PROPTEST_CASES="${PROPTEST_CASES:-32}"

if [ "$#" -gt 0 ]; then
  cargo test "$@"
else
  cargo test --all-targets
fi
