//! Values of the static evaluator. Each carries the span (and file) of the expression that made
//! it; what cannot be known offline is `Unknown`, carrying the reference text, never a guess.

use crate::syntax::yaml::{Entry, Node, NodeKind, Scalar, Span};

/// Index of a file in the run's file table (`Files`).
pub type FileId = u32;

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub span: Span,
    pub file: FileId,
    /// For a string made by `jsonencode`/`yamlencode` (or a policy document's `json`): the
    /// value it encodes, so the document keeps the spans of its parts.
    pub doc: Option<Box<Value>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// As written or computed (`1`, `2.5`).
    Number(String),
    /// A string; `partial` when some of it is unknown (written with `marker` in `text`).
    Str {
        text: String,
        partial: bool,
    },
    List(Vec<Value>),
    /// Keys are string values (their spans are the keys').
    Map(Vec<(Value, Value)>),
    /// Not knowable offline: a module output, a data source, remote state, an unknown function.
    Unknown(String),
}

impl Value {
    pub fn new(kind: Kind, span: Span, file: FileId) -> Self {
        Value {
            kind,
            span,
            file,
            doc: None,
        }
    }

    pub fn str(text: impl Into<String>, span: Span, file: FileId) -> Self {
        Value::new(
            Kind::Str {
                text: text.into(),
                partial: false,
            },
            span,
            file,
        )
    }

    pub fn unknown(reference: impl Into<String>, span: Span, file: FileId) -> Self {
        Value::new(Kind::Unknown(reference.into()), span, file)
    }

    pub fn null(span: Span, file: FileId) -> Self {
        Value::new(Kind::Null, span, file)
    }

    /// A fully known string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str {
                text,
                partial: false,
            } => Some(text),
            _ => None,
        }
    }

    /// The text of a string, number or bool (what a template interpolation prints).
    pub fn to_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str { text, .. } => Some(text.clone()),
            Kind::Number(n) => Some(n.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown(_))
    }

    /// Whether anything in this value is unknown (iterative).
    pub fn has_unknown(&self) -> bool {
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            match &v.kind {
                Kind::Unknown(_) | Kind::Str { partial: true, .. } => return true,
                Kind::List(items) => stack.extend(items),
                Kind::Map(entries) => {
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
        false
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Str {
                text,
                partial: false,
            } if text == "true" => Some(true),
            Kind::Str {
                text,
                partial: false,
            } if text == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The reference text of an unknown (or a description of the value).
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Unknown(r) => r.clone(),
            Kind::Str { text, .. } => text.clone(),
            Kind::Number(n) => n.clone(),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => "null".into(),
            Kind::List(_) => "a list".into(),
            Kind::Map(_) => "an object".into(),
        }
    }

    /// The same value with every span (deeply) set to `span` in `file`: a value read from another
    /// file is pointed at where this file refers to it.
    pub fn respan(mut self, span: Span, file: FileId) -> Self {
        let mut stack = vec![&mut self];
        while let Some(v) = stack.pop() {
            v.span = span;
            v.file = file;
            if let Some(d) = v.doc.as_deref_mut() {
                stack.push(d);
            }
            match &mut v.kind {
                Kind::List(items) => stack.extend(items.iter_mut()),
                Kind::Map(entries) => {
                    for (k, v) in entries.iter_mut() {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
        self
    }

    /// JSON-shaped tree for the existing rules. Unknowns become `${ref}` strings.
    pub fn to_node(&self) -> Node {
        let kind = match &self.kind {
            Kind::Null => plain("null"),
            Kind::Bool(b) => plain(if *b { "true" } else { "false" }),
            Kind::Number(n) => plain(n),
            Kind::Str { text, .. } => quoted(text),
            Kind::Unknown(r) => quoted(&marker(r)),
            Kind::List(items) => NodeKind::Seq(items.iter().map(Value::to_node).collect()),
            Kind::Map(entries) => NodeKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.to_node(),
                        value: v.to_node(),
                    })
                    .collect(),
            ),
        };
        Node {
            kind,
            span: self.span,
        }
    }

    /// A JSON text for `jsonencode` of a known value.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            Kind::Null => J::Null,
            Kind::Bool(b) => J::Bool(*b),
            Kind::Number(n) => n
                .parse::<i64>()
                .map(J::from)
                .or_else(|_| n.parse::<f64>().map(J::from))
                .unwrap_or_else(|_| J::String(n.clone())),
            Kind::Str { text, .. } => J::String(text.clone()),
            Kind::Unknown(r) => J::String(marker(r)),
            Kind::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Kind::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// How an unknown is written inside a string: `${` + U+E000 + reference + `}` (the private-use
/// character, valid in JSON and YAML, tells it from an IAM policy variable such as `${aws:username}`).
pub const MARK: &str = "${\u{e000}";

pub fn marker(reference: &str) -> String {
    format!("{MARK}{reference}}}")
}

/// A value from a parsed JSON/YAML tree (`jsondecode`, `yamldecode`, `file()` of a JSON file).
pub fn from_node(node: &Node, file: FileId, depth: usize) -> Value {
    let kind = match &node.kind {
        _ if depth > 64 => Kind::Unknown("a too deeply nested document".into()),
        NodeKind::Scalar(s) if !s.plain => Kind::Str {
            text: s.text.clone(),
            partial: false,
        },
        NodeKind::Scalar(_) if node.is_null() => Kind::Null,
        NodeKind::Scalar(s) => match node.as_bool() {
            Some(b) => Kind::Bool(b),
            None if s.text.parse::<f64>().is_ok() => Kind::Number(s.text.clone()),
            None => Kind::Str {
                text: s.text.clone(),
                partial: false,
            },
        },
        NodeKind::Seq(items) => Kind::List(
            items
                .iter()
                .map(|i| from_node(i, file, depth + 1))
                .collect(),
        ),
        NodeKind::Map(entries) => Kind::Map(
            entries
                .iter()
                .map(|e| {
                    (
                        from_node(&e.key, file, depth + 1),
                        from_node(&e.value, file, depth + 1),
                    )
                })
                .collect(),
        ),
    };
    Value::new(kind, node.span, file)
}

fn plain(text: &str) -> NodeKind {
    NodeKind::Scalar(Scalar {
        text: text.to_string(),
        plain: true,
    })
}

fn quoted(text: &str) -> NodeKind {
    NodeKind::Scalar(Scalar {
        text: text.to_string(),
        plain: false,
    })
}
