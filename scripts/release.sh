#!/usr/bin/env bash
# Build a release archive for this platform and write its uri and sha256 into plugins/irsa.yaml.
# Usage: scripts/release.sh [OUT_DIR]   (version from Cargo.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
version="v$(grep -m1 '^version' Cargo.toml | sed 's/.*"\(.*\)".*/\1/')"
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
name="kubectl-irsa-${version}-${os}-${arch}"
cargo build --release --locked
stage="$(mktemp -d)"
cp target/release/kubectl-irsa plugins/kubectl_complete-irsa LICENSE "$stage/"
mkdir -p "$out"
tar -C "$stage" -czf "$out/$name.tar.gz" kubectl-irsa kubectl_complete-irsa LICENSE
sha="$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)"
echo "$sha  $name.tar.gz" > "$out/$name.tar.gz.sha256"
python3 - "$version" "$os" "$arch" "$name" "$sha" <<'PY'
import re, sys
version, os_, arch, name, sha = sys.argv[1:]
path = "plugins/irsa.yaml"
text = open(path).read()
text = re.sub(r"(?m)^  version: .*$", f"  version: {version}", text)
block = re.compile(r"(os: %s\n\s+arch: %s\n\s+uri: )\S+(\n\s+sha256: )\"[0-9a-f]+\"" % (os_, arch))
text, n = block.subn(lambda m: f"{m.group(1)}https://github.com/kubectl-irsa/kubectl-irsa/releases/download/{version}/{name}.tar.gz{m.group(2)}\"{sha}\"", text)
if n != 1:
    sys.exit(f"no platform entry for {os_}/{arch} in {path}")
open(path, "w").write(text)
PY
echo "built $out/$name.tar.gz ($sha); plugins/irsa.yaml updated"
