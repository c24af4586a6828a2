resource "kubernetes_service_account_v1" "grafana" {
  metadata {
    name        = "grafana"
    namespace   = "monitoring"
    annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/grafana" }
  }
}
