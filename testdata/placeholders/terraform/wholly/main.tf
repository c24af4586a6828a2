resource "kubernetes_service_account" "app" {
  metadata {
    name      = "app"
    namespace = "shop"
    annotations = {
      "eks.amazonaws.com/role-arn" = "YOUR_ROLE_ARN"
    }
  }
}
