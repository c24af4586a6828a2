//! `kubectl irsa doctor` end to end: the real binary, the fake API server and moto.
//! Each check has a failing and a passing case; the healthy cluster is the passing case of most.

mod doctor_harness;
mod support;

use doctor_harness::{arn, doctor, trust_with, Iam};
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;
use support::objects::{self, annotated_service_account, deployment_chain, mutated_pod};
use support::FakeCluster;

fn healthy() -> FakeCluster {
    FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .deployment_chain(deployment_chain("edp", "app", "app", Some(&arn("app"))))
        .webhook(objects::pod_identity_webhook())
}

fn pod_json(mut pod: Pod, patch: serde_json::Value) -> Pod {
    let mut v = serde_json::to_value(&pod).expect("pod json");
    merge(&mut v, &patch);
    pod = serde_json::from_value(v).expect("patched pod");
    pod
}

fn merge(a: &mut serde_json::Value, b: &serde_json::Value) {
    match (a, b) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(serde_json::Value::Null), v);
            }
        }
        (a, b) => *a = b.clone(),
    }
}

#[test]
fn healthy_cluster_is_clean_and_read_only() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = healthy().start();
    let run = doctor(&server, &iam, &[]);
    run.assert_clean();
    server.assert_only_gets();
    iam.proxy.assert_read_only();
    assert!(iam
        .proxy
        .actions()
        .iter()
        .all(|a| a.starts_with("Get") || a.starts_with("List")));
    assert_eq!(iam.count("GetRole"), 1);
    assert_eq!(iam.count("ListRoles"), 1);
}

#[test]
fn trust_that_names_another_namespace_is_denied_with_a_corrected_statement() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "ci", "app");
    let server = healthy().start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA105");
    assert_eq!(
        f["object"],
        json!({"kind": "ServiceAccount", "namespace": "edp", "name": "app"})
    );
    assert_eq!(f["location"]["path"], "iam/role/app.trust.json");
    assert!(f["message"].as_str().unwrap().contains("edp/app"), "{f}");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("system:serviceaccount:edp:app"),
        "{f}"
    );
    assert_eq!(
        f["related"][0]["path"],
        "cluster/edp/serviceaccount/app.yaml"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn missing_role_is_not_found() {
    let iam = Iam::start().with_provider();
    let server = healthy().start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA104");
    assert!(
        f["message"].as_str().unwrap().contains("NoSuchEntity"),
        "{f}"
    );
    assert_eq!(f["location"]["path"], "cluster/edp/serviceaccount/app.yaml");
    assert!(run.with("IRSA105").is_empty());
}

#[test]
fn placeholder_arn_is_invalid_and_iam_is_not_asked_about_it() {
    let iam = Iam::start().with_provider();
    let bad = "arn:aws:iam::<AWS_ACCOUNT_ID>:role/kaniko";
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "edp-kaniko", bad))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA103");
    assert!(
        f["message"].as_str().unwrap().contains("placeholder"),
        "{f}"
    );
    assert_eq!(iam.count("GetRole"), 0);
}

#[test]
fn missing_provider_and_missing_audience() {
    let iam = Iam::start();
    iam.irsa_role("app", "edp", "app");
    let server = healthy().start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA101");
    assert_eq!(f["object"]["kind"], "OpenIDConnectProvider");
    assert!(
        f["message"].as_str().unwrap().contains("123456789012"),
        "{f}"
    );

    let iam = Iam::start();
    iam.provider(&["sigstore"]);
    iam.irsa_role("app", "edp", "app");
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA102");
    assert!(
        f["message"].as_str().unwrap().contains("sts.amazonaws.com"),
        "{f}"
    );
    assert!(run.with("IRSA101").is_empty());
}

#[test]
fn cross_account_role_needs_the_provider_in_its_account() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let other = "arn:aws:iam::111122223333:role/app";
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", other))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA101");
    assert!(
        f["message"].as_str().unwrap().contains("111122223333"),
        "{f}"
    );
}

#[test]
fn unmutated_pod_and_skip_containers() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .deployment_chain(deployment_chain("edp", "app", "app", None))
        .pod(pod_json(
            objects::unmutated_pod("edp", "skipped", "app"),
            json!({"metadata": {"annotations": {"eks.amazonaws.com/skip-containers": "app"}}}),
        ))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA106");
    assert_eq!(f["object"]["name"], "app-5d8f7c6b9-x2x7q");
    assert!(
        f["help"].as_str().unwrap().contains("deployment app"),
        "{f}"
    );
    assert!(run.with("IRSA112").is_empty(), "the webhook exists");
}

#[test]
fn stale_pod_names_the_deployment_to_restart() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .deployment_chain(deployment_chain(
            "edp",
            "app",
            "app",
            Some(&arn("old-role")),
        ))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA107");
    assert!(f["message"].as_str().unwrap().contains("old-role"), "{f}");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("kubectl rollout restart deployment app -n edp"),
        "{f}"
    );
}

#[test]
fn pod_hygiene_static_keys_fsgroup_host_network() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let secret = "AKIAEXAMPLESECRETVALUE";
    let mut pod = mutated_pod("edp", "risky", "app", &arn("app"));
    if let Some(spec) = pod.spec.as_mut() {
        spec.host_network = Some(true);
        let c = &mut spec.containers[0];
        c.env.get_or_insert_with(Vec::new).push(
            serde_json::from_value(json!({"name": "AWS_ACCESS_KEY_ID", "value": secret}))
                .expect("env"),
        );
        spec.security_context =
            serde_json::from_value(json!({"runAsNonRoot": true, "runAsUser": 1000})).ok();
    }
    let good = pod_json(
        mutated_pod("edp", "good", "app", &arn("app")),
        json!({"spec": {"securityContext": {"runAsUser": 1000, "fsGroup": 65534}}}),
    );
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .pod(pod)
        .pod(good)
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    assert_eq!(
        run.codes(),
        ["IRSA108", "IRSA109", "IRSA110"],
        "{:#?}",
        run.findings
    );
    for f in &run.findings {
        assert_eq!(f["object"]["name"], "risky");
    }
    assert!(run.one("IRSA108")["message"]
        .as_str()
        .unwrap()
        .contains("AWS_ACCESS_KEY_ID"));
    assert!(
        !run.stdout.contains(secret) && !run.stderr.contains(secret),
        "a secret value was printed"
    );
}

#[test]
fn pod_whose_service_account_does_not_exist() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = healthy()
        .pod(objects::unmutated_pod("edp", "orphan", "ghost"))
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA111");
    assert_eq!(
        f["object"],
        json!({"kind": "Pod", "namespace": "edp", "name": "orphan"})
    );
    assert!(f["message"].as_str().unwrap().contains("ghost"));
}

#[test]
fn no_mutated_pod_and_no_webhook_is_said_once() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .pod(objects::unmutated_pod("edp", "a", "app"))
        .pod(objects::unmutated_pod("edp", "b", "app"))
        .start();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    run.one("IRSA112");
    assert_eq!(run.with("IRSA106").len(), 2);
}

#[test]
fn role_scan_finds_dangling_and_wildcard_subjects() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    iam.irsa_role("ghost-sa", "edp", "ghost");
    iam.irsa_role("ghost-ns", "gone", "app");
    iam.role(
        "any-sa",
        &trust_with("StringLike", json!("system:serviceaccount:*")),
    );
    let server = healthy().start();
    let run = doctor(&server, &iam, &[]);
    let dangling = run.with("IRSA113");
    let names: Vec<&str> = dangling
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{dangling:#?}");
    assert!(names.contains(&"ghost-sa") && names.contains(&"ghost-ns"));
    for f in &dangling {
        assert_eq!(f["object"]["kind"], "Role");
    }
    let w = run.one("IRSA114");
    assert_eq!(w["object"]["name"], "any-sa");
    assert_eq!(w["location"]["path"], "iam/role/any-sa.trust.json");

    iam.proxy.clear_calls();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    assert!(run.with("IRSA113").is_empty() && run.with("IRSA114").is_empty());
    assert_eq!(iam.count("ListRoles"), 0);
}

#[test]
fn get_role_once_per_distinct_role_with_paged_lists() {
    let iam = Iam::start().with_provider();
    let mut cluster = FakeCluster::new()
        .webhook(objects::pod_identity_webhook())
        .page_size_cap(7);
    for r in 0..3 {
        iam.role(
            &format!("shared-{r}"),
            &trust_with("StringLike", json!("system:serviceaccount:team-*:*")),
        );
    }
    for i in 0..30 {
        let role = arn(&format!("shared-{}", i % 3));
        let ns = format!("team-{}", i % 5);
        cluster = cluster
            .service_account(annotated_service_account(&ns, &format!("sa-{i}"), &role))
            .pod(mutated_pod(
                &ns,
                &format!("pod-{i}"),
                &format!("sa-{i}"),
                &role,
            ));
    }
    let server = cluster.start();
    let run = doctor(&server, &iam, &["--no-role-scan", "--concurrency", "4"]);
    assert!(run.findings.is_empty(), "{:#?}", run.findings);
    assert_eq!(iam.count("GetRole"), 3);
    let continued = server
        .request_lines()
        .iter()
        .filter(|l| l.contains("serviceaccounts") && l.contains("continue="))
        .count();
    assert!(
        continued >= 4,
        "SAs must be paged: {:#?}",
        server.request_lines()
    );
    server.assert_only_gets();
    iam.proxy.assert_read_only();
}

#[test]
fn namespace_flag_lists_only_that_namespace() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = healthy()
        .service_account(annotated_service_account("other", "x", &arn("missing")))
        .start();
    // A namespace-scoped user: the cluster-wide lists are forbidden.
    server.fail("/api/v1/serviceaccounts", 403);
    server.fail("/api/v1/pods", 403);
    let run = doctor(&server, &iam, &["-n", "edp", "--no-role-scan"]);
    run.assert_clean();
    assert!(server
        .request_lines()
        .iter()
        .any(|l| l.starts_with("GET /api/v1/namespaces/edp/serviceaccounts")));
}

#[test]
fn issuer_from_flag_when_discovery_is_unavailable() {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = healthy().start();
    server.fail("/.well-known/openid-configuration", 404);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = run.one("IRSA100");
    assert!(f["message"].as_str().unwrap().contains("--issuer"), "{f}");
    assert!(
        run.with("IRSA105").is_empty(),
        "no trust verdict without an issuer"
    );
    let run = doctor(
        &server,
        &iam,
        &["--no-role-scan", "--issuer", doctor_harness::ISSUER],
    );
    run.assert_clean();
}
