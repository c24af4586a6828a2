//! The real binary on the bundled example: snapshots of human and JSON output, SARIF against the
//! official schema, `--fix` rewriting only the affected values, baselines and exit codes.

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("HELM_BIN", "/nonexistent/helm")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example");
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

#[test]
fn human_and_json_output_of_the_example() {
    let dir = example();
    let (code, human) = run(dir.path(), &["lint", ".", "--color", "never"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("example_human", human);
    let (_, json) = run(dir.path(), &["lint", ".", "--format", "json"]);
    insta::assert_snapshot!("example_json", json);
}

#[test]
fn sarif_of_the_example_validates_and_carries_the_fix() {
    let dir = example();
    let (_, sarif) = run(dir.path(), &["lint", ".", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mismatch = results.iter().find(|r| r["ruleId"] == "IRSA016").unwrap();
    let fix = serde_json::to_string(&mismatch["fixes"]).unwrap();
    assert!(fix.contains("system:serviceaccount:ci:edp-kaniko"), "{fix}");
}

#[test]
fn fix_rewrites_only_the_refusing_values() {
    let dir = example();
    let trust = dir.path().join("AWSIRSA_demo_edp_Kaniko.json");
    let before = std::fs::read_to_string(&trust).unwrap();
    let (_, _) = run(dir.path(), &["lint", ".", "--fix"]);
    let after = std::fs::read_to_string(&trust).unwrap();
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    let removed: Vec<&str> = before
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .collect();
    assert_eq!(removed.len(), 1, "{removed:#?}");
    assert!(removed[0].ends_with("\"system:serviceaccount:edp:edp-kaniko\""));
    assert_eq!(added.len(), 2, "{added:#?}");
    assert!(
        added[0].ends_with("\"system:serviceaccount:ci:edp-kaniko\","),
        "{}",
        added[0]
    );
    assert!(after.contains(":aud\": \"sts.amazonaws.com\""));
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    let (_, json) = run(dir.path(), &["lint", ".", "--format", "json"]);
    assert!(!json.contains("IRSA016"), "{json}");
    assert!(!json.contains("IRSA005"), "{json}");
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let dir = example();
    let (code, _) = run(
        dir.path(),
        &["lint", ".", "--write-baseline", "irsa-baseline.json"],
    );
    assert_eq!(code, 0);
    let (code, json) = run(
        dir.path(),
        &[
            "lint",
            ".",
            "--baseline",
            "irsa-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{json}");
    std::fs::write(
        dir.path().join("legacy.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    iam.amazonaws.com/role: old\nspec:\n  containers: []\n",
    )
    .unwrap();
    let (code, json) = run(
        dir.path(),
        &[
            "lint",
            ".",
            "--baseline",
            "irsa-baseline.json",
            "--format",
            "json",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let codes: Vec<&str> = parsed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["IRSA015"]);
}

#[test]
fn suppression_comment_annotation_and_config() {
    let dir = example();
    let sa = dir.path().join("serviceaccount.yaml");
    let text = std::fs::read_to_string(&sa).unwrap();
    std::fs::write(
        &sa,
        text.replace(
            "          env:\n",
            "          # irsa:ignore[IRSA013] migrating to IRSA\n          env:\n",
        ),
    )
    .unwrap();
    let (_, json) = run(dir.path(), &["lint", ".", "--format", "json"]);
    assert!(
        json.contains("IRSA013"),
        "the comment is on the wrong line for the finding: {json}"
    );
    let text = std::fs::read_to_string(&sa).unwrap();
    std::fs::write(&sa, text.replace("            - name: AWS_ACCESS_KEY_ID", "            # irsa:ignore[IRSA013] migrating to IRSA\n            - name: AWS_ACCESS_KEY_ID")).unwrap();
    let (_, json) = run(dir.path(), &["lint", ".", "--format", "json"]);
    assert!(!json.contains("IRSA013"), "{json}");
    let (_, json) = run(
        dir.path(),
        &["lint", ".", "--format", "json", "--no-ignores"],
    );
    assert!(json.contains("IRSA013"));
    std::fs::write(
        dir.path().join(".irsa.yaml"),
        "version: 1\nrules:\n  IRSA014: off\n  trust-sub-mismatch: warning\n",
    )
    .unwrap();
    let (code, json) = run(dir.path(), &["lint", ".", "--format", "json"]);
    assert!(!json.contains("IRSA014"));
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mismatch = parsed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "IRSA016")
        .unwrap();
    assert_eq!(mismatch["severity"], "warning");
    assert_eq!(code, 0, "only warnings are left: {json}");
}

#[test]
fn a_broken_config_is_a_located_diagnostic() {
    let dir = example();
    std::fs::write(
        dir.path().join(".irsa.yaml"),
        "version: 1\nrules:\n  IRSA014: warn\n",
    )
    .unwrap();
    let (code, json) = run(dir.path(), &["lint", ".", "--format", "json"]);
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = parsed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "IRSA017")
        .unwrap();
    assert!(f["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with(".irsa.yaml"));
    assert_eq!(f["location"]["line"], 3);
}

#[test]
fn rule_docs_are_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"))
        .unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == docs,
        "docs/rules.md is stale: run scripts/gen-rule-docs.sh"
    );
}
