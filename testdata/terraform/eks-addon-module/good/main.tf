# terraform-aws-modules/eks passes each `addons` entry to an `aws_eks_addon`. The EBS CSI
# add-on runs in kube-system, and its association is there, as the role's session-tag
# condition says.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name = "prod"

  addons = {
    aws-ebs-csi-driver = {
      pod_identity_association = [{
        role_arn        = aws_iam_role.ebs_csi.arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }
}

resource "aws_iam_role" "ebs_csi" {
  name = "ebs-csi"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "pods.eks.amazonaws.com" }
      Condition = { StringEquals = { "aws:RequestTag/kubernetes-namespace" = "kube-system" } }
    }]
  })
}
