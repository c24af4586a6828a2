resource "aws_iam_role" "exporter" {
  name               = "exporter"
  assume_role_policy = data.aws_iam_policy_document.exporter_trust.json
}

resource "kubernetes_service_account_v1" "exporter" {
  metadata {
    name        = "exporter"
    namespace   = "metrics"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.exporter.arn }
  }
}
