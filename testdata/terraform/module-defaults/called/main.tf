# A root module: it configures its provider and calls the module, keeping its default.
provider "aws" {
  region = "eu-west-1"
}

module "role" {
  source = "./modules/role"
}
