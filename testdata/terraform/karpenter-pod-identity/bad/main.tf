# terraform-aws-modules/eks `modules/karpenter` 21.x: Pod Identity, with an association for
# kube-system/karpenter by default. The same account still carries an IRSA annotation.
module "karpenter" {
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "21.15.1"

  cluster_name = "prod"
}

resource "kubernetes_service_account_v1" "karpenter" {
  metadata {
    name        = "karpenter"
    namespace   = "kube-system"
    annotations = { "eks.amazonaws.com/role-arn" = module.karpenter.iam_role_arn }
  }
}
