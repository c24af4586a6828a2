//! `doctor` across a fleet (issue 15, part 4): several fake API servers behind one generated
//! kubeconfig, moto behind the logging proxy. IAM is asked once per role and once per
//! account + issuer for the whole run; an unreachable cluster is IRSA100 for itself alone.

mod doctor_harness;
mod support;

use doctor_harness::{arn, run, Iam, Run};
use serde_json::{json, Value};
use support::moto::create_oidc_provider;
use support::objects::{self, annotated_service_account, deployment_chain};
use support::{
    kubectl_irsa, unreachable_server, write_fleet_kubeconfig, FakeApiServer, FakeCluster,
    FleetEntry, KubeconfigFile, MOTO_ACCOUNT,
};

/// The second cluster's issuer (the first uses the default one).
const ISSUER_B: &str =
    "https://oidc.eks.eu-west-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

fn host(issuer: &str) -> &str {
    issuer.trim_start_matches("https://")
}

/// One web-identity statement of `issuer`'s provider for `system:serviceaccount:<ns>:<sa>`.
fn statement(issuer: &str, ns: &str, sa: &str) -> Value {
    let h = host(issuer);
    json!({
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{h}")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            format!("{h}:sub"): format!("system:serviceaccount:{ns}:{sa}"),
            format!("{h}:aud"): "sts.amazonaws.com",
        }}
    })
}

fn cluster(issuer: &str, sas: &[(&str, &str, &str)]) -> FakeApiServer {
    let mut c = FakeCluster::new()
        .issuer(issuer)
        .webhook(objects::pod_identity_webhook());
    for (ns, sa, role) in sas {
        c = c
            .service_account(annotated_service_account(ns, sa, &arn(role)))
            .deployment_chain(deployment_chain(ns, sa, sa, Some(&arn(role))));
    }
    c.start()
}

/// moto with both clusters' providers, and the roles:
/// `shared` (both clusters' `edp/app`), `a-only` (cluster a's `ci/builder`) and `b-bad`
/// (trusts `wrong/ns`, used by cluster b's `ops/agent`).
fn fleet_iam() -> Iam {
    let iam = Iam::start().with_provider();
    let c = iam.moto.iam_client();
    iam.rt.block_on(create_oidc_provider(
        &c,
        ISSUER_B,
        &["sts.amazonaws.com"],
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    ));
    let a = doctor_harness::ISSUER;
    let policy = |statements: Vec<Value>| json!({"Version": "2012-10-17", "Statement": statements});
    iam.role(
        "shared",
        &policy(vec![
            statement(a, "edp", "app"),
            statement(ISSUER_B, "edp", "app"),
        ]),
    );
    iam.role("a-only", &policy(vec![statement(a, "ci", "builder")]));
    iam.role("b-bad", &policy(vec![statement(ISSUER_B, "wrong", "ns")]));
    iam
}

struct Fleet {
    a: FakeApiServer,
    b: FakeApiServer,
    kubeconfig: KubeconfigFile,
}

/// Contexts `a` and `b` (fake servers) and `down` (nothing listens).
fn fleet() -> Fleet {
    let a = cluster(
        doctor_harness::ISSUER,
        &[("edp", "app", "shared"), ("ci", "builder", "a-only")],
    );
    let b = cluster(
        ISSUER_B,
        &[("edp", "app", "shared"), ("ops", "agent", "b-bad")],
    );
    let kubeconfig = write_fleet_kubeconfig(&[
        FleetEntry::new("a", &a.url()),
        FleetEntry::new("b", &b.url()),
        FleetEntry::new("down", &unreachable_server()),
    ]);
    Fleet { a, b, kubeconfig }
}

fn doctor(kc: &KubeconfigFile, iam: &Iam, extra: &[&str]) -> Run {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = kubectl_irsa(home.path());
    cmd.arg("doctor")
        .arg("--kubeconfig")
        .arg(kc.path())
        .args(["--request-timeout", "5s"])
        .args(extra);
    if !extra.contains(&"--format") {
        cmd.args(["--format", "json"]);
    }
    iam.proxy.aws().apply(&mut cmd);
    run(cmd)
}

fn contexts_of<'r>(run: &'r Run, code: &str) -> Vec<&'r str> {
    let mut c: Vec<&str> = run
        .with(code)
        .iter()
        .map(|f| {
            f["context"]
                .as_str()
                .expect("every fleet finding has a context")
        })
        .collect();
    c.sort();
    c
}

/// Ports and other run-specific text out of the output, for snapshots.
fn stable(text: &str, fleet: &Fleet) -> String {
    let mut out = text
        .replace(&fleet.a.url(), "http://127.0.0.1:PORT_A")
        .replace(&fleet.b.url(), "http://127.0.0.1:PORT_B");
    while let Some(i) = out.find("127.0.0.1:") {
        let rest = &out[i + 10..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            break;
        }
        out = format!("{}127.0.0.1_PORT{}", &out[..i], &rest[digits..]);
    }
    out
}

#[test]
fn fleet_shares_iam_and_isolates_the_unreachable_cluster() {
    let iam = fleet_iam();
    let f = fleet();
    let run = doctor(
        &f.kubeconfig,
        &iam,
        &["--context", "a", "--context", "b", "--context", "down"],
    );
    // Findings at error level (IRSA105 in b, IRSA100 for down), so exit 1, not 2.
    assert_eq!(run.code, 1, "stderr: {}\n{}", run.stderr, run.stdout);
    assert!(
        run.findings.iter().all(|f| f["context"].is_string()),
        "{:#?}",
        run.findings
    );
    assert_eq!(
        contexts_of(&run, "IRSA100"),
        ["down"],
        "{:#?}",
        run.findings
    );
    assert_eq!(contexts_of(&run, "IRSA105"), ["b"], "{:#?}", run.findings);
    let denied = run.one("IRSA105");
    assert_eq!(denied["object"]["namespace"], "ops");
    assert_eq!(
        denied["related"][0]["path"],
        "cluster/b/ops/serviceaccount/agent.yaml"
    );
    assert!(
        run.one("IRSA100")["message"]
            .as_str()
            .unwrap()
            .contains("reach the API server"),
        "{:#?}",
        run.findings
    );

    // GetRole once per distinct role in the whole run: `shared` is used by both clusters.
    let get_roles: Vec<String> = iam
        .proxy
        .calls()
        .iter()
        .filter(|c| c.action == "GetRole")
        .filter_map(|c| c.params.get("RoleName").cloned())
        .collect();
    assert_eq!(
        get_roles.iter().filter(|r| *r == "shared").count(),
        1,
        "{get_roles:?}"
    );
    assert_eq!(get_roles.len(), 3, "{get_roles:?}");
    // One provider lookup per account + issuer, one ListRoles for the whole fleet.
    assert_eq!(iam.count("GetOpenIDConnectProvider"), 2);
    assert_eq!(iam.count("ListRoles"), 1);
    iam.proxy.assert_read_only();
    f.a.assert_only_gets();
    f.b.assert_only_gets();
    assert!(!f.a.requests().is_empty() && !f.b.requests().is_empty());
}

#[test]
fn fleet_outputs_name_the_context() {
    let iam = fleet_iam();
    let f = fleet();
    let args = ["--all-contexts", "--no-role-scan"];
    let json = doctor(&f.kubeconfig, &iam, &args);
    assert_eq!(json.code, 1, "stderr: {}", json.stderr);
    insta::assert_snapshot!("fleet_json", stable(&json.stdout, &f));

    let human = doctor(
        &f.kubeconfig,
        &iam,
        &[&args[..], &["--format", "human"]].concat(),
    );
    assert_eq!(human.code, 1, "stderr: {}", human.stderr);
    let text = stable(&human.stdout, &f);
    // Grouped by cluster, in kubeconfig order, each with its own table.
    let (ia, ib, idown) = (
        text.find("== cluster a:").expect("a heading"),
        text.find("== cluster b:").expect("b heading"),
        text.find("== cluster down:").expect("down heading"),
    );
    assert!(ia < ib && ib < idown, "{text}");
    assert!(text[ib..idown].contains("IRSA105"), "{text}");
    assert!(!text[ia..ib].contains("IRSA105"), "{text}");
    insta::assert_snapshot!("fleet_human", text);

    let sarif = doctor(
        &f.kubeconfig,
        &iam,
        &[&args[..], &["--format", "sarif"]].concat(),
    );
    let log: Value = serde_json::from_str(&sarif.stdout).expect("sarif json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let c = r["properties"]["context"].as_str().expect("context");
        assert!(
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with(&format!("[{c}] ")),
            "{r}"
        );
    }

    let junit = doctor(
        &f.kubeconfig,
        &iam,
        &[&args[..], &["--format", "junit"]].concat(),
    );
    for c in ["a", "b", "down"] {
        assert!(
            junit.stdout.contains(&format!("<testsuite name=\"{c}\"")),
            "{}",
            junit.stdout
        );
    }
}

#[test]
fn single_context_output_has_no_context_key() {
    let iam = fleet_iam();
    let f = fleet();
    let run = doctor(&f.kubeconfig, &iam, &["--context", "b", "--no-role-scan"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert_eq!(run.codes(), ["IRSA105"]);
    assert!(!run.stdout.contains("\"context\""), "{}", run.stdout);
    assert_eq!(
        run.one("IRSA105")["related"][0]["path"],
        "cluster/ops/serviceaccount/agent.yaml"
    );
}

#[test]
fn a_fleet_where_nothing_answers_exits_2() {
    let iam = fleet_iam();
    let kc = write_fleet_kubeconfig(&[
        FleetEntry::new("gone-1", &unreachable_server()),
        FleetEntry::new("gone-2", &unreachable_server()),
    ]);
    let run = doctor(&kc, &iam, &["--all-contexts"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert_eq!(contexts_of(&run, "IRSA100"), ["gone-1", "gone-2"]);
    assert!(iam.proxy.calls().is_empty(), "nothing to ask IAM");
}

#[test]
fn fleet_with_issuer_is_a_usage_error() {
    let iam = fleet_iam();
    let f = fleet();
    let run = doctor(
        &f.kubeconfig,
        &iam,
        &["--all-contexts", "--issuer", doctor_harness::ISSUER],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--issuer"), "{}", run.stderr);
}
