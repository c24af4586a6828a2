# terraform-aws-modules/eks `modules/karpenter` 21.x: Pod Identity, with an association for
# kube-system/karpenter by default, and nothing else.
module "karpenter" {
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "21.15.1"

  cluster_name = "prod"
}

resource "kubernetes_service_account_v1" "karpenter" {
  metadata {
    name        = "karpenter"
    namespace   = "kube-system"
  }
}
