//! Accessors on the span-aware tree: typed lookups, IAM's one-or-many values, a JSON view.

use super::{Node, NodeKind, Scalar, Span};
use crate::syntax::yaml::Entry;

impl Node {
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s) if s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The text of a non-null scalar (numbers and booleans included, as written).
    pub fn as_str(&self) -> Option<&str> {
        if self.is_null() {
            return None;
        }
        self.scalar().map(|s| s.text.as_str())
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar(s) if s.plain => match s.text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.scalar().is_some_and(|k| k.text == key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A string value at `keys`, if present and a non-null scalar.
    pub fn str_at(&self, keys: &[&str]) -> Option<&str> {
        self.path(keys).and_then(Node::as_str)
    }

    /// A node is a single value or a list of them (IAM's `"Action": "x"` or `["x", "y"]`).
    pub fn one_or_many(&self) -> Vec<&Node> {
        match &self.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            _ => vec![self],
        }
    }

    /// Every node of this subtree, itself first (iterative: no recursion on deep trees).
    pub fn descendants(&self) -> impl Iterator<Item = &Node> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            match &node.kind {
                NodeKind::Scalar(_) => {}
                NodeKind::Seq(items) => stack.extend(items),
                NodeKind::Map(entries) => {
                    for e in entries {
                        stack.push(&e.key);
                        stack.push(&e.value);
                    }
                }
            }
            Some(node)
        })
    }

    /// Replace the span of every node of this subtree (keys included) by `f` of it (iterative).
    pub fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            n.span = f(n.span);
            match &mut n.kind {
                NodeKind::Scalar(_) => {}
                NodeKind::Seq(items) => stack.extend(items.iter_mut()),
                NodeKind::Map(entries) => {
                    for e in entries.iter_mut() {
                        stack.push(&mut e.key);
                        stack.push(&mut e.value);
                    }
                }
            }
        }
    }

    /// Number of nodes in this subtree.
    pub fn count(&self) -> usize {
        self.descendants().count()
    }

    /// A copy with only the mapping entries along `paths` (spans kept), e.g. `[["metadata", "name"]]`.
    pub fn keep_paths(&self, paths: &[&[&str]]) -> Node {
        let NodeKind::Map(entries) = &self.kind else {
            return self.clone();
        };
        let kept = entries
            .iter()
            .filter_map(|e| {
                let key = e.key.as_str()?;
                let rests: Vec<&[&str]> = paths
                    .iter()
                    .filter_map(|p| p.split_first().filter(|(k, _)| **k == key).map(|(_, r)| r))
                    .collect();
                let value = if rests.is_empty() {
                    return None;
                } else if rests.iter().any(|r| r.is_empty()) {
                    e.value.clone()
                } else {
                    e.value.keep_paths(&rests)
                };
                Some(Entry {
                    key: e.key.clone(),
                    value,
                })
            })
            .collect();
        Node {
            kind: NodeKind::Map(kept),
            span: self.span,
        }
    }

    /// A plain JSON view (YAML 1.2 core schema), for schema validation.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar(s) if !s.plain => Value::String(s.text.clone()),
            NodeKind::Scalar(s) => {
                if self.is_null() {
                    Value::Null
                } else if let Some(b) = self.as_bool() {
                    Value::Bool(b)
                } else if let Ok(i) = s.text.parse::<i64>() {
                    Value::from(i)
                } else if let Some(f) = s
                    .text
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && s.text.chars().any(|c| c.is_ascii_digit()))
                {
                    Value::from(f)
                } else {
                    Value::String(s.text.clone())
                }
            }
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| {
                        let key = e.key.as_str().unwrap_or_default().to_string();
                        (key, e.value.to_json())
                    })
                    .collect(),
            ),
        }
    }

    /// A JSON view with every scalar as written (PyYAML's `BaseLoader` view), for comparing
    /// this reader with others; a non-scalar key is written as its own JSON.
    pub fn to_raw_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar(s) => Value::String(s.text.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_raw_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| {
                        let key = match &e.key.kind {
                            NodeKind::Scalar(s) => s.text.clone(),
                            _ => e.key.to_raw_json().to_string(),
                        };
                        (key, e.value.to_raw_json())
                    })
                    .collect(),
            ),
        }
    }
}

/// One file as this reader sees it, for `scripts/yaml-diff.py`: `{"path", "documents", "error"}`
/// with every scalar as written ([`Node::to_raw_json`]).
pub fn raw_view(path: &str) -> serde_json::Value {
    let text = match crate::syntax::source::read_text(std::path::Path::new(path), u64::MAX) {
        Ok(text) => text,
        Err(e) => {
            let error = serde_json::json!({"message": e.message, "line": 0});
            return serde_json::json!({"path": path, "documents": null, "error": error});
        }
    };
    let stream = super::parse(&text);
    let documents: Vec<_> = stream
        .documents
        .iter()
        .map(|d| d.root.to_raw_json())
        .collect();
    let error = stream.error.map(
        |e| serde_json::json!({"message": e.message, "line": e.pos.line, "column": e.pos.column}),
    );
    serde_json::json!({"path": path, "documents": documents, "error": error})
}
