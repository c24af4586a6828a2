resource "aws_iam_role" "keda" {
  name = "keda-operator"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${var.oidc_provider}:sub" = "system:serviceaccount:keda:keda-operator", "${var.oidc_provider}:aud" = "sts.amazonaws.com" } }
    }]
  })
}

resource "kubernetes_manifest" "keda_sa" {
  manifest = {
    apiVersion = "v1"
    kind       = "ServiceAccount"
    metadata = {
      name        = "keda"
      namespace   = "keda"
      annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.keda.arn }
    }
  }
}
