variable "input" {}

output "out" {
  value = var.input
}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name        = "worker"
    namespace   = "jobs"
    annotations = { "eks.amazonaws.com/role-arn" = var.input }
  }
}
