# A module from a source lint does not model: its trust is not checked.
module "irsa" {
  source = "git::https://example.com/acme/terraform-irsa.git?ref=v1.2.0"
  name   = "app"
}
