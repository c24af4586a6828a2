//! False findings seen on real repositories, each against a fixture pair written for it: what the
//! run cannot know is not reported as wrong, and what it knows still is.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{lint, located};
use serde_json::Value;

fn codes<'a>(findings: &'a [Value], code: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["code"] == code).collect()
}

fn at(f: &Value) -> (String, u64, String) {
    let l = &f["location"];
    (
        l["path"].as_str().unwrap_or("").to_string(),
        l["line"].as_u64().unwrap_or(0),
        f["severity"].as_str().unwrap_or("").to_string(),
    )
}

const SA_MISSING: &str = "testdata/pod_identity/sa-missing";

#[test]
fn a_missing_account_is_reported_where_the_run_knows_every_account_of_the_namespace() {
    let (_, findings) = lint(&[&format!("{SA_MISSING}/known")]);
    let missing = codes(&findings, "IRSA066");
    // web/app is reported; web/made is created by eksctl (`createServiceAccount: true`).
    assert_eq!(missing.len(), 1, "{findings:#?}");
    assert_eq!(
        at(missing[0]),
        (
            format!("{SA_MISSING}/known/cluster.yaml"),
            10,
            "warning".into()
        )
    );
    assert!(missing[0]["message"]
        .as_str()
        .unwrap()
        .contains("(the run creates web/other there)"));
}

#[test]
fn a_missing_account_is_not_reported_where_the_run_cannot_list_the_accounts() {
    // A release of a chart with no pack, a release whose values are set at deploy time, and a
    // namespace the run creates no account in: the accounts come from what the run cannot read.
    for (case, note) in [
        ("unlisted-release", Some("IRSA020")),
        ("deploy-time-values", Some("IRSA053")),
        ("other-namespace", None),
    ] {
        let (_, findings) = lint(&[&format!("{SA_MISSING}/{case}")]);
        assert!(
            codes(&findings, "IRSA066").is_empty(),
            "{case}: {findings:#?}"
        );
        if let Some(code) = note {
            let notes = codes(&findings, code);
            assert_eq!(notes.len(), 1, "{case}: {findings:#?}");
            assert_eq!(notes[0]["severity"], "note", "{case}");
        }
    }
}

#[test]
fn associations_of_two_terraform_roots_are_of_two_clusters() {
    let dir = "testdata/pod_identity/duplicate";
    let (_, findings) = lint(&[&format!("{dir}/two-roots")]);
    assert!(codes(&findings, "IRSA068").is_empty(), "{findings:#?}");
    let (_, findings) = lint(&[&format!("{dir}/one-root")]);
    let duplicate = codes(&findings, "IRSA068");
    assert_eq!(duplicate.len(), 1, "{findings:#?}");
    assert_eq!(
        at(duplicate[0]),
        (format!("{dir}/one-root/main.tf"), 22, "error".into())
    );
}

#[test]
fn static_keys_from_an_optional_secret_are_a_warning() {
    let dir = "testdata/static-credentials";
    for (file, severity) in [("optional-secret", "warning"), ("required-secret", "error")] {
        let path = format!("{dir}/{file}.yaml");
        let (_, findings) = lint(&[&path]);
        let keys = codes(&findings, "IRSA013");
        let got: Vec<_> = keys.iter().map(|f| at(f)).collect();
        assert_eq!(
            got,
            [
                (path.clone(), 27, severity.to_string()),
                (path.clone(), 31, severity.to_string())
            ],
            "{findings:#?}"
        );
    }
}

#[test]
fn release_values_set_at_deploy_time_are_a_note_and_the_release_is_still_linted() {
    let dir = "testdata/gitops/deploy-time-values";
    let path = |twin: &str| format!("{dir}/{twin}/external-dns.yaml");
    let (_, bad) = lint(&[&format!("{dir}/bad")]);
    let want = |twin: &str, invalid: bool| {
        let mut want = vec![("IRSA053".to_string(), path(twin), 16)];
        if invalid {
            // The parameter is linted: the release was read without the placeholder layer.
            want.push(("IRSA001".to_string(), path(twin), 18));
        }
        want.push(("IRSA053".to_string(), path(twin), 34));
        want
    };
    assert_eq!(located(&bad), want("bad", true), "{bad:#?}");
    let (code, good) = lint(&[&format!("{dir}/good")]);
    assert_eq!(located(&good), want("good", false), "{good:#?}");
    assert!(good.iter().all(|f| f["severity"] == "note"));
    assert_eq!(code, 0);
}

#[test]
fn a_value_from_the_default_of_a_module_no_root_calls_is_at_most_a_warning() {
    let dir = "testdata/terraform/module-defaults";
    let (_, alone) = lint(&[&format!("{dir}/alone")]);
    let audiences: Vec<_> = codes(&alone, "IRSA005").into_iter().map(at).collect();
    let main = format!("{dir}/alone/main.tf");
    // Per value: the default is capped, the audience written in the module is not.
    assert_eq!(
        audiences,
        [
            (main.clone(), 17, "warning".into()),
            (main.clone(), 43, "error".into())
        ],
        "{alone:#?}"
    );
    assert!(codes(&alone, "IRSA005")[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("(from the default of `var.audiences`; callers may override it)"));
    // Called by a root that keeps the default: that is what is deployed.
    let (_, called) = lint(&[&format!("{dir}/called")]);
    let severities: Vec<_> = codes(&called, "IRSA005")
        .iter()
        .map(|f| f["severity"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(severities, ["error", "error"], "{called:#?}");
}

#[test]
fn an_application_terraform_applies_from_a_template_may_create_the_account() {
    // data-on-eks: the load-balancer controller's account comes from an Argo CD Application that
    // a `kubectl_manifest` applies from `templatefile()`; the run cannot list its accounts.
    let dir = "testdata/terraform/templated-application";
    let (_, applied) = lint(&[&format!("{dir}/applied")]);
    assert!(codes(&applied, "IRSA066").is_empty(), "{applied:#?}");
    let (_, missing) = lint(&[&format!("{dir}/missing")]);
    assert_eq!(
        located(
            &codes(&missing, "IRSA066")
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        ),
        [("IRSA066".to_string(), format!("{dir}/missing/main.tf"), 16)]
    );
}
