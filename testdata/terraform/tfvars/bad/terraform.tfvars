oidc_issuer         = "oidc.eks.eu-west-1.amazonaws.com/id/K4RP"
karpenter_namespace = "kube-system"
