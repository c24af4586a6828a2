# Root configuration, included by every unit.
locals {
  oidc_issuer = "oidc.eks.eu-west-1.amazonaws.com/id/7GRUNT"
}

inputs = {
  oidc_issuer = local.oidc_issuer
  namespace   = "payments"
}
