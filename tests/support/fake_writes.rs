//! The only writes the fake API server accepts: server-side apply (`PATCH` with
//! `Content-Type: application/apply-patch+yaml` and a `fieldManager`) of `reports` and
//! `clusterreports` of `openreports.io/v1alpha1`, which is what `doctor --apply-reports` sends and
//! what the chart's RBAC grants. Every other write stays a 405.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::fake_apiserver::State;
use super::fake_routes::{status, Reply};

pub const GROUP_VERSION: &str = "openreports.io/v1alpha1";

/// Where an applied report lives: (plural, namespace or "", name).
pub type ReportKey = (String, String, String);

/// The report a write path names, if it names one.
pub(crate) fn report_path(path: &str) -> Option<ReportKey> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["apis", "openreports.io", "v1alpha1", "namespaces", ns, "reports", name] => {
            Some(("reports".into(), ns.to_string(), name.to_string()))
        }
        ["apis", "openreports.io", "v1alpha1", "clusterreports", name] => {
            Some(("clusterreports".into(), String::new(), name.to_string()))
        }
        _ => None,
    }
}

/// Apply `body` to the report at `key`: created if new, replaced in place (same uid, creation
/// time; a new resourceVersion) if it exists.
pub(crate) fn apply(
    st: &mut State,
    key: ReportKey,
    query: &HashMap<String, String>,
    content_type: Option<&str>,
    body: &[u8],
) -> Reply {
    if content_type != Some("application/apply-patch+yaml") {
        return status(415, "only server-side apply is accepted", None);
    }
    if query.get("fieldManager").is_none_or(|m| m.is_empty()) {
        return status(400, "fieldManager is required for apply patch", None);
    }
    let Ok(mut obj) = serde_json::from_slice::<Value>(body) else {
        return status(400, "the body is not JSON", None);
    };
    let (plural, ns, name) = &key;
    let kind = if plural == "reports" {
        "Report"
    } else {
        "ClusterReport"
    };
    let meta = &obj["metadata"];
    let same_ns = meta["namespace"].as_str().unwrap_or("") == ns;
    if obj["apiVersion"] != GROUP_VERSION
        || obj["kind"] != kind
        || meta["name"] != json!(name)
        || !same_ns
    {
        return status(400, "the body does not match the path", None);
    }
    st.resource_version += 1;
    let (uid, created) = match st.reports.get(&key) {
        Some(old) => (
            old["metadata"]["uid"].clone(),
            old["metadata"]["creationTimestamp"].clone(),
        ),
        None => (
            json!(format!("uid-{plural}-{ns}-{name}")),
            json!("2024-01-01T00:00:00Z"),
        ),
    };
    let m = obj["metadata"].as_object_mut().expect("metadata object");
    m.insert("uid".into(), uid);
    m.insert("creationTimestamp".into(), created);
    m.insert(
        "resourceVersion".into(),
        json!(st.resource_version.to_string()),
    );
    st.reports.insert(key, obj.clone());
    (200, obj.into())
}
