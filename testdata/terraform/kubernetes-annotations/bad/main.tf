resource "aws_iam_role" "cni" {
  name = "vpc-cni"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = module.eks.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${module.eks.oidc_provider}:sub" = "system:serviceaccount:kube-system:aws-node", "${module.eks.oidc_provider}:aud" = "sts.amazonaws.com" } }
    }]
  })
}

# Patches the SA that EKS created.
resource "kubernetes_annotations" "aws_node" {
  api_version = "v1"
  kind        = "ServiceAccount"
  metadata {
    name      = "aws-node"
    namespace = "kube-sytem"
  }
  annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.cni.arn }
}
