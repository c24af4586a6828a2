# Module a takes b's output and b takes a's: legal Terraform (the graph is per attribute).
module "a" {
  source    = "./modules/a"
  namespace = "build"
  sa_name   = module.b.service_account_name
}

module "b" {
  source   = "./modules/b"
  role_arn = module.a.role_arn
}
