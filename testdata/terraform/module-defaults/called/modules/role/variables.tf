variable "oidc_provider" {
  type    = string
  default = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

# A default for callers that set nothing; not what a caller deploys.
variable "audiences" {
  type    = list(string)
  default = ["default"]
}
