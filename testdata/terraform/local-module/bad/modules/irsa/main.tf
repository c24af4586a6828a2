variable "name" {}
variable "namespace" {}
variable "service_account" {}
variable "oidc_provider" {}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${var.oidc_provider}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${var.oidc_provider}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}", "${var.oidc_provider}:aud" = "sts.amazonaws.com" } }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
