//! Patches of a kustomization chain, applied statically: strategic-merge (files, inline
//! strings and mappings) and JSON6902 operations, each patched field remembering its line.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::eval::{load, Evaluated, Loc, Problem, Res};
use super::model::{Kustomization, PatchRef, Target};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, NodeKind, Span};

pub(super) fn apply_patch(
    k: &Kustomization,
    p: &PatchRef,
    roots: &[PathBuf],
    acc: &mut Vec<Res>,
    out: &mut Evaluated,
) {
    let (file, docs) = match (&p.path, &p.inline) {
        (Some(w), _) => match k.resolve(&w.value, roots) {
            Target::File(path) => match load(&path, &k.file.display, &w.value, out) {
                Some(loaded) => loaded,
                None => return,
            },
            other => {
                let why = match other {
                    Target::Missing(why) => why,
                    _ => format!("`{}` is not a patch file", w.value),
                };
                out.problems.push(Problem {
                    loc: Loc {
                        file: k.file.clone(),
                        span: w.span,
                    },
                    message: format!("patch {why}"),
                });
                return;
            }
        },
        (None, Some(inline)) => match inline.as_str() {
            // An inline patch string: its spans are inside the string, so the entry is shown.
            Some(text) => {
                let stream = yaml::parse(text);
                let docs = stream
                    .documents
                    .into_iter()
                    .map(|d| respan(d.root, inline.span))
                    .collect();
                (k.file.clone(), docs)
            }
            None => (k.file.clone(), vec![inline.clone()]),
        },
        (None, None) => return,
    };
    let what = p.path.as_ref().map_or("inline patch".to_string(), |w| {
        format!("patch `{}`", w.value)
    });
    for doc in docs {
        let targets: Vec<usize> = match (&p.target, doc.as_seq()) {
            (Some(t), _) => select_target(acc, t),
            (None, Some(_)) => Vec::new(),
            (None, None) => select(
                acc,
                doc.str_at(&["kind"]),
                doc.str_at(&["metadata", "name"]),
                doc.str_at(&["metadata", "namespace"]),
            ),
        };
        if targets.is_empty() && out.base_unfetched {
            // Not an error: the object is in the base lint could not fetch (IRSA054 says so).
            let ops = |res: &mut Res, ops: &[Node]| json6902(res, ops, &file);
            if let Some(res) = super::partial::from_patch(p.target.as_ref(), &doc, &file, ops) {
                acc.push(res);
            }
            continue;
        }
        if targets.is_empty() {
            let target = p.target.as_ref().unwrap_or(&doc);
            let id = [
                target.str_at(&["kind"]),
                target
                    .str_at(&["name"])
                    .or(doc.str_at(&["metadata", "name"])),
            ]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
            out.problems.push(Problem {
                loc: Loc {
                    file: k.file.clone(),
                    span: p.path.as_ref().map_or(p.span, |w| w.span),
                },
                message: format!("{what} matches no resource of this kustomization (target: {id})"),
            });
            continue;
        }
        for i in targets {
            let res = &mut acc[i];
            match doc.as_seq() {
                Some(ops) => json6902(res, ops, &file),
                None => {
                    merge(&mut res.value, &doc.to_json());
                    let mut leaves = Vec::new();
                    leaf_paths(&doc, &mut Vec::new(), &mut leaves);
                    for (path, span) in leaves {
                        let identity = matches!(
                            path.first().map(String::as_str),
                            Some("apiVersion" | "kind")
                        ) || path == ["metadata", "name"]
                            || path == ["metadata", "namespace"];
                        if !identity {
                            res.fields_from.push((
                                path,
                                Loc {
                                    file: file.clone(),
                                    span,
                                },
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Indexes of resources with this kind and name (and namespace, when given).
fn select(
    acc: &[Res],
    kind: Option<&str>,
    name: Option<&str>,
    namespace: Option<&str>,
) -> Vec<usize> {
    (0..acc.len())
        .filter(|&i| {
            let r = &acc[i];
            kind.is_none_or(|k| r.kind() == k)
                && name.is_none_or(|n| r.name() == n)
                // As kustomize: a patch without a namespace matches only unnamespaced objects.
                && match (namespace, r.namespace()) {
                    (None, rn) => rn.is_none_or(|rn| rn == "default"),
                    (Some(ns), rn) => rn.is_none_or(|rn| rn == ns),
                }
        })
        .collect()
}

/// Indexes of resources a `target:` selects (kind, name, namespace: each only when given).
fn select_target(acc: &[Res], t: &Node) -> Vec<usize> {
    let (kind, name, ns) = (
        t.str_at(&["kind"]),
        t.str_at(&["name"]),
        t.str_at(&["namespace"]),
    );
    (0..acc.len())
        .filter(|&i| {
            let r = &acc[i];
            kind.is_none_or(|k| r.kind() == k)
                && name.is_none_or(|n| r.name() == n)
                && ns.is_none_or(|n| r.namespace() == Some(n))
        })
        .collect()
}

/// Apply JSON6902 operations (add/replace/remove) to a resource.
fn json6902(res: &mut Res, ops: &[Node], file: &Arc<SourceFile>) {
    for op in ops {
        let (Some(kind), Some(path)) = (op.str_at(&["op"]), op.str_at(&["path"])) else {
            continue;
        };
        let keys: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|k| k.replace("~1", "/").replace("~0", "~"))
            .collect();
        let Some((last, parents)) = keys.split_last() else {
            continue;
        };
        let Some(cursor) = descend(&mut res.value, parents) else {
            continue;
        };
        let value = op.get("value");
        match (kind, cursor) {
            ("add" | "replace", Value::Object(m)) => {
                if let Some(v) = value {
                    m.insert(last.clone(), v.to_json());
                }
            }
            ("add" | "replace", Value::Array(a)) => {
                if let Some(v) = value {
                    match last.parse::<usize>() {
                        Ok(i) if kind == "replace" && i < a.len() => a[i] = v.to_json(),
                        Ok(i) if i <= a.len() => a.insert(i, v.to_json()),
                        _ if last == "-" => a.push(v.to_json()),
                        _ => {}
                    }
                }
            }
            ("remove", Value::Object(m)) => {
                m.remove(last);
            }
            _ => {}
        }
        let span = value.map_or(op.span, |v| v.span);
        res.fields_from.push((
            keys.clone(),
            Loc {
                file: file.clone(),
                span,
            },
        ));
    }
}

/// The container at `keys`, creating maps on the way (as JSON6902 `add` does).
fn descend<'a>(v: &'a mut Value, keys: &[String]) -> Option<&'a mut Value> {
    let Some((first, rest)) = keys.split_first() else {
        return Some(v);
    };
    let next = match v {
        Value::Object(m) => m
            .entry(first.clone())
            .or_insert_with(|| Value::Object(Map::new())),
        Value::Array(a) => a.get_mut(first.parse::<usize>().ok()?)?,
        _ => return None,
    };
    descend(next, rest)
}

/// Strategic merge, as far as service accounts and pod specs need it: maps merge, lists of
/// named items merge by `name`, other lists and scalars are replaced.
fn merge(into: &mut Value, patch: &Value) {
    match (into, patch) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                } else {
                    merge(a.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (Value::Array(a), Value::Array(b))
            if b.iter().all(|x| x.get("name").is_some()) && !b.is_empty() =>
        {
            for item in b {
                match a.iter_mut().find(|x| x.get("name") == item.get("name")) {
                    Some(existing) => merge(existing, item),
                    None => a.push(item.clone()),
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// Every scalar of `node` with its key path.
fn leaf_paths(node: &Node, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Span)>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                path.push(e.key.as_str().unwrap_or_default().to_string());
                leaf_paths(&e.value, path, out);
                path.pop();
            }
        }
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                leaf_paths(item, path, out);
                path.pop();
            }
        }
        NodeKind::Scalar(_) => out.push((path.clone(), node.span)),
    }
}

/// Give every node of a tree parsed from an embedded string the span of the string itself.
fn respan(mut node: Node, span: Span) -> Node {
    node.span = span;
    node.kind = match node.kind {
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|mut e| {
                    e.key = respan(e.key, span);
                    e.value = respan(e.value, span);
                    e
                })
                .collect(),
        ),
        NodeKind::Seq(items) => NodeKind::Seq(items.into_iter().map(|n| respan(n, span)).collect()),
        other => other,
    };
    node
}
