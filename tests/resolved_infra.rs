//! Terraform plan/state JSON and CloudFormation templates: lowered trust policies, service
//! accounts and Pod Identity associations, checked by the existing rules at the user's line.

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions, LintResult};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

fn run(paths: &[PathBuf]) -> LintResult {
    let opts = LintOptions {
        paths: paths.to_vec(),
        ..Default::default()
    };
    lint(&opts, &Config::default())
}

fn findings(rel: &str) -> Vec<Finding> {
    run(&[data(rel)]).findings
}

fn codes(f: &[Finding]) -> Vec<String> {
    f.iter().map(|f| f.code.clone()).collect()
}

/// (line, column) of the `nth` (0-based) occurrence of `needle` in the fixture.
fn where_is(rel: &str, needle: &str, nth: usize) -> (usize, usize) {
    let text = std::fs::read_to_string(data(rel)).unwrap();
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} not in {rel}"))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

fn one<'a>(f: &'a [Finding], code: &str) -> &'a Finding {
    let hits: Vec<&Finding> = f.iter().filter(|f| f.code == code).collect();
    assert_eq!(hits.len(), 1, "{code} in {:#?}", f);
    hits[0]
}

fn at(f: &Finding) -> (usize, usize) {
    let l = f.location.as_ref().expect("a location");
    (l.line, l.column)
}

/// IRSA016 points at the `:sub` condition key (inside the escaped JSON string).
const SUB: &str =
    "\\\"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub\\\"";

#[test]
fn plan_trust_mismatch_lands_inside_the_json_string() {
    for rel in ["tfplan/plan-bad.json", "tfplan/plan-compact-bad.json"] {
        let f = findings(rel);
        let hit = one(&f, "IRSA016");
        // resource_changes (the second copy of the policy, after planned_values) is what is read.
        assert_eq!(at(hit), where_is(rel, SUB, 1), "{rel}: {hit:#?}");
        let role = "role `cluster-autoscaler` (`module.addons.aws_iam_role.cluster_autoscaler`)";
        assert!(hit.message.contains(role), "{}", hit.message);
        assert!(
            hit.message.contains("autoscaling/cluster-autoscaler"),
            "{}",
            hit.message
        );
        // The service account is the plan's kubernetes_service_account_v1, at its annotation.
        let related = &hit.related[0];
        let arn = "\"arn:aws:iam::111122223333:role/cluster-autoscaler\"";
        assert_eq!(related.line, where_is(rel, arn, 2).0, "{rel}");
        let key = where_is(rel, "\"eks.amazonaws.com/role-arn\"", 1);
        assert_eq!((related.line, related.column), key, "{rel}");
    }
}

#[test]
fn plan_good_has_no_findings() {
    let f = findings("tfplan/plan-good.json");
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn plan_pairs_an_unknown_annotation_through_the_configuration() {
    let rel = "tfplan/plan-unknown-arn-bad.json";
    let f = findings(rel);
    let hit = one(&f, "IRSA016");
    assert_eq!(at(hit), where_is(rel, SUB, 1));
}

#[test]
fn plan_aud_only_trust_is_missing_sub() {
    let rel = "tfplan/plan-aud-only-bad.json";
    let f = findings(rel);
    let hit = one(&f, "IRSA003");
    let (line, _) = where_is(rel, "\"assume_role_policy\"", 1);
    assert_eq!(hit.location.as_ref().unwrap().line, line);
    assert_eq!(
        hit.object.as_ref().unwrap().name,
        "module.addons.aws_iam_role.cluster_autoscaler"
    );
}

#[test]
fn state_v4_and_show_json_state() {
    for (bad, good) in [
        (
            "tfplan/terraform-bad.tfstate",
            "tfplan/terraform-good.tfstate",
        ),
        ("tfplan/show-state-bad.json", "tfplan/show-state-good.json"),
    ] {
        let f = findings(bad);
        let hit = one(&f, "IRSA016");
        assert_eq!(at(hit), where_is(bad, SUB, 0), "{bad}");
        assert!(
            hit.message
                .contains("(`module.dns.aws_iam_role.external_dns`)"),
            "{}",
            hit.message
        );
        let g = findings(good);
        assert!(g.is_empty(), "{good}: {g:#?}");
    }
}

#[test]
fn unknown_state_version_is_one_clear_finding() {
    let rel = "tfplan/state-version3-bad.tfstate";
    let f = findings(rel);
    assert_eq!(codes(&f), ["IRSA000"], "{f:#?}");
    assert_eq!(at(&f[0]), where_is(rel, "3,", 0));
    assert!(f[0].message.contains("state version 3"), "{}", f[0].message);
}

/// The planted secret (a database password in the same plan and state) is never printed, in
/// any output format, whatever the findings.
#[test]
fn secrets_in_plans_and_states_are_never_printed() {
    let exe = env!("CARGO_BIN_EXE_kubectl-irsa");
    for rel in [
        "tfplan/plan-bad.json",
        "tfplan/terraform-bad.tfstate",
        "tfplan/show-state-bad.json",
        "tfplan/plan-truncated-bad.json",
        "tfplan/plan-helm-bad.json",
    ] {
        for format in ["human", "json", "sarif", "github", "junit"] {
            let out = std::process::Command::new(exe)
                .args(["lint", "--color", "never", "--format", format])
                .arg(data(rel))
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.code() == Some(1), "{rel} {format}: {all}");
            assert!(!all.contains("PLANTED-SECRET"), "{rel} {format}: {all}");
        }
    }
}

/// A 200 MB state (sparse: no disk is used) is refused by its size before it is read, with one
/// clear finding; the other files of the run are still linted.
#[test]
fn a_huge_state_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("terraform.tfstate");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    std::fs::copy(data("tfplan/plan-bad.json"), dir.path().join("plan.json")).unwrap();
    let f = run(&[dir.path().to_path_buf()]).findings;
    let input: Vec<&Finding> = f.iter().filter(|f| f.code == "IRSA000").collect();
    assert_eq!(input.len(), 1, "{f:#?}");
    assert!(
        input[0].message.contains("209715200 bytes"),
        "{}",
        input[0].message
    );
    assert!(input[0]
        .location
        .as_ref()
        .unwrap()
        .path
        .ends_with("terraform.tfstate"));
    assert!(f.iter().any(|f| f.code == "IRSA016"), "{f:#?}");
}

#[test]
fn truncated_plan_is_one_input_error_at_its_end() {
    let rel = "tfplan/plan-truncated-bad.json";
    let f = findings(rel);
    assert_eq!(codes(&f), ["IRSA000"], "{f:#?}");
    let lines = std::fs::read_to_string(data(rel)).unwrap().lines().count();
    assert_eq!(f[0].location.as_ref().unwrap().line, lines + 1);
}

/// The plan's `aws_eks_pod_identity_association` is lowered to the ACK CR shape, so the Pod
/// Identity rules see it: its role trusts only the OIDC provider, not `pods.eks.amazonaws.com`.
#[test]
fn plan_pod_identity_association_reaches_the_pod_identity_rules() {
    let f = findings("tfplan/plan-bad.json");
    let hit = one(&f, "IRSA065");
    assert!(
        hit.message.contains("kube-system/cluster-autoscaler"),
        "{}",
        hit.message
    );
}

#[test]
fn plan_helm_release_is_resolved_through_its_chart_pack() {
    let rel = "tfplan/plan-helm-bad.json";
    let f = findings(rel);
    let sub = one(&f, "IRSA016");
    assert_eq!(codes(&f), ["IRSA016"]);
    // Inside the role's `assume_role_policy` string, in `resource_changes`.
    assert_eq!(at(sub), where_is(rel, SUB, 1));
    assert!(
        sub.message.contains("`kube-system/external-dns`"),
        "{}",
        sub.message
    );
    let related: Vec<(usize, &str)> = sub
        .related
        .iter()
        .map(|r| (r.line, r.message.as_deref().unwrap_or("")))
        .collect();
    // The release's name and namespace in the plan, and the `set` entry with the role ARN.
    let namespace_line = where_is(rel, "\"namespace\": \"kube-system\"", 1).0;
    assert!(
        related
            .iter()
            .any(|(l, m)| *l == namespace_line && m.contains("namespace `kube-system`")),
        "{related:?}"
    );
    assert!(
        related
            .iter()
            .any(|(_, m)| m.contains("terraform release `external-dns`")),
        "{related:?}"
    );
    assert!(findings("tfplan/plan-helm-good.json").is_empty());
}
