//! Flux `HelmRelease.spec.valuesFrom`: values from ConfigMaps and Secrets found in the tree.
//!
//! Each entry names a `kind` (ConfigMap or Secret) and `name` in the HelmRelease's namespace, a
//! `valuesKey` (default `values.yaml`), and optionally a `targetPath`, where the key's value is
//! set as one value (typed as `--set` types it) instead of merged as a YAML document. Entries
//! apply in order, below `spec.values`. A ConfigMap's spans point into its file; a Secret's
//! base64 `data` is decoded, and its values point at the encoded string (its `stringData` keeps
//! exact spans).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;

use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::input::InputError;
use crate::facts::release::{SetValue, ValuesLayer};
use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Entry, Node, NodeKind, Scalar};

/// The ConfigMaps and Secrets of the tree, by `(kind, name)`.
#[derive(Default)]
pub struct ValuesObjects {
    objects: BTreeMap<(String, String), Vec<Object>>,
}

struct Object {
    file: Arc<SourceFile>,
    namespace: Option<String>,
    root: Node,
}

impl ValuesObjects {
    /// Whether a text may hold an object this index keeps.
    pub fn may_hold(text: &str) -> bool {
        text.contains("ConfigMap") || text.contains("Secret")
    }

    /// Add the ConfigMaps and Secrets of one parsed file.
    pub fn add(&mut self, file: &Arc<SourceFile>, stream: &yaml::Stream) {
        for doc in &stream.documents {
            let kind = doc.root.str_at(&["kind"]).unwrap_or_default();
            let Some(name) = doc.root.str_at(&["metadata", "name"]) else {
                continue;
            };
            if matches!(kind, "ConfigMap" | "Secret")
                && doc.root.str_at(&["apiVersion"]) == Some("v1")
            {
                self.objects
                    .entry((kind.to_string(), name.to_string()))
                    .or_default()
                    .push(Object {
                        file: file.clone(),
                        namespace: doc
                            .root
                            .str_at(&["metadata", "namespace"])
                            .map(str::to_string),
                        root: doc.root.clone(),
                    });
            }
        }
    }

    /// The object of that kind and name in `namespace` (or written without a namespace).
    fn find(&self, kind: &str, name: &str, namespace: &str) -> Option<&Object> {
        let all = self.objects.get(&(kind.to_string(), name.to_string()))?;
        all.iter()
            .find(|o| o.namespace.as_deref() == Some(namespace))
            .or_else(|| all.iter().find(|o| o.namespace.is_none()))
    }
}

/// The values layers of `entries` (a `valuesFrom` list), in order; what is missing is said.
pub fn layers(
    file: &Arc<SourceFile>,
    release: &str,
    namespace: &str,
    entries: &Node,
    index: &ValuesObjects,
    findings: &mut Vec<Finding>,
) -> Vec<ValuesLayer> {
    let mut out = Vec::new();
    // What is not in the tree is IRSA054 (a note); the rest is bad input.
    let mut note = |node: &Node, severity: Severity, message: String| {
        let meta = match severity {
            Severity::Note => &crate::diagnostics::input::SourceNotInTree::META,
            _ => &InputError::META,
        };
        findings.push(
            Finding::new(meta, format!("HelmRelease `{release}`: {message}"))
                .at(Location::new(file, node.span))
                .severity(severity),
        );
    };
    for entry in entries.as_seq().unwrap_or_default() {
        let (Some(kind), Some(name)) = (entry.str_at(&["kind"]), entry.str_at(&["name"])) else {
            continue;
        };
        let key = entry.str_at(&["valuesKey"]).unwrap_or("values.yaml");
        let optional = entry.get("optional").and_then(Node::as_bool) == Some(true);
        let Some(object) = index.find(kind, name, namespace) else {
            if !optional {
                note(entry, Severity::Note, format!("`valuesFrom` {kind} `{namespace}/{name}` is not in the linted tree; its values are not applied"));
            }
            continue;
        };
        let Some((value, decoded)) = value_of(object, kind, key) else {
            if !optional {
                note(entry, Severity::Warning, format!("`valuesFrom` {kind} `{name}` has no key `{key}`; helm-controller fails the release"));
            }
            continue;
        };
        let root = match entry.str_at(&["targetPath"]) {
            Some(path) => nest(&SetValue::split_key(path), plain(value, decoded)),
            None => {
                match document(&object.file, &value, decoded.as_deref()) {
                    Ok(root) => root,
                    Err(message) => {
                        note(entry, Severity::Error, format!("`valuesFrom` {kind} `{name}` key `{key}` is not valid YAML: {message}"));
                        continue;
                    }
                }
            }
        };
        out.push(ValuesLayer {
            file: object.file.clone(),
            root,
        });
    }
    out
}

/// The key's value node, with the decoded text of a Secret's base64 `data`.
fn value_of(object: &Object, kind: &str, key: &str) -> Option<(Node, Option<String>)> {
    if let Some(v) = object
        .root
        .path(&["data", key])
        .filter(|_| kind == "ConfigMap")
    {
        return Some((v.clone(), None));
    }
    if kind != "Secret" {
        return None;
    }
    if let Some(v) = object.root.path(&["stringData", key]) {
        return Some((v.clone(), None));
    }
    let v = object.root.path(&["data", key])?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v.as_str()?.trim())
        .ok()?;
    Some((
        v.clone(),
        Some(String::from_utf8_lossy(&bytes).into_owned()),
    ))
}

/// A values document: the string parsed in place, or decoded text pointed at its value.
fn document(file: &SourceFile, value: &Node, decoded: Option<&str>) -> Result<Node, String> {
    let stream = match decoded {
        None => parse_embedded(file, value).ok_or("not a string")?,
        Some(text) => {
            let mut s = yaml::parse(text);
            for d in &mut s.documents {
                at_span(&mut d.root, value);
            }
            s
        }
    };
    if let Some(e) = stream.error {
        return Err(e.message);
    }
    Ok(stream
        .documents
        .into_iter()
        .next()
        .map_or_else(|| empty(value), |d| d.root))
}

/// One value (`targetPath`): a plain scalar, typed as `--set` types it.
fn plain(mut value: Node, decoded: Option<String>) -> Node {
    if let NodeKind::Scalar(s) = &mut value.kind {
        if let Some(text) = decoded {
            s.text = text;
        }
        s.plain = true;
    }
    value
}

/// `a.b.c` = value, as a mapping (spans at the value).
fn nest(path: &[String], value: Node) -> Node {
    path.iter().rev().fold(value, |inner, key| {
        let span = inner.span;
        let key = Node {
            kind: NodeKind::Scalar(Scalar {
                text: key.clone(),
                plain: true,
            }),
            span,
        };
        Node {
            kind: NodeKind::Map(vec![Entry { key, value: inner }]),
            span,
        }
    })
}

fn empty(at: &Node) -> Node {
    Node {
        kind: NodeKind::Map(Vec::new()),
        span: at.span,
    }
}

fn at_span(node: &mut Node, at: &Node) {
    node.map_spans(&|_| at.span);
}
