variable "oidc_host" {
  default = "oidc.eks.eu-west-1.amazonaws.com/id/s {
  a = local.b
  b = local.aEXAMPLED539D4633E53DE1B71EXAMPLE"
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"${var.oidc_host}:sub": "system:serviceaccount:web:app", "${var.oidc_host}:aud": "sts.amazonaws.com"}}
  }]
}
EOF
}

resource "kubernetes_service_account_v1" "app" {
  metadata {
    name        = "app"
    namespace   = "api"
    annotations = { "eks.amazonaws.com/role-arn" = " arn:aws:iam::111122223333:role/app" }
  }
 }
