# aws-ia/eks-blueprints-addons 1.x: the module names the controller's account
# `aws-load-balancer-controller-sa` in the role's trust and in the release's `set`; this call's
# own `set` renames it afterwards, so the chart makes an account the role does not trust.
module "eks_blueprints_addons" {
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.16"

  cluster_name      = "prod"
  cluster_endpoint  = "https://ABC123.gr7.eu-west-1.eks.amazonaws.com"
  cluster_version   = "1.30"
  oidc_provider_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"

  enable_aws_load_balancer_controller = true
  aws_load_balancer_controller = {
    set = [{
      name  = "serviceAccount.name"
      value = "aws-load-balancer-controller"
    }]
  }
}
