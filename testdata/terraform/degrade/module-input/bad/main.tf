# A local module whose inputs mix known values and one not known offline (a registry module's
# output): the known ones still make its service account.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.8.5"
}

resource "aws_iam_role" "reporter" {
  name = "reporter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789" }
      Condition = {
        StringEquals = {
          "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789:sub" = "system:serviceaccount:reports:reporter"
        }
      }
    }]
  })
}

module "reporter_sa" {
  source    = "./sa"
  cluster   = module.eks.cluster_endpoint
  namespace = "reporting"
  name      = "reporter"
  role_arn  = aws_iam_role.reporter.arn
}
