//! Which trusts the trust rules judge (issue "an IRSA tool judges IRSA"): EKS trusts only, an
//! unrecognised provider when a service account of the run uses the role, never another
//! platform's OIDC trust or a resource policy; and the hygiene of a missing `:aud`.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::lint_document as lint;

/// `(code, severity, file name, line)` of every finding.
fn summary(json: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().unwrap_or("");
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                path.rsplit('/').next().unwrap_or(path).to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// GitHub Actions, Terraform Cloud, GitLab and CircleCI trusts, and a bucket policy: their `aud`
/// and `sub` mean other things, so no trust rule speaks.
#[test]
fn other_platforms_and_resource_policies_are_not_judged() {
    let (exit, json) = lint(&["testdata/trust/scope/other-issuers"]);
    assert_eq!(summary(&json), vec![], "{json:#}");
    assert_eq!(exit, 0);
}

/// A provider that is not recognisably EKS (a self-hosted cluster's issuer) is an EKS trust when
/// a service account of the run carries the role, and not otherwise.
#[test]
fn unrecognised_provider_is_checked_when_paired() {
    let (exit, json) = lint(&["testdata/trust/scope/self-hosted-paired"]);
    let codes = summary(&json);
    assert!(
        codes.contains(&("IRSA003".into(), "error".into(), "reporter.json".into(), 7)),
        "{json:#}"
    );
    assert_eq!(exit, 1);
    let (exit, json) = lint(&["testdata/trust/scope/self-hosted-unpaired"]);
    assert_eq!(summary(&json), vec![], "{json:#}");
    assert_eq!(exit, 0);
}

/// STS accepts only audiences in the provider's client-ID list: a trust without `:aud` is a
/// hygiene note, not an open door.
#[test]
fn missing_audience_is_a_note() {
    let (exit, json) = lint(&["testdata/trust/scope/no-aud.json"]);
    assert_eq!(
        summary(&json),
        vec![("IRSA005".into(), "note".into(), "no-aud.json".into(), 12)],
        "{json:#}"
    );
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(!message.contains("any audience"), "{message}");
    assert_eq!(exit, 0);
}
