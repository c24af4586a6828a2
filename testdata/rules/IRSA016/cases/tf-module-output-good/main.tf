# The module's role trusts `apps/app`; the service account is `apps/app`.
module "app_irsa" {
  source  = "./modules/irsa"
  subject = "system:serviceaccount:apps:app"
}

resource "kubernetes_service_account_v1" "app" {
  metadata {
    name      = "app"
    namespace = "apps"
    annotations = {
      "eks.amazonaws.com/role-arn" = module.app_irsa.iam_role_arn
    }
  }
}
