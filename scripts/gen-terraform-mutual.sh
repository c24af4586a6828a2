#!/usr/bin/env bash
# Generate a Terraform root of PAIRS pairs of local modules: module role_i makes an IRSA role whose
# trust names the service account that module sa_i makes, and sa_i carries role_i's ARN. With
# `mutual` (the default), role_i takes sa_i's outputs (name, namespace) while sa_i takes role_i's:
# legal Terraform, whose graph is per attribute. With `plain`, role_i is given the same names as
# literals: the same tree without the mutual reference. Every pair is consistent (no finding but
# the IRSA005 notes); each pair also reads the previous pair's outputs, as real roots chain them.
#   scripts/gen-terraform-mutual.sh PAIRS DIR [mutual|plain]
set -euo pipefail
pairs="${1:?PAIRS}"; dir="${2:?DIR}"; shape="${3:-mutual}"
gen_mutual() {
  local dir="$1" pairs="$2" mutual="$3" i
  mkdir -p "$dir/modules/role" "$dir/modules/sa"
  cat > "$dir/modules/role/main.tf" <<'TF'
variable "namespace" {}
variable "sa_name" {}
variable "index" {}
locals {
  provider = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789"
}
resource "aws_iam_role" "this" {
  name = "role-${var.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${local.provider}" }
      Condition = { StringEquals = { "${local.provider}:sub" = "system:serviceaccount:${var.namespace}:${var.sa_name}" } }
    }]
  })
}
output "role_arn" { value = aws_iam_role.this.arn }
output "role_name" { value = aws_iam_role.this.name }
TF
  cat > "$dir/modules/sa/main.tf" <<'TF'
variable "role_arn" {}
variable "index" {}
variable "namespace" {}
locals {
  name = "app-${var.index}"
}
resource "kubernetes_service_account_v1" "this" {
  metadata {
    name        = local.name
    namespace   = var.namespace
    annotations = { "eks.amazonaws.com/role-arn" = var.role_arn }
  }
}
output "name" { value = local.name }
output "namespace" { value = var.namespace }
TF
  : > "$dir/main.tf"
  for ((i = 0; i < pairs; i++)); do
    local sa_name="module.sa_$i.name" namespace="module.sa_$i.namespace"
    if [ "$mutual" = 0 ]; then sa_name="\"app-$i\""; namespace="\"ns-$i\""; fi
    cat >> "$dir/main.tf" <<TF
module "role_$i" {
  source    = "./modules/role"
  index     = $i
  namespace = $namespace
  sa_name   = $sa_name
}
module "sa_$i" {
  source    = "./modules/sa"
  index     = $i
  namespace = "ns-$i"
  role_arn  = module.role_$i.role_arn
}
TF
    # every pair also reads the previous pair's outputs (a chain, as real roots do)
    if [ "$i" -gt 0 ] && [ "$mutual" = 1 ]; then
      cat >> "$dir/main.tf" <<TF
output "chain_$i" { value = [module.role_$((i - 1)).role_name, module.sa_$((i - 1)).name] }
TF
    fi
  done
}

mutual=1; [ "$shape" = plain ] && mutual=0
gen_mutual "$dir" "$pairs" "$mutual"
