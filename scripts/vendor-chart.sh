#!/usr/bin/env bash
# Vendor a chart directory (Chart.yaml, values.yaml, values.schema.json, templates/, LICENSE)
# from a bare git mirror into testdata/charts-vendored/<name>/, with a SOURCE.txt.
# usage: scripts/vendor-chart.sh MIRROR_GIT_DIR REF CHART_PATH NAME LICENSE_PATH REPO_URL
set -euo pipefail
m=$1 ref=$2 p=$3 n=$4 lic=$5 url=$6
d=testdata/charts-vendored/$n
rm -rf "$d"; mkdir -p "$d"
commit=$(git --git-dir="$m" rev-parse "$ref^{commit}")
parts="$p/Chart.yaml $p/values.yaml $p/templates"
if git --git-dir="$m" ls-tree --name-only "$commit" "$p/" | grep -q "values.schema.json"; then
  parts="$parts $p/values.schema.json"
fi
strip=$(echo "$p" | tr '/' '\n' | wc -l)
# shellcheck disable=SC2086
git --git-dir="$m" archive "$commit" $parts | tar -x -C "$d" --strip-components="$strip"
git --git-dir="$m" show "$commit:$lic" > "$d/LICENSE"
cat > "$d/SOURCE.txt" <<TXT
repo: $url
ref: $ref
commit: $commit
path: $p
license: $lic (copied as LICENSE)
kept: Chart.yaml, values.yaml, values.schema.json (if any), templates/; README, CI and tests left out
TXT
du -sh "$d"
