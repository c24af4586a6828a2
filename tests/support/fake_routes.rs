//! Request handling for the fake API server: routing, discovery documents,
//! lists with `limit`/`continue` paging and selectors, single-object GETs,
//! auth, fault injection and `metav1.Status` error bodies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, Request, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    APIGroup, APIGroupList, APIResource, APIResourceList, APIVersions, GroupVersionForDiscovery,
    ListMeta, Status, StatusDetails,
};
use serde_json::{json, Value};

use super::fake_apiserver::{FaultAction, RecordedRequest, State};
use super::fake_faults::{reset_response, Injected, EXPIRED_CONTINUE};
use super::fake_list::list;
use super::fake_writes;

/// One served resource type.
pub(crate) struct ResourceKind {
    pub api_version: &'static str,
    pub group: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
}

const fn rk(
    api_version: &'static str,
    group: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
) -> ResourceKind {
    ResourceKind {
        api_version,
        group,
        plural,
        singular,
        kind,
        namespaced,
    }
}

pub(crate) const KINDS: &[ResourceKind] = &[
    rk("v1", "", "namespaces", "namespace", "Namespace", false),
    rk(
        "v1",
        "",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
    ),
    rk("v1", "", "pods", "pod", "Pod", true),
    rk(
        "apps/v1",
        "apps",
        "deployments",
        "deployment",
        "Deployment",
        true,
    ),
    rk(
        "apps/v1",
        "apps",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
    ),
    rk(
        "apps/v1",
        "apps",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
    ),
    rk(
        "apps/v1",
        "apps",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
    ),
    rk(
        "admissionregistration.k8s.io/v1",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        "MutatingWebhookConfiguration",
        false,
    ),
];

type Shared = Arc<Mutex<State>>;
pub(crate) type Reply = (u16, Payload);

/// A reply body: JSON to serialize, or a list already serialized (without cloning its items).
pub(crate) enum Payload {
    Json(Value),
    Text(String),
}

impl From<Value> for Payload {
    fn from(v: Value) -> Self {
        Payload::Json(v)
    }
}

fn reason_for(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "AlreadyExists",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}

/// A `metav1.Status` failure body with `code`.
pub(crate) fn status(code: u16, message: &str, details: Option<StatusDetails>) -> Reply {
    let s = Status {
        code: Some(i32::from(code)),
        details,
        message: Some(message.to_string()),
        metadata: ListMeta::default(),
        reason: Some(reason_for(code).to_string()),
        status: Some("Failure".to_string()),
    };
    (code, serde_json::to_value(s).unwrap().into())
}

fn not_found_path() -> Reply {
    status(
        404,
        "the server could not find the requested resource",
        Some(StatusDetails::default()),
    )
}

fn to_response((code, body): Reply) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        match body {
            Payload::Json(v) => v.to_string(),
            Payload::Text(t) => t,
        },
    )
        .into_response()
}

pub(crate) async fn handle(AxState(shared): AxState<Shared>, req: Request) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query_raw = req.uri().query().map(str::to_string);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    // `Accept: application/json;as=PartialObjectMetadataList;…`: lists of metadata only.
    let metadata_only = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("as=PartialObjectMetadataList"));
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let query: HashMap<String, String> = Query::try_from_uri(req.uri())
        .map(|q| q.0)
        .unwrap_or_default();

    // Log, then decide on faults while holding the lock; sleep without it.
    let (delay, injected) = {
        let mut st = shared.lock().unwrap_or_else(|e| e.into_inner());
        st.log.push(RecordedRequest {
            method: method.clone(),
            path: path.clone(),
            query: query_raw,
            bearer: bearer.clone(),
        });
        let mut delay = Duration::ZERO;
        let mut injected = None;
        let later_page = query.get("continue").is_some_and(|t| !t.is_empty());
        for f in st.faults.iter_mut() {
            if injected.is_some()
                || !path.starts_with(&f.path_prefix)
                || f.remaining == Some(0)
                || (f.later_pages_only && !later_page)
            {
                continue;
            }
            if let Some(n) = f.remaining.as_mut() {
                *n -= 1;
            }
            match f.action {
                FaultAction::Delay(d) => delay += d,
                FaultAction::Status(code) => injected = Some(Injected::Status(code)),
                FaultAction::Reset => injected = Some(Injected::Reset),
            }
        }
        (delay, injected)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    // The one write served (injected faults still apply to it below).
    let report = fake_writes::report_path(&path).filter(|_| method == "PATCH");
    if let (Some(key), None) = (report, &injected) {
        let Ok(body) = axum::body::to_bytes(req.into_body(), 1 << 24).await else {
            return to_response(status(400, "unreadable body", None));
        };
        let mut st = shared.lock().unwrap_or_else(|e| e.into_inner());
        if bearer.as_deref() != Some(st.token.as_str()) {
            return to_response(status(401, "Unauthorized", None));
        }
        let reply = fake_writes::apply(&mut st, key, &query, content_type.as_deref(), &body);
        return to_response(reply);
    }
    let st = shared.lock().unwrap_or_else(|e| e.into_inner());
    if bearer.as_deref() != Some(st.token.as_str()) {
        return to_response(status(401, "Unauthorized", None));
    }
    if let Some(Injected::Reset) = injected {
        return reset_response();
    }
    if let Some(Injected::Status(code)) = injected {
        let msg = match code {
            403 => format!(
                "{path} is forbidden: User \"fake-user\" cannot {} this resource (injected)",
                method.to_lowercase()
            ),
            404 => "the server could not find the requested resource (injected)".to_string(),
            410 => EXPIRED_CONTINUE.to_string(),
            _ => format!("injected failure {code} for {path}"),
        };
        return to_response(status(code, &msg, None));
    }
    if method != "GET" {
        return to_response(status(
            405,
            &format!("the fake apiserver is read-only; {method} not allowed"),
            None,
        ));
    }
    to_response(route(&st, &path, &query, metadata_only))
}

fn route(st: &State, path: &str, q: &HashMap<String, String>, metadata_only: bool) -> Reply {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        ["version"] => (200, version(st).into()),
        [".well-known", "openid-configuration"] => (200, openid_configuration(&st.issuer).into()),
        ["openid", "v1", "jwks"] => (200, json!({"keys": []}).into()),
        ["api"] => {
            let v = APIVersions {
                server_address_by_client_cidrs: vec![],
                versions: vec!["v1".into()],
            };
            (200, serde_json::to_value(v).unwrap().into())
        }
        ["apis"] => (200, api_group_list().into()),
        ["api", "v1", rest @ ..] => resource(st, "v1", rest, q, metadata_only),
        ["apis", g, v, rest @ ..] => resource(st, &format!("{g}/{v}"), rest, q, metadata_only),
        _ => not_found_path(),
    }
}

fn version(st: &State) -> Value {
    let gv = st.git_version.trim_start_matches('v');
    let mut parts = gv.split(['.', '-']);
    let major = parts.next().unwrap_or("1");
    let minor = parts.next().unwrap_or("0");
    json!({
        "major": major, "minor": format!("{minor}+"), "gitVersion": st.git_version,
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.22.9", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn openid_configuration(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/keys"),
        "authorization_endpoint": "urn:kubernetes:programmatic_authorization",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "claims_supported": ["sub", "iss"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

fn api_group_list() -> Value {
    let mut groups: Vec<APIGroup> = Vec::new();
    for k in KINDS.iter().filter(|k| !k.group.is_empty()) {
        if groups.iter().any(|g| g.name == k.group) {
            continue;
        }
        let gv = GroupVersionForDiscovery {
            group_version: k.api_version.into(),
            version: k.api_version.rsplit('/').next().unwrap().into(),
        };
        groups.push(APIGroup {
            name: k.group.into(),
            preferred_version: Some(gv.clone()),
            server_address_by_client_cidrs: None,
            versions: vec![gv],
        });
    }
    serde_json::to_value(APIGroupList { groups }).unwrap()
}

fn api_resource_list(api_version: &str) -> Reply {
    let resources: Vec<APIResource> = KINDS
        .iter()
        .filter(|k| k.api_version == api_version)
        .map(|k| APIResource {
            kind: k.kind.into(),
            name: k.plural.into(),
            namespaced: k.namespaced,
            singular_name: k.singular.into(),
            verbs: ["get", "list", "watch"].map(String::from).to_vec(),
            ..Default::default()
        })
        .collect();
    if resources.is_empty() {
        return not_found_path();
    }
    let list = APIResourceList {
        group_version: api_version.into(),
        resources,
    };
    (200, serde_json::to_value(list).unwrap().into())
}

fn resource(
    st: &State,
    api_version: &str,
    rest: &[&str],
    q: &HashMap<String, String>,
    metadata_only: bool,
) -> Reply {
    let find = |plural: &str| {
        KINDS
            .iter()
            .position(|k| k.api_version == api_version && k.plural == plural)
    };
    match rest {
        [] => api_resource_list(api_version),
        ["namespaces", ns, plural] => match find(plural) {
            Some(i) if KINDS[i].namespaced => list(st, i, Some(ns), q, metadata_only),
            _ => not_found_path(),
        },
        ["namespaces", ns, plural, name] => match find(plural) {
            Some(i) if KINDS[i].namespaced => get(st, i, ns, name),
            _ => not_found_path(),
        },
        [plural] => match find(plural) {
            Some(i) => list(st, i, None, q, metadata_only),
            None => not_found_path(),
        },
        [plural, name] => match find(plural) {
            Some(i) if !KINDS[i].namespaced => get(st, i, "", name),
            _ => not_found_path(),
        },
        _ => not_found_path(),
    }
}

fn get(st: &State, idx: usize, ns: &str, name: &str) -> Reply {
    let k = &KINDS[idx];
    match st
        .objects
        .get(&idx)
        .and_then(|m| m.get(&(ns.to_string(), name.to_string())))
    {
        Some(v) => (200, v.clone().into()),
        None => {
            let details = StatusDetails {
                name: Some(name.into()),
                group: Some(k.group.into()),
                kind: Some(k.plural.into()),
                ..Default::default()
            };
            status(
                404,
                &format!("{}{} \"{name}\" not found", k.plural, group_suffix(k)),
                Some(details),
            )
        }
    }
}

fn group_suffix(k: &ResourceKind) -> String {
    if k.group.is_empty() {
        String::new()
    } else {
        format!(".{}", k.group)
    }
}
