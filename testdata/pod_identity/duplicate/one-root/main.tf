module "eks" {
  source       = "terraform-aws-modules/eks/aws"
  cluster_name = "hub"
}

resource "aws_iam_role" "argocd" {
  name               = "argocd-hub"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}

resource "aws_eks_pod_identity_association" "argocd_server" {
  cluster_name    = module.eks.cluster_name
  namespace       = "argocd"
  service_account = "argocd-server"
  role_arn        = aws_iam_role.argocd.arn
}

# The same account of the same cluster again: EKS refuses the second.
resource "aws_eks_pod_identity_association" "argocd_server_again" {
  cluster_name    = module.eks.cluster_name
  namespace       = "argocd"
  service_account = "argocd-server"
  role_arn        = aws_iam_role.argocd.arn
}
