#!/usr/bin/env bash
# Lint every repository (each a directory) in DIR as a new user would: `kubectl irsa lint .`
# from the repository's root. Prints one line per repository: exit code, errors, warnings,
# notes, items not checked (the coverage summary), wall time, and the codes of its errors and
# warnings. The corpus itself is not vendored;
# docs/real-world.md lists the repositories and the commits.
#
#   scripts/real-world.sh DIR [OUT]     OUT (default: target/real-world) keeps each JSON report
#
# Uses target/release/kubectl-irsa (built if missing) and the helm/kustomize in .tools/bin.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: scripts/real-world.sh DIR [OUT]}"
OUT="$(mkdir -p "${2:-$ROOT/target/real-world}" && cd "${2:-$ROOT/target/real-world}" && pwd)"
BIN="${KUBECTL_IRSA:-$ROOT/target/release/kubectl-irsa}"
# Rebuilt when stale (a no-op when it is current); KUBECTL_IRSA=PATH uses another binary.
[ -n "${KUBECTL_IRSA:-}" ] || (cd "$ROOT" && cargo build --release --quiet)
export PATH="$ROOT/.tools/bin:$PATH"
mkdir -p "$OUT"

printf '%-60s %4s %6s %6s %6s %9s %7s  %s\n' repository exit errors warns notes unchecked secs codes
total_e=0 total_w=0 total_n=0 failing=0
for repo in "$DIR"/*/; do
  name="$(basename "$repo")"
  json="$OUT/$name.json"
  start=$(date +%s.%N)
  set +e
  (cd "$repo" && "$BIN" lint . --format json >"$json" 2>"$OUT/$name.stderr")
  rc=$?
  set -e
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  read -r e w n u codes < <(python3 - "$json" <<'PY'
import collections, json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception:
    print(0, 0, 0, 0, "unreadable-report"); sys.exit()
count = collections.Counter(f["severity"] for f in doc.get("findings", []))
codes = collections.Counter(f["code"] for f in doc.get("findings", [])
                            if f["severity"] in ("error", "warning"))
unchecked = sum(g["count"] for g in doc.get("summary", {}).get("not_checked", []))
print(count["error"], count["warning"], count["note"], unchecked,
      ",".join(f"{c}x{k}" for k, c in sorted(codes.items())) or "-")
PY
)
  printf '%-60s %4s %6s %6s %6s %9s %7.2f  %s\n' "$name" "$rc" "$e" "$w" "$n" "$u" "$secs" "$codes"
  total_e=$((total_e + e)) total_w=$((total_w + w)) total_n=$((total_n + n))
  [ "$rc" = 1 ] && failing=$((failing + 1))
done
echo "total: $total_e errors, $total_w warnings, $total_n notes; $failing repositories exit 1"
