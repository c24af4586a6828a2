//! doctor's graphs and reports (issue 24): `--format markdown` and `dot` read back by Mermaid and
//! Graphviz; `--format openreports` and `policyreport` (the real binary against the fake API
//! server and moto), every object validated against the OpenReports CRDs vendored under
//! schemas/openreports (openreports/reports-api, Apache-2.0).

mod doctor_harness;
mod support;

use doctor_harness::{arn, doctor, host, Iam};
use serde_json::Value;
use support::objects::{self, annotated_service_account, deployment_chain};
use support::report_tools::{check_markdown, diagram, labels, render_svg, svg_texts};
use support::FakeCluster;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The CRD's `openAPIV3Schema`, made strict: an object that lists its properties admits no
/// other (the API server would prune them silently, so a misspelt field would be lost).
fn crd_schema(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join("schemas/openreports").join(file)).unwrap();
    let crd: Value = serde_saphyr::from_str(&text).expect("CRD YAML");
    let mut schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    strict(&mut schema);
    schema
}

fn strict(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if map.contains_key("properties") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for v in map.values_mut() {
        match v {
            Value::Object(_) => strict(v),
            Value::Array(items) => items.iter_mut().for_each(strict),
            _ => {}
        }
    }
}

fn assert_valid(doc: &Value) {
    let file = match doc["kind"].as_str() {
        Some("Report") => "openreports.io_reports.yaml",
        Some("ClusterReport") => "openreports.io_clusterreports.yaml",
        other => panic!("unexpected kind {other:?}"),
    };
    let schema = crd_schema(file);
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    assert_eq!(doc["apiVersion"], "openreports.io/v1alpha1");
    assert_eq!(doc["source"], "kubectl-irsa");
}

fn objects_of(stdout: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(stdout).expect("a YAML stream")
}

fn report<'a>(docs: &'a [Value], namespace: Option<&str>) -> &'a Value {
    docs.iter()
        .find(|d| d["metadata"]["namespace"].as_str() == namespace)
        .unwrap_or_else(|| panic!("no report for {namespace:?} in {docs:#?}"))
}

fn results<'a>(doc: &'a Value, policy: &str, result: &str) -> Vec<&'a Value> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["policy"] == policy && r["result"] == result)
        .collect()
}

/// `edp/app` is healthy; `ci/web`'s role trusts another namespace.
fn cluster() -> (Iam, support::FakeApiServer) {
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    iam.irsa_role("web", "other", "web");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .service_account(annotated_service_account("ci", "web", &arn("web")))
        .deployment_chain(deployment_chain("edp", "app", "app", Some(&arn("app"))))
        .webhook(objects::pod_identity_webhook())
        .start();
    (iam, server)
}

#[test]
fn one_report_per_namespace_passes_for_healthy_pairs_and_a_cluster_report() {
    let (iam, server) = cluster();
    let run = doctor(
        &server,
        &iam,
        &["--format", "openreports", "--no-role-scan"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let docs = objects_of(&run.stdout);
    docs.iter().for_each(assert_valid);
    assert_eq!(docs.len(), 3, "{docs:#?}");
    // The namespace without findings: a report of passes, one per rule the pair passed.
    let edp = report(&docs, Some("edp"));
    assert_eq!(edp["kind"], "Report");
    assert_eq!(edp["metadata"]["name"], "kubectl-irsa");
    assert_eq!(edp["scope"]["kind"], "Namespace");
    assert_eq!(edp["summary"]["pass"], 2);
    assert_eq!(edp["summary"]["fail"], 0);
    let pass = results(edp, "IRSA105", "pass")[0];
    assert_eq!(pass["properties"]["roleArn"], arn("app"));
    assert_eq!(pass["properties"]["issuer"], host());
    assert_eq!(pass["resources"][0]["name"], "app");
    // The broken pair: a fail with its role and issuer, and no pass.
    let ci = report(&docs, Some("ci"));
    let fail = results(ci, "IRSA105", "fail");
    assert_eq!(fail.len(), 1, "{ci:#}");
    assert_eq!(fail[0]["severity"], "high");
    assert_eq!(fail[0]["properties"]["roleArn"], arn("web"));
    assert_eq!(fail[0]["resources"][0]["kind"], "ServiceAccount");
    assert_eq!(ci["summary"]["pass"], 0, "{ci:#}");
    // Cluster-wide facts: the provider and the webhook were checked and hold.
    let cluster = report(&docs, None);
    assert_eq!(cluster["kind"], "ClusterReport");
    assert_eq!(results(cluster, "IRSA101", "pass").len(), 1, "{cluster:#}");
    assert_eq!(results(cluster, "IRSA112", "pass").len(), 1, "{cluster:#}");
    server.assert_only_gets();
}

#[test]
fn could_not_verify_is_an_error_result_never_a_pass() {
    let (iam, server) = cluster();
    iam.proxy.deny_param("GetRole", "RoleName", "app");
    let run = doctor(
        &server,
        &iam,
        &["--format", "openreports", "--no-role-scan"],
    );
    let docs = objects_of(&run.stdout);
    docs.iter().for_each(assert_valid);
    let edp = report(&docs, Some("edp"));
    assert_eq!(edp["summary"]["pass"], 0, "{edp:#}");
    let errors = results(edp, "IRSA100", "error");
    assert_eq!(errors.len(), 1, "{edp:#}");
    assert_eq!(errors[0]["resources"][0]["name"], "app");
}

#[test]
fn policyreport_is_the_same_reports_in_wgpolicyk8s_v1alpha2() {
    let (iam, server) = cluster();
    let run = doctor(
        &server,
        &iam,
        &["--format", "policyreport", "--no-role-scan"],
    );
    let docs = objects_of(&run.stdout);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["PolicyReport", "PolicyReport", "ClusterPolicyReport"]
    );
    assert!(docs
        .iter()
        .all(|d| d["apiVersion"] == "wgpolicyk8s.io/v1alpha2"));
    assert_eq!(report(&docs, Some("edp"))["summary"]["pass"], 2);
}

#[test]
fn the_strict_schema_rejects_a_misspelt_field_and_an_unknown_result() {
    let (iam, server) = cluster();
    let run = doctor(
        &server,
        &iam,
        &["--format", "openreports", "--no-role-scan"],
    );
    let docs = objects_of(&run.stdout);
    let schema = crd_schema("openreports.io_reports.yaml");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut bad = report(&docs, Some("edp")).clone();
    bad["results"][0]["polcy"] = "IRSA105".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = report(&docs, Some("edp")).clone();
    bad["results"][0]["result"] = "ok".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn hostile_names_come_back_from_the_yaml_as_themselves() {
    let long = format!("{}-{}", "a".repeat(200), "b".repeat(52));
    let names = [
        "quote\"and[brackets]{x}: #y\n- z".to_string(),
        "ünïcødé-サービス-😀".to_string(),
        long,
    ];
    let iam = Iam::start().with_provider();
    let mut cluster = FakeCluster::new().webhook(objects::pod_identity_webhook());
    for (i, name) in names.iter().enumerate() {
        let role = format!("role-{i}");
        iam.irsa_role(&role, "apps", name);
        cluster = cluster.service_account(annotated_service_account("apps", name, &arn(&role)));
    }
    let server = cluster.start();
    let run = doctor(
        &server,
        &iam,
        &["--format", "openreports", "--no-role-scan"],
    );
    let docs = objects_of(&run.stdout);
    docs.iter().for_each(assert_valid);
    let apps = report(&docs, Some("apps"));
    let mut seen: Vec<String> = apps["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resources"][0]["name"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    seen.dedup();
    let mut want = names.to_vec();
    want.sort();
    assert_eq!(seen, want, "{}", run.stdout);
    assert_eq!(apps["summary"]["pass"], 6, "{apps:#}");
}

#[test]
fn doctor_markdown_and_dot_draw_the_broken_trust_in_red() {
    let (iam, server) = cluster();
    let run = doctor(&server, &iam, &["--format", "markdown", "--no-role-scan"]);
    assert!(
        run.stdout.starts_with("**❌ kubectl-irsa: 1 error"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("<summary>Service accounts and roles</summary>"));
    let checked = check_markdown(&run.stdout);
    let d = diagram(&checked);
    let mut shown = labels(d);
    shown.sort();
    let provider = format!("OIDC {}", host());
    let mut want = ["app", "ci/web", "edp/app", provider.as_str(), "web"];
    want.sort();
    assert_eq!(shown, want);
    let red: Vec<&str> = d["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["style"].to_string().contains("stroke:#d73a49"))
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(red, ["IRSA105"]);
    let run = doctor(&server, &iam, &["--format", "dot", "--no-role-scan"]);
    let svg = render_svg(&run.stdout);
    assert_eq!(svg.matches("class=\"node serviceaccount\"").count(), 2);
    assert_eq!(svg.matches("class=\"node role\"").count(), 2);
    assert!(svg_texts(&svg).contains(&"IRSA105".to_string()));
}

#[test]
fn apply_reports_writes_one_report_per_namespace_and_a_second_run_updates_them_in_place() {
    let (iam, server) = cluster();
    let args = ["--format", "json", "--no-role-scan", "--apply-reports"];
    let first = doctor(&server, &iam, &args);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first.stderr.contains("applied 3 OpenReports objects"),
        "{}",
        first.stderr
    );
    let applied = server.applied_reports();
    let keys: Vec<(&str, &str, &str)> = applied
        .keys()
        .map(|(p, ns, n)| (p.as_str(), ns.as_str(), n.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("clusterreports", "", "kubectl-irsa"),
            ("reports", "ci", "kubectl-irsa"),
            ("reports", "edp", "kubectl-irsa"),
        ]
    );
    applied.values().for_each(assert_valid);
    // The namespace without findings holds a report of passes.
    let edp = &applied[&("reports".into(), "edp".into(), "kubectl-irsa".into())];
    assert_eq!(edp["summary"]["pass"], 2);
    assert_eq!(edp["summary"]["fail"], 0);
    let uid = edp["metadata"]["uid"].clone();
    let version = edp["metadata"]["resourceVersion"].clone();

    let second = doctor(&server, &iam, &args);
    assert_eq!(second.code, 1, "{}", second.stderr);
    let again = server.applied_reports();
    assert_eq!(again.len(), 3, "no duplicates: {again:#?}");
    let edp = &again[&("reports".into(), "edp".into(), "kubectl-irsa".into())];
    assert_eq!(edp["metadata"]["uid"], uid, "updated in place");
    assert_ne!(edp["metadata"]["resourceVersion"], version);
    // Server-side apply by doctor's field manager, and no other write.
    let patches: Vec<String> = server
        .request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET "))
        .collect();
    assert_eq!(patches.len(), 6, "{patches:#?}");
    assert!(
        patches
            .iter()
            .all(|l| l.starts_with("PATCH /apis/openreports.io/v1alpha1/")
                && l.contains("fieldManager=kubectl-irsa")),
        "{patches:#?}"
    );
    server.assert_only_gets_and_report_applies();
}

#[test]
fn without_apply_reports_doctor_writes_nothing() {
    let (iam, server) = cluster();
    doctor(
        &server,
        &iam,
        &["--format", "openreports", "--no-role-scan"],
    );
    assert!(server.applied_reports().is_empty());
    server.assert_only_gets();
}
