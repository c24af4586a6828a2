resource "kubernetes_service_account" "app" {
  metadata {
    name      = "app"
    namespace = "shop"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::xxxxxxxxxxxx:role/app"
    }
  }
}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C2E9A417B0D3F86E1A4C7B29D05F318" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = {
        "oidc.eks.us-east-1.amazonaws.com/id/5C2E9A417B0D3F86E1A4C7B29D05F318:sub" = "system:serviceaccount:shop:other"
        "oidc.eks.us-east-1.amazonaws.com/id/5C2E9A417B0D3F86E1A4C7B29D05F318:aud" = "sts.amazonaws.com"
      } }
    }]
  })
}
