//! A root module with more blocks than one lowering chunk (`lower_root`): references, templates,
//! `count` and local modules that cross chunks resolve as in a small module, findings land at
//! the right lines, and every run gives the same result.

use std::fmt::Write as _;
use std::path::Path;

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

/// Roles in the tree; with their service accounts, several chunks of 128 blocks.
const ROLES: usize = 300;
/// The roles whose trust names another service account (IRSA016), one near each end.
const MISMATCHED: [usize; 2] = [7, 290];
/// The role whose trust uses a wildcard under `StringEquals` (IRSA002, a file rule, and IRSA016).
const WILDCARD: usize = 150;

/// `main.tf`: every service account first, then every role, so each SA's `aws_iam_role.r_N.arn`
/// is lowered in another chunk than the role. Returns the text and the role of each finding.
fn main_tf() -> (String, Vec<(&'static str, usize)>) {
    let mut tf =
        String::from("locals {\n  provider = \"oidc.eks.eu-west-1.amazonaws.com/id/ABC\"\n}\n");
    for i in 0..ROLES {
        let _ = write!(
            tf,
            r#"resource "kubernetes_service_account_v1" "sa_{i}" {{
  metadata {{
    name        = "app-{i}"
    namespace   = "team-{i}"
    annotations = {{ "eks.amazonaws.com/role-arn" = aws_iam_role.r_{i}.arn }}
  }}
}}
"#
        );
    }
    let mut expected = Vec::new();
    for i in 0..ROLES {
        let subject = if MISMATCHED.contains(&i) {
            format!("system:serviceaccount:team-{i}:other")
        } else if i == WILDCARD {
            format!("system:serviceaccount:team-{i}:app-*")
        } else {
            format!("system:serviceaccount:team-{i}:app-{i}")
        };
        // The templatefile is read by every role (once into the file table, from any thread).
        let _ = write!(
            tf,
            r#"resource "aws_iam_role" "r_{i}" {{
  name = "app-{i}"
  assume_role_policy = templatefile("${{path.module}}/trust.json.tpl", {{
    provider = local.provider
    subject  = "{subject}"
  }})
}}
"#
        );
        if MISMATCHED.contains(&i) {
            // Role i's trust (filled from the template) names another service account.
            expected.push(("IRSA016", i));
        }
        if i == WILDCARD {
            // Literal under `StringEquals`, it also matches no service account.
            expected.push(("IRSA002", i));
            expected.push(("IRSA016", i));
        }
    }
    // A `count` resource and a local module at the end, in the last chunk.
    tf.push_str(
        r#"resource "kubernetes_service_account_v1" "counted" {
  count = 2
  metadata {
    name        = "counted-${count.index}"
    namespace   = "batch"
    annotations = { "eks.amazonaws.com/role-arn" = module.batch.role_arn }
  }
}
module "batch" {
  source   = "./modules/role"
  provider = local.provider
  name     = "counted"
  subjects = ["system:serviceaccount:batch:counted-0", "system:serviceaccount:batch:counted-1"]
}
"#,
    );
    (tf, expected)
}

const TRUST_TEMPLATE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${provider}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"${provider}:sub": "${subject}", "${provider}:aud": "sts.amazonaws.com"}}
  }]
}
"#;

const ROLE_MODULE: &str = r#"variable "provider" {}
variable "name" {}
variable "subjects" {}
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${var.provider}" }
      Condition = { StringEquals = { "${var.provider}:sub" = var.subjects, "${var.provider}:aud" = "sts.amazonaws.com" } }
    }]
  })
}
output "role_arn" {
  value = aws_iam_role.this.arn
}
"#;

/// The tree: `main.tf`, the template its roles read, and the local module.
fn tree(main_tf: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
    std::fs::write(dir.path().join("trust.json.tpl"), TRUST_TEMPLATE).unwrap();
    std::fs::create_dir_all(dir.path().join("modules/role")).unwrap();
    std::fs::write(dir.path().join("modules/role/main.tf"), ROLE_MODULE).unwrap();
    dir
}

fn run(dir: &Path) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![dir.to_path_buf()],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn summary(findings: &[Finding]) -> Vec<(String, String, usize, String)> {
    findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref();
            (
                f.code.clone(),
                l.map_or(String::new(), |l| {
                    l.path.rsplit('/').next().unwrap_or("").to_string()
                }),
                l.map_or(0, |l| l.line),
                f.message.clone(),
            )
        })
        .collect()
}

#[test]
fn a_root_module_of_several_chunks_resolves_across_them_and_finds_each_planted_problem_once() {
    let (tf, expected) = main_tf();
    let dir = tree(&tf);

    let findings = run(dir.path());
    let first = summary(&findings);
    // A finding inside the template is at the template's line (the `sub`, line 7); the role
    // it is about is in its message (the template is shared, so no one call is related).
    let mut found: Vec<(&str, usize)> = Vec::new();
    for f in findings.iter().filter(|f| f.code != "IRSA030") {
        let at = f.location.as_ref().unwrap();
        assert!(at.path.ends_with("trust.json.tpl") && at.line == 7, "{f:?}");
        let role = f.message.split("team-").nth(1).and_then(|r| {
            let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        });
        found.push((f.code.as_str(), role.unwrap_or_else(|| panic!("{f:?}"))));
    }
    found.sort_by_key(|(code, role)| (*role, *code));
    let mut want = expected.clone();
    want.sort_by_key(|(code, role)| (*role, *code));
    assert_eq!(found, want, "findings: {first:#?}");
    for i in MISMATCHED {
        assert!(
            first
                .iter()
                .any(|(code, _, _, m)| code == "IRSA016"
                    && m.contains(&format!("`team-{i}/app-{i}`"))),
            "role {i}'s mismatch names its service account: {first:#?}"
        );
    }
    // Nothing was left unknown: every reference across chunks, the template and the module resolved.
    assert!(
        !first.iter().any(|(code, ..)| code == "IRSA030"),
        "{first:#?}"
    );
    // The same result, in the same order, whatever thread lowered which chunk.
    for _ in 0..3 {
        assert_eq!(summary(&run(dir.path())), first);
    }
}

#[test]
fn a_mismatch_in_a_local_module_called_from_the_last_chunk_is_found() {
    let (tf, _) = main_tf();
    // The module's subjects now miss `counted-1`.
    let dir = tree(&tf.replace(r#", "system:serviceaccount:batch:counted-1"]"#, "]"));
    let findings = summary(&run(dir.path()));
    assert!(
        findings
            .iter()
            .any(|(code, _, _, m)| code == "IRSA016" && m.contains("`batch/counted-1`")),
        "{findings:#?}"
    );
    assert!(
        !findings
            .iter()
            .any(|(code, _, _, m)| code == "IRSA016" && m.contains("`batch/counted-0`")),
        "{findings:#?}"
    );
}
