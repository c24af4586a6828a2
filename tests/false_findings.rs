//! False findings seen on real repositories, each against a fixture pair written for it: what the
//! run cannot know is not reported as wrong, and what it knows still is.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::lint;
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
