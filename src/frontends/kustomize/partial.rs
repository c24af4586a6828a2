//! Patches over a base that was not fetched (a remote `resources:` URL, a git ref, OCI): the
//! patch is all lint can see of the object, so a ServiceAccount patch becomes the partial object
//! the build will produce. A strategic-merge patch that is a whole ServiceAccount (kind, name) is
//! taken as written; a JSON6902 or targeted patch of a ServiceAccount whose result carries the
//! role annotation gives a ServiceAccount with the target's name and namespace. The chain's
//! `namespace:` and `namePrefix`/`nameSuffix` then apply to it as to any resource.

use std::sync::Arc;

use serde_json::{json, Value};

use super::eval::{Loc, Res};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// The annotation a targeted or JSON6902 patch must add for a partial ServiceAccount.
const ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The partial object a patch that matched nothing gives, when the base was not fetched.
/// `target` is the entry's `target:`; `doc` one document of the patch.
pub(super) fn from_patch(
    target: Option<&Node>,
    doc: &Node,
    file: &Arc<SourceFile>,
    apply_ops: impl FnOnce(&mut Res, &[Node]),
) -> Option<Res> {
    let kind = target
        .and_then(|t| t.str_at(&["kind"]))
        .or_else(|| doc.str_at(&["kind"]))?;
    if kind != "ServiceAccount" || doc.str_at(&["$patch"]).is_some_and(|p| p == "delete") {
        return None;
    }
    // A target's name is a regular expression: only a literal name names one object.
    let target_name = target
        .and_then(|t| t.get("name"))
        .filter(|n| n.as_str().is_some_and(is_literal_name));
    if target.is_some_and(|t| t.get("name").is_some()) && target_name.is_none() {
        return None;
    }
    let target_ns = target.and_then(|t| t.get("namespace"));
    let mut res = match doc.as_seq() {
        Some(ops) => {
            let (name, ns) = (target_name?, target_ns);
            let mut value = json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": name.as_str()?}});
            if let Some(ns) = ns.and_then(Node::as_str) {
                value["metadata"]["namespace"] = Value::String(ns.into());
            }
            let mut res = Res {
                value,
                ..Res::written(file, skeleton(target?, name, ns))
            };
            apply_ops(&mut res, ops);
            res
        }
        None => {
            doc.str_at(&["metadata", "name"])
                .or(target_name.and_then(Node::as_str))?;
            let mut value = doc.to_json();
            strip_directives(&mut value);
            if let Some(name) = target_name.and_then(Node::as_str) {
                value["metadata"]["name"] = Value::String(name.into());
            }
            if let Some(ns) = target_ns.and_then(Node::as_str) {
                value["metadata"]["namespace"] = Value::String(ns.into());
            }
            Res {
                value,
                ..Res::written(file, doc.clone())
            }
        }
    };
    let annotated = res.value["metadata"]["annotations"][ROLE_ANNOTATION].is_string();
    if (target.is_some() || doc.as_seq().is_some()) && !annotated {
        return None;
    }
    res.partial = true;
    Some(res)
}

/// The object as written for a JSON6902 patch: its identity at the `target:` lines.
fn skeleton(target: &Node, name: &Node, ns: Option<&Node>) -> Node {
    use crate::frontends::build::{entry, map, scalar};
    let kind_span = target.get("kind").map_or(target.span, |k| k.span);
    let mut meta = vec![entry(
        "name",
        name.span,
        scalar(name.as_str().unwrap_or(""), name.span),
    )];
    if let Some(ns) = ns.filter(|n| n.as_str().is_some()) {
        meta.push(entry(
            "namespace",
            ns.span,
            scalar(ns.as_str().unwrap_or(""), ns.span),
        ));
    }
    map(
        target.span,
        vec![
            entry("apiVersion", kind_span, scalar("v1", kind_span)),
            entry("kind", kind_span, scalar("ServiceAccount", kind_span)),
            entry("metadata", target.span, map(target.span, meta)),
        ],
    )
}

/// `$patch`, `$setElementOrder/…` and `$retainKeys` are directives, not fields.
fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

/// A DNS name as written, not a pattern (`app-.*`, `(a|b)`).
fn is_literal_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// Why a partial object is not linted: its namespace is decided by the base alone.
pub(super) fn namespace_unknown(r: &Res) -> Loc {
    Loc {
        file: r.file.clone(),
        span: r.node.span,
    }
}
