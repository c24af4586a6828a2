//! Registry modules and resources modeled from their public sources (issue 22 §2): each bad tree
//! holds a mismatch found only through the model, at the right line; each good twin is clean.

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::{Finding, Severity};
use kubectl_irsa::lint::{lint, LintOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(name)
}

fn run(path: &Path) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let line = f.location.as_ref().map_or(0, |l| l.line);
            format!("  {} :{line}: {}", f.code, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (fixture, code, line in main.tf, text the message must contain)
const PAIRS: &[(&str, &str, usize, &str)] = &[
    (
        "eks-addon",
        "IRSA016",
        13,
        "`kube-system/ebs-csi-controller-sa`",
    ),
    (
        "eks-addon-module",
        "IRSA065",
        28,
        "association kube-system/ebs-csi-controller-sa",
    ),
    ("iam-role-v6", "IRSA016", 10, "`apps/api-server`"),
    (
        "iam-role-v6-pod-identity",
        "IRSA065",
        19,
        "association ingress/aws-load-balancer-controller",
    ),
    ("module-v3", "IRSA016", 9, "`velero/velero`"),
    (
        "karpenter-irsa",
        "IRSA016",
        3,
        "`system:serviceaccount:karpenter:karpenter`",
    ),
    (
        "karpenter-pod-identity",
        "IRSA067",
        14,
        "association kube-system/karpenter",
    ),
];

#[test]
fn each_bad_tree_has_its_finding_at_the_line_and_each_good_twin_is_clean() {
    let mut failures = Vec::new();
    for (name, code, line, text) in PAIRS {
        let bad = run(&fixture(name).join("bad"));
        let hit = bad.iter().any(|f| {
            f.code == *code
                && f.message.contains(text)
                && f.location
                    .as_ref()
                    .is_some_and(|l| l.path.ends_with("main.tf") && l.line == *line)
        });
        if !hit {
            failures.push(format!(
                "{name}/bad: no {code} at main.tf:{line}:\n{}",
                describe(&bad)
            ));
        }
        // v3 has no audience input: its IRSA005 note stays (true, and only a note).
        let good = run(&fixture(name).join("good"));
        let loud: Vec<_> = good
            .iter()
            .filter(|f| f.severity > Severity::Note)
            .cloned()
            .collect();
        if !loud.is_empty() || (!good.is_empty() && *name != "module-v3") {
            failures.push(format!("{name}/good is not clean:\n{}", describe(&good)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name).join("main.tf")).unwrap()
}

fn with_code<'a>(findings: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn blueprints_addons_outputs_name_each_add_on_role() {
    let good = read("blueprints-addons/good");
    let sa = "resource \"kubernetes_service_account_v1\" \"lbc\" {\n  metadata {\n    name        = \"aws-load-balancer-controller\"\n    namespace   = \"ingress\"\n    annotations = { \"eks.amazonaws.com/role-arn\" = module.eks_blueprints_addons.aws_load_balancer_controller.iam_role_arn }\n  }\n}\n";
    let dir = tree(&[("main.tf", &(good.clone() + sa))]);
    let findings = run(dir.path());
    let hits = with_code(&findings, "IRSA016");
    assert_eq!(hits.len(), 1, "{}", describe(&findings));
    assert!(
        hits[0]
            .message
            .contains("`ingress/aws-load-balancer-controller`"),
        "{}",
        hits[0].message
    );
    // Not enabled: no role, no release, and the output names nothing.
    let off = good.replace(
        "enable_aws_load_balancer_controller = true",
        "enable_aws_load_balancer_controller = false",
    );
    let dir = tree(&[("main.tf", &(off + sa))]);
    let findings = run(dir.path());
    assert!(
        with_code(&findings, "IRSA016").is_empty(),
        "{}",
        describe(&findings)
    );
    // A gated role (external-dns needs zone ARNs): no zones, no role.
    let dns = good.replace(
        "enable_aws_load_balancer_controller = true",
        "enable_external_dns = true",
    );
    let findings = run(tree(&[("main.tf", &dns)]).path());
    assert!(
        findings.iter().all(|f| f.code != "IRSA016"),
        "{}",
        describe(&findings)
    );
    // Another major version is opaque, and said so.
    let v2 = good.replace("\"~> 1.16\"", "\"2.0.0\"");
    let findings = run(tree(&[("main.tf", &v2)]).path());
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(notes.len(), 1, "{}", describe(&findings));
    assert!(
        notes[0]
            .message
            .contains("eks-blueprints-addons 2.x is not modeled"),
        "{}",
        notes[0].message
    );
}

#[test]
fn what_is_not_modeled_keeps_its_note() {
    // eks `modules/karpenter` 19.x: opaque, an IRSA030 note at the call.
    let v19 = read("karpenter-irsa/bad").replace("\"~> 20.24\"", "\"~> 19.21\"");
    let findings = run(tree(&[("main.tf", &v19)]).path());
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(notes.len(), 1, "{}", describe(&findings));
    assert!(
        notes[0].message.contains("19.x is not modeled"),
        "{}",
        notes[0].message
    );
    assert!(
        with_code(&findings, "IRSA016").is_empty(),
        "{}",
        describe(&findings)
    );
    // An add-on the table does not know: its role is not checked, and said so.
    let unknown = read("eks-addon/bad").replace("\"aws-ebs-csi-driver\"", "\"acme-agent\"");
    let findings = run(tree(&[("main.tf", &unknown)]).path());
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(notes.len(), 1, "{}", describe(&findings));
    assert!(
        notes[0]
            .message
            .contains("add-on `acme-agent` is not known"),
        "{}",
        notes[0].message
    );
    // A role ARN known only at apply time: said so, no service account guessed.
    let later = read("eks-addon/good").replace("aws_iam_role.ebs_csi.arn", "var.ebs_role")
        + "variable \"ebs_role\" {}\n";
    let findings = run(tree(&[("main.tf", &later)]).path());
    let notes = with_code(&findings, "IRSA030");
    assert_eq!(findings.len(), 1, "{}", describe(&findings));
    assert!(
        notes[0].message.contains("`service_account_role_arn`"),
        "{}",
        notes[0].message
    );
}

fn tree_at(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn module_instances_are_roles_of_their_own_and_roots_are_clusters_of_their_own() {
    // A local module called with `for_each`: each instance's `aws_iam_role.this[0]` is its own.
    let team = |sa: &str| {
        format!(
            "variable \"name\" {{}}\nresource \"aws_iam_role\" \"this\" {{\n  count = 1\n  name_prefix = var.name\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect = \"Allow\"\n      Action = \"sts:AssumeRoleWithWebIdentity\"\n      Principal = {{ Federated = \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC\" }}\n      Condition = {{ StringEquals = {{\n        \"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub\" = \"system:serviceaccount:${{var.name}}:${{var.name}}\"\n        \"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud\" = \"sts.amazonaws.com\"\n      }} }}\n    }}]\n  }})\n}}\nresource \"kubernetes_service_account_v1\" \"this\" {{\n  metadata {{\n    name = {sa}\n    namespace = var.name\n    annotations = {{ \"eks.amazonaws.com/role-arn\" = aws_iam_role.this[0].arn }}\n  }}\n}}\n"
        )
    };
    let root = "module \"teams\" {\n  source   = \"./team\"\n  for_each = toset([\"red\", \"blue\"])\n  name     = each.key\n}\n";
    let good = team("var.name");
    let findings = run(tree_at(&[("main.tf", root), ("team/main.tf", &good)]).path());
    assert!(findings.is_empty(), "{}", describe(&findings));
    let bad = team("\"${var.name}-sa\"");
    let findings = run(tree_at(&[("main.tf", root), ("team/main.tf", &bad)]).path());
    assert_eq!(
        with_code(&findings, "IRSA016").len(),
        2,
        "{}",
        describe(&findings)
    );
    // Karpenter's association (cluster known only at apply time) in one root, an annotated
    // account of the same name in another root: two clusters, nothing to say.
    let karpenter = read("karpenter-pod-identity/bad");
    let (module, sa) = karpenter.split_at(karpenter.find("resource ").unwrap());
    let module = module.replace(
        "cluster_name = \"prod\"",
        "cluster_name = module.eks.cluster_name",
    );
    let sa = sa.replace(
        "module.karpenter.iam_role_arn",
        "\"arn:aws:iam::111122223333:role/karpenter\"",
    );
    let findings = run(tree_at(&[("a/main.tf", &module), ("b/main.tf", &sa)]).path());
    assert!(
        with_code(&findings, "IRSA067").is_empty(),
        "{}",
        describe(&findings)
    );
    // In one root they are one cluster.
    let findings = run(tree_at(&[("a/main.tf", &module), ("a/sa.tf", &sa)]).path());
    assert_eq!(
        with_code(&findings, "IRSA067").len(),
        1,
        "{}",
        describe(&findings)
    );
}
