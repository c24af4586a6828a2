variable "namespace" {
  type = string
}

resource "kubernetes_service_account" "app" {
  metadata {
    name      = "app"
    namespace = var.namespace
  }
}
