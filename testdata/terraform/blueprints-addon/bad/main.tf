# The chart names its ServiceAccount after the release (`coalesce(name, chart)`): external-dns.
module "external_dns" {
  source  = "aws-ia/eks-blueprints-addon/aws"
  version = "~> 1.1"

  chart         = "external-dns"
  chart_version = "1.14.5"
  repository    = "https://kubernetes-sigs.github.io/external-dns"
  namespace     = "external-dns"

  set_irsa_names = ["serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"]

  create_role = true
  role_name   = "external-dns"
  oidc_providers = {
    this = {
      provider_arn    = module.eks.oidc_provider_arn
      service_account = "external-dns-sa"
    }
  }
}
