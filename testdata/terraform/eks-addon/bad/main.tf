# A managed add-on takes its IRSA role by `service_account_role_arn`: EKS annotates the add-on's
# own service account (aws-ebs-csi-driver: kube-system/ebs-csi-controller-sa). The role trusts
# the node's account instead.
resource "aws_iam_role" "ebs_csi" {
  name = "ebs-csi"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123" }
      Condition = { StringEquals = {
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub" = "system:serviceaccount:kube-system:ebs-csi-node-sa"
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud" = "sts.amazonaws.com"
      } }
    }]
  })
}

resource "aws_eks_addon" "ebs_csi" {
  cluster_name             = "prod"
  addon_name               = "aws-ebs-csi-driver"
  service_account_role_arn = aws_iam_role.ebs_csi.arn
}
