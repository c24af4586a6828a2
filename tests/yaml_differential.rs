//! Our YAML reader against PyYAML over every YAML fixture under `testdata/` (go-yaml, what kubectl
//! and helm use, is the reference; PyYAML is the libyaml-family reader we can run here).
//! `scripts/yaml-diff.py` does the comparing; it runs the same over any corpus directory.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Fixtures where the two readers disagree, and why that is right for us.
const KNOWN: &[(&str, &str, &str)] = &[
    // (path under testdata/, kind of disagreement, reason)
    (
        "yaml/tabs-inside-flow.yaml",
        "only pyyaml refuses",
        "tabs before content inside a flow collection: go-yaml (kubectl, helm) reads them as blanks",
    ),
];

fn yaml_fixtures() -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("testdata")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn our_yaml_reader_agrees_with_pyyaml_on_every_fixture() {
    let python = root().join(".tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run scripts/install-test-tools.sh",
        python.display()
    );
    let files = yaml_fixtures();
    let ours: String = files
        .iter()
        .map(|f| kubectl_irsa::syntax::yaml::raw_view(f).to_string() + "\n")
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let ours_path = tmp.path().join("ours.jsonl");
    std::fs::write(&ours_path, ours).unwrap();
    let out = Command::new(&python)
        .arg(root().join("scripts/yaml-diff.py"))
        .arg("--ours")
        .arg(&ours_path)
        .arg(root().join("testdata"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let prefix = format!("{}/testdata/", root().display());
    let found: BTreeMap<String, serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|d| {
            let path = d["path"].as_str().unwrap().trim_start_matches(&prefix);
            (format!("{path} {}", d["kind"].as_str().unwrap()), d)
        })
        .collect();
    let known: BTreeMap<String, &str> = KNOWN
        .iter()
        .map(|(path, kind, why)| (format!("{path} {kind}"), *why))
        .collect();
    let unexplained: Vec<_> = found
        .iter()
        .filter(|(k, _)| !known.contains_key(*k))
        .collect();
    let stale: Vec<_> = known.keys().filter(|k| !found.contains_key(*k)).collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "disagreements without a reason: {unexplained:#?}\nlisted but gone: {stale:#?}"
    );
    assert!(files.len() > 100, "{} fixtures", files.len());
}
