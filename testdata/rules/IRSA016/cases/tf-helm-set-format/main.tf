# The role trusts `apps/other`; the service account below is `apps/app`.
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
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:sub" = "system:serviceaccount:apps:other"
        }
      }
    }]
  })
}

resource "helm_release" "app" {
  name       = "app"
  namespace  = "apps"
  repository = "https://kubernetes-sigs.github.io/external-dns/"
  chart      = "external-dns"
  version    = "1.14.3"
  set {
    name  = "serviceAccount.name"
    value = "app"
  }
  set {
    name  = "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = format("arn:aws:iam::%s:role/app", data.aws_caller_identity.current.account_id)
  }
}

data "aws_caller_identity" "current" {}
