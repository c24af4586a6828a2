#!/usr/bin/env bash
# Run every cargo-fuzz target for a fixed budget.
#
#   scripts/fuzz.sh [SECONDS]        # per target, default 180; targets run JOBS at a time (default nproc)
#   TARGETS="arn_parse trust_eval" scripts/fuzz.sh 60
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). libFuzzer needs nightly compiler flags: on a
# stable toolchain the script sets RUSTC_BOOTSTRAP=1 (AddressSanitizer build); SANITIZER=none
# builds without ASan (Rust code is memory-safe; panics, overflows and hangs are still caught).
# Corpora live in fuzz/corpus/<target> (gitignored), seeded from tests/fuzz_regressions/<target>
# and testdata/. Crashes land in fuzz/artifacts/<target>/: minimize one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> fuzz/artifacts/<target>/crash-…
# then commit it under tests/fuzz_regressions/<target>/ (tests/fuzz_regressions.rs replays it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUDGET="${1:-180}"
JOBS="${JOBS:-$(nproc)}"
SANITIZER="${SANITIZER:-address}"
TARGETS="${TARGETS:-yaml_parse classify chart_values arn_parse policy_parse trust_eval tfplan_lower cfn_lower hcl_parse}"
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
LOGS="$ROOT/fuzz/logs"
mkdir -p "$LOGS"

command -v cargo-fuzz >/dev/null || { echo "fuzz.sh: cargo-fuzz not found; run: cargo install cargo-fuzz" >&2; exit 2; }

# Seed the corpora (idempotent: files are named by content).
seed() {
  local target="$1"; shift
  local dir="fuzz/corpus/$target"
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)"
  done
}
mapfile -t yaml_seeds < <(find testdata tests/fuzz_regressions/yaml_parse tests/fuzz_regressions/policy_parse tests/fuzz_regressions/classify \
  -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -64k 2>/dev/null | sort | head -400)
seed yaml_parse "${yaml_seeds[@]}"
seed policy_parse "${yaml_seeds[@]}"
mapfile -t config_seeds < <(find testdata tests/fuzz_regressions/classify -type f \( -name 'credfile' -o -name '*.ini' \) 2>/dev/null | sort)
seed classify "${yaml_seeds[@]}" "${config_seeds[@]}" tests/fuzz_regressions/classify/*
seed chart_values tests/fuzz_regressions/chart_values/*
seed arn_parse tests/fuzz_regressions/arn_parse/*
seed trust_eval tests/fuzz_regressions/trust_eval/*
seed tfplan_lower tests/fuzz_regressions/tfplan_lower/* testdata/tfplan/*.json testdata/tfplan/*.tfstate
seed cfn_lower tests/fuzz_regressions/cfn_lower/* testdata/cloudformation/*.yaml testdata/cloudformation/*.json testdata/rules/IRSA04*/*
mapfile -t hcl_seeds < <(find testdata/terraform tests/fuzz_regressions/hcl_parse -type f -size -64k 2>/dev/null | sort)
seed hcl_parse "${hcl_seeds[@]}"

echo "fuzz.sh: building targets (sanitizer: $SANITIZER)"
cargo fuzz build --sanitizer "$SANITIZER" >"$LOGS/build.log" 2>&1 || {
  tail -30 "$LOGS/build.log" >&2; echo "fuzz.sh: build failed (log: $LOGS/build.log)" >&2; exit 2; }

run_one() {
  local target="$1"
  mkdir -p "fuzz/artifacts/$target"
  cargo fuzz run --sanitizer "$SANITIZER" "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$BUDGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 >"$LOGS/$target.log" 2>&1
}

declare -A status
pids=()
for target in $TARGETS; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  echo "fuzz.sh: $target for ${BUDGET}s"
  run_one "$target" & pids+=("$!:$target")
done
for entry in "${pids[@]}"; do
  pid="${entry%%:*}"; target="${entry#*:}"
  if wait "$pid"; then status[$target]=ok; else status[$target]=FAILED; fi
done

found=0
for target in $TARGETS; do
  log="$LOGS/$target.log"
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  cov="$(grep -oE '#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
  crashes="$(find "fuzz/artifacts/$target" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l)"
  corpus="$(find "fuzz/corpus/$target" -type f | wc -l)"
  printf 'fuzz.sh: %-13s %-6s execs=%s %s corpus=%s artifacts=%s\n' "$target" "${status[$target]}" "${execs:-?}" "${cov:-}" "$corpus" "$crashes"
  [ "$crashes" -eq 0 ] && [ "${status[$target]}" = ok ] || found=1
done
[ "$found" -eq 0 ] || { echo "fuzz.sh: failures; see $LOGS and fuzz/artifacts/" >&2; exit 1; }
