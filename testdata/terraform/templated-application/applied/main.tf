resource "aws_iam_role" "lb" {
  name = "lb-controller"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_eks_pod_identity_association" "lb" {
  cluster_name    = "prod"
  namespace       = "kube-system"
  service_account = "lb-controller-sa"
  role_arn        = aws_iam_role.lb.arn
}

resource "kubernetes_service_account_v1" "dns" {
  metadata {
    name      = "node-local-dns"
    namespace = "kube-system"
  }
}

# The controller's service account is made by the chart this Application installs.
resource "kubectl_manifest" "lb" {
  yaml_body = templatefile("${path.module}/lb-application.yaml", {
    user_values_yaml = "serviceAccount: {name: lb-controller-sa}"
  })
}
