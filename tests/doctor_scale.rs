//! Doctor at scale (issue 5, "Doctor"): 5,000 ServiceAccounts in 50 namespaces sharing 1,000
//! roles (five SAs per role), each SA with a Deployment → ReplicaSet → Pod, against moto behind
//! the logging proxy and the fake API server. Prints the wall time and the IAM calls by action,
//! and asserts exactly one GetRole per distinct role plus paging.
//!
//! Ignored in CI (setting up 1,000 roles in moto takes a while). Run it with
//!
//! ```text
//! cargo test --release --test doctor_scale -- --ignored --nocapture
//! ```
//!
//! or `scripts/bench-doctor.sh`. Sizes can be changed with `DOCTOR_SCALE_SAS` and
//! `DOCTOR_SCALE_ROLES` (SAs must be a multiple of roles). Figures: docs/performance-doctor.md.
//!
//! The fleet benchmark (issue 15) is in `doctor_fleet_scale.rs`: 20 clusters × 250 SAs over 500
//! roles in one account, one `--all-contexts` run.

mod doctor_harness;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use doctor_harness::{arn, doctor, host, Iam};
use futures::StreamExt;
use serde_json::{json, Value};
use support::objects::{self, annotated_service_account, deployment_chain};
use support::{FakeCluster, MOTO_ACCOUNT};

const NAMESPACES: usize = 50;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ns_of(i: usize) -> String {
    format!("team-{:02}", i % NAMESPACES)
}

fn sa_of(i: usize) -> String {
    format!("svc-{i:05}")
}

fn role_of(r: usize) -> String {
    format!("irsa-role-{r:04}")
}

/// The trust of role `r`: the five (or `per_role`) SAs that use it, and the audience.
fn trust(r: usize, per_role: usize) -> Value {
    let subs: Vec<String> = (r * per_role..(r + 1) * per_role)
        .map(|i| format!("system:serviceaccount:{}:{}", ns_of(i), sa_of(i)))
        .collect();
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{}", host())},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            format!("{}:sub", host()): subs,
            format!("{}:aud", host()): "sts.amazonaws.com",
        }}
    }]})
}

#[test]
#[ignore = "scale benchmark; run with --ignored (see the header)"]
fn doctor_at_5000_service_accounts_and_1000_roles() {
    let sas = size("DOCTOR_SCALE_SAS", 5_000);
    let roles = size("DOCTOR_SCALE_ROLES", 1_000);
    assert!(
        roles > 0 && sas % roles == 0,
        "SAs must be a multiple of roles"
    );
    let per_role = sas / roles;

    let t = Instant::now();
    let iam = Iam::start().with_provider();
    let client = iam.moto.iam_client();
    // CreateRole concurrently, straight to moto (not through the proxy).
    iam.rt.block_on(
        futures::stream::iter(0..roles)
            .map(|r| {
                let client = client.clone();
                async move {
                    client
                        .create_role()
                        .role_name(role_of(r))
                        .assume_role_policy_document(trust(r, per_role).to_string())
                        .send()
                        .await
                        .expect("CreateRole");
                }
            })
            .buffer_unordered(16)
            .collect::<Vec<()>>(),
    );
    let iam_setup = t.elapsed();

    let t = Instant::now();
    let mut cluster = FakeCluster::new().webhook(objects::pod_identity_webhook());
    for i in 0..sas {
        let (ns, sa) = (ns_of(i), sa_of(i));
        let role_arn = arn(&role_of(i / per_role));
        cluster = cluster
            .service_account(annotated_service_account(&ns, &sa, &role_arn))
            .deployment_chain(deployment_chain(&ns, &sa, &sa, Some(&role_arn)));
    }
    let server = cluster.start();
    let cluster_setup = t.elapsed();

    let t = Instant::now();
    let run = doctor(&server, &iam, &[]);
    let wall = t.elapsed();

    let calls = iam.proxy.calls();
    let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &calls {
        *by_action.entry(c.action.as_str()).or_default() += 1;
    }
    let distinct: BTreeSet<&str> = calls
        .iter()
        .filter(|c| c.action == "GetRole")
        .filter_map(|c| c.params.get("RoleName").map(String::as_str))
        .collect();
    // The floor moto sets: the same GetRoles from an SDK client through the proxy, 8 at a time.
    let t = Instant::now();
    let proxied = iam.proxy.iam_client();
    iam.rt.block_on(
        futures::stream::iter(0..roles)
            .map(|r| {
                let c = proxied.clone();
                async move { c.get_role().role_name(role_of(r)).send().await.is_ok() }
            })
            .buffer_unordered(8)
            .collect::<Vec<bool>>(),
    );
    let floor = t.elapsed();
    let k8s = server.requests().len();

    println!(
        "doctor scale: {sas} ServiceAccounts, {NAMESPACES} namespaces, {roles} roles, {sas} pods"
    );
    println!("  set-up: moto roles {iam_setup:.2?}, fake cluster {cluster_setup:.2?}");
    println!("  doctor wall time: {wall:.2?} (exit {})", run.code);
    println!(
        "  IAM calls: {} total, by action {by_action:?}",
        calls.len()
    );
    println!("  moto floor: {roles} GetRole from the SDK, 8 at a time: {floor:.2?}");
    println!("  Kubernetes requests: {k8s}");
    println!("  findings: {}", run.findings.len());

    run.assert_clean();
    assert_eq!(
        by_action.get("GetRole"),
        Some(&roles),
        "one GetRole per role"
    );
    assert_eq!(distinct.len(), roles);
    // ListRoles pages of 100, plus the provider.
    assert_eq!(by_action.get("ListRoles"), Some(&roles.div_ceil(100)));
    assert_eq!(by_action.get("GetOpenIDConnectProvider"), Some(&1));
    assert_eq!(
        calls.len(),
        roles + roles.div_ceil(100) + 1,
        "{by_action:?}"
    );
    server.assert_only_gets();
    iam.proxy.assert_read_only();
}
