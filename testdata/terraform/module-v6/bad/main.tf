locals {
  lbc_sa = "aws-load-balancer-controller"
}

module "lbc_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "6.1.0"

  name                                   = "aws-load-balancer-controller"
  attach_load_balancer_controller_policy = true

  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
      namespace_service_accounts = ["kube-system:${local.lbc_sa}"]
    }
  }
}

resource "kubernetes_service_account_v1" "lbc" {
  metadata {
    name        = local.lbc_sa
    namespace   = "aws-system"
    annotations = { "eks.amazonaws.com/role-arn" = module.lbc_irsa.arn }
  }
}
