#!/usr/bin/env bash
# Doctor at scale: 5,000 ServiceAccounts / 1,000 roles, and a fleet of 20 clusters × 250 SAs / 500 roles, against moto (behind the logging proxy)
# and the fake API server. Prints the machine, doctor's wall time and the IAM calls by action.
# Needs moto (scripts/install-test-tools.sh). Sizes: DOCTOR_SCALE_SAS, DOCTOR_SCALE_ROLES.
# Figures are recorded in docs/performance-doctor.md.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .tools/bin ] && export PATH="$PWD/.tools/bin:$PATH"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || uname -m)"
echo "rustc:   $(rustc --version)"
cargo test --release --test doctor_scale --test doctor_fleet_scale -- --ignored --nocapture 2>&1 \
  | grep -E '^(doctor (fleet )?scale|  |test result)'
