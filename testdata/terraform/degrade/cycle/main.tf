# A real cycle: a's output is its input, which is b's output, which is b's input, a's output.
module "a" {
  source = "./modules/a"
  input  = module.b.out
}

module "b" {
  source = "./modules/b"
  input  = module.a.out
}
