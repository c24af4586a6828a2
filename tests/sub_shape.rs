//! IRSA027: a `:sub` value without the `system:serviceaccount:<namespace>:<name>` shape, from
//! Terraform (the iam module's `namespace_service_accounts`, `aws_iam_policy_document`); values
//! unknown offline are not judged.

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/sub_shape")
        .join(name)
}

fn irsa027(name: &str) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![fixture(name)],
        ..Default::default()
    };
    let findings = lint(&opts, &Config::default()).findings;
    findings
        .into_iter()
        .filter(|f| f.code == "IRSA027")
        .collect()
}

fn line(f: &Finding) -> usize {
    f.location.as_ref().map_or(0, |l| l.line)
}

#[test]
fn module_entry_without_a_name_is_an_error_naming_the_input() {
    let found = irsa027("module-v6");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(line(f), 11);
    assert_eq!(f.severity.to_string(), "error");
    for part in [
        "`system:serviceaccount:default`",
        "`system:serviceaccount:<namespace>:<name>`",
        "`namespace_service_accounts`",
        "built from `default`",
    ] {
        assert!(f.message.contains(part), "{part} not in: {}", f.message);
    }
}

#[test]
fn policy_document_pattern_with_a_slash_is_an_error() {
    let found = irsa027("policy-document");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(line(&found[0]), 11);
    assert!(found[0].message.contains("`system:serviceaccount:apps/*`"));
}

#[test]
fn values_unknown_offline_are_not_judged() {
    let found = irsa027("unknown");
    assert!(found.is_empty(), "{found:#?}");
}
