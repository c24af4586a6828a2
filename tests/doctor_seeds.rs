//! One doctor scenario per seed system (KubeRocketCI kaniko, Epinio, ACK), the human summary,
//! and an `#[ignore]`d run against a real cluster and AWS account.

mod doctor_harness;
mod support;

use doctor_harness::{arn, doctor, Iam};
use support::objects::{self, annotated_service_account, deployment_chain, service_account};
use support::FakeCluster;

/// KubeRocketCI: SA `edp-kaniko` in `edp`, role trusting `system:serviceaccount:edp:edp-kaniko`.
#[test]
fn kuberocketci_kaniko() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("kaniko", "edp", "edp-kaniko");
    let ok = FakeCluster::new()
        .service_account(annotated_service_account(
            "edp",
            "edp-kaniko",
            &arn("kaniko"),
        ))
        .deployment_chain(deployment_chain(
            "edp",
            "kaniko-build",
            "edp-kaniko",
            Some(&arn("kaniko")),
        ))
        .webhook(objects::pod_identity_webhook())
        .start();
    doctor(&ok, &iam, &[]).assert_clean();

    // The chart deployed to `ci` (namespace from -n, not global.edpName): the trust refuses it,
    // and the role's trust now names a ServiceAccount that does not exist.
    let moved = FakeCluster::new()
        .service_account(annotated_service_account(
            "ci",
            "edp-kaniko",
            &arn("kaniko"),
        ))
        .namespace("edp")
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&moved, &iam, &[]);
    let denied = run.one("IRSA105");
    assert!(denied["help"]
        .as_str()
        .unwrap()
        .contains("system:serviceaccount:ci:edp-kaniko"));
    let dangling = run.one("IRSA113");
    assert!(
        dangling["message"]
            .as_str()
            .unwrap()
            .contains("edp/edp-kaniko"),
        "{dangling}"
    );
}

/// Epinio: `epinio-server` and the staging SA made by eksctl, sharing one role.
#[test]
fn epinio_server_and_staging() {
    let iam = Iam::start().with_provider();
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::123456789012:oidc-provider/{}", doctor_harness::host())},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            format!("{}:sub", doctor_harness::host()): ["system:serviceaccount:epinio:epinio-server", "system:serviceaccount:epinio:epinio-staging"],
            format!("{}:aud", doctor_harness::host()): "sts.amazonaws.com"
        }}
    }]});
    iam.role("epinio", &trust);
    let server = FakeCluster::new()
        .service_account(annotated_service_account(
            "epinio",
            "epinio-server",
            &arn("epinio"),
        ))
        .deployment_chain(deployment_chain(
            "epinio",
            "epinio-server",
            "epinio-server",
            Some(&arn("epinio")),
        ))
        .webhook(objects::pod_identity_webhook())
        .start();
    // The staging SA is not created by the chart: the trust names a missing SA.
    let run = doctor(&server, &iam, &[]);
    let f = run.one("IRSA113");
    assert!(
        f["message"].as_str().unwrap().contains("epinio-staging"),
        "{f}"
    );
    assert_eq!(f["object"]["kind"], "Role");

    server.insert(annotated_service_account(
        "epinio",
        "epinio-staging",
        &arn("epinio"),
    ));
    doctor(&server, &iam, &[]).assert_clean();
    assert_eq!(
        iam.count("GetRole"),
        2,
        "one GetRole per run for the shared role"
    );
}

/// ACK: `ack-s3-controller` in `ack-system`; a pod started before the annotation was set.
#[test]
fn ack_s3_controller() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("ack-s3-controller", "ack-system", "ack-s3-controller");
    let sa =
        annotated_service_account("ack-system", "ack-s3-controller", &arn("ack-s3-controller"));
    let server = FakeCluster::new()
        .service_account(sa)
        .service_account(service_account("ack-system", "default"))
        .deployment_chain(deployment_chain(
            "ack-system",
            "ack-s3-controller",
            "ack-s3-controller",
            None,
        ))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &[]);
    let f = run.one("IRSA106");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("deployment ack-s3-controller -n ack-system"),
        "{f}"
    );
    assert_eq!(run.findings.len(), 1, "{:#?}", run.findings);
}

#[test]
fn human_output_starts_with_the_summary_table() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .service_account(annotated_service_account("edp", "lost", &arn("missing")))
        .service_account(annotated_service_account(
            "edp",
            "bad",
            "arn:aws:iam::123:role/x",
        ))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--format", "human", "--no-role-scan"]);
    let head: Vec<&str> = run.stdout.lines().take(4).collect();
    assert!(head[0].starts_with("SERVICE ACCOUNT"), "{}", run.stdout);
    let table = head.join("\n");
    for (sa, verdict) in [
        ("edp/bad", "INVALID ARN"),
        ("edp/lost", "NOT FOUND"),
        ("edp/app", "OK"),
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(sa) && l.trim_end().ends_with(verdict)),
            "{table}"
        );
    }
    assert!(
        run.stdout.contains("cluster/edp/serviceaccount/lost.yaml"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.is_empty(),
        "no progress output when piped: {}",
        run.stderr
    );
}

/// Needs a real EKS cluster (current kubeconfig context) and AWS credentials with the README's
/// read-only policy: `cargo test --test doctor_seeds -- --ignored`.
#[test]
#[ignore = "needs a real cluster and AWS account"]
fn real_cluster_and_account() {
    let home = std::env::var("HOME").unwrap_or_default();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["doctor", "--format", "json", "--fail-on", "error"])
        .env("HOME", home)
        .output()
        .expect("run kubectl-irsa");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    for f in doc["findings"].as_array().into_iter().flatten() {
        assert!(
            f["object"]["kind"].is_string(),
            "every finding names its object: {f}"
        );
    }
}
