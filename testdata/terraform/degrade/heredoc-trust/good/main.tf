# A trust written as a heredoc whose provider host and one condition are not known offline
# (a data source, and an expression with quotes of its own): its known parts are still checked.
data "aws_eks_cluster" "this" {
  name = "prod"
}

locals {
  oidc = replace(data.aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "${split("/", data.aws_eks_cluster.this.arn)[1]}",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${local.oidc}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {
        "${local.oidc}:sub": "system:serviceaccount:apps:app",
        "${local.oidc}:aud": "sts.amazonaws.com"
      }
    }
  }]
}
EOT
}

resource "kubernetes_service_account_v1" "app" {
  metadata {
    name        = "app"
    namespace   = "apps"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.app.arn }
  }
}
