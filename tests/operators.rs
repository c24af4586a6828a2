//! Service accounts that operators create (testdata/operators): Crossplane providers' accounts
//! from the `DeploymentRuntimeConfig` or `ControllerConfig` they reference, checked like written
//! ones and paired with the Crossplane IAM `Role` of the tree; good twins stay clean.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{lint, located};

fn findings_of(dir: &str) -> (i32, Vec<(String, String, u64)>, Vec<serde_json::Value>) {
    let (code, findings) = lint(&[&format!("testdata/operators/{dir}")]);
    let mut got = located(&findings);
    got.sort();
    (code, got, findings)
}

fn at(code: &str, path: &str, line: u64) -> (String, String, u64) {
    (code.into(), format!("testdata/operators/{path}"), line)
}

#[test]
fn a_runtime_config_account_that_the_role_does_not_trust() {
    let (code, got, all) = findings_of("crossplane-runtime-config/bad");
    assert_eq!(
        got,
        vec![at("IRSA016", "crossplane-runtime-config/bad/role.yaml", 16)]
    );
    assert_eq!(code, 1);
    let message = all[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`crossplane-system/provider-aws`"),
        "{message}"
    );
    let (code, got, _) = findings_of("crossplane-runtime-config/good");
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(code, 0);
}

#[test]
fn an_account_named_after_the_revision_needs_a_stringlike_trust() {
    let (code, got, all) = findings_of("crossplane-revision/bad");
    assert_eq!(
        got,
        vec![
            at("IRSA016", "crossplane-revision/bad/role.yaml", 16),
            at("IRSA058", "crossplane-revision/bad/provider.yaml", 13),
        ]
    );
    assert_eq!(code, 1);
    let error = all.iter().find(|f| f["code"] == "IRSA016").unwrap();
    assert!(error["message"].as_str().unwrap().contains("StringLike"));
    assert!(
        error["fix"].is_null(),
        "no StringEquals fix for a pattern: {error:#?}"
    );
    let (code, got, _) = findings_of("crossplane-revision/good");
    assert_eq!(
        got,
        vec![at("IRSA058", "crossplane-revision/good/provider.yaml", 13)]
    );
    assert_eq!(code, 0);
}

#[test]
fn a_controller_config_role_arn_gets_the_arn_checks() {
    let (code, got, _) = findings_of("crossplane-controller-config/bad");
    assert_eq!(
        got,
        vec![at(
            "IRSA001",
            "crossplane-controller-config/bad/provider.yaml",
            15
        )]
    );
    assert_eq!(code, 1);
    let (code, got, _) = findings_of("crossplane-controller-config/good");
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(code, 0);
}

#[test]
fn crossplane_installed_into_another_namespace_moves_its_accounts() {
    let (_, got, all) = findings_of("crossplane-namespace/bad");
    assert!(
        got.contains(&at("IRSA016", "crossplane-namespace/bad/role.yaml", 16)),
        "{got:?}"
    );
    let error = all.iter().find(|f| f["code"] == "IRSA016").unwrap();
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("`upbound-system/provider-aws`"));
}

#[test]
fn a_runtime_config_no_provider_references_is_a_note_at_its_name() {
    let (code, got, _) = findings_of("crossplane-unused");
    assert_eq!(
        got,
        vec![at("IRSA058", "crossplane-unused/runtime.yaml", 4)]
    );
    assert_eq!(code, 0);
}
