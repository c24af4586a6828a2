resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", {
    provider  = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789"
    namespace = "batch"
    sa        = "worker"
  })
}

resource "kubernetes_service_account_v1" "worker" {
  metadata {
    name        = "worker"
    namespace   = "batch"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.worker.arn }
  }
}
