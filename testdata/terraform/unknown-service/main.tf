data "aws_service_principal" "ec2" {
  service_name = "ec2"
}

locals {
  # `try` returns the data source's name, known at apply time, not the fallback.
  ec2_principal = try(data.aws_service_principal.ec2.name, "")
}

data "aws_iam_policy_document" "node" {
  statement {
    sid     = "EC2"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [local.ec2_principal]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "node"
  assume_role_policy = data.aws_iam_policy_document.node.json
}
