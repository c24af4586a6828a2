variable "namespace" {}
variable "sa_name" {}

resource "aws_iam_role" "this" {
  name = "runner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789" }
      Condition = {
        StringEquals = {
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789:sub" = "system:serviceaccount:${var.namespace}:${var.sa_name}"
        }
      }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
