module "cert_manager_irsa" {
  source          = "./modules/irsa"
  name            = "cert-manager"
  namespace       = "cert-manager"
  service_account = "cert-manager-controller"
  oidc_provider   = "oidc.eks.eu-central-1.amazonaws.com/id/C0FFEE"
}

resource "kubernetes_service_account_v1" "cert_manager" {
  metadata {
    name        = "cert-manager"
    namespace   = "cert-manager"
    annotations = { "eks.amazonaws.com/role-arn" = module.cert_manager_irsa.role_arn }
  }
}
