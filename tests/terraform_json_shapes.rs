//! Terraform shapes in JSON syntax, each as a tree: the bad one has its finding at the JSON
//! line, and one edit makes it clean (the HCL versions are the `testdata/terraform` fixtures).

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

fn run(files: &[(&str, String)]) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let opts = LintOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref();
            let at = l.map_or("-".to_string(), |l| format!("{}:{}", l.path, l.line));
            format!("  {} {at}: {}", f.code, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a case is: its files, the finding of the bad tree, and the edit that makes it clean.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    code: &'static str,
    file: &'static str,
    line: usize,
    edit: (&'static str, &'static str),
}

#[test]
fn each_shape_has_its_finding_at_the_json_line_and_its_fixed_tree_is_clean() {
    let mut failures = Vec::new();
    for case in CASES {
        let bad: Vec<(&str, String)> = case
            .files
            .iter()
            .map(|(n, t)| (*n, t.to_string()))
            .collect();
        let findings = run(&bad);
        let hit = findings.iter().any(|f| {
            f.code == case.code
                && f.location.as_ref().is_some_and(|l| {
                    l.path.ends_with(&format!("/{}", case.file)) && l.line == case.line
                })
        });
        if !hit {
            failures.push(format!(
                "{}: no {} at {}:{}:\n{}",
                case.name,
                case.code,
                case.file,
                case.line,
                describe(&findings)
            ));
        }
        let good: Vec<(&str, String)> = bad
            .iter()
            .map(|(n, t)| (*n, t.replacen(case.edit.0, case.edit.1, 1)))
            .collect();
        assert_ne!(good, bad, "{}: the edit changes nothing", case.name);
        let findings = run(&good);
        if !findings.is_empty() {
            failures.push(format!(
                "{} (fixed) is not clean:\n{}",
                case.name,
                describe(&findings)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const CASES: &[Case] = &[
    Case {
        name: "helm_release with a `set` block and a v5 module",
        files: &[(
            "main.tf.json",
            r#"{
  "module": {
    "autoscaler_irsa": {
      "source": "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks",
      "version": "5.60.0",
      "role_name": "cluster-autoscaler",
      "attach_cluster_autoscaler_policy": true,
      "oidc_providers": {
        "main": {
          "provider_arn": "${module.eks.oidc_provider_arn}",
          "namespace_service_accounts": ["kube-system:cluster-autoscaler"]
        }
      }
    }
  },
  "resource": {
    "helm_release": {
      "autoscaler": {
        "name": "autoscaler",
        "repository": "https://kubernetes.github.io/autoscaler",
        "chart": "cluster-autoscaler",
        "namespace": "kube-system",
        "set": [
          {
            "name": "rbac.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
            "value": "${module.autoscaler_irsa.iam_role_arn}"
          }
        ]
      }
    }
  }
}
"#,
        )],
        code: "IRSA016",
        file: "main.tf.json",
        line: 11,
        edit: (
            r#""namespace": "kube-system","#,
            r#""namespace": "kube-system",
        "set_list": [{"name": "extraArgs.skip-nodes-with-local-storage", "value": ["false"]}],
        "values": ["${yamlencode({rbac = {serviceAccount = {name = \"cluster-autoscaler\"}}})}"],"#,
        ),
    },
    Case {
        name: "a Pod Identity association paired by reference",
        files: &[(
            "main.tf.json",
            r#"{
  "resource": {
    "aws_iam_role": {
      "lbc": {
        "name": "aws-lbc",
        "assume_role_policy": "${jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", Action = [\"sts:AssumeRole\", \"sts:TagSession\"], Principal = {Service = \"pods.eks.amazonaws.com\"}, Condition = {StringEquals = {\"aws:RequestTag/kubernetes-namespace\" = \"kube-system\"}}}]})}"
      }
    },
    "aws_eks_pod_identity_association": {
      "this": {
        "cluster_name": "prod",
        "namespace": "ingress",
        "service_account": "aws-load-balancer-controller",
        "role_arn": "${aws_iam_role.lbc.arn}"
      }
    }
  }
}
"#,
        )],
        code: "IRSA065",
        file: "main.tf.json",
        line: 6,
        edit: (
            r#"kubernetes-namespace\" = \"kube-system\""#,
            r#"kubernetes-namespace\" = \"ingress\""#,
        ),
    },
    Case {
        name: "a local module (HCL) called from JSON",
        files: &[
            (
                "main.tf.json",
                r#"{
  "module": {
    "cert_manager_irsa": {
      "source": "./modules/irsa",
      "name": "cert-manager",
      "namespace": "cert-manager",
      "service_account": "cert-manager-controller",
      "oidc_provider": "oidc.eks.eu-central-1.amazonaws.com/id/C0FFEE"
    }
  },
  "resource": {
    "kubernetes_service_account_v1": {
      "cert_manager": {
        "metadata": {
          "name": "cert-manager",
          "namespace": "cert-manager",
          "annotations": {"eks.amazonaws.com/role-arn": "${module.cert_manager_irsa.role_arn}"}
        }
      }
    }
  }
}
"#,
            ),
            (
                "modules/irsa/main.tf",
                r#"variable "name" {}
variable "namespace" {}
variable "service_account" {}
variable "oidc_provider" {}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${var.oidc_provider}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${var.oidc_provider}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}", "${var.oidc_provider}:aud" = "sts.amazonaws.com" } }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
"#,
            ),
        ],
        code: "IRSA016",
        file: "modules/irsa/main.tf",
        line: 14,
        edit: (r#""cert-manager-controller""#, r#""cert-manager""#),
    },
    Case {
        name: "a kubectl_manifest's yaml_body and a literal JSON policy string",
        files: &[(
            "main.tf.json",
            r#"{
  "resource": {
    "aws_iam_role": {
      "secrets": {
        "name": "external-secrets",
        "assume_role_policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/XYZ\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringEquals\": {\"oidc.eks.us-west-2.amazonaws.com/id/XYZ:sub\": \"system:serviceaccount:external-secrets:external-secrets\", \"oidc.eks.us-west-2.amazonaws.com/id/XYZ:aud\": \"sts.amazonaws.com\"}}}]}"
      }
    },
    "kubectl_manifest": {
      "secrets_sa": {
        "yaml_body": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: external-secrets\n  namespace: secrets\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/external-secrets\n"
      }
    }
  }
}
"#,
        )],
        code: "IRSA016",
        file: "main.tf.json",
        line: 6,
        edit: (r#"namespace: secrets"#, r#"namespace: external-secrets"#),
    },
    Case {
        name: "templatefile() on a template in the tree",
        files: &[
            (
                "main.tf.json",
                r#"{
  "resource": {
    "aws_iam_role": {
      "worker": {
        "name": "worker",
        "assume_role_policy": "${templatefile(\"${path.module}/trust.json.tpl\", {provider = \"oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789\", namespace = \"jobs\", sa = \"worker\"})}"
      }
    },
    "kubernetes_service_account_v1": {
      "worker": {
        "metadata": {"name": "worker", "namespace": "batch", "annotations": {"eks.amazonaws.com/role-arn": "${aws_iam_role.worker.arn}"}}
      }
    }
  }
}
"#,
            ),
            (
                "trust.json.tpl",
                r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${provider}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"${provider}:sub": "system:serviceaccount:${namespace}:${sa}", "${provider}:aud": "sts.amazonaws.com"}}
  }]
}
"#,
            ),
        ],
        code: "IRSA016",
        // Inside the template, at its line (issue #22); the call is a related location.
        file: "trust.json.tpl",
        line: 7,
        edit: (r#"namespace = \"jobs\""#, r#"namespace = \"batch\""#),
    },
    Case {
        name: "for_each and count, an instance by key",
        files: &[(
            "main.tf.json",
            r#"{
  "locals": {"apps": {"api": "web", "worker": "jobs"}},
  "resource": {
    "aws_iam_role": {
      "app": {
        "for_each": "${local.apps}",
        "name": "${each.key}",
        "assume_role_policy": "${jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", Principal = {Federated = \"arn:aws:iam::111122223333:oidc-provider/o.example/id/1\"}, Action = \"sts:AssumeRoleWithWebIdentity\", Condition = {StringEquals = {\"o.example/id/1:sub\" = \"system:serviceaccount:${each.value}:${each.key}\", \"o.example/id/1:aud\" = \"sts.amazonaws.com\"}}}]})}"
      }
    },
    "kubernetes_service_account_v1": {
      "api": {
        "count": 1,
        "metadata": {"name": "api", "namespace": "api", "annotations": {"eks.amazonaws.com/role-arn": "${aws_iam_role.app[\"api\"].arn}"}}
      }
    }
  }
}
"#,
        )],
        code: "IRSA016",
        file: "main.tf.json",
        line: 8,
        edit: (r#""api": "web""#, r#""api": "api""#),
    },
];
