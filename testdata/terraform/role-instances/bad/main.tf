# Roles made with `count` and `for_each` and named by `name_prefix`: their ARNs are known only
# after apply, and still pair with `aws_iam_role.x[0].arn` and `aws_iam_role.y["key"].arn`.
# The second worker carries the first worker's role.
locals {
  oidc = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
}

resource "aws_iam_role" "worker" {
  count       = 2
  name_prefix = "worker-${count.index}-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${local.oidc}" }
      Condition = { StringEquals = {
        "${local.oidc}:sub" = "system:serviceaccount:jobs:worker-${count.index}"
        "${local.oidc}:aud" = "sts.amazonaws.com"
      } }
    }]
  })
}

resource "kubernetes_service_account_v1" "worker" {
  count = 2
  metadata {
    name        = "worker-${count.index}"
    namespace   = "jobs"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.worker[0].arn }
  }
}

resource "aws_iam_role" "api" {
  for_each    = toset(["orders", "billing"])
  name_prefix = "${each.key}-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${local.oidc}" }
      Condition = { StringEquals = {
        "${local.oidc}:sub" = "system:serviceaccount:shop:${each.key}"
        "${local.oidc}:aud" = "sts.amazonaws.com"
      } }
    }]
  })
}

resource "kubernetes_service_account_v1" "api" {
  for_each = toset(["orders", "billing"])
  metadata {
    name        = each.key
    namespace   = "shop"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.api[each.key].arn }
  }
}
