# The values document holds one value not known offline (the cluster's endpoint): the rest of
# it (the service account's name and role) is still what the chart installs.
data "aws_eks_cluster" "this" {
  name = "prod"
}

resource "aws_iam_role" "lbc" {
  name = "lbc"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789" }
      Condition = {
        StringEquals = {
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789:sub" = "system:serviceaccount:kube-system:aws-load-balancer-controller"
        }
      }
    }]
  })
}

resource "helm_release" "lbc" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  namespace  = "kube-system"
  values = [yamlencode({
    clusterName = data.aws_eks_cluster.this.endpoint
    serviceAccount = {
      name        = "aws-load-balancer-controller"
      annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.lbc.arn }
    }
  })]
}
