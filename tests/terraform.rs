//! Terraform fixtures: each source shape has a `bad/` tree (the trust/SA mismatch found at the
//! right `.tf` line) and a `good/` tree (clean), plus inputs that must never crash or hang.

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(name)
}

fn run(path: &Path) -> Vec<Finding> {
    // Local charts of helm_release are rendered by the test tools' helm (scripts/test.sh).
    let helm = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/helm");
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        helm: kubectl_irsa::frontends::helm::HelmOptions {
            helm_bin: helm.exists().then_some(helm),
            ..Default::default()
        },
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref();
            format!(
                "  {} {}:{}: {}",
                f.code,
                l.map_or("-", |l| l.path.as_str()),
                l.map_or(0, |l| l.line),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (fixture, file of the finding, line, text the message must contain)
const PAIRS: &[(&str, &str, usize, &str)] = &[
    ("role-jsonencode", "main.tf", 12, "`kube-system/autoscaler`"),
    ("policy-document", "main.tf", 15, "`dns/external-dns`"),
    ("heredoc", "main.tf", 14, "`api/app`"),
    // Inside a template, the finding is at the template's line (issue #22).
    ("templatefile", "trust.json.tpl", 7, "`batch/worker`"),
    ("module-v4", "main.tf", 8, "`backup/velero`"),
    (
        "module-v5",
        "main.tf",
        11,
        "`kube-system/ebs-csi-controller-sa`",
    ),
    (
        "module-v6",
        "main.tf",
        15,
        "`aws-system/aws-load-balancer-controller`",
    ),
    ("kubernetes-manifest", "main.tf", 9, "`keda/keda`"),
    (
        "kubectl-manifest",
        "main.tf",
        9,
        "`secrets/external-secrets`",
    ),
    (
        "kubernetes-annotations",
        "main.tf",
        9,
        "`kube-sytem/aws-node`",
    ),
    ("local-module", "main.tf", 14, "`cert-manager/cert-manager`"),
    ("tfvars", "main.tf", 15, "`karpenter/karpenter`"),
    // A chart in the tree, rendered with helm: the cause names the release, not a CLI flag.
    (
        "helm-release-local",
        "main.tf",
        11,
        "renaming the release (`helm_release.payments`)",
    ),
    (
        "terragrunt",
        "modules/irsa-app/main.tf",
        15,
        "`payments/payments-api`",
    ),
    ("cross-format", "grafana.json", 8, "`monitoring/grafana`"),
    (
        "json-syntax",
        "main.tf.json",
        10,
        "`kube-system/autoscaler`",
    ),
    (
        "helm-release",
        "main.tf",
        10,
        "`kube-system/autoscaler-aws-cluster-autoscaler`",
    ),
    (
        "blueprints-addon",
        "main.tf",
        18,
        "`external-dns/external-dns`",
    ),
];

#[test]
fn each_bad_tree_has_its_mismatch_at_the_line_and_each_good_tree_is_clean() {
    let mut failures = Vec::new();
    for (name, file, line, text) in PAIRS {
        let bad = run(&fixture(name).join("bad"));
        let hit = bad.iter().any(|f| {
            f.code == "IRSA016"
                && f.message.contains(text)
                && f.location
                    .as_ref()
                    .is_some_and(|l| l.path.ends_with(file) && l.line == *line)
        });
        if !hit {
            failures.push(format!(
                "{name}/bad: no IRSA016 at {file}:{line}:\n{}",
                describe(&bad)
            ));
        }
        let good = run(&fixture(name).join("good"));
        if !good.is_empty() {
            failures.push(format!("{name}/good is not clean:\n{}", describe(&good)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_sa_side_is_a_related_location_in_the_tf() {
    let bad = run(&fixture("module-v5").join("bad"));
    let f = bad.iter().find(|f| f.code == "IRSA016").expect("IRSA016");
    let related = f.related.first().expect("the SA's location");
    assert!(related.path.ends_with("main.tf"), "{related:?}");
    assert_eq!(related.line, 20, "{}", describe(&bad));
}

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn input_errors(findings: &[Finding]) -> Vec<(String, usize, usize)> {
    findings
        .iter()
        .filter(|f| f.code == "IRSA000")
        .filter_map(|f| f.location.as_ref())
        .map(|l| {
            (
                l.path.rsplit('/').next().unwrap_or("").to_string(),
                l.line,
                l.column,
            )
        })
        .collect()
}

#[test]
fn malformed_hcl_is_an_input_error_with_line_and_column_and_the_run_goes_on() {
    let dir = tree(&[
        ("broken.tf", b"resource \"aws_iam_role\" \"x\" {\n  name = \n}\n"),
        ("heredoc.tf", b"locals {\n  x = <<EOT\nnever closed\n"),
        ("ok.yaml", b"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/x y\n"),
    ]);
    let findings = run(dir.path());
    let errors = input_errors(&findings);
    assert!(
        errors
            .iter()
            .any(|(f, l, c)| f == "broken.tf" && *l == 2 && *c >= 1),
        "{}",
        describe(&findings)
    );
    assert!(
        errors.iter().any(|(f, _, _)| f == "heredoc.tf"),
        "{}",
        describe(&findings)
    );
    // The YAML file next to them is still linted.
    assert!(
        findings.iter().any(|f| f.code == "IRSA001"),
        "{}",
        describe(&findings)
    );
}

#[test]
fn deep_nesting_huge_and_binary_files_do_not_crash() {
    let deep = format!(
        "locals {{\n  a = {}1{}\n}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let blocks = format!("{}{}", "b {\n".repeat(100_000), "}\n".repeat(100_000));
    let dir = tree(&[
        ("deep.tf", deep.as_bytes()),
        ("blocks.tf", blocks.as_bytes()),
        ("bad-utf8.tf", b"locals {\n  a = \"\xff\xfe\"\n}\n"),
        ("nul.tf", b"locals {}\n\0\0\0"),
    ]);
    let findings = run(dir.path());
    let errors = input_errors(&findings);
    for name in ["deep.tf", "blocks.tf", "bad-utf8.tf", "nul.tf"] {
        assert!(
            errors.iter().any(|(f, _, _)| f == name),
            "{name}: {}",
            describe(&findings)
        );
    }
    let utf8 = errors.iter().find(|(f, _, _)| f == "bad-utf8.tf").unwrap();
    assert_eq!(utf8.1, 2, "{}", describe(&findings));
}

fn role_with_subject(name: &str, subject: &str) -> String {
    format!(
        r#"resource "aws_iam_role" "r" {{
  name = {name}
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = {{ Federated = "arn:aws:iam::111122223333:oidc-provider/o.example/id/1" }},
      Condition = {{ StringEquals = {{ "o.example/id/1:sub" = "{subject}", "o.example/id/1:aud" = "sts.amazonaws.com" }} }} }}]
  }})
}}
resource "kubernetes_service_account_v1" "sa" {{
  metadata {{
    name        = "app"
    namespace   = "kube-system"
    annotations = {{ "eks.amazonaws.com/role-arn" = aws_iam_role.r.arn }}
  }}
}}
"#
    )
}

#[test]
fn locals_resolve_through_chains_and_cycles_end_in_unknown() {
    let mut locals = String::from("locals {\n  l0 = \"kube-system\"\n");
    for i in 1..50 {
        locals.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    locals.push_str("  a = local.b\n  b = local.a\n}\n");
    // A 50-deep chain is followed: the subject is known and wrong.
    let text =
        locals.clone() + &role_with_subject("\"r\"", "system:serviceaccount:${local.l49}:other");
    let findings = run(tree(&[("main.tf", text.as_bytes())]).path());
    assert!(
        findings.iter().any(|f| f.code == "IRSA016"),
        "{}",
        describe(&findings)
    );
    // A cycle is unknown: a note naming it, no guess, no hang.
    let text =
        locals + &role_with_subject("local.a", "system:serviceaccount:kube-system:${local.a}");
    let findings = run(tree(&[("main.tf", text.as_bytes())]).path());
    assert!(
        findings.iter().all(|f| f.code != "IRSA016"),
        "{}",
        describe(&findings)
    );
    assert!(
        findings
            .iter()
            .any(|f| f.code == "IRSA030" && f.message.contains("local.a")),
        "{}",
        describe(&findings)
    );
}

#[test]
fn a_chain_deeper_than_the_bound_is_unknown_not_a_stack_overflow() {
    let mut text = String::from("locals {\n  l0 = \"kube-system\"\n");
    for i in 1..20_000 {
        text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    text.push_str("}\n");
    text += &role_with_subject("\"r\"", "system:serviceaccount:${local.l19999}:app");
    let findings = run(tree(&[("main.tf", text.as_bytes())]).path());
    assert!(
        findings.iter().any(|f| f.code == "IRSA030"),
        "{}",
        describe(&findings)
    );
}

#[test]
fn self_sourcing_and_cyclic_modules_and_paths_outside_the_tree_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("trust.json"), "{\"Statement\": []}").unwrap();
    let secret = outside.path().join("trust.json");
    let main = format!(
        r#"module "me" {{
  source = "./"
}}
module "a" {{
  source = "./a"
}}
resource "aws_iam_role" "outside" {{
  name = "outside"
  assume_role_policy = templatefile("{}", {{}})
}}
"#,
        secret.display()
    );
    let dir = tree(&[
        ("main.tf", main.as_bytes()),
        ("a/main.tf", b"module \"b\" {\n  source = \"../b\"\n}\n"),
        ("b/main.tf", b"module \"a\" {\n  source = \"../a\"\n}\n"),
    ]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
    let findings = run(dir.path());
    assert!(
        findings
            .iter()
            .any(|f| f.code == "IRSA030" && f.message.contains("`./`")),
        "{}",
        describe(&findings)
    );
    // The file outside the tree is never read: the trust stays unknown.
    assert!(
        findings
            .iter()
            .any(|f| f.code == "IRSA030" && f.message.contains("role `outside`")),
        "{}",
        describe(&findings)
    );
}

#[test]
fn unmodeled_module_sources_are_opaque_and_said_so() {
    let dir = tree(&[(
        "main.tf",
        b"module \"irsa\" {\n  source  = \"git::https://example.com/acme/irsa.git\"\n}\nmodule \"old\" {\n  source  = \"terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks\"\n  version = \"6.0.0\"\n}\n",
    )]);
    let findings = run(dir.path());
    let notes: Vec<&Finding> = findings.iter().filter(|f| f.code == "IRSA030").collect();
    assert_eq!(notes.len(), 2, "{}", describe(&findings));
    assert_eq!(notes[0].location.as_ref().unwrap().line, 1);
    assert!(
        notes[1].message.contains("6.0.0"),
        "{}",
        describe(&findings)
    );
}

#[test]
fn ignore_comments_work_in_hcl() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("role-jsonencode").join("bad/main.tf");
    let text = std::fs::read_to_string(src).unwrap().replace(
        "          \"${module.eks.oidc_provider}:sub\"",
        "          // irsa:ignore[IRSA016] renamed next release\n          \"${module.eks.oidc_provider}:sub\"",
    );
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let findings = run(dir.path());
    assert!(
        findings.iter().all(|f| f.code != "IRSA016"),
        "{}",
        describe(&findings)
    );
}

#[test]
fn helm_release_values_from_yamlencode_and_heredoc_name_the_service_account() {
    let base = std::fs::read_to_string(fixture("helm-release").join("bad/main.tf")).unwrap();
    let with_values = |values: &str| {
        base.replace(
            "  namespace  = \"kube-system\"\n",
            &format!("  namespace  = \"kube-system\"\n  values = [{values}]\n"),
        )
    };
    let good = with_values(
        "yamlencode({ rbac = { serviceAccount = { name = \"cluster-autoscaler\" } } })",
    );
    let findings = run(tree(&[("main.tf", good.as_bytes())]).path());
    assert!(findings.is_empty(), "{}", describe(&findings));
    let bad = with_values(
        "<<-EOT\n    rbac:\n      serviceAccount:\n        name: ca-controller\n  EOT\n",
    );
    let findings = run(tree(&[("main.tf", bad.as_bytes())]).path());
    let f = findings
        .iter()
        .find(|f| f.code == "IRSA016")
        .unwrap_or_else(|| panic!("{}", describe(&findings)));
    assert!(
        f.message.contains("`kube-system/ca-controller`"),
        "{}",
        describe(&findings)
    );
    // The namespace defaults to the helm provider's `default`.
    let no_ns = base.replace("  namespace  = \"kube-system\"\n", "");
    let findings = run(tree(&[("main.tf", no_ns.as_bytes())]).path());
    assert!(
        findings
            .iter()
            .any(|f| f.code == "IRSA016" && f.message.contains("`default/")),
        "{}",
        describe(&findings)
    );
}

#[test]
fn fixes_in_terraform_are_only_literal_edits_in_place() {
    // A literal subject in jsonencode: the fix rewrites that string.
    let bad = run(&fixture("role-jsonencode").join("bad"));
    let f = bad.iter().find(|f| f.code == "IRSA016").expect("IRSA016");
    let fix = f.fix.as_ref().expect("a literal fix");
    assert_eq!(fix.replacements.len(), 1);
    assert_eq!(
        fix.replacements[0].text,
        "\"system:serviceaccount:kube-system:autoscaler\""
    );
    // v4 uses `oidc_fully_qualified_subjects` verbatim: that element is the literal to fix.
    let v4 = run(&fixture("module-v4").join("bad"));
    let f = v4.iter().find(|f| f.code == "IRSA016").expect("IRSA016");
    let r = &f.fix.as_ref().expect("a literal fix").replacements[0];
    assert_eq!(
        (r.location.line, r.text.as_str()),
        (8, "\"system:serviceaccount:backup:velero\"")
    );
    // A module input that the module prefixes, a template, a heredoc: no fix.
    for name in [
        "module-v5",
        "module-v6",
        "policy-document",
        "heredoc",
        "blueprints-addon",
    ] {
        let findings = run(&fixture(name).join("bad"));
        for f in &findings {
            let into_tf = f
                .fix
                .iter()
                .flat_map(|x| &x.replacements)
                .any(|r| r.location.path.ends_with(".tf"));
            assert!(!into_tf, "{name}: {} offers a fix into the .tf", f.code);
        }
    }
}

#[test]
fn pod_identity_associations_reach_the_trust_check_directly_and_through_the_module() {
    // (fixture, line of the refusing condition in main.tf)
    for (name, line) in [("pod-identity", 11), ("pod-identity-module", 15)] {
        let bad = run(&fixture(name).join("bad"));
        let codes: Vec<&str> = bad.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["IRSA065"], "{name}:\n{}", describe(&bad));
        let f = &bad[0];
        assert!(
            f.message
                .contains("association ingress/aws-load-balancer-controller on cluster `prod`"),
            "{}",
            f.message
        );
        assert_eq!(f.location.as_ref().map(|l| l.line), Some(line), "{name}");
        let good = run(&fixture(name).join("good"));
        assert!(good.is_empty(), "{name}/good:\n{}", describe(&good));
    }
}

/// `findings` with `code`, as `(line, message)`.
fn with_code<'a>(findings: &'a [Finding], code: &str) -> Vec<(usize, &'a str)> {
    findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| {
            let line = f.location.as_ref().map_or(0, |l| l.line);
            (line, f.message.as_str())
        })
        .collect()
}

#[test]
fn blueprints_addon_1x_is_modeled_by_source_and_version() {
    let bad = std::fs::read_to_string(fixture("blueprints-addon").join("bad/main.tf")).unwrap();
    let registry = "  source  = \"aws-ia/eks-blueprints-addon/aws\"\n  version = \"~> 1.1\"\n";
    assert!(bad.contains(registry));
    let git = "github.com/aws-ia/terraform-aws-eks-blueprints-addon";
    for source in [
        "  source  = \"aws-ia/eks-blueprints-addon/aws\"\n  version = \"1.0.0\"\n".to_string(),
        "  source  = \"aws-ia/eks-blueprints-addon/aws\"\n\n".to_string(),
        format!("  source = \"git::https://{git}.git?ref=v1.1.1\"\n\n"),
        format!("  source = \"{git}?ref=v1.0.1\"\n\n"),
    ] {
        let text = bad.replace(registry, &source);
        let findings = run(tree(&[("main.tf", text.as_bytes())]).path());
        let hits = with_code(&findings, "IRSA016");
        assert_eq!(hits.len(), 1, "{source}{}", describe(&findings));
        assert_eq!(hits[0].0, 18, "{source}{}", describe(&findings));
    }
    // Another major is opaque, and said so at the call.
    let v2 = bad.replace("\"~> 1.1\"", "\"2.0.0\"");
    let findings = run(tree(&[("main.tf", v2.as_bytes())]).path());
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(findings.len(), 1, "{}", describe(&findings));
    assert_eq!(notes[0].0, 2);
    assert!(notes[0].1.contains("2.x"), "{}", notes[0].1);
}

#[test]
fn blueprints_addon_trust_and_release_follow_the_module_source() {
    let good = std::fs::read_to_string(fixture("blueprints-addon").join("good/main.tf")).unwrap();
    let lint = |text: &str| run(tree(&[("main.tf", text.as_bytes())]).path());
    let ns_line = "  namespace     = \"external-dns\"\n";
    // No `namespace`: the release and the trust's subject both use `default`.
    let findings = lint(&good.replace(ns_line, ""));
    assert!(findings.is_empty(), "{}", describe(&findings));
    // An entry's own `namespace` wins over the release's.
    let entry_ns = good.replace(
        "      service_account = \"external-dns\"\n",
        "      service_account = \"external-dns\"\n      namespace       = \"dns\"\n",
    );
    let findings = lint(&entry_ns);
    let hits = with_code(&findings, "IRSA016");
    assert_eq!(hits.len(), 1, "{}", describe(&findings));
    assert!(
        hits[0]
            .1
            .contains("system:serviceaccount:dns:external-dns`"),
        "{}",
        hits[0].1
    );
    // An exact role name is the role's name; self-assumption changes nothing for the account.
    let exact = good.replace(
        "  role_name   = \"external-dns\"\n",
        "  role_name   = \"external-dns\"\n  role_name_use_prefix = false\n  allow_self_assume_role = true\n",
    );
    assert!(lint(&exact).is_empty(), "{}", describe(&lint(&exact)));
    let findings = lint(&exact.replace("= \"external-dns\"\n    }", "= \"dns\"\n    }"));
    let hits = with_code(&findings, "IRSA016");
    assert_eq!(hits.len(), 1, "{}", describe(&findings));
    assert!(
        hits[0].1.starts_with("role `external-dns` "),
        "{}",
        hits[0].1
    );
    // `create_role` defaults to false: no role, no trust, no ARN set into the chart.
    let no_role = good.replace("  create_role = true\n", "").replace(
        "service_account = \"external-dns\"",
        "service_account = \"x\"",
    );
    assert!(lint(&no_role).is_empty(), "{}", describe(&lint(&no_role)));
    // No release: a service account elsewhere pairs with the role by `module.x.iam_role_arn`.
    let sa = "resource \"kubernetes_service_account_v1\" \"dns\" {\n  metadata {\n    name        = \"external-dns\"\n    namespace   = \"other\"\n    annotations = { \"eks.amazonaws.com/role-arn\" = module.external_dns.iam_role_arn }\n  }\n}\n";
    let no_release = good.replace(ns_line, &format!("{ns_line}  create_release = false\n")) + sa;
    let findings = lint(&no_release);
    let hits = with_code(&findings, "IRSA016");
    assert_eq!(findings.len(), 1, "{}", describe(&findings));
    assert!(hits[0].1.contains("`other/external-dns`"), "{}", hits[0].1);
    // A whole `set` known only at apply time may name the account: the release is not checked.
    let unknown_set = good.replace(ns_line, &format!("{ns_line}  set = var.extra\n"));
    let findings = lint(&format!("{unknown_set}variable \"extra\" {{}}\n"));
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(findings.len(), 1, "{}", describe(&findings));
    assert!(
        notes[0].1.contains("its `set` is not known"),
        "{}",
        notes[0].1
    );
    // `trust_policy_statements` (in no 1.x release): the trust is not checked, and said so.
    let tps = good.replace(
        "  create_role = true\n",
        "  create_role = true\n  trust_policy_statements = []\n",
    );
    let findings = lint(&tps);
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(findings.len(), 1, "{}", describe(&findings));
    assert!(
        notes[0].1.contains("trust_policy_statements"),
        "{}",
        notes[0].1
    );
}
