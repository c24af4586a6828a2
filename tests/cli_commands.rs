//! Subcommands through the real binary: `trust-policy` (its output must pass our own lint, `--merge`
//! keeps the rest, the issuer from a live cluster), stdin, the default path and the first-run guide.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
}

const PROVIDER: &str =
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789";

fn trust_policy(extra: &[&str]) -> (i32, String) {
    let out = bin()
        .args([
            "trust-policy",
            "-n",
            "edp",
            "-s",
            "edp-kaniko",
            "--oidc-provider",
            PROVIDER,
        ])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn generated_trust_policy_lints_clean_and_allows_the_service_account() {
    let (code, policy) = trust_policy(&[]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kaniko.json"), &policy).unwrap();
    std::fs::write(
        dir.path().join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: edp-kaniko\n  namespace: edp\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/kaniko\n",
    )
    .unwrap();
    let out = bin()
        .arg("lint")
        .arg(dir.path())
        .args(["--format", "json", "--fail-on", "note"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]), "{json:#}");
    assert_eq!(out.status.code(), Some(0));

    // The same policy with another namespace's SA is caught: the test can fail.
    std::fs::write(
        dir.path().join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: edp-kaniko\n  namespace: ci\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/kaniko\n",
    )
    .unwrap();
    let out = bin()
        .arg("lint")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["code"], "IRSA016", "{json:#}");
}

#[test]
fn merge_keeps_other_statements_and_deduplicates() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("trust.json");
    let (_, first) = trust_policy(&[]);
    let mut policy: serde_json::Value = serde_json::from_str(&first).unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"]
        }));
    std::fs::write(&existing, policy.to_string()).unwrap();
    let out = bin()
        .args([
            "trust-policy",
            "-n",
            "edp",
            "-s",
            "edp-kaniko",
            "-s",
            "tekton",
            "--oidc-provider",
            PROVIDER,
        ])
        .arg("--merge")
        .arg(&existing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statements = merged["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    let key = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789:sub";
    assert_eq!(
        statements[0]["Condition"]["StringEquals"][key],
        serde_json::json!([
            "system:serviceaccount:edp:edp-kaniko",
            "system:serviceaccount:edp:tekton"
        ])
    );
    assert_eq!(
        statements[1]["Principal"]["Service"],
        "pods.eks.amazonaws.com"
    );
}

#[test]
fn statement_only_and_bad_provider() {
    let (code, text) = trust_policy(&["--statement"]);
    assert_eq!(code, 0);
    let stmt: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stmt["Action"], "sts:AssumeRoleWithWebIdentity");
    let out = bin()
        .args([
            "trust-policy",
            "-n",
            "a",
            "-s",
            "b",
            "--oidc-provider",
            "arn:aws:iam::123:oidc-provider/x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--oidc-provider"));
}

mod support;

#[test]
fn issuer_from_the_live_cluster() {
    let server = support::FakeCluster::new()
        .issuer("https://oidc.eks.eu-west-1.amazonaws.com/id/FEEDFACE0123456789")
        .start();
    let kubeconfig = server.kubeconfig();
    let out = bin()
        .args([
            "trust-policy",
            "-n",
            "edp",
            "-s",
            "edp-kaniko",
            "--account",
            "111122223333",
            "--kubeconfig",
        ])
        .arg(kubeconfig.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        policy["Statement"][0]["Principal"]["Federated"],
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/FEEDFACE0123456789"
    );
    assert!(server.request_lines().iter().all(|l| l.starts_with("GET ")));
}

#[test]
fn lint_reads_stdin_and_defaults_to_the_current_directory() {
    use std::io::Write;
    let mut child = bin()
        .args(["lint", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::12345:role/a\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["code"], "IRSA001");
    assert_eq!(json["findings"][0]["location"]["path"], "<stdin>");
    assert_eq!(json["findings"][0]["location"]["line"], 6);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("legacy.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  annotations:\n    iam.amazonaws.com/permitted: \".*\"\n").unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["code"], "IRSA015", "{json:#}");
    let guide = bin().output().unwrap();
    assert!(String::from_utf8_lossy(&guide.stdout).contains("kubectl irsa explain"));
}
