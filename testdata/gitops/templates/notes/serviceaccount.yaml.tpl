apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  annotations:
    eks.amazonaws.com/role-arn: ${role_arn}
