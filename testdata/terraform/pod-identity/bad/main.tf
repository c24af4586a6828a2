# An association whose namespace the role's session-tag condition does not admit (the role
# ARN by reference).
resource "aws_iam_role" "lbc" {
  name = "aws-lbc"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "pods.eks.amazonaws.com" }
      Condition = { StringEquals = { "aws:RequestTag/kubernetes-namespace" = "kube-system" } }
    }]
  })
}
resource "aws_eks_pod_identity_association" "this" {
  cluster_name    = "prod"
  namespace       = "ingress"
  service_account = "aws-load-balancer-controller"
  role_arn        = aws_iam_role.lbc.arn
}
