{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "${endpoint}",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${provider}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"${provider}:sub": "system:serviceaccount:${namespace}:worker"}}
  }]
}
