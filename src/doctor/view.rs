//! Synthesized, span-carrying views of live objects, so that findings can underline the part at
//! fault. A Kubernetes object becomes `cluster/<ns>/<kind>/<name>.yaml`, a role's trust
//! `iam/role/<name>.trust.json`. Env values other than a few IRSA ones are redacted.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::diagnostics::finding::Location;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{parse, Node, NodeKind, Scalar, Span};

/// Env vars whose values are shown; every other value is replaced.
const SHOWN_ENV: &[&str] = &[
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_STS_REGIONAL_ENDPOINTS",
];
const REDACTED: &str = "<redacted>";

pub struct View {
    pub file: Arc<SourceFile>,
    pub root: Node,
}

impl View {
    fn new(display: String, text: String) -> View {
        let root = parse(&text)
            .documents
            .into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or(Node {
                kind: NodeKind::Scalar(Scalar {
                    text: String::new(),
                    plain: true,
                }),
                span: Span::default().with_start_line(),
            });
        View {
            file: Arc::new(SourceFile::new(display.clone(), display, text)),
            root,
        }
    }

    /// The node at a path of keys and sequence indices (`["spec", "containers", "0"]`).
    pub fn node(&self, path: &[&str]) -> Option<&Node> {
        path.iter()
            .try_fold(&self.root, |node, step| match &node.kind {
                NodeKind::Seq(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => node.get(step),
            })
    }

    /// The location of the deepest existing node along `path` (the whole view at worst).
    pub fn loc(&self, path: &[&str]) -> Location {
        let mut best = &self.root;
        for i in 1..=path.len() {
            match self.node(&path[..i]) {
                Some(n) => best = n,
                None => break,
            }
        }
        Location::new(&self.file, best.span)
    }

    /// The key and value of a mapping entry at `path`, as one span.
    pub fn entry_loc(&self, parent: &[&str], key: &str) -> Location {
        match self.node(parent).and_then(|n| n.entry(key)) {
            Some(e) => Location::new(&self.file, e.key.span.to(e.value.span)),
            None => self.loc(parent),
        }
    }
}

/// All views made in one run, by display path.
#[derive(Default)]
pub struct Views {
    views: BTreeMap<String, View>,
    /// In fleet runs, the context: objects become `cluster/<context>/<ns>/<kind>/<name>.yaml`.
    context: Option<String>,
}

impl Views {
    /// Views of one cluster of a fleet run, whose object paths name its context.
    pub fn for_context(context: &str) -> Self {
        Views {
            views: BTreeMap::new(),
            context: Some(path_segment(context)),
        }
    }

    /// The YAML view of a Kubernetes object (built on first use).
    pub fn object<T: serde::Serialize>(
        &mut self,
        kind: &str,
        ns: Option<&str>,
        name: &str,
        obj: &T,
    ) -> &View {
        let root = match &self.context {
            Some(c) => format!("cluster/{c}"),
            None => "cluster".to_string(),
        };
        let display = match ns {
            Some(ns) => format!("{root}/{ns}/{}/{name}.yaml", kind.to_lowercase()),
            None => format!("{root}/{}/{name}.yaml", kind.to_lowercase()),
        };
        self.views.entry(display.clone()).or_insert_with(|| {
            let mut value = serde_json::to_value(obj).unwrap_or(Value::Null);
            clean(&mut value, kind);
            View::new(display, to_yaml(&value))
        })
    }

    /// The pretty-printed JSON view of a role's trust policy (`None` if it is not JSON).
    pub fn trust(&mut self, role: &str, document: &str) -> Option<&View> {
        let display = format!("iam/role/{role}.trust.json");
        if !self.views.contains_key(&display) {
            let value: Value = serde_json::from_str(document).ok()?;
            let text = serde_json::to_string_pretty(&value).ok()? + "\n";
            self.views
                .insert(display.clone(), View::new(display.clone(), text));
        }
        self.views.get(&display)
    }

    /// A JSON view of any IAM fact (an OIDC provider, say).
    pub fn iam(&mut self, display: String, value: &Value) -> &View {
        self.views.entry(display.clone()).or_insert_with(|| {
            let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
            View::new(display, text)
        })
    }

    pub fn into_sources(self) -> BTreeMap<String, Arc<SourceFile>> {
        self.views.into_iter().map(|(k, v)| (k, v.file)).collect()
    }
}

/// A context name as one path segment: `/` and other separators become `_`, never `.` or `..`.
pub fn path_segment(context: &str) -> String {
    let s: String = context
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        "_".repeat(s.len().max(1))
    } else {
        s
    }
}

/// Drop noise (managedFields, last-applied) and redact env values.
fn clean(value: &mut Value, kind: &str) {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("kind".into(), Value::String(kind.to_string()));
        if kind != "Pod" {
            obj.remove("status");
        }
    }
    redact_env(value);
}

fn redact_env(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(env)) = map.get_mut("env") {
                for var in env.iter_mut() {
                    let shown = var
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| SHOWN_ENV.contains(&n));
                    if let (false, Some(v)) = (shown, var.get_mut("value")) {
                        *v = Value::String(REDACTED.into());
                    }
                }
            }
            map.values_mut().for_each(redact_env);
        }
        Value::Array(items) => items.iter_mut().for_each(redact_env),
        _ => {}
    }
}

/// Block-style YAML for a JSON value; strings that are not plainly safe are double-quoted.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(_) | Value::Array(_) => emit(value, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn emit(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push_str(&pad);
                out.push_str(&string(k));
                out.push(':');
                child(v, indent + 2, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(m) if !m.is_empty() => nested_item(item, indent, out),
                    Value::Array(a) if !a.is_empty() => nested_item(item, indent, out),
                    _ => {
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(&scalar(item));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

/// A sequence item that is a collection: emit it two deeper, then put `- ` on its first line.
fn nested_item(item: &Value, indent: usize, out: &mut String) {
    let mut inner = String::new();
    emit(item, indent + 2, &mut inner);
    out.push_str(&" ".repeat(indent));
    out.push_str("- ");
    out.push_str(inner.get(indent + 2..).unwrap_or(""));
}

fn child(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            emit(v, indent, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            emit(v, indent, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

fn string(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn context_path_segments() {
        assert_eq!(
            path_segment("arn:aws:eks:eu-west-1:111122223333:cluster/prod"),
            "arn:aws:eks:eu-west-1:111122223333:cluster_prod"
        );
        assert_eq!(path_segment(".."), "__");
        assert_eq!(path_segment(""), "_");
        assert_eq!(path_segment("kind-dev"), "kind-dev");
        let mut views = Views::for_context("a/b");
        let sa = json!({"metadata": {"name": "app"}});
        let v = views.object("ServiceAccount", Some("edp"), "app", &sa);
        assert_eq!(v.file.display, "cluster/a_b/edp/serviceaccount/app.yaml");
    }

    #[test]
    fn yaml_round_trips_through_the_parser() {
        let v = json!({"metadata": {"name": "a", "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x"}},
            "spec": {"containers": [{"name": "app", "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "s3cr3t"}]}], "empty": [], "n": 3, "t": "true"}});
        let mut v2 = v.clone();
        clean(&mut v2, "Pod");
        let text = to_yaml(&v2);
        assert!(!text.contains("s3cr3t"), "{text}");
        let view = View::new("x.yaml".into(), text.clone());
        let parsed = view.root.to_json();
        assert_eq!(parsed["spec"]["containers"][0]["env"][0]["value"], REDACTED);
        assert_eq!(parsed["spec"]["t"], "true");
        assert_eq!(parsed["metadata"], v["metadata"]);
        let l = view.loc(&["spec", "containers", "0", "name"]);
        assert_eq!(&text[l.span.start.offset..l.span.end.offset], "app");
    }
}
