# Terraform keeps the last item of a key written twice in an object constructor, silently.
resource "kubernetes_service_account" "app" {
  metadata {
    name      = "app"
    namespace = "apps"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::123:role/app"
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/app"
    }
  }
}
