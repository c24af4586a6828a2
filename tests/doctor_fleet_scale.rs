//! Doctor across a fleet at scale (issue 15, "Performance"): 20 clusters (fake API servers behind
//! one kubeconfig, each with its own issuer) × 250 ServiceAccounts, each with a Deployment →
//! ReplicaSet → Pod, over 500 distinct roles in one account (moto behind the logging proxy).
//! Each cluster uses 50 roles (five SAs each) and each role is used by two clusters, so a run per
//! cluster would call GetRole 1,000 times; one `--all-contexts` run must call it exactly 500 times.
//!
//! The floor is the same 500 GetRole calls alone, from an SDK client through the same proxy, 8 at
//! a time (doctor's default `--concurrency`), measured before and after doctor's run. Doctor's
//! wall time must stay within 1.3× of it. Ignored in CI; run it with
//!
//! ```text
//! cargo test --release --test doctor_fleet_scale -- --ignored --nocapture
//! ```
//!
//! or `scripts/bench-doctor.sh`. Figures: docs/performance-doctor.md.

mod doctor_harness;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use doctor_harness::{arn, run, Iam};
use futures::StreamExt;
use serde_json::{json, Value};
use support::moto::create_oidc_provider;
use support::objects::{self, annotated_service_account, deployment_chain};
use support::{kubectl_irsa, write_fleet_kubeconfig, FakeCluster, FleetEntry, MOTO_ACCOUNT};

const CLUSTERS: usize = 20;
const SAS: usize = 250;
const ROLES: usize = 500;
/// SAs per (cluster, role): each cluster uses SAS / PER = 50 roles.
const PER: usize = 5;
/// Consecutive clusters' role ranges start this far apart, so that each role is in two clusters.
const STRIDE: usize = 25;

fn issuer(c: usize) -> String {
    format!(
        "https://oidc.eks.us-east-1.amazonaws.com/id/FLEET{c:02}{}",
        "0".repeat(25)
    )
}

fn ns_of(i: usize) -> String {
    format!("team-{:02}", i % 10)
}

fn sa_of(i: usize) -> String {
    format!("svc-{i:03}")
}

fn role_of(r: usize) -> String {
    format!("fleet-role-{r:03}")
}

/// The role of SA `i` in cluster `c`.
fn role_index(c: usize, i: usize) -> usize {
    (c * STRIDE + i / PER) % ROLES
}

/// The trust of role `r`: one statement per cluster that uses it, listing that cluster's SAs.
fn trust(r: usize) -> Value {
    let mut statements = Vec::new();
    for c in 0..CLUSTERS {
        let subs: Vec<String> = (0..SAS)
            .filter(|&i| role_index(c, i) == r)
            .map(|i| format!("system:serviceaccount:{}:{}", ns_of(i), sa_of(i)))
            .collect();
        if subs.is_empty() {
            continue;
        }
        let host = issuer(c).trim_start_matches("https://").to_string();
        statements.push(json!({
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{host}")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{host}:sub"): subs,
                format!("{host}:aud"): "sts.amazonaws.com",
            }}
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// 500 GetRole from an SDK client through the proxy, 8 at a time.
/// CPU seconds (user + system) of a process, and of its waited-for children, from
/// `/proc/PID/stat` (Linux; `None` elsewhere). Ticks are taken as 100 per second.
fn cpu_seconds(pid: &str) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<f64> = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // After the command: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    let at = |n: usize| fields.get(n - 3).copied().unwrap_or(0.0) / 100.0;
    Some((at(14) + at(15), at(16) + at(17)))
}

fn floor(iam: &Iam) -> Duration {
    let proxied = iam.proxy.iam_client();
    let t = Instant::now();
    let ok = iam.rt.block_on(
        futures::stream::iter(0..ROLES)
            .map(|r| {
                let c = proxied.clone();
                async move { c.get_role().role_name(role_of(r)).send().await.is_ok() }
            })
            .buffer_unordered(8)
            .collect::<Vec<bool>>(),
    );
    assert!(ok.iter().all(|b| *b), "every role exists");
    t.elapsed()
}

#[test]
#[ignore = "scale benchmark; run with --ignored (see the header)"]
fn doctor_fleet_of_20_clusters_250_sas_500_roles() {
    let t = Instant::now();
    let iam = Iam::start();
    let client = iam.moto.iam_client();
    iam.rt.block_on(async {
        for c in 0..CLUSTERS {
            create_oidc_provider(
                &client,
                &issuer(c),
                &["sts.amazonaws.com"],
                "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
            )
            .await;
        }
        futures::stream::iter(0..ROLES)
            .map(|r| {
                let client = client.clone();
                async move {
                    client
                        .create_role()
                        .role_name(role_of(r))
                        .assume_role_policy_document(trust(r).to_string())
                        .send()
                        .await
                        .expect("CreateRole");
                }
            })
            .buffer_unordered(16)
            .collect::<Vec<()>>()
            .await;
    });
    let iam_setup = t.elapsed();

    let t = Instant::now();
    let servers: Vec<_> = (0..CLUSTERS)
        .map(|c| {
            let mut cluster = FakeCluster::new()
                .issuer(&issuer(c))
                .webhook(objects::pod_identity_webhook());
            for i in 0..SAS {
                let (ns, sa) = (ns_of(i), sa_of(i));
                let role_arn = arn(&role_of(role_index(c, i)));
                cluster = cluster
                    .service_account(annotated_service_account(&ns, &sa, &role_arn))
                    .deployment_chain(deployment_chain(&ns, &sa, &sa, Some(&role_arn)));
            }
            cluster.start()
        })
        .collect();
    let entries: Vec<FleetEntry> = (servers.iter().enumerate())
        .map(|(c, s)| FleetEntry::new(&format!("cluster-{c:02}"), &s.url()))
        .collect();
    let kubeconfig = write_fleet_kubeconfig(&entries);
    let cluster_setup = t.elapsed();

    let floor_before = floor(&iam);
    iam.proxy.clear_calls();

    let home = tempfile::tempdir().expect("home");
    let mut cmd = kubectl_irsa(home.path());
    cmd.arg("doctor")
        .arg("--kubeconfig")
        .arg(kubeconfig.path())
        .args(["--all-contexts", "--format", "json"]);
    iam.proxy.aws().apply(&mut cmd);
    let moto_pid = iam.moto.pid().to_string();
    let (cpu_self, cpu_moto) = (cpu_seconds("self"), cpu_seconds(&moto_pid));
    let t = Instant::now();
    let result = run(cmd);
    let wall = t.elapsed();
    let cpu_after = (cpu_seconds("self"), cpu_seconds(&moto_pid));

    let calls = iam.proxy.calls();
    let moto_before_floor = cpu_seconds(&moto_pid);
    let floor_after = floor(&iam);
    let moto_floor = cpu_seconds(&moto_pid)
        .zip(moto_before_floor)
        .map(|(a, b)| a.0 - b.0);
    let floor_calls = iam.proxy.calls().split_off(calls.len());
    let floor = (floor_before + floor_after) / 2;
    let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &calls {
        *by_action.entry(c.action.as_str()).or_default() += 1;
    }
    let distinct: BTreeSet<&str> = calls
        .iter()
        .filter(|c| c.action == "GetRole")
        .filter_map(|c| c.params.get("RoleName").map(String::as_str))
        .collect();
    let k8s: usize = servers.iter().map(|s| s.requests().len()).sum();
    let ratio = wall.as_secs_f64() / floor.as_secs_f64();

    println!(
        "doctor fleet scale: {CLUSTERS} clusters × {SAS} ServiceAccounts (and pods), {ROLES} roles, one account"
    );
    println!("  set-up: moto roles {iam_setup:.2?}, fake clusters {cluster_setup:.2?}");
    println!(
        "  doctor --all-contexts wall time: {wall:.2?} (exit {})",
        result.code
    );
    println!(
        "  IAM calls: {} total, by action {by_action:?}",
        calls.len()
    );
    println!(
        "  moto floor: {ROLES} GetRole from the SDK, 8 at a time: {floor:.2?} (before {floor_before:.2?}, after {floor_after:.2?})"
    );
    println!("  ratio wall / floor: {ratio:.2}");
    if let (Some(a), Some(b), Some(ma), Some(mb)) = (cpu_after.0, cpu_self, cpu_after.1, cpu_moto) {
        println!(
            "  CPU during doctor's run: doctor {:.2}s, moto {:.2}s (the floor's run: {:.2}s), this test's servers and proxy {:.2}s",
            a.1 - b.1,
            ma.0 - mb.0,
            moto_floor.unwrap_or(0.0),
            a.0 - b.0
        );
    }
    // Where the time beyond the calls goes: before the first IAM request, and after the last answer.
    if let (Some(first), Some(last)) = (
        calls.iter().map(|c| c.received).min(),
        calls.iter().map(|c| c.answered).max(),
    ) {
        println!(
            "  timeline: first IAM request at {:.2?}, last answer at {:.2?}, exit at {wall:.2?}",
            first.saturating_duration_since(t),
            last.saturating_duration_since(t)
        );
        let busy = |action: &str| -> Duration {
            (calls.iter().filter(|c| c.action == action))
                .map(|c| c.answered.saturating_duration_since(c.received))
                .sum()
        };
        let span = last.saturating_duration_since(first).as_secs_f64();
        // Stretches with no IAM request outstanding at all.
        let mut edges: Vec<(Instant, i32)> = calls
            .iter()
            .flat_map(|c| [(c.received, 1), (c.answered, -1)])
            .collect();
        edges.sort();
        let (mut open, mut idle, mut since) = (0, Duration::ZERO, first);
        for (at, step) in edges {
            if open == 0 {
                idle += at.saturating_duration_since(since);
            }
            open += step;
            since = at;
        }
        println!("  no IAM request outstanding for {idle:.2?} of the {span:.2}s between the first and the last");
        let all: Duration = by_action.keys().map(|a| busy(a)).sum();
        let floor_busy: Duration = (floor_calls.iter())
            .map(|c| c.answered.saturating_duration_since(c.received))
            .sum();
        println!(
            "  floor: a GetRole takes {:.2?} in moto on average, doctor's {:.2?}",
            floor_busy / floor_calls.len().max(1) as u32,
            busy("GetRole") / ROLES as u32
        );
        println!(
            "  in flight on average: {:.1}; time in moto by action: {:?}",
            all.as_secs_f64() / span,
            by_action
                .keys()
                .map(|a| (*a, format!("{:.2?}", busy(a))))
                .collect::<Vec<_>>()
        );
    }
    println!("  Kubernetes requests: {k8s} over {CLUSTERS} API servers");
    println!("  findings: {}", result.findings.len());

    result.assert_clean();
    assert_eq!(
        by_action.get("GetRole"),
        Some(&ROLES),
        "one GetRole per role"
    );
    assert_eq!(distinct.len(), ROLES);
    assert_eq!(by_action.get("GetOpenIDConnectProvider"), Some(&CLUSTERS));
    assert_eq!(by_action.get("ListRoles"), Some(&ROLES.div_ceil(100)));
    assert_eq!(calls.len(), ROLES + CLUSTERS + ROLES.div_ceil(100));
    for s in &servers {
        s.assert_only_gets();
    }
    iam.proxy.assert_read_only();
    assert!(
        ratio <= 1.3,
        "doctor took {wall:.2?}, {ratio:.2}× the {floor:.2?} of the GetRole calls alone"
    );
}
