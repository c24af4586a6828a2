# terraform-aws-modules/iam 6.x `iam-role` written for Pod Identity with
# `trust_policy_permissions`: the trust admits sessions tagged with namespace `ingress`, where the
# association (by the module's `arn`) is.
module "lbc_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "6.5.0"

  name = "aws-lbc"

  trust_policy_permissions = {
    EKSPodIdentity = {
      actions = ["sts:AssumeRole", "sts:TagSession"]
      principals = [{
        type        = "Service"
        identifiers = ["pods.eks.amazonaws.com"]
      }]
      condition = [{
        test     = "StringEquals"
        variable = "aws:RequestTag/kubernetes-namespace"
        values   = ["ingress"]
      }]
    }
  }
}

resource "aws_eks_pod_identity_association" "lbc" {
  cluster_name    = "prod"
  namespace       = "ingress"
  service_account = "aws-load-balancer-controller"
  role_arn        = module.lbc_role.arn
}
