clusterName: ${endpoint}
serviceAccount:
  name: lb-controller
  annotations:
    eks.amazonaws.com/role-arn: ${role_arn}
