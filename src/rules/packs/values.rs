//! Values keys: dotted paths, lookup across values files by precedence, and `--set` overrides.

use std::sync::Arc;

use crate::facts::ChartInput;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind, Span};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Key(String),
    /// `[]`: every item of a list.
    Each,
}

/// Parse `a.b[].c` or `a."eks.amazonaws.com/role-arn"`. `None` when malformed.
pub fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut chars = path.chars().peekable();
    let mut current = String::new();
    let mut quoted = false;
    let mut expect_key = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if current.is_empty() && expect_key && !quoted => quoted = true,
            '"' if quoted => {
                quoted = false;
                out.push(Segment::Key(std::mem::take(&mut current)));
                expect_key = false;
            }
            _ if quoted => current.push(c),
            '.' => {
                if expect_key && current.is_empty() {
                    return None;
                }
                if !current.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut current)));
                }
                expect_key = true;
            }
            '[' => {
                if chars.next() != Some(']') {
                    return None;
                }
                if !current.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut current)));
                }
                if out.is_empty() {
                    return None;
                }
                out.push(Segment::Each);
                expect_key = false;
            }
            _ if !expect_key => return None,
            _ => current.push(c),
        }
    }
    if quoted || (expect_key && current.is_empty()) {
        return None;
    }
    if !current.is_empty() {
        out.push(Segment::Key(current));
    }
    Some(out)
}

/// The path as `--set` spells it, when it has no list step.
fn set_key(path: &[Segment]) -> Option<String> {
    let mut parts = Vec::new();
    for s in path {
        match s {
            Segment::Key(k) => parts.push(k.replace('.', "\\.")),
            Segment::Each => return None,
        }
    }
    Some(parts.join("."))
}

/// A value as the chart will see it.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The node in the winning values file (`None` for a `--set` value only).
    pub node: Option<Node>,
    /// `--set` argument that overrides the file value.
    pub set_arg: Option<(String, String)>,
    pub file: Option<Arc<SourceFile>>,
    /// Key..value span of the entry (or the list item).
    pub span: Span,
    /// The concrete path, e.g. `credential[0].profile`.
    pub path: String,
}

impl Resolved {
    /// The scalar text, `None` for null, maps and lists.
    pub fn text(&self) -> Option<String> {
        if let Some((_, v)) = &self.set_arg {
            return Some(v.clone());
        }
        self.node
            .as_ref()
            .and_then(Node::as_str)
            .map(str::to_string)
    }

    pub fn is_empty(&self) -> bool {
        if let Some((_, v)) = &self.set_arg {
            return v.trim().is_empty() || v == "null";
        }
        match self.node.as_ref().map(|n| &n.kind) {
            None => true,
            Some(NodeKind::Map(m)) => m.is_empty(),
            Some(NodeKind::Seq(s)) => s.is_empty(),
            Some(NodeKind::Scalar(_)) => self
                .node
                .as_ref()
                .and_then(Node::as_str)
                .is_none_or(|s| s.trim().is_empty()),
        }
    }

    /// Compare to a scalar written in a pack (`false`, `"x"`, `3`).
    pub fn equals(&self, expected: &serde_json::Value) -> bool {
        let want = match expected {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => return self.is_empty(),
            other => other.to_string(),
        };
        self.text().is_some_and(|t| t.trim() == want)
    }
}

/// `--set a=b,c=d` → pairs (escaped commas kept).
fn set_pairs(args: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for arg in args {
        let mut part = String::new();
        let mut parts = Vec::new();
        let mut escaped = false;
        for c in arg.chars() {
            match c {
                '\\' if !escaped => {
                    escaped = true;
                    part.push(c);
                    continue;
                }
                ',' if !escaped => parts.push(std::mem::take(&mut part)),
                _ => part.push(c),
            }
            escaped = false;
        }
        parts.push(part);
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                out.push((k.to_string(), v.to_string()));
            }
        }
    }
    out
}

/// Every concrete value at `path`, from the highest-precedence source that sets it.
pub fn lookup(chart: &ChartInput, path: &[Segment]) -> Vec<Resolved> {
    let set = set_key(path).and_then(|key| {
        set_pairs(&chart.context.set_args)
            .into_iter()
            .rev()
            .find(|(k, _)| *k == key)
    });
    for (file, root) in chart.values.iter().rev() {
        let found = walk(root, path);
        if found.is_empty() {
            continue;
        }
        return found
            .into_iter()
            .map(|(node, span, p)| Resolved {
                node: Some(node.clone()),
                set_arg: set.clone(),
                file: Some(file.clone()),
                span,
                path: p,
            })
            .collect();
    }
    match set {
        Some(pair) => vec![Resolved {
            node: None,
            path: pair.0.clone(),
            set_arg: Some(pair),
            file: None,
            span: Span::default(),
        }],
        None => Vec::new(),
    }
}

/// Is the key set anywhere (any file or `--set`)?
pub fn present(chart: &ChartInput, path: &[Segment]) -> bool {
    !lookup(chart, path).is_empty()
}

/// Nodes at `path` in one file, with their key..value span and concrete path.
fn walk<'a>(root: &'a Node, path: &[Segment]) -> Vec<(&'a Node, Span, String)> {
    let mut current: Vec<(&Node, Span, String)> = vec![(root, root.span, String::new())];
    for seg in path {
        let mut next = Vec::new();
        for (node, _, p) in current {
            match seg {
                Segment::Key(k) => {
                    if let Some(e) = node.entry(k) {
                        let name = if k.contains('.') {
                            format!("\"{k}\"")
                        } else {
                            k.clone()
                        };
                        let child = if p.is_empty() {
                            name
                        } else {
                            format!("{p}.{name}")
                        };
                        next.push((&e.value, e.key.span.to(e.value.span), child));
                    }
                }
                Segment::Each => {
                    for (i, item) in node.as_seq().unwrap_or_default().iter().enumerate() {
                        next.push((item, item.span, format!("{p}[{i}]")));
                    }
                }
            }
        }
        current = next;
    }
    if path.is_empty() {
        return Vec::new();
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("a.\"eks.amazonaws.com/role-arn\""),
            Some(vec![
                Segment::Key("a".into()),
                Segment::Key("eks.amazonaws.com/role-arn".into())
            ])
        );
        assert_eq!(
            parse_path("credential[].profile"),
            Some(vec![
                Segment::Key("credential".into()),
                Segment::Each,
                Segment::Key("profile".into())
            ])
        );
        assert_eq!(parse_path("a..b"), None);
        assert_eq!(parse_path("[]"), None);
        assert_eq!(parse_path("a.\"b"), None);
        assert_eq!(parse_path("a[x]"), None);
    }

    #[test]
    fn set_args_split() {
        let pairs = set_pairs(&["a=1,b.c=x\\,y".into()]);
        assert_eq!(pairs[0], ("a".into(), "1".into()));
        assert_eq!(pairs[1].0, "b.c");
    }
}
