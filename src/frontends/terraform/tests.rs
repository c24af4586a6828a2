//! The evaluator and lowering on in-memory texts (`lint_text`).

use super::lint_text;

/// The `:sub` value(s) of the one trust policy lowered from `sub_expr`.
fn subject(locals: &str, sub_expr: &str) -> serde_json::Value {
    let text = format!(
        r#"locals {{
{locals}
}}
resource "aws_iam_role" "r" {{
  name = "r"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = {{ Federated = "arn:aws:iam::111122223333:oidc-provider/o.example/id/1" }},
      Condition = {{ StringEquals = {{ "o.example/id/1:sub" = {sub_expr} }} }} }}]
  }})
}}
"#
    );
    let unit = lint_text(&text);
    assert!(unit.errors.is_empty(), "{:?}", unit.errors);
    let Some(p) = unit.classified.policies.first() else {
        return serde_json::Value::Null;
    };
    p.node.to_json()["Statement"][0]["Condition"]["StringEquals"]["o.example/id/1:sub"].clone()
}

#[test]
fn functions_on_known_values() {
    let cases = [
        (
            r#"ns = "KUBE-SYSTEM""#,
            r#""system:serviceaccount:${lower(local.ns)}:a""#,
            "system:serviceaccount:kube-system:a",
        ),
        (
            "",
            r#"format("system:serviceaccount:%s:%s", "ns", "sa")"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            "",
            r#"replace("system:serviceaccount:ns:my_sa", "/_(.*)$/", "-$1")"#,
            "system:serviceaccount:ns:my-sa",
        ),
        (
            "",
            r#"replace("system:serviceaccount:ns:a.b", ".", "-")"#,
            "system:serviceaccount:ns:a-b",
        ),
        (
            "",
            r#"join(":", ["system", "serviceaccount", "ns", "sa"])"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            "",
            r#"element(split(",", "x,system:serviceaccount:ns:sa"), 1)"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            r#"m = merge({ a = "x" }, { a = "system:serviceaccount:ns:sa" })"#,
            r#"lookup(local.m, "a", "none")"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            "",
            r#"coalesce("", "system:serviceaccount:ns:sa")"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            "",
            r#"try(module.x.sub, "system:serviceaccount:ns:sa")"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            "",
            r#"trimprefix("arn:system:serviceaccount:ns:sa", "arn:")"#,
            "system:serviceaccount:ns:sa",
        ),
        (
            "prod = true",
            r#"local.prod ? "system:serviceaccount:prod:sa" : "system:serviceaccount:dev:sa""#,
            "system:serviceaccount:prod:sa",
        ),
        (
            r#"d = jsondecode("{\"s\": \"system:serviceaccount:ns:sa\"}")"#,
            "local.d.s",
            "system:serviceaccount:ns:sa",
        ),
    ];
    for (locals, expr, want) in cases {
        assert_eq!(subject(locals, expr), serde_json::json!(want), "{expr}");
    }
}

#[test]
fn for_expressions_concat_and_heredoc_templates() {
    let got = subject(
        r#"sas = ["ns:a", "ns:b"]"#,
        r#"concat([for sa in local.sas : "system:serviceaccount:${sa}"], ["system:serviceaccount:x:y"])"#,
    );
    assert_eq!(
        got,
        serde_json::json!([
            "system:serviceaccount:ns:a",
            "system:serviceaccount:ns:b",
            "system:serviceaccount:x:y"
        ])
    );
    let got = subject(
        r#"n = "ns""#,
        "<<-EOT\n    system:serviceaccount:${local.n}:sa\n  EOT",
    );
    assert_eq!(got, serde_json::json!("system:serviceaccount:ns:sa\n"));
}

#[test]
fn unknown_functions_and_references_leave_the_trust_unchecked() {
    for expr in [
        r#"sha256("x")"#,
        "module.x.subject",
        "data.aws_caller_identity.c.account_id",
        "var.nope",
    ] {
        assert_eq!(subject("", expr), serde_json::Value::Null, "{expr}");
    }
}

#[test]
fn count_and_for_each_make_one_role_each() {
    let text = r#"
resource "aws_iam_role" "r" {
  for_each = { api = "web", worker = "jobs" }
  name     = "role-${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/o.example/id/1" },
      Condition = { StringEquals = { "o.example/id/1:sub" = "system:serviceaccount:${each.value}:${each.key}" } } }]
  })
}
resource "kubernetes_service_account_v1" "sa" {
  count = 2
  metadata {
    name        = "sa-${count.index}"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.r["api"].arn }
  }
}
"#;
    let unit = lint_text(text);
    let roles: Vec<&str> = unit
        .classified
        .policies
        .iter()
        .filter_map(|p| p.role_name.as_deref())
        .collect();
    assert_eq!(roles, ["role-api", "role-worker"]);
    let sas: Vec<(&str, Option<&str>)> = unit
        .classified
        .service_accounts
        .iter()
        .map(|s| (s.object.name.as_str(), s.role_arn_value()))
        .collect();
    let arn = Some("arn:aws:iam::000000000000:role/role-api");
    assert_eq!(sas, [("sa-0", arn), ("sa-1", arn)]);
}

#[test]
fn pod_identity_associations_lower_to_the_ack_shape() {
    let text = r#"
resource "aws_eks_pod_identity_association" "app" {
  cluster_name    = "prod"
  namespace       = "apps"
  service_account = "app"
  role_arn        = "arn:aws:iam::111122223333:role/app"
}
"#;
    let unit = lint_text(text);
    let cr = unit
        .classified
        .objects
        .iter()
        .find(|o| o.kind == "PodIdentityAssociation")
        .expect("an ACK PodIdentityAssociation");
    assert_eq!(cr.api_version, "eks.services.k8s.aws/v1alpha1");
    // The manifest front-end keeps only the metadata of kinds it does not model yet.
    assert_eq!(cr.name, "aws-eks-pod-identity-association.app");
}

#[test]
fn deep_or_broken_input_gives_an_error_not_a_panic() {
    let unit = lint_text(&format!("a = {}", "[".repeat(100_000)));
    assert_eq!(unit.errors.len(), 1);
    let unit = lint_text("resource \"aws_iam_role\" {\n");
    assert_eq!(unit.errors.len(), 1);
    assert_eq!(unit.errors[0].2.line, 1);
}

#[test]
fn an_unknown_in_another_allow_statement_does_not_hide_the_web_identity_one() {
    let text = r#"
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.admin_role_arn } },
      { Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
        Principal = { Federated = module.eks.oidc_provider_arn },
        Condition = { StringEquals = { "${module.eks.oidc_provider}:sub" = "system:serviceaccount:a:b" } } },
    ]
  })
}
"#;
    let unit = lint_text(text);
    assert!(unit.notes.is_empty(), "{:?}", unit.notes);
    let p = unit.classified.policies.first().expect("the trust is kept");
    let doc = p.node.to_json();
    assert_eq!(doc["Statement"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(
        doc["Statement"][0]["Principal"]["Federated"],
        serde_json::json!("arn:aws:iam::000000000000:oidc-provider/module.eks.oidc-provider")
    );
}

#[test]
fn a_global_condition_key_in_another_statement_is_not_the_provider_host() {
    let text = r#"
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::111122223333:root" },
        Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/r" } } },
      { Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
        Principal = { Federated = module.eks.oidc_provider_arn },
        Condition = { StringEquals = { "${module.eks.oidc_provider}:sub" = "system:serviceaccount:a:b" } } },
    ]
  })
}
"#;
    let unit = lint_text(text);
    let p = unit.classified.policies.first().expect("the trust is kept");
    let doc = p.node.to_json();
    let web = &doc["Statement"][1];
    assert_eq!(
        web["Condition"]["StringEquals"]["module.eks.oidc-provider:sub"],
        serde_json::json!("system:serviceaccount:a:b"),
        "{doc}"
    );
    assert_eq!(
        web["Principal"]["Federated"],
        serde_json::json!("arn:aws:iam::000000000000:oidc-provider/module.eks.oidc-provider")
    );
}

#[test]
fn versions_come_from_constraints_and_tags_never_from_commit_hashes() {
    use super::tam::major_of;
    assert_eq!(major_of("~> 5.0"), Some(5));
    assert_eq!(major_of(">= 5.3, < 6.0"), Some(5));
    assert_eq!(major_of("v6.1.0"), Some(6));
    assert_eq!(major_of("1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"), None);
    assert_eq!(major_of("1f2e3d4"), None);
}

#[test]
fn a_policy_document_that_references_itself_is_a_cycle_evaluated_once() {
    // Two self-references per evaluation used to re-evaluate the document 2^depth times.
    let block = r#"
    condition {
      test     = "StringEquals"
      variable = "x:sub"
      values   = ["system:serviceaccount:a:b"]
      other    = data.aws_iam_policy_document.p.json
    }"#;
    let text = format!(
        "data \"aws_iam_policy_document\" \"p\" {{\n  statement {{\n    actions = [\"sts:AssumeRoleWithWebIdentity\"]{}\n  }}\n}}\nresource \"aws_iam_role\" \"r\" {{\n  assume_role_policy = data.aws_iam_policy_document.p.json\n}}\n",
        block.repeat(6)
    );
    let unit = super::lint_text(&text);
    assert!(unit.errors.is_empty(), "{:?}", unit.errors);
    // The evaluation budget is not spent on it: the trust itself is still read.
    assert_eq!(unit.classified.policies.len(), 1, "{:?}", unit.notes);
}
