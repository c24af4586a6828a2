//! Lists for the fake API server: `limit`/`continue` paging (opaque
//! continue tokens carrying the snapshot resourceVersion and the last key),
//! the page size cap, and equality-based label and field selectors.

use std::collections::HashMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use serde_json::{json, Value};

use super::fake_apiserver::State;
use super::fake_routes::{status, Payload, Reply, KINDS};

fn hex_encode(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<String> {
    if s.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Continue tokens: hex of `rv\nnamespace\nname` of the last item returned.
fn decode_continue(token: &str) -> Option<(String, (String, String))> {
    let raw = hex_decode(token)?;
    let mut it = raw.splitn(3, '\n');
    Some((
        it.next()?.to_string(),
        (it.next()?.to_string(), it.next()?.to_string()),
    ))
}

pub(crate) fn list(
    st: &State,
    idx: usize,
    ns: Option<&str>,
    q: &HashMap<String, String>,
    metadata_only: bool,
) -> Reply {
    let k = &KINDS[idx];
    let mut rv = st.resource_version.to_string();
    let mut after: Option<(String, String)> = None;
    if let Some(token) = q.get("continue").filter(|t| !t.is_empty()) {
        match decode_continue(token) {
            Some((token_rv, key)) => {
                rv = token_rv;
                after = Some(key);
            }
            None => return status(400, "continue key is not valid: illegal base64 data", None),
        }
    }
    let label_sel = q.get("labelSelector").map(String::as_str).unwrap_or("");
    let field_sel = q.get("fieldSelector").map(String::as_str).unwrap_or("");
    let empty = Default::default();
    let matching: Vec<(&(String, String), &Value)> = st
        .objects
        .get(&idx)
        .unwrap_or(&empty)
        .iter()
        .filter(|(key, _)| ns.is_none_or(|n| key.0 == n))
        .filter(|(key, _)| after.as_ref().is_none_or(|a| *key > a))
        .filter(|(_, v)| matches_labels(v, label_sel) && matches_fields(v, field_sel))
        .collect();
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|&l| l > 0);
    let page = match (limit, st.page_size_cap) {
        (Some(l), Some(c)) => l.min(c),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => usize::MAX,
    };
    let items: Vec<&Value> = matching.iter().take(page).map(|(_, v)| *v).collect();
    let mut meta = ListMeta {
        resource_version: Some(rv.clone()),
        ..Default::default()
    };
    if matching.len() > items.len() {
        let (last_ns, last_name) = matching[items.len() - 1].0;
        meta.continue_ = Some(hex_encode(&format!("{rv}\n{last_ns}\n{last_name}")));
        meta.remaining_item_count = Some((matching.len() - items.len()) as i64);
    }
    // Serialized from the stored objects, not from clones of them.
    let text = if metadata_only {
        let items: Vec<Value> = items
            .iter()
            .map(|item| {
                json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": item.get("metadata").cloned().unwrap_or_default(),
                })
            })
            .collect();
        serde_json::to_string(&ListBody {
            kind: "PartialObjectMetadataList".into(),
            api_version: "meta.k8s.io/v1",
            metadata: meta,
            items: items.iter().collect(),
        })
    } else {
        serde_json::to_string(&ListBody {
            kind: format!("{}List", k.kind),
            api_version: k.api_version,
            metadata: meta,
            items,
        })
    };
    (200, Payload::Text(text.expect("a list serializes")))
}

/// A list reply, as `kubectl get --raw` shows it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ListBody<'a> {
    kind: String,
    api_version: &'a str,
    metadata: ListMeta,
    items: Vec<&'a Value>,
}

fn lookup<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |cur, seg| cur.get(seg))
}

/// Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated.
fn matches_labels(v: &Value, sel: &str) -> bool {
    let labels = v.pointer("/metadata/labels");
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    sel.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .all(|term| {
            if let Some((k, want)) = term.split_once("!=") {
                label(k.trim()) != Some(want.trim())
            } else if let Some((k, want)) = term.split_once('=') {
                label(k.trim()) == Some(want.trim_start_matches('=').trim())
            } else if let Some(k) = term.strip_prefix('!') {
                label(k.trim()).is_none()
            } else {
                label(term).is_some()
            }
        })
}

/// Field selectors on any dotted path, e.g. `spec.serviceAccountName=app`.
fn matches_fields(v: &Value, sel: &str) -> bool {
    let field = |k: &str| {
        lookup(v, k.trim())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    sel.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .all(|term| {
            if let Some((k, want)) = term.split_once("!=") {
                field(k) != want.trim()
            } else if let Some((k, want)) = term.split_once('=') {
                field(k) == want.trim_start_matches('=').trim()
            } else {
                true
            }
        })
}
