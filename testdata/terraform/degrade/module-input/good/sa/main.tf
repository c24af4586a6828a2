variable "cluster" {}
variable "namespace" {}
variable "name" {}
variable "role_arn" {}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = { cluster = var.cluster }
    annotations = {
      "eks.amazonaws.com/role-arn" = var.role_arn
    }
  }
}
