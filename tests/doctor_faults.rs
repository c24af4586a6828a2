//! Doctor under faults: every failed read is an IRSA100 naming the object and the permission,
//! never a crash and never a silent OK; exit 2 only when nothing at all could be checked.

mod doctor_harness;
mod support;

use std::time::Duration;

use doctor_harness::{arn, doctor, run, Iam};
use support::objects::{self, annotated_service_account, deployment_chain};
use support::{kubectl_irsa, FakeCluster, KubeconfigOptions};

fn two_roles() -> (Iam, support::FakeApiServer) {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    iam.irsa_role("web", "edp", "web");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .service_account(annotated_service_account("edp", "web", &arn("web")))
        .deployment_chain(deployment_chain("edp", "app", "app", Some(&arn("app"))))
        .webhook(objects::pod_identity_webhook())
        .start();
    (iam, server)
}

#[test]
fn forbidden_service_accounts_is_could_not_verify() {
    let (iam, server) = two_roles();
    server.fail("/api/v1/serviceaccounts", 403);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA100");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("list serviceaccounts"),
        "{f}"
    );
    assert!(f["message"].as_str().unwrap().contains("403"), "{f}");
    assert_eq!(f["object"]["kind"], "ServiceAccount");
    // Pods were still read, so something was checked: findings, not a tool error.
    assert_eq!(run.code, 1, "{}", run.stderr);
    server.assert_only_gets();
}

#[test]
fn access_denied_on_one_role_names_it_and_checks_the_other() {
    let (iam, server) = two_roles();
    iam.proxy.deny_param("GetRole", "RoleName", "web");
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA100");
    assert_eq!(
        f["object"],
        serde_json::json!({"kind": "Role", "namespace": null, "name": "web"})
    );
    assert!(
        f["message"].as_str().unwrap().contains("iam:GetRole"),
        "{f}"
    );
    assert!(
        f["message"].as_str().unwrap().contains("AccessDenied"),
        "{f}"
    );
    assert_eq!(run.findings.len(), 1, "{:#?}", run.findings);
    assert_eq!(run.code, 1);
}

#[test]
fn throttling_is_retried_then_succeeds() {
    let (iam, server) = two_roles();
    iam.proxy.throttle("GetRole", 2);
    let run = doctor(&server, &iam, &["--no-role-scan", "--concurrency", "1"]);
    run.assert_clean();
    assert_eq!(iam.count("GetRole"), 4, "2 throttled + 2 roles");
}

#[test]
fn throttling_after_the_retries_is_could_not_verify() {
    let (iam, server) = two_roles();
    iam.proxy.throttle("GetRole", 100);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let faults = run.with("IRSA100");
    assert_eq!(faults.len(), 2, "{:#?}", run.findings);
    for f in faults {
        assert!(f["message"].as_str().unwrap().contains("throttled"), "{f}");
    }
    assert_eq!(run.code, 1);
}

#[test]
fn server_errors_on_both_sides() {
    let (iam, server) = two_roles();
    server.fail("/api/v1/pods", 500);
    iam.proxy.fail_500("ListRoles", None);
    let run = doctor(&server, &iam, &[]);
    let msgs: Vec<String> = run
        .with("IRSA100")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("list pods") && m.contains("500")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("iam:ListRoles")),
        "{msgs:#?}"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn missing_api_group_is_could_not_verify() {
    let (iam, server) = two_roles();
    server.fail("/apis/admissionregistration.k8s.io", 404);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA100");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("list mutatingwebhookconfigurations"),
        "{f}"
    );
    assert!(f["message"].as_str().unwrap().contains("404"), "{f}");
}

#[test]
fn iam_timeout_is_could_not_verify() {
    let (iam, server) = two_roles();
    iam.proxy.delay("GetRole", Duration::from_secs(5));
    let run = doctor(
        &server,
        &iam,
        &["--no-role-scan", "--request-timeout", "500ms"],
    );
    let faults = run.with("IRSA100");
    assert_eq!(faults.len(), 2, "{:#?}", run.findings);
    assert!(
        faults[0]["message"].as_str().unwrap().contains("timed out"),
        "{}",
        faults[0]
    );
}

#[test]
fn expired_token_exits_2_with_a_finding() {
    let (iam, server) = two_roles();
    let home = tempfile::tempdir().expect("home");
    let kc = server.kubeconfig_with(&KubeconfigOptions::expired());
    let mut cmd = kubectl_irsa(home.path());
    cmd.args(["doctor", "--format", "json", "--kubeconfig"])
        .arg(kc.path());
    iam.proxy.aws().apply(&mut cmd);
    let run = run(cmd);
    let f = run.one("IRSA100");
    assert!(f["message"].as_str().unwrap().contains("401"), "{f}");
    assert_eq!(run.code, 2);
    assert_eq!(iam.count("GetRole"), 0);
}

#[test]
fn unreachable_cluster_exits_2() {
    let iam = Iam::start().with_provider();
    let server = FakeCluster::new().start();
    let kc = server.kubeconfig();
    drop(server);
    let home = tempfile::tempdir().expect("home");
    let mut cmd = kubectl_irsa(home.path());
    cmd.args(["doctor", "--format", "json", "--request-timeout", "2s"])
        .env("KUBECONFIG", kc.path());
    iam.proxy.aws().apply(&mut cmd);
    let run = run(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.one("IRSA100")["message"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
}

#[test]
fn slow_api_server_past_the_timeout() {
    let (iam, server) = two_roles();
    server.delay("/api/v1/pods", Duration::from_secs(5));
    let run = doctor(
        &server,
        &iam,
        &["--no-role-scan", "--request-timeout", "1s"],
    );
    let f = run.one("IRSA100");
    assert!(f["message"].as_str().unwrap().contains("list pods"), "{f}");
    assert_eq!(run.code, 1);
}

#[test]
fn bad_timeout_is_a_usage_error() {
    let iam = Iam::start();
    let server = FakeCluster::new().start();
    let run = doctor(&server, &iam, &["--request-timeout", "soon"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--request-timeout"));
}

/// A bug in one check (the debug-only trigger panics in it) is "could not verify" for what that
/// check covers; the findings of the other checks are still reported.
#[test]
fn a_panic_in_one_check_is_could_not_verify_and_the_others_still_report() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("web", "edp", "not-web");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "web", &arn("web")))
        .deployment_chain(deployment_chain("edp", "web", "web", Some(&arn("web"))))
        .webhook(objects::pod_identity_webhook())
        .start();
    let baseline = doctor(&server, &iam, &["--no-role-scan"]);
    assert!(!baseline.findings.is_empty(), "the trust denies edp/web");
    assert!(
        baseline.with("IRSA100").is_empty(),
        "{:#?}",
        baseline.findings
    );

    let home = tempfile::tempdir().expect("home");
    let kc = server.kubeconfig();
    let mut cmd = kubectl_irsa(home.path());
    cmd.arg("doctor")
        .arg("--kubeconfig")
        .arg(kc.path())
        .args([
            "--request-timeout",
            "5s",
            "--no-role-scan",
            "--format",
            "json",
        ])
        .env("KUBECTL_IRSA_DEBUG_PANIC", "check:pods")
        .env_remove("RUST_BACKTRACE");
    iam.proxy.aws().apply(&mut cmd);
    let run = run(cmd);
    let f = run.one("IRSA100");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("`pods` check")
            && message.contains("internal error in doctor: injected panic"),
        "{f}"
    );
    for before in &baseline.findings {
        assert!(
            run.findings.contains(before),
            "{before} lost; got {:#?}",
            run.findings
        );
    }
    assert!(!run.stderr.contains("panicked at"), "{}", run.stderr);
    assert_eq!(run.code, 1);
}
