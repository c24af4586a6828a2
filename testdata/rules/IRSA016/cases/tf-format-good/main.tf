# The role trusts `apps/app`; the service account below is `apps/app`.
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF" }
      Condition = {
        StringEquals = {
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:aud" = "sts.amazonaws.com"
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:sub" = "system:serviceaccount:apps:app"
        }
      }
    }]
  })
}

resource "kubernetes_service_account_v1" "app" {
  metadata {
    name      = "app"
    namespace = "apps"
    annotations = {
      "eks.amazonaws.com/role-arn" = format("arn:aws:iam::%s:role/%s", data.aws_caller_identity.current.account_id, "app")
    }
  }
}

data "aws_caller_identity" "current" {}
