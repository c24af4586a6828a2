#!/usr/bin/env bash
# Generate a Terraform repository of N IRSA roles (half through the v6
# iam-role-for-service-accounts module, half aws_iam_role + aws_iam_policy_document), each with a
# kubernetes_service_account_v1 that carries it by reference, and one planted trust mismatch
# (the last role's SA lands in another namespace).
#   scripts/gen-terraform-repo.sh N DIR
set -euo pipefail
n="${1:?N}"; dir="${2:?DIR}"
mkdir -p "$dir"
cat >"$dir/providers.tf" <<'EOF'
locals {
  provider_arn = module.eks.oidc_provider_arn
}
EOF
half=$((n / 2))
for ((i = 0; i < n; i++)); do
  ns="team-$((i % 40))"; sa="app-$i"; sa_ns="$ns"
  [ "$i" -eq $((n - 1)) ] && sa_ns="other-ns"
  if [ "$i" -lt "$half" ]; then
    cat >"$dir/role_$i.tf" <<EOF
module "irsa_$i" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "~> 6.0"

  name            = "app-$i"
  use_name_prefix = false
  oidc_providers = {
    main = {
      provider_arn               = local.provider_arn
      namespace_service_accounts = ["$ns:$sa"]
    }
  }
}

resource "kubernetes_service_account_v1" "sa_$i" {
  metadata {
    name        = "$sa"
    namespace   = "$sa_ns"
    annotations = { "eks.amazonaws.com/role-arn" = module.irsa_$i.arn }
  }
}
EOF
  else
    cat >"$dir/role_$i.tf" <<EOF
data "aws_iam_policy_document" "trust_$i" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "\${module.eks.oidc_provider}:sub"
      values   = ["system:serviceaccount:$ns:$sa"]
    }
    condition {
      test     = "StringEquals"
      variable = "\${module.eks.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "role_$i" {
  name               = "app-$i"
  assume_role_policy = data.aws_iam_policy_document.trust_$i.json
}

resource "kubernetes_service_account_v1" "sa_$i" {
  metadata {
    name        = "$sa"
    namespace   = "$sa_ns"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.role_$i.arn }
  }
}
EOF
  fi
done
