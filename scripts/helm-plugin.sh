#!/usr/bin/env bash
# Helm plugin entry point: runs kubectl-irsa with helm's own binary and namespace.
# helm consumes its global flags (-n/--namespace, --kube-context) and exports them as
# HELM_NAMESPACE / HELM_KUBECONTEXT, so they are passed on here.
set -euo pipefail
dir="${HELM_PLUGIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"

find_binary() {
  if [ -n "${KUBECTL_IRSA_BIN:-}" ] && [ -x "$KUBECTL_IRSA_BIN" ]; then
    echo "$KUBECTL_IRSA_BIN"
    return 0
  fi
  for candidate in "$dir/bin/kubectl-irsa" "$dir/target/release/kubectl-irsa" "$dir/target/debug/kubectl-irsa"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  command -v kubectl-irsa 2>/dev/null && return 0
  return 1
}

if [ "${1:-}" = "--install" ]; then
  if ! find_binary >/dev/null; then
    echo "kubectl-irsa: building the binary with cargo (one time)..." >&2
    (cd "$dir" && cargo build --release --locked --quiet)
  fi
  exit 0
fi

bin="$(find_binary)" || {
  echo "kubectl-irsa binary not found: put it on PATH, or run 'cargo build --release' in $dir" >&2
  exit 2
}
export HELM_BIN="${HELM_BIN:-helm}"
if [ "${1:-}" = "lint" ] && [ -n "${HELM_NAMESPACE:-}" ]; then
  shift
  exec "$bin" lint --namespace "$HELM_NAMESPACE" "$@"
fi
if [ "${1:-}" = "doctor" ] && [ -n "${HELM_KUBECONTEXT:-}" ]; then
  shift
  exec "$bin" doctor --context "$HELM_KUBECONTEXT" "$@"
fi
exec "$bin" "$@"
