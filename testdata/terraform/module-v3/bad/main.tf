# terraform-aws-modules/iam 3.x `iam-assumable-role-with-oidc` (no audiences input): the trust
# names `backup/velero`, the service account is `velero/velero`.
module "velero_irsa" {
  source                        = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version                       = "3.16.0"
  create_role                   = true
  role_name                     = "velero"
  provider_url                  = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
  oidc_fully_qualified_subjects = ["system:serviceaccount:backup:velero"]
}

resource "kubernetes_service_account" "velero" {
  metadata {
    name        = "velero"
    namespace   = "velero"
    annotations = { "eks.amazonaws.com/role-arn" = module.velero_irsa.iam_role_arn }
  }
}
