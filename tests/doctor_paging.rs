//! Doctor when a list ends early: a later page (a Kubernetes request with `continue`, an IAM
//! `ListRoles` with `Marker`) fails with 410 Gone, 500, AccessDenied or a dropped connection.
//! Doctor must report IRSA100 for that list, never use the pages it did read, never say OK,
//! and exit 2 only when nothing at all could be checked.

mod doctor_harness;
mod support;

use doctor_harness::{arn, doctor, trust_with, Iam, Run};
use serde_json::json;
use support::objects::{self, annotated_service_account, mutated_pod};
use support::{FakeApiServer, FakeCluster};

const SAS: usize = 6;

/// Six IRSA SAs with their pods in `edp`, and pages of two items: three pages per list.
fn paged() -> (Iam, FakeApiServer) {
    let iam = Iam::start().with_provider();
    let mut cluster = FakeCluster::new()
        .webhook(objects::pod_identity_webhook())
        .page_size_cap(2);
    for i in 0..SAS {
        let sa = format!("app{i}");
        iam.irsa_role(&sa, "edp", &sa);
        cluster = cluster
            .service_account(annotated_service_account("edp", &sa, &arn(&sa)))
            .pod(mutated_pod("edp", &format!("{sa}-pod"), &sa, &arn(&sa)));
    }
    (iam, cluster.start())
}

fn message(f: &serde_json::Value) -> &str {
    f["message"].as_str().unwrap_or_default()
}

/// Only IRSA100s, and exactly one of them about `kind`.
fn only_could_not_verify<'a>(run: &'a Run, kind: &str) -> &'a serde_json::Value {
    assert_eq!(
        run.codes().iter().filter(|c| *c != "IRSA100").count(),
        0,
        "findings from a partial list: {:#?}",
        run.findings
    );
    let of_kind: Vec<_> = run
        .with("IRSA100")
        .into_iter()
        .filter(|f| f["object"]["kind"] == kind)
        .collect();
    assert_eq!(of_kind.len(), 1, "{:#?}", run.findings);
    of_kind[0]
}

#[test]
fn healthy_paged_cluster_is_clean() {
    let (iam, server) = paged();
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    run.assert_clean();
    let continued = server
        .request_lines()
        .iter()
        .filter(|l| l.contains("/serviceaccounts?") && l.contains("continue="))
        .count();
    assert_eq!(continued, 2, "three pages of ServiceAccounts");
    assert_eq!(iam.count("GetRole"), SAS);
}

#[test]
fn expired_continue_token_on_service_accounts() {
    let (iam, server) = paged();
    server.fail_later_pages("/api/v1/serviceaccounts", 410);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = only_could_not_verify(&run, "ServiceAccount");
    let m = message(f);
    assert!(m.contains("list serviceaccounts"), "{m}");
    assert!(m.contains("410") && m.contains("continue"), "{m}");
    assert!(m.contains("page 2") && m.contains("discarded"), "{m}");
    // No IRSA111 for pods whose SA is on a page never read, and no role checked from page 1.
    assert!(run.with("IRSA111").is_empty());
    assert_eq!(iam.count("GetRole"), 0, "no role from a partial SA list");
    // Pods were listed, so something was checked.
    assert_eq!(run.code, 1, "{}", run.stderr);
    server.assert_only_gets();
}

#[test]
fn summary_does_not_claim_there_are_no_irsa_service_accounts() {
    let (iam, server) = paged();
    server.fail_later_pages("/api/v1/serviceaccounts", 410);
    let run = doctor(&server, &iam, &["--no-role-scan", "--format", "human"]);
    assert!(
        !run.stdout.contains("no ServiceAccount carries"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("could not be listed"), "{}", run.stdout);
    assert_eq!(run.code, 1);
}

#[test]
fn server_error_on_a_later_page_of_pods() {
    let (iam, server) = paged();
    server.fail_later_pages("/api/v1/pods", 500);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = only_could_not_verify(&run, "Pod");
    let m = message(f);
    assert!(m.contains("list pods") && m.contains("500"), "{m}");
    assert!(m.contains("page 2"), "{m}");
    // The SAs and roles were checked in full.
    assert_eq!(iam.count("GetRole"), SAS);
    assert_eq!(run.code, 1);
}

#[test]
fn both_lists_ending_early_is_a_tool_error() {
    let (iam, server) = paged();
    server.fail_later_pages("/api/v1/serviceaccounts", 410);
    server.fail_later_pages("/api/v1/pods", 500);
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    only_could_not_verify(&run, "ServiceAccount");
    only_could_not_verify(&run, "Pod");
    assert_eq!(run.code, 2, "nothing at all could be checked");
}

#[test]
fn connection_reset_on_a_later_page() {
    let (iam, server) = paged();
    server.reset_later_pages("/api/v1/pods");
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = only_could_not_verify(&run, "Pod");
    let m = message(f);
    assert!(m.contains("list pods") && m.contains("page 2"), "{m}");
    assert!(m.contains("connection"), "{m}");
    assert_eq!(run.code, 1);
}

#[test]
fn connection_reset_on_every_list_of_service_accounts() {
    let (iam, server) = paged();
    server.reset("/api/v1/serviceaccounts");
    let run = doctor(&server, &iam, &["--no-role-scan"]);
    let f = only_could_not_verify(&run, "ServiceAccount");
    assert!(message(f).contains("connection"), "{f}");
    assert_eq!(run.code, 1);
}

/// More roles than one ListRoles page (doctor asks for 100), the first one dangling.
fn many_roles() -> (Iam, FakeApiServer) {
    let (iam, server) = paged();
    let dangling = json!(["system:serviceaccount:edp:gone"]);
    iam.role("aaa-dangling", &trust_with("StringEquals", dangling));
    for i in 0..100 {
        iam.irsa_role(&format!("filler-{i:03}"), "edp", "app0");
    }
    (iam, server)
}

#[test]
fn list_roles_ending_early_is_could_not_verify() {
    let (iam, server) = many_roles();
    // Control: with every page, the dangling trust is found.
    let full = doctor(&server, &iam, &[]);
    assert_eq!(full.with("IRSA113").len(), 1, "{:#?}", full.findings);
    assert!(iam.count("ListRoles") >= 2, "paged");
    for status in [500, 403] {
        iam.proxy.clear_calls();
        iam.proxy.clear_faults();
        iam.proxy.fail_later_pages("ListRoles", status);
        let run = doctor(&server, &iam, &[]);
        // Not from a partial list: no dangling finding from page 1.
        assert!(run.with("IRSA113").is_empty(), "{:#?}", run.findings);
        let f = run.one("IRSA100");
        let m = message(f);
        assert!(m.contains("iam:ListRoles"), "{m}");
        assert!(m.contains("later page") && m.contains("discarded"), "{m}");
        assert_eq!(f["object"]["kind"], "Role");
        let first_pages = iam
            .proxy
            .calls()
            .iter()
            .filter(|c| c.action == "ListRoles" && !c.params.contains_key("Marker"))
            .count();
        assert_eq!(first_pages, 1);
        assert_eq!(run.code, 1);
        iam.proxy.assert_read_only();
    }
}
