//! helmfile releases end to end through `kubectl-irsa lint DIR`: a chart from a repository
//! (computed from its chart pack) and a chart in the tree (rendered by the real helm with the
//! release's name, namespace, values files and `set`), each cross-checked against its trust.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lint(dir: &str) -> (i32, Vec<serde_json::Value>) {
    let helm = root().join(".tools/bin/helm");
    assert!(
        helm.exists(),
        "run scripts/install-test-tools.sh (installs .tools/bin/helm)"
    );
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(root())
        .args(["lint", dir, "--format", "json", "--verbose", "--helm"])
        .arg(&helm)
        .env("HELM_CACHE_HOME", home.path().join("cache"))
        .env("HELM_CONFIG_HOME", home.path().join("config"))
        .env("HELM_DATA_HOME", home.path().join("data"))
        .env_remove("HELM_BIN")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    (out.status.code().unwrap_or(-1), findings)
}

fn place(l: &serde_json::Value) -> String {
    format!("{}:{}", l["path"].as_str().unwrap_or("?"), l["line"])
}

fn at(f: &serde_json::Value) -> String {
    place(&f["location"])
}

fn related(f: &serde_json::Value) -> Vec<String> {
    f["related"]
        .as_array()
        .into_iter()
        .flatten()
        .map(place)
        .collect()
}

#[test]
fn helmfile_bad_releases_are_found_at_the_trust_and_the_values_line() {
    let (code, findings) = lint("testdata/gitops/helmfile/bad");
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["IRSA016", "IRSA016"], "{findings:#?}");
    assert_eq!(code, 1);
    let dns = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("external-dns"))
        .unwrap();
    assert!(
        dns["message"]
            .as_str()
            .unwrap()
            .contains("`kube-system/dns-external-dns`"),
        "{dns:#}"
    );
    assert_eq!(
        at(dns),
        "testdata/gitops/helmfile/bad/iam/external-dns.json:10"
    );
    assert!(
        related(dns)
            .contains(&"testdata/gitops/helmfile/bad/values/external-dns.yaml:4".to_string()),
        "{dns:#}"
    );
    let api = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("`staging/api`"))
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(at(api), "testdata/gitops/helmfile/bad/iam/api.json:10");
    assert!(
        related(api).contains(&"testdata/gitops/helmfile/bad/values/api.yaml:3".to_string()),
        "the rendered SA traces back to the helmfile's values file: {api:#}"
    );
    // The release object is a related location too: its name and its namespace line.
    assert!(
        related(dns).contains(&"testdata/gitops/helmfile/bad/helmfile.yaml:7".to_string()),
        "{dns:#}"
    );
    assert!(
        related(api).contains(&"testdata/gitops/helmfile/bad/helmfile.yaml:14".to_string()),
        "{api:#}"
    );
}

#[test]
fn helmfile_good_twin_is_clean() {
    let (code, findings) = lint("testdata/gitops/helmfile/good");
    assert_eq!(findings, Vec::<serde_json::Value>::new());
    assert_eq!(code, 0);
}

#[test]
fn helmfile_bad_input_is_reported_and_nothing_outside_the_tree_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("values")).unwrap();
    // Outside the linted tree: a role ARN that must never be read.
    std::fs::write(
        dir.path().join("secret.yaml"),
        "serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::<ACCOUNT>:role/x\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../../secret.yaml", tree.join("values/link.yaml")).unwrap();
    std::fs::write(
        tree.join("values/broken.yaml"),
        "serviceAccount:\n  name: [unclosed\n",
    )
    .unwrap();
    std::fs::write(
        tree.join("helmfile.yaml"),
        "releases:\n  - name: dns\n    chart: repo/external-dns\n    values:\n      - ../secret.yaml\n      - values/link.yaml\n      - values/broken.yaml\n      - values/missing.yaml\n  - name: \"{{ .Values.name }}\"\n    chart: repo/external-dns\n  - name: nopack\n    chart: repo/some-chart\n",
    )
    .unwrap();
    let (code, findings) = lint(tree.to_str().unwrap());
    let messages: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {}: {}",
                f["code"].as_str().unwrap(),
                at(f),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    // What is outside the tree is a note of its own code (IRSA054), not an input error.
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("IRSA054 ") && m.contains("`../secret.yaml` is outside")),
        "{messages:#?}"
    );
    assert!(
        has("`../secret.yaml` is outside the linted tree"),
        "{messages:#?}"
    );
    #[cfg(unix)]
    assert!(
        has("`values/link.yaml` is outside the linted tree"),
        "{messages:#?}"
    );
    assert!(
        has("`values/missing.yaml` is outside the linted tree (or missing)"),
        "{messages:#?}"
    );
    assert!(has("templated name or chart, not linted"), "{messages:#?}");
    assert!(has("IRSA020") && has("`some-chart`"), "{messages:#?}");
    // The malformed values file is reported once, where it is linted as a file.
    let broken: Vec<&String> = messages
        .iter()
        .filter(|m| m.contains("broken.yaml") && m.starts_with("IRSA000"))
        .collect();
    assert_eq!(broken.len(), 1, "{messages:#?}");
    // The ARN outside the tree was never read (IRSA001 would name its placeholder).
    assert!(!has("<ACCOUNT>") && !has("IRSA001"), "{messages:#?}");
    assert_eq!(
        code, 1,
        "IRSA000 for the broken file fails the run: {messages:#?}"
    );
}

#[test]
fn a_placeholder_role_arn_of_a_remote_release_is_noted_once_at_its_values_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("helmfile.yaml"),
        "releases:\n  - name: external-dns\n    chart: repo/external-dns\n    values:\n      - serviceAccount:\n          annotations:\n            eks.amazonaws.com/role-arn: arn:aws:iam::<ACCOUNT_ID>:role/external-dns\n",
    )
    .unwrap();
    let (code, findings) = lint(dir.path().to_str().unwrap());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["code"], "IRSA053");
    assert_eq!(findings[0]["location"]["line"], 7);
    assert_eq!(code, 0);
}

#[test]
fn a_pod_identity_association_that_a_released_chart_renders_is_checked_as_in_the_chart_itself() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    )
    .unwrap();
    // The chart creates `<release>-app`, but its association names `app`.
    std::fs::write(
        chart.join("templates/all.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}-app\n---\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  clusterName: prod\n  namespace: {{ .Release.Namespace }}\n  serviceAccount: app\n  roleARN: arn:aws:iam::111122223333:role/web-app\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("helmfile.yaml"),
        "releases:\n  - name: web\n    namespace: web\n    chart: ./chart\n",
    )
    .unwrap();
    // Linted alone, the chart renders into `default`; released, into the release's namespace.
    let (_, direct) = lint(chart.to_str().unwrap());
    let (_, released) = lint(dir.path().to_str().unwrap());
    for (findings, account) in [(&direct, "`default/app`"), (&released, "`web/app`")] {
        let missing: Vec<&str> = findings
            .iter()
            .filter(|f| f["code"] == "IRSA066")
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert_eq!(missing.len(), 1, "{findings:#?}");
        assert!(missing[0].contains(account), "{missing:?}");
    }
}
