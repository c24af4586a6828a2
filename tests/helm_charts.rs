//! Charts rendered by a real helm 3 (installed by scripts/install-test-tools.sh into .tools/bin):
//! the cross-check verdicts, the cause named, the values-key location, and the fallbacks.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn helm() -> PathBuf {
    let local = root().join(".tools/bin/helm");
    assert!(
        local.exists(),
        "helm 3 is not installed: run scripts/install-test-tools.sh (it installs .tools/bin/helm)"
    );
    local
}

fn lint(args: &[&str]) -> (i32, serde_json::Value) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(root())
        .arg("lint")
        .args(args)
        .args(["--format", "json", "--verbose"])
        .env("HELM_CACHE_HOME", home.path().join("cache"))
        .env("HELM_CONFIG_HOME", home.path().join("config"))
        .env("HELM_DATA_HOME", home.path().join("data"))
        .env_remove("HELM_BIN")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

fn lint_webapp(extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let helm = helm();
    let mut args = vec![
        "testdata/charts/webapp",
        "testdata/charts/trust",
        "--helm",
        helm.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, json) = lint(&args);
    (
        code,
        json["findings"].as_array().cloned().unwrap_or_default(),
    )
}

#[test]
fn chart_rendered_into_the_trusted_namespace_passes() {
    let (code, findings) = lint_webapp(&["-n", "apps"]);
    assert_eq!(findings, Vec::<serde_json::Value>::new());
    assert_eq!(code, 0);
}

#[test]
fn release_name_changes_the_fullname() {
    let (code, findings) = lint_webapp(&["-n", "apps", "--release-name", "prod"]);
    assert_eq!(code, 1);
    let f = &findings[0];
    assert_eq!(f["code"], "IRSA016");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("`apps/prod-webapp`"), "{msg}");
    assert!(msg.contains("release name `prod`"), "{msg}");
    assert_eq!(
        f["location"]["path"],
        "testdata/charts/trust/webapp-s3.json"
    );
    assert_eq!(f["location"]["line"], 10);
    let related: Vec<String> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r["path"].as_str().unwrap(), r["line"]))
        .collect();
    // The rendered object is named by its template file; the rendered line is in the message.
    assert!(
        related.contains(&"testdata/charts/webapp/templates/serviceaccount.yaml:1".to_string()),
        "{related:?}"
    );
    assert!(
        (f["related"].as_array().unwrap().iter()).any(|r| r["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 8 of the rendered `"))),
        "{f}"
    );
    // The values key that supplied the role ARN.
    assert!(
        related.contains(&"testdata/charts/webapp/values.yaml:9".to_string()),
        "{related:?}"
    );
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("system:serviceaccount:apps:prod-webapp"));
}

#[test]
fn release_namespace_differs_from_the_trust() {
    let (_, findings) = lint_webapp(&["-n", "other"]);
    let msg = findings[0]["message"].as_str().unwrap();
    assert!(msg.contains("release namespace `other` (-n)"), "{msg}");
}

#[test]
fn namespace_override_from_values() {
    let (_, findings) = lint_webapp(&[
        "-n",
        "apps",
        "-f",
        "testdata/charts/ns-override-values.yaml",
    ]);
    let msg = findings[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("namespace `platform` from its values"),
        "{msg}"
    );
}

#[test]
fn set_overrides_are_rendered_too() {
    let (_, findings) = lint_webapp(&["-n", "apps", "--set", "serviceAccount.name=custom"]);
    let msg = findings[0]["message"].as_str().unwrap();
    assert!(msg.contains("`apps/custom`"), "{msg}");
}

#[test]
fn a_chart_that_fails_to_render_falls_back_with_one_warning() {
    let helm = helm();
    let (code, json) = lint(&[
        "testdata/charts/needs-domain",
        "--helm",
        helm.to_str().unwrap(),
    ]);
    let findings = json["findings"].as_array().unwrap();
    let warnings: Vec<_> = findings.iter().filter(|f| f["code"] == "IRSA020").collect();
    assert_eq!(warnings.len(), 1, "{findings:#?}");
    assert!(warnings[0]["message"]
        .as_str()
        .unwrap()
        .contains("global.domain is required"));
    assert_eq!(code, 0, "a warning alone does not fail the default gate");
}

#[test]
fn no_helm_installed_falls_back() {
    let (_, json) = lint(&["testdata/charts/webapp", "--helm", "/nonexistent/helm"]);
    let f = &json["findings"][0];
    assert_eq!(f["code"], "IRSA020");
    assert!(f["message"].as_str().unwrap().contains("install helm 3"));
}

#[test]
fn a_hanging_helm_is_stopped_by_the_render_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("helm");
    std::fs::write(&fake, "#!/bin/sh\nsleep 30\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let started = std::time::Instant::now();
    let (_, json) = lint(&[
        "testdata/charts/webapp",
        "--helm",
        fake.to_str().unwrap(),
        "--render-timeout",
        "1",
    ]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(json["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("did not finish within 1s"));
}

#[test]
fn create_false_drops_the_role_annotation() {
    let (code, findings) = lint_webapp(&[
        "-n",
        "apps",
        "-f",
        "testdata/charts/create-false-values.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["code"], "KSA002");
    assert_eq!(f["location"]["path"], "testdata/charts/webapp/values.yaml");
    assert_eq!(f["location"]["line"], 9);
}

#[test]
fn a_placeholder_in_a_values_file_is_noted_once_at_that_file() {
    let (_, findings) = lint_webapp(&[
        "-n",
        "apps",
        "-f",
        "testdata/charts/placeholder-values.yaml",
    ]);
    let placeholder: Vec<_> = findings
        .iter()
        .filter(|f| ["IRSA001", "KSA001", "IRSA053"].contains(&f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(placeholder.len(), 1, "{findings:#?}");
    let f = placeholder[0];
    assert_eq!(f["code"], "IRSA053");
    assert_eq!(
        f["location"]["path"],
        "testdata/charts/placeholder-values.yaml"
    );
    assert_eq!(f["location"]["line"], 3);
    assert!(
        f["message"].as_str().unwrap().contains("<AWS_ACCOUNT_ID>"),
        "{f:#}"
    );
}

/// KubeRocketCI: the SA's namespace comes from `global.edpName`, not `-n`; the subcharts are not
/// vendored, so the chart is rendered without them (and says so).
#[test]
fn kuberocketci_namespace_from_values_with_missing_subcharts() {
    let helm = helm();
    let (code, json) = lint(&[
        "testdata/charts/edp-mini",
        "testdata/charts/kaniko-trust",
        "--helm",
        helm.to_str().unwrap(),
        "-n",
        "ci",
        "-f",
        "testdata/charts/edp-values.yaml",
    ]);
    assert_eq!(code, 1);
    let findings = json["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"IRSA020") && codes.contains(&"KRCI002") && codes.contains(&"IRSA016"),
        "{codes:?}"
    );
    let partial = findings.iter().find(|f| f["code"] == "IRSA020").unwrap();
    assert!(partial["message"]
        .as_str()
        .unwrap()
        .contains("without its subcharts (codebase-operator)"));
    let mismatch = findings.iter().find(|f| f["code"] == "IRSA016").unwrap();
    let msg = mismatch["message"].as_str().unwrap();
    assert!(
        msg.contains("`edp/edp-kaniko`") && msg.contains("namespace `edp` from its values"),
        "{msg}"
    );
    let related: Vec<String> = mismatch["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r["path"].as_str().unwrap(), r["line"]))
        .collect();
    assert!(
        related.contains(&"testdata/charts/edp-values.yaml:4".to_string()),
        "the kaniko.roleArn key: {related:?}"
    );
}
