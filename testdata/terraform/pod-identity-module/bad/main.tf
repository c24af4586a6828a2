# terraform-aws-modules/eks-pod-identity: the module renders the trust (pods.eks.amazonaws.com,
# sts:AssumeRole + sts:TagSession, with these conditions) and one association per entry. The
# trust only admits sessions tagged with namespace `kube-system`; the association is in `ingress`.
module "aws_lb_controller_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name                            = "aws-lbc"
  use_name_prefix                 = false
  attach_aws_lb_controller_policy = true

  trust_policy_conditions = [
    {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = ["kube-system"]
    }
  ]

  association_defaults = {
    cluster_name = "prod"
  }

  associations = {
    this = {
      namespace       = "ingress"
      service_account = "aws-load-balancer-controller"
    }
  }
}

resource "kubernetes_service_account_v1" "aws_lbc" {
  metadata {
    name      = "aws-load-balancer-controller"
    namespace = "ingress"
  }
}
