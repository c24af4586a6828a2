//! doctor `--format openreports` (`openreports.io/v1alpha1`) and `--format policyreport`
//! (`wgpolicyk8s.io/v1alpha2`, for older Policy Reporter installs): one `Report` per namespace and
//! one `ClusterReport` for cluster-wide facts, as a YAML stream `kubectl apply -f -` takes.
//!
//! Findings are `fail` (error), `warn` (warning) or `skip` (note); a could-not-verify (IRSA100)
//! is `error`, never `pass`. A checked pair without findings is a `pass` per rule it passed, so a
//! dashboard shows coverage, not only failures. The shapes follow the CRDs vendored under
//! `schemas/openreports/` (openreports/reports-api).

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};

use super::graph::{link, ClusterCheck, GraphPair, Linked, Provider};
use super::Report;
use crate::diagnostics::finding::{Finding, ObjectRef, Severity};

/// Which API the reports are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    OpenReports,
    PolicyReport,
}

impl Api {
    pub fn api_version(self) -> &'static str {
        match self {
            Api::OpenReports => "openreports.io/v1alpha1",
            Api::PolicyReport => "wgpolicyk8s.io/v1alpha2",
        }
    }

    fn kinds(self) -> (&'static str, &'static str) {
        match self {
            Api::OpenReports => ("Report", "ClusterReport"),
            Api::PolicyReport => ("PolicyReport", "ClusterPolicyReport"),
        }
    }
}

pub const SOURCE: &str = "kubectl-irsa";
/// The one report per namespace (and the cluster report) is named this, so a second run
/// replaces it. Fleet runs add a hash of the context.
pub const REPORT_NAME: &str = "kubectl-irsa";
const COULD_NOT_VERIFY: &str = "IRSA100";
/// The rules a checked pair passes when nothing was found about it.
const IRSA_PAIR_RULES: &[(&str, &str)] = &[
    ("IRSA104", "role-not-found"),
    ("IRSA105", "live-trust-denies"),
];
const POD_IDENTITY_PAIR_RULES: &[(&str, &str)] = &[
    ("IRSA121", "pod-identity-role-not-found"),
    ("IRSA116", "live-pod-identity-trust-denies"),
];

pub fn render(report: &Report, api: Api, out: &mut dyn Write) -> std::io::Result<()> {
    let docs = reports(report, api);
    let yaml = serde_saphyr::to_string_multiple(&docs)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(yaml.as_bytes())
}

/// Where a result goes: a context (fleet runs) and a namespace (`None`: the cluster report).
type Key = (Option<String>, Option<String>);

/// Every report object, namespaces in order, then the cluster report of each context.
pub fn reports(report: &Report, api: Api) -> Vec<Value> {
    let mut results: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    let linked = link(report);
    for f in &report.findings {
        // A role's finding is reported where the service accounts that use it are.
        let users = role_users(&linked, f);
        if users.is_empty() {
            let key = (f.context.clone(), namespace_of(f));
            results
                .entry(key)
                .or_default()
                .push(finding_result(f, pair_of(&linked, f)));
        }
        for p in users {
            let key = (f.context.clone(), Some(p.namespace.clone()));
            let mut r = finding_result(f, Some(p));
            r["resources"] = json!([sa_resource(p)]);
            results.entry(key).or_default().push(r);
        }
    }
    for l in linked.iter().filter(|l| !l.broken() && l.pair.verified) {
        if unverified(report, l.pair) {
            continue;
        }
        let key = (l.pair.context.clone(), Some(l.pair.namespace.clone()));
        results.entry(key).or_default().extend(pair_passes(l.pair));
    }
    for c in &report.cluster_checks {
        if let Some(pass) = cluster_pass(report, c) {
            let key = (c.context.clone(), None);
            results.entry(key).or_default().push(pass);
        }
    }
    let mut docs: Vec<Value> = Vec::new();
    let mut clusters: Vec<Value> = Vec::new();
    for ((context, namespace), results) in results {
        match namespace {
            Some(ns) => docs.push(object(api, context.as_deref(), Some(&ns), results)),
            None => clusters.push(object(api, context.as_deref(), None, results)),
        }
    }
    docs.extend(clusters);
    docs
}

/// A namespaced object's namespace; cluster-wide objects and unplaced findings go to the
/// cluster report.
fn namespace_of(f: &Finding) -> Option<String> {
    f.object.as_ref().and_then(|o| o.namespace.clone())
}

fn object(api: Api, context: Option<&str>, namespace: Option<&str>, results: Vec<Value>) -> Value {
    let (kind, cluster_kind) = api.kinds();
    let mut summary = json!({"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0});
    for r in &results {
        if let Some(n) = r["result"].as_str().and_then(|k| summary.get_mut(k)) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
    }
    let mut metadata = json!({
        "name": report_name(context),
        "labels": {"app.kubernetes.io/managed-by": SOURCE},
    });
    if let Some(c) = context {
        metadata["annotations"] = json!({"kubectl-irsa/context": c});
    }
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    let mut doc = json!({
        "apiVersion": api.api_version(),
        "kind": if namespace.is_some() { kind } else { cluster_kind },
        "metadata": metadata,
        "source": SOURCE,
        "summary": summary,
        "results": results,
    });
    if let Some(ns) = namespace {
        doc["scope"] = json!({"apiVersion": "v1", "kind": "Namespace", "name": ns});
    }
    doc
}

/// `kubectl-irsa`, or `kubectl-irsa-<hash of the context>` in fleet runs (a context name is
/// not always a valid object name).
pub fn report_name(context: Option<&str>) -> String {
    match context {
        None => REPORT_NAME.to_string(),
        Some(c) => super::graph::node_id(REPORT_NAME, c).replace('_', "-"),
    }
}

fn result_of(f: &Finding) -> (&'static str, &'static str) {
    match (f.code.as_str(), f.severity) {
        (COULD_NOT_VERIFY, _) => ("error", "high"),
        (_, Severity::Error) => ("fail", "high"),
        (_, Severity::Warning) => ("warn", "medium"),
        (_, Severity::Note) => ("skip", "info"),
    }
}

fn finding_result(f: &Finding, pair: Option<&GraphPair>) -> Value {
    let (result, severity) = result_of(f);
    let mut properties = Map::new();
    if let Some(p) = pair {
        pair_properties(p, &mut properties);
    }
    if let Some(l) = &f.location {
        properties.insert("location".into(), json!(format!("{}:{}", l.path, l.line)));
    }
    if let Some(c) = &f.context {
        properties.insert("context".into(), json!(c));
    }
    let mut r = json!({
        "source": SOURCE,
        "policy": f.code,
        "rule": f.name,
        "category": "IRSA",
        "result": result,
        "severity": severity,
        "message": f.message,
        "properties": properties,
    });
    if let Some(resource) = f.object.as_ref().and_then(resource) {
        r["resources"] = json!([resource]);
    }
    r
}

fn pair_properties(p: &GraphPair, properties: &mut Map<String, Value>) {
    if let Some(arn) = &p.role_arn {
        properties.insert("roleArn".into(), json!(arn));
    }
    match &p.provider {
        Provider::Oidc(issuer) => {
            properties.insert("issuer".into(), json!(issuer));
        }
        Provider::PodIdentity => {
            properties.insert("via".into(), json!("pod-identity"));
        }
        Provider::UnknownOidc => {}
    }
    if let Some(id) = &p.association_id {
        properties.insert("associationId".into(), json!(id));
    }
}

/// The pair a finding is about (its service account, role or association).
fn pair_of<'r>(linked: &[Linked<'r>], f: &Finding) -> Option<&'r GraphPair> {
    let o = f.object.as_ref()?;
    linked.iter().map(|l| l.pair).find(|p| {
        p.context == f.context
            && match o.kind.as_str() {
                "ServiceAccount" => {
                    o.namespace.as_deref() == Some(&p.namespace) && o.name == p.service_account
                }
                "PodIdentityAssociation" => p.association_id.as_deref() == Some(&o.name),
                _ => false,
            }
    })
}

/// The pairs whose role a finding about an IAM role names.
fn role_users<'r>(linked: &[Linked<'r>], f: &Finding) -> Vec<&'r GraphPair> {
    let Some(o) = f.object.as_ref().filter(|o| o.kind == "Role") else {
        return Vec::new();
    };
    linked
        .iter()
        .map(|l| l.pair)
        .filter(|p| p.context == f.context && p.role == o.name)
        .collect()
}

fn sa_resource(p: &GraphPair) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "namespace": p.namespace, "name": p.service_account})
}

/// A Kubernetes object as an ObjectReference (IAM and EKS objects are properties, not resources).
fn resource(o: &ObjectRef) -> Option<Value> {
    let api_version = match o.kind.as_str() {
        "ServiceAccount" | "Pod" | "Namespace" => "v1",
        "DaemonSet" | "Deployment" | "StatefulSet" | "ReplicaSet" => "apps/v1",
        "MutatingWebhookConfiguration" => "admissionregistration.k8s.io/v1",
        _ => return None,
    };
    if o.name == "*" {
        return None;
    }
    let mut r = json!({"apiVersion": api_version, "kind": o.kind, "name": o.name});
    if let Some(ns) = &o.namespace {
        r["namespace"] = json!(ns);
    }
    Some(r)
}

/// A could-not-verify about the pair's service account or role (already an `error` result).
fn unverified(report: &Report, p: &GraphPair) -> bool {
    report.findings.iter().any(|f| {
        f.code == COULD_NOT_VERIFY
            && f.context == p.context
            && f.object.as_ref().is_some_and(|o| {
                (o.kind == "ServiceAccount"
                    && o.namespace.as_deref() == Some(&p.namespace)
                    && (o.name == p.service_account || o.name == "*"))
                    || (o.kind == "Role" && (o.name == p.role || o.name == "*"))
            })
    })
}

fn pair_passes(p: &GraphPair) -> Vec<Value> {
    let rules = match p.provider {
        Provider::PodIdentity => POD_IDENTITY_PAIR_RULES,
        _ => IRSA_PAIR_RULES,
    };
    let mut properties = Map::new();
    pair_properties(p, &mut properties);
    let resource = sa_resource(p);
    rules
        .iter()
        .map(|(code, name)| {
            json!({
                "source": SOURCE,
                "policy": code,
                "rule": name,
                "category": "IRSA",
                "result": "pass",
                "severity": "info",
                "message": format!("ServiceAccount {} can assume role {}", p.sa_label(), p.role),
                "properties": properties,
                "resources": [resource],
            })
        })
        .collect()
}

/// A cluster-wide fact passes when no finding of its rule, and no could-not-verify about its
/// kind of object, was reported for its cluster.
fn cluster_pass(report: &Report, c: &ClusterCheck) -> Option<Value> {
    let failed = report.findings.iter().any(|f| {
        f.context == c.context
            && (f.code == c.policy
                || (f.code == COULD_NOT_VERIFY
                    && f.object.as_ref().is_some_and(|o| o.kind == c.kind)))
    });
    if failed {
        return None;
    }
    let mut properties = Map::new();
    properties.insert(c.kind.to_string(), json!(c.name));
    if let Some(ctx) = &c.context {
        properties.insert("context".into(), json!(ctx));
    }
    Some(json!({
        "source": SOURCE,
        "policy": c.policy,
        "category": "IRSA",
        "result": "pass",
        "severity": "info",
        "message": format!("{} {} checked", c.kind, c.name),
        "properties": properties,
    }))
}
