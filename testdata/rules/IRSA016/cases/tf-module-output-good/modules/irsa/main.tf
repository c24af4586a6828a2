variable "subject" {
  type = string
}

resource "aws_iam_role" "this" {
  name_prefix = "irsa-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF" }
      Condition = {
        StringEquals = {
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:aud" = "sts.amazonaws.com"
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:sub" = var.subject
        }
      }
    }]
  })
}

output "iam_role_arn" {
  value = aws_iam_role.this.arn
}
