//! A rule pack, read from its (schema-valid) YAML tree.

use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use regex::Regex;

use crate::diagnostics::finding::Severity;
use crate::rules::packs::formats::Format;
use crate::rules::packs::values::{parse_path, Segment};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, Span};

/// A key path as written, and parsed.
#[derive(Debug, Clone)]
pub struct KeyRef {
    pub text: String,
    pub path: Vec<Segment>,
}

#[derive(Debug, Clone)]
pub enum Op {
    Equals(serde_json::Value),
    NotEquals(serde_json::Value),
    Empty,
    NotEmpty,
    Absent,
    Present,
}

/// `{key, <op>}`.
#[derive(Debug, Clone)]
pub struct Test {
    pub key: KeyRef,
    pub op: Op,
}

#[derive(Debug, Clone)]
pub enum Condition {
    Test(Test),
    All(Vec<Condition>),
    Any(Vec<Condition>),
}

#[derive(Debug, Clone)]
pub enum Assertion {
    Format(Format, Option<Regex>),
    NonEmpty,
    NonEmptyWhen(Test),
    IfThen(Condition, Test),
    MustExistServiceAccount,
    Note(Condition),
}

#[derive(Debug, Clone)]
pub struct PackRule {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub url: Option<String>,
    pub charts: Vec<GlobMatcher>,
    pub key: Option<KeyRef>,
    pub assertion: Assertion,
    /// The rule's `id` entry in the pack file.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct KeyMeaning {
    pub key: KeyRef,
    pub means: String,
    pub service_account: Option<String>,
    pub charts: Vec<GlobMatcher>,
}

#[derive(Debug, Clone)]
pub struct Pack {
    pub name: String,
    pub description: String,
    pub file: Arc<SourceFile>,
    pub fallback: bool,
    pub charts: Vec<GlobMatcher>,
    pub values_keys: Vec<KeyRef>,
    pub keys: Vec<KeyMeaning>,
    pub rules: Vec<PackRule>,
}

/// A semantic problem the schema cannot see (bad regex, glob or key path).
pub struct PackError {
    pub message: String,
    pub span: Span,
}

/// Chart-name globs match when the list is empty.
pub fn chart_matches(globs: &[GlobMatcher], chart: &str) -> bool {
    globs.is_empty() || globs.iter().any(|g| g.is_match(chart))
}

struct Reader<'a> {
    errors: &'a mut Vec<PackError>,
}

impl Reader<'_> {
    fn key(&mut self, node: Option<&Node>) -> Option<KeyRef> {
        let node = node?;
        let text = node.as_str()?;
        match parse_path(text) {
            Some(path) => Some(KeyRef {
                text: text.to_string(),
                path,
            }),
            None => {
                self.errors.push(PackError {
                    message: format!("invalid key path `{text}` (use `a.b`, `a[].b`, `a.\"x.y\"`)"),
                    span: node.span,
                });
                None
            }
        }
    }

    fn globs(&mut self, node: Option<&Node>) -> Vec<GlobMatcher> {
        let mut out = Vec::new();
        for item in node.and_then(Node::as_seq).unwrap_or_default() {
            let Some(text) = item.as_str() else { continue };
            match Glob::new(text) {
                Ok(g) => out.push(g.compile_matcher()),
                Err(e) => self.errors.push(PackError {
                    message: format!("invalid chart glob `{text}`: {e}"),
                    span: item.span,
                }),
            }
        }
        out
    }

    fn test(&mut self, node: &Node) -> Option<Test> {
        let key = self.key(node.get("key"))?;
        let entry = node
            .as_map()?
            .iter()
            .find(|e| e.key.as_str() != Some("key"))?;
        let op = match entry.key.as_str()? {
            "equals" => Op::Equals(entry.value.to_json()),
            "notEquals" => Op::NotEquals(entry.value.to_json()),
            "empty" => Op::Empty,
            "notEmpty" => Op::NotEmpty,
            "absent" => Op::Absent,
            _ => Op::Present,
        };
        Some(Test { key, op })
    }

    fn condition(&mut self, node: &Node) -> Option<Condition> {
        for (name, all) in [("all", true), ("any", false)] {
            if let Some(items) = node.get(name).and_then(Node::as_seq) {
                let parts: Option<Vec<Condition>> =
                    items.iter().map(|i| self.condition(i)).collect();
                let parts = parts?;
                return Some(if all {
                    Condition::All(parts)
                } else {
                    Condition::Any(parts)
                });
            }
        }
        self.test(node).map(Condition::Test)
    }

    fn assertion(&mut self, rule: &Node) -> Option<Assertion> {
        if let Some(f) = rule.get("format") {
            let format = Format::parse(f.as_str()?)?;
            let pattern = match rule.get("pattern") {
                Some(p) => match Regex::new(p.as_str()?) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        self.errors.push(PackError {
                            message: format!("invalid pattern: {e}"),
                            span: p.span,
                        });
                        return None;
                    }
                },
                None if format == Format::Regex => {
                    self.errors.push(PackError {
                        message: "`format: regex` needs a `pattern`".into(),
                        span: f.span,
                    });
                    return None;
                }
                None => None,
            };
            return Some(Assertion::Format(format, pattern));
        }
        if rule.get("nonEmpty").is_some() {
            return Some(Assertion::NonEmpty);
        }
        if let Some(n) = rule.get("nonEmptyWhen") {
            return self.test(n).map(Assertion::NonEmptyWhen);
        }
        if let (Some(i), Some(t)) = (rule.get("if"), rule.get("then")) {
            return Some(Assertion::IfThen(self.condition(i)?, self.test(t)?));
        }
        if rule.get("mustExist").is_some() {
            return Some(Assertion::MustExistServiceAccount);
        }
        rule.get("note")
            .and_then(|n| self.condition(n))
            .map(Assertion::Note)
    }
}

fn severity(s: &str) -> Severity {
    match s {
        "note" => Severity::Note,
        "warning" => Severity::Warning,
        _ => Severity::Error,
    }
}

/// Build a pack from a root the schema accepted; semantic problems go to `errors`.
pub fn read_pack(file: &Arc<SourceFile>, root: &Node, errors: &mut Vec<PackError>) -> Pack {
    let mut r = Reader { errors };
    let text = |n: &Node, k: &str| n.str_at(&[k]).unwrap_or_default().to_string();
    let matcher = root.get("match");
    let charts = r.globs(matcher.and_then(|m| m.get("charts")));
    let values_keys = matcher
        .and_then(|m| m.get("valuesKeys"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|k| r.key(Some(k)))
        .collect();
    let mut keys = Vec::new();
    for k in root.get("keys").and_then(Node::as_seq).unwrap_or_default() {
        let Some(key) = r.key(k.get("key")) else {
            continue;
        };
        keys.push(KeyMeaning {
            key,
            means: text(k, "means"),
            service_account: k.str_at(&["serviceAccount"]).map(str::to_string),
            charts: r.globs(k.get("charts")),
        });
    }
    let mut rules = Vec::new();
    for node in root.get("rules").and_then(Node::as_seq).unwrap_or_default() {
        let key = match node.get("key") {
            Some(k) => match r.key(Some(k)) {
                Some(key) => Some(key),
                None => continue,
            },
            None => None,
        };
        let Some(assertion) = r.assertion(node) else {
            continue;
        };
        rules.push(PackRule {
            id: text(node, "id"),
            name: text(node, "name"),
            severity: severity(node.str_at(&["severity"]).unwrap_or_default()),
            message: text(node, "message"),
            help: node.str_at(&["help"]).map(str::to_string),
            url: node.str_at(&["url"]).map(str::to_string),
            charts: r.globs(node.get("charts")),
            key,
            assertion,
            span: node
                .entry("id")
                .map_or(node.span, |e| e.key.span.to(e.value.span)),
        });
    }
    Pack {
        name: text(root, "pack"),
        description: text(root, "description"),
        file: file.clone(),
        fallback: root.get("fallback").and_then(Node::as_bool) == Some(true),
        charts,
        values_keys,
        keys,
        rules,
    }
}
