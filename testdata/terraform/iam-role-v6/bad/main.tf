# terraform-aws-modules/iam 6.x `iam-role` with its OIDC trust inputs: the subject names
# `apps/api`, the service account that carries the role is `apps/api-server`.
module "api_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 6.4"

  name               = "api"
  enable_oidc        = true
  oidc_provider_urls = ["https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123"]
  oidc_subjects      = ["system:serviceaccount:apps:api"]
  oidc_audiences     = ["sts.amazonaws.com"]
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name        = "api-server"
    namespace   = "apps"
    annotations = { "eks.amazonaws.com/role-arn" = module.api_role.arn }
  }
}
