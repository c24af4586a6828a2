#!/usr/bin/env bash
# Generate a repository of OVERLAYS kustomize overlays over BASES bases (docs/performance.md):
#   scripts/gen-kustomize-repo.sh DIR [OVERLAYS=200] [BASES=20]
set -euo pipefail
dir=$1 overlays=${2:-200} bases=${3:-20}
mkdir -p "$dir"
for b in $(seq 1 "$bases"); do
  mkdir -p "$dir/bases/b$b"
  printf 'resources:\n  - sa.yaml\n  - deploy.yaml\n' > "$dir/bases/b$b/kustomization.yaml"
  printf 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app%s\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app%s\n' "$b" "$b" > "$dir/bases/b$b/sa.yaml"
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app%s\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      serviceAccountName: app%s\n      containers: [{name: c, image: busybox}]\n' "$b" "$b" > "$dir/bases/b$b/deploy.yaml"
done
for o in $(seq 1 "$overlays"); do
  b=$(( (o % bases) + 1 ))
  mkdir -p "$dir/overlays/o$o"
  printf 'namespace: ns%s\nnamePrefix: o%s-\nresources:\n  - ../../bases/b%s\n' "$o" "$o" "$b" > "$dir/overlays/o$o/kustomization.yaml"
done
