variable "role_arn" {}

locals {
  name = "runner"
}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name        = local.name
    namespace   = "ci"
    annotations = { "eks.amazonaws.com/role-arn" = var.role_arn }
  }
}

output "service_account_name" {
  value = local.name
}
