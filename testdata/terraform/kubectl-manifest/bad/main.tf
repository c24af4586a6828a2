resource "aws_iam_role" "secrets" {
  name = "external-secrets"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/XYZ" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "oidc.eks.us-west-2.amazonaws.com/id/XYZ:sub" = "system:serviceaccount:external-secrets:external-secrets", "oidc.eks.us-west-2.amazonaws.com/id/XYZ:aud" = "sts.amazonaws.com" } }
    }]
  })
}

resource "kubectl_manifest" "secrets_sa" {
  yaml_body = <<-YAML
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: external-secrets
      namespace: secrets
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/external-secrets
  YAML
}
