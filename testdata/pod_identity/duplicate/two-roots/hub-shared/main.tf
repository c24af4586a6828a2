# Each root module creates its own cluster: its name is known only at apply time.
module "eks" {
  source       = "terraform-aws-modules/eks/aws"
  cluster_name = "hub-shared"
}

resource "aws_iam_role" "argocd" {
  name               = "argocd-hub-shared"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}

resource "aws_eks_pod_identity_association" "argocd_server" {
  cluster_name    = module.eks.cluster_name
  namespace       = "argocd"
  service_account = "argocd-server"
  role_arn        = aws_iam_role.argocd.arn
}
