module "ebs_csi_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.60"

  role_name             = "ebs-csi"
  attach_ebs_csi_policy = true

  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:ebs-csi-controller-sa"]
    }
  }
}

resource "kubernetes_service_account_v1" "ebs" {
  metadata {
    name        = "ebs-csi-controller-sa"
    namespace   = "kube-system"
    annotations = { "eks.amazonaws.com/role-arn" = module.ebs_csi_irsa.iam_role_arn }
  }
}
