variable "cluster_name" {
  type = string
}

data "aws_iam_policy_document" "pods" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

# The name is known only at apply time: the role is named by its address until then.
resource "aws_iam_role" "metrics_exporter_for_the_reporting_warehouse_in_every_region" {
  name_prefix        = "${var.cluster_name}-exporter-"
  assume_role_policy = data.aws_iam_policy_document.pods.json
}

resource "kubernetes_service_account_v1" "exporter" {
  metadata {
    name      = "exporter"
    namespace = "metrics"
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.metrics_exporter_for_the_reporting_warehouse_in_every_region.arn
    }
  }
}

resource "aws_eks_pod_identity_association" "exporter" {
  cluster_name    = "reporting"
  namespace       = "metrics"
  service_account = "exporter"
  role_arn        = aws_iam_role.metrics_exporter_for_the_reporting_warehouse_in_every_region.arn
}

resource "aws_eks_pod_identity_association" "exporter_again" {
  cluster_name    = "reporting"
  namespace       = "metrics"
  service_account = "exporter"
  role_arn        = aws_iam_role.metrics_exporter_for_the_reporting_warehouse_in_every_region.arn
}
