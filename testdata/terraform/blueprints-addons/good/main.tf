# aws-ia/eks-blueprints-addons 1.x: `service_account_name` renames the controller's account in
# the role's trust and in the release alike.
module "eks_blueprints_addons" {
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.16"

  cluster_name      = "prod"
  cluster_endpoint  = "https://ABC123.gr7.eu-west-1.eks.amazonaws.com"
  cluster_version   = "1.30"
  oidc_provider_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"

  enable_aws_load_balancer_controller = true
  aws_load_balancer_controller = {
    service_account_name = "aws-load-balancer-controller"
  }
}
