# terraform-aws-modules/eks `modules/karpenter` 20.x in IRSA mode: its trust defaults to
# `["karpenter:karpenter"]`; this call names the controller's real account.
module "karpenter" {
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "~> 20.24"

  cluster_name           = "prod"
  enable_pod_identity    = false
  enable_irsa            = true
  irsa_oidc_provider_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
  irsa_namespace_service_accounts = ["kube-system:karpenter"]
}

resource "kubernetes_service_account_v1" "karpenter" {
  metadata {
    name        = "karpenter"
    namespace   = "kube-system"
    annotations = { "eks.amazonaws.com/role-arn" = module.karpenter.iam_role_arn }
  }
}
