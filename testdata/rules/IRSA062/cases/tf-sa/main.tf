resource "kubernetes_service_account_v1" "app" {
  metadata {
    name      = "app"
    namespace = "apps"
    annotations = {
      "eks.amazonaws.com/rolearn" = "arn:aws:iam::111122223333:role/app"
    }
  }
}
