# The template provider's data source: its template filled with its vars, like templatefile().
data "aws_eks_cluster" "this" {
  name = "prod"
}

data "template_file" "trust" {
  template = file("${path.module}/trust.json.tpl")
  vars = {
    provider  = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789"
    namespace = "jobs"
    endpoint  = data.aws_eks_cluster.this.endpoint
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.template_file.trust.rendered
}

resource "kubernetes_service_account_v1" "worker" {
  metadata {
    name        = "worker"
    namespace   = "jobs"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.worker.arn }
  }
}
