#!/usr/bin/env bash
# Regenerate docs/rules.md from the rules' doc comments and the built-in rule packs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p docs
cargo run --quiet -- rules --format markdown > docs/rules.md
echo "wrote docs/rules.md"
