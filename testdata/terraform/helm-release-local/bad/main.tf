resource "aws_iam_role" "payments" {
  name = "payments"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/LOCALCHART" }
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/LOCALCHART:sub" = "system:serviceaccount:payments:app"
          "oidc.eks.eu-west-1.amazonaws.com/id/LOCALCHART:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

# A chart in the tree is rendered with helm, with the release's values.
resource "helm_release" "payments" {
  name      = "payments"
  chart     = "./charts/app"
  namespace = "payments"

  values = [yamlencode({
    serviceAccount = {
      annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.payments.arn }
    }
  })]
}
