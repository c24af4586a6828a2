locals {
  a = local.b
  b = local.a
  c = <<EOT
unterminated
