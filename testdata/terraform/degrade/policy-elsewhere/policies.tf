# The trust document, in a file of its own: findings about it point here.
data "aws_iam_policy_document" "exporter_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789:sub"
      values   = ["system:serviceaccount:monitoring:exporter"]
    }
  }
}
