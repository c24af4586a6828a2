//! Lint streams: each file is let go once its file rules ran. Checks that span files still work
//! (a workload and its service account in different files), texts come back for the findings that
//! point into them, a file changed since is neither shown stale nor `--fix`ed, and the output
//! does not depend on the number of threads or on the chunking.

use std::path::Path;
use std::process::Command;

use kubectl_irsa::config::Config;
use kubectl_irsa::lint::{lint, LintOptions};

const SA: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
  namespace: app
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/reader
";

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: reader
  namespace: app
spec:
  template:
    spec:
      serviceAccountName: reader
      securityContext:
        runAsNonRoot: true
      volumes:
        - name: aws-iam-token
          projected:
            defaultMode: 0600
            sources: [{serviceAccountToken: {audience: sts.amazonaws.com, path: token}}]
      containers:
        - name: main
          image: busybox
          env:
            - name: AWS_ACCESS_KEY_ID
              value: AKIAEXAMPLE
";

fn run(dir: &Path, args: &[&str], threads: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .arg("lint")
        .arg(dir)
        .args(args)
        .args(["--color", "never"])
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn repo(sa: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sa.yaml"), sa).unwrap();
    std::fs::write(dir.path().join("deploy.yaml"), DEPLOY).unwrap();
    dir
}

#[test]
fn workload_rules_find_the_service_account_in_another_file() {
    let dir = repo(SA);
    let (code, out) = run(dir.path(), &["--format", "json"], "2");
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = json["findings"].as_array().unwrap();
    for code in ["IRSA013", "IRSA014"] {
        let f = findings
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("{code} missing: {out}"));
        assert!(f["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("deploy.yaml"));
        let related = &f["related"][0];
        assert!(
            related["path"].as_str().unwrap().ends_with("sa.yaml"),
            "{f}"
        );
        assert_eq!(related["line"], 7, "the role annotation: {f}");
    }

    // The texts were let go after each file was linted; the human report reads back the one
    // its snippets show, and names the related place in the other file.
    let (_, human) = run(dir.path(), &[], "2");
    assert!(human.contains("defaultMode: 0600"), "{human}");
    assert!(
        human.contains("sa.yaml:7:5: the service account's role"),
        "{human}"
    );
}

#[test]
fn without_a_role_on_the_other_files_service_account_nothing_is_reported() {
    // An annotation that is no role annotation at all (a misspelt one would be IRSA062).
    let dir = repo(&SA.replace(
        "eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/reader",
        "example.com/owner: team-reader",
    ));
    let (code, out) = run(dir.path(), &["--format", "json"], "2");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_file_changed_after_linting_is_not_shown_stale_nor_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB12"},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB12:sub": "system:serviceaccount:app:other",
   "oidc.eks.us-east-1.amazonaws.com/id/AB12:aud": "sts.amazonaws.com"}}}]}"#;
    std::fs::write(dir.path().join("reader.json"), trust).unwrap();
    std::fs::write(dir.path().join("sa.yaml"), SA).unwrap();
    std::fs::write(dir.path().join("deploy.yaml"), DEPLOY).unwrap();
    let opts = LintOptions {
        paths: vec![dir.path().to_path_buf()],
        ..LintOptions::default()
    };
    let mut result = lint(&opts, &Config::default());
    assert!(result.findings.iter().any(|f| f.code == "IRSA016"));
    // Edited between the lint and the report: its fingerprint no longer matches.
    std::fs::write(
        dir.path().join("deploy.yaml"),
        format!("# edited\n{DEPLOY}"),
    )
    .unwrap();
    result.read_back_texts(opts.max_file_size);
    let deploy = result
        .sources
        .values()
        .find(|f| f.display.ends_with("deploy.yaml"))
        .unwrap();
    assert!(deploy.elided.is_some() && deploy.text.is_empty());
    let sa = result
        .sources
        .values()
        .find(|f| f.display.ends_with("sa.yaml"))
        .unwrap();
    assert!(sa.text.contains("role/reader"), "unchanged files come back");
    let report = kubectl_irsa::report::Report {
        findings: result.findings.clone(),
        rules: result.rules.clone(),
        sources: result.sources.clone(),
        tool_version: "test",
        summary: None,
        clusters: Vec::new(),
        coverage: None,
        verbose: false,
        ..Default::default()
    };
    let mut human = Vec::new();
    kubectl_irsa::report::render(
        &report,
        kubectl_irsa::report::Format::Human,
        false,
        &mut human,
    )
    .unwrap();
    let human = String::from_utf8(human).unwrap();
    assert!(human.contains("deploy.yaml:15:"), "{human}");
    assert!(
        !human.contains("defaultMode: 0600\n"),
        "no stale snippet: {human}"
    );

    // `--fix` edits only texts it could read back unchanged.
    std::fs::write(dir.path().join("reader.json"), format!("{trust}\n")).unwrap();
    let mut result = lint(&opts, &Config::default());
    std::fs::write(dir.path().join("reader.json"), format!(" {trust}\n")).unwrap();
    result.read_back_texts(opts.max_file_size);
    let applied = kubectl_irsa::lint::fix::apply(&result.findings, &result.sources).unwrap();
    assert!(applied.files.is_empty(), "{:?}", applied.files);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("reader.json")).unwrap(),
        format!(" {trust}\n")
    );
}

#[test]
fn output_is_the_same_whatever_the_threads_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    // More files than are parsed at once, with workloads and their SAs in different chunks.
    for i in 0..700 {
        let sa = SA.replace("reader", &format!("reader-{i}"));
        let deploy = DEPLOY.replace("reader", &format!("reader-{i}"));
        std::fs::write(dir.path().join(format!("a-{i:04}-sa.yaml")), sa).unwrap();
        std::fs::write(dir.path().join(format!("z-{i:04}-deploy.yaml")), deploy).unwrap();
    }
    let (code, one) = run(dir.path(), &["--format", "json"], "1");
    assert_eq!(code, 1);
    let (_, two) = run(dir.path(), &["--format", "json"], "2");
    assert_eq!(one, two);
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    let count = |code: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .count()
    };
    assert_eq!((count("IRSA013"), count("IRSA014")), (700, 700));
}

#[test]
fn standard_input_keeps_its_text_for_the_report() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["lint", "-", "--color", "never"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // An account of 3 digits (a placeholder would be a note, and exit 0).
    let bad = SA.replace("111122223333", "123");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(bad.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{human}");
    assert!(human.contains("IRSA001"), "{human}");
    assert!(
        human.contains("arn:aws:iam::123:role/reader"),
        "the snippet from standard input: {human}"
    );
}
