//! Running the built binary's `lint --format json` with the test tools on PATH, and comparing
//! findings by `(code, path, line)`. Shared by the GitOps test files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the test tools first (kubectl with its built-in kustomize, helm).
pub fn tools_path() -> String {
    let tools = root().join(".tools/bin");
    assert!(
        tools.join("kubectl").exists(),
        "kubectl is not installed: run scripts/install-test-tools.sh (it installs .tools/bin/kubectl)"
    );
    format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

pub fn lint_with_path(path_var: &str, args: &[&str]) -> (i32, Vec<Value>) {
    lint_in(&root(), path_var, args)
}

/// `lint ARGS` run from the directory `cwd`, as a user inside it does.
pub fn lint_in(cwd: &Path, path_var: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(cwd)
        .arg("lint")
        .args(args)
        // Every note too (without --verbose, what was not checked is only in the summary).
        .args(["--format", "json", "--verbose"])
        .env("PATH", path_var)
        .env_remove("HELM_BIN")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    (out.status.code().unwrap_or(-1), findings)
}

pub fn lint(args: &[&str]) -> (i32, Vec<Value>) {
    lint_with_path(&tools_path(), args)
}

/// The whole JSON document (findings and summary) of `lint ARGS --format json --verbose`.
pub fn lint_document(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(root())
        .arg("lint")
        .args(args)
        .args(["--format", "json", "--verbose"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

/// `(code, path, line)` of each finding.
pub fn located(findings: &[Value]) -> Vec<(String, String, u64)> {
    findings
        .iter()
        .map(|f| {
            let l = &f["location"];
            (
                f["code"].as_str().unwrap_or("").to_string(),
                l["path"].as_str().unwrap_or("").to_string(),
                l["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

pub fn expect(findings: &[Value], wanted: &[(&str, &str, u64)]) {
    let got = located(findings);
    let want: Vec<(String, String, u64)> = wanted
        .iter()
        .map(|(c, p, l)| (c.to_string(), format!("testdata/gitops/{p}"), *l))
        .collect();
    assert_eq!(got, want, "{findings:#?}");
}

/// `(path, line)` of a finding's related locations.
pub fn related_lines(f: &Value) -> Vec<(&str, u64)> {
    f["related"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap_or(""),
                r["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}
