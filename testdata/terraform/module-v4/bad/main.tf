module "velero_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version = "4.7.0"

  create_role                   = true
  role_name                     = "velero"
  provider_url                  = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
  oidc_fully_qualified_subjects = ["system:serviceaccount:backup:velero-server"]
}

resource "kubernetes_service_account_v1" "velero" {
  metadata {
    name        = "velero"
    namespace   = "backup"
    annotations = { "eks.amazonaws.com/role-arn" = module.velero_role.iam_role_arn }
  }
}
