//! Files that are not inputs of this tool: a broken file is an error (IRSA000) only when it shows
//! it is Kubernetes or IAM; templates are IRSA052; other tools' JSON is not read at all.

use std::collections::BTreeMap;
use std::process::Command;

/// (file, code, line, column) of every finding on `testdata/unread`.
fn findings() -> BTreeMap<String, Vec<(String, u64, u64)>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/unread");
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["lint", dir, "--format", "json", "--verbose"])
        .env("HELM_BIN", "/nonexistent/helm")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut by_file: BTreeMap<String, Vec<(String, u64, u64)>> = BTreeMap::new();
    for f in json["findings"].as_array().unwrap() {
        let path = f["location"]["path"].as_str().unwrap();
        let name = path.rsplit("testdata/unread/").next().unwrap().to_string();
        let at = &f["location"];
        let code = f["code"].as_str().unwrap().to_string();
        let line = at["line"].as_u64().unwrap_or(0);
        by_file
            .entry(name)
            .or_default()
            .push((code, line, at["column"].as_u64().unwrap_or(0)));
    }
    by_file
}

fn codes(found: &BTreeMap<String, Vec<(String, u64, u64)>>, file: &str) -> Vec<String> {
    found
        .get(file)
        .map(|f| f.iter().map(|(c, _, _)| c.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn a_broken_file_is_an_error_only_when_it_shows_it_is_kubernetes_or_iam() {
    let found = findings();
    // Meant for the tool and broken: the error, at the line and column the parser stopped.
    assert_eq!(
        found.get("broken-sa.yaml"),
        Some(&vec![("IRSA000".into(), 7, 4)])
    );
    // No sign of Kubernetes or IAM, or an excerpt with `...` for what was left out: a note.
    for file in ["fragment.yaml", "events.json", "excerpt.yaml"] {
        assert_eq!(codes(&found, file), ["IRSA056"], "{file}: {found:#?}");
    }
    // `{NAME}` and `%NAME%` placeholders a script replaces: templates (IRSA052), on their line.
    assert_eq!(
        found.get("tenant-template.yaml"),
        Some(&vec![("IRSA052".into(), 4, 9)])
    );
    assert_eq!(
        found.get("connector.yaml"),
        Some(&vec![("IRSA052".into(), 6, 9)])
    );
}

#[test]
fn other_tools_json_and_json_schemas_are_not_read_as_policies() {
    let found = findings();
    for file in ["tsconfig.json", "package.json", "trust-policy.schema.json"] {
        assert!(codes(&found, file).is_empty(), "{file}: {found:#?}");
    }
}
