variable "enable_app" {
  default = false
}

# The manifest is a template of this call, even while the feature is off (count = 0).
resource "kubectl_manifest" "app" {
  count = var.enable_app ? 1 : 0
  yaml_body = templatefile("${path.module}/manifests/app.yaml", {
    account_id = "111122223333"
  })
}
