//! Template files are not manifests: Helm/Go templates outside a chart, envsubst and Flux
//! `${VAR}` templates, Terraform `templatefile` inputs (`*.yaml.tpl`) and Jinja templates are
//! reported once as a note instead of as invalid YAML or invalid ARNs. A placeholder in an
//! annotation value alone does not make a template: the value is checked on its known parts.

use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::TemplateNotLinted;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Pos, Stream};

/// Suffixes of template files that hold YAML or JSON.
const TEMPLATE_SUFFIXES: &[&str] = &[
    ".yaml.tpl",
    ".yml.tpl",
    ".json.tpl",
    ".yaml.tftpl",
    ".yml.tftpl",
    ".json.tftpl",
    ".yaml.j2",
    ".yml.j2",
    ".json.j2",
    ".yaml.jinja",
    ".yaml.jinja2",
    ".yaml.tmpl",
    ".yml.tmpl",
    ".yaml.gotmpl",
];

/// Whether a file name is a YAML/JSON template (discovered so it can be noted).
pub fn is_template_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    TEMPLATE_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Kinds whose specs legitimately carry `{{ }}` (generators, workflow parameters).
const TEMPLATING_KINDS: &[&str] = &[
    "ApplicationSet",
    "Workflow",
    "WorkflowTemplate",
    "ClusterWorkflowTemplate",
    "CronWorkflow",
    "Sensor",
    "EventSource",
];

fn helm_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\{\{-?\s*(\.|\$|include\b|template\b|if\b|else\b|end\b|range\b|with\b|define\b|toYaml\b|tpl\b|default\b|required\b|quote\b|printf\b|lookup\b)").expect("valid regex")
    })
}

fn jinja_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\{%-?\s*\w+|\{\{\s*[a-zA-Z_][\w.]*\s*(\|[^}]*)?\}\}").expect("valid regex")
    })
}

fn envsubst_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:[=-][^}]*)?\}").expect("valid regex")
    })
}

/// A `{NAME}` or `%NAME%` placeholder (which a script replaces, `sed`-style) on the 1-based
/// `line`, where it broke the YAML: its offset.
fn placeholder_on_line(text: &str, line: usize) -> Option<usize> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE
        .get_or_init(|| Regex::new(r"\{[A-Z][A-Z0-9_]*\}|%[A-Z][A-Z0-9_]*%").expect("valid regex"));
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let content = text.get(start..)?.lines().next()?;
    re.find(content).map(|m| start + m.start())
}

/// What kind of template a file is, and where its first template syntax is.
pub fn detect(file: &SourceFile, stream: &Stream) -> Option<(String, usize)> {
    let text = &file.text;
    let name = file.file_name();
    let find = |re: &Regex| re.find(text).map(|m| m.start());
    let jinja_name = name.contains(".j2") || name.contains(".jinja");
    let tf_name = name.ends_with(".tpl") || name.ends_with(".tftpl");
    if is_template_name(&file.path) {
        let kind = if jinja_name {
            "Jinja template"
        } else if tf_name && find(envsubst_marker()).is_some() {
            "Terraform templatefile input"
        } else if find(helm_marker()).is_some() {
            "Go/Helm template"
        } else {
            "template file"
        };
        let at = [helm_marker(), jinja_marker(), envsubst_marker()]
            .iter()
            .filter_map(|r| find(r))
            .min();
        return Some((kind.to_string(), at.unwrap_or(0)));
    }
    let markers: [(&str, &Regex); 3] = [
        ("Jinja template", jinja_marker()),
        ("Helm template outside a chart", helm_marker()),
        ("envsubst/Flux `${VAR}` template", envsubst_marker()),
    ];
    if let Some(err) = &stream.error {
        // Broken YAML is a template only if template syntax is what breaks it.
        if let Some(at) = placeholder_on_line(text, err.pos.line) {
            return Some((
                "placeholder template (`{NAME}`/`%NAME%` replaced by a script)".into(),
                at,
            ));
        }
        let jinja_block = text.contains("{%");
        return markers
            .iter()
            .filter(|(k, _)| !k.starts_with("Jinja") || jinja_block)
            .filter_map(|(kind, re)| find(re).map(|at| (kind.to_string(), at)))
            .min_by_key(|(_, at)| *at);
    }
    if !text.contains("{{") && !text.contains("{%") && !text.contains("${") {
        return None;
    }
    if let Some(at) = text.find("{%") {
        return Some(("Jinja template".into(), at));
    }
    // A parsed file is a template when its identity (apiVersion, kind, metadata) is templated:
    // `{{ }}` deep in a spec (alert texts, scripts) is the object's own templating.
    let mut identity: Vec<(usize, usize)> = Vec::new();
    for doc in &stream.documents {
        let root = &doc.root;
        if root
            .str_at(&["kind"])
            .is_some_and(|k| TEMPLATING_KINDS.contains(&k))
        {
            continue;
        }
        for e in root.as_map().unwrap_or_default() {
            match e.key.as_str() {
                Some("apiVersion" | "kind") => identity.push(span_of(&e.value)),
                // Annotation values (a role ARN) are read per value by `model::placeholder`.
                Some("metadata") => identity.extend(
                    e.value
                        .as_map()
                        .unwrap_or_default()
                        .iter()
                        .filter(|m| m.key.as_str() != Some("annotations"))
                        .map(|m| span_of(&m.value)),
                ),
                _ => {}
            }
        }
    }
    markers[1..]
        .iter()
        .filter_map(|(kind, re)| {
            re.find_iter(text)
                .map(|m| m.start())
                .find(|at| identity.iter().any(|(s, e)| s <= at && at < e))
                .map(|at| (kind.to_string(), at))
        })
        .min_by_key(|(_, at)| *at)
}

fn span_of(node: &crate::syntax::yaml::Node) -> (usize, usize) {
    (node.span.start.offset, node.span.end.offset)
}

/// The one note for a template file.
pub fn note(file: &std::sync::Arc<SourceFile>, kind: &str, offset: usize) -> Finding {
    let pos: Pos = crate::syntax::yaml::pos_at(&file.text, offset.min(file.text.len()));
    let span = crate::syntax::yaml::Span {
        start: pos,
        end: pos,
    };
    Finding::new(&TemplateNotLinted::META, format!("template, not linted: {kind} `{}`", file.display))
        .at_span(file, span)
        .help("lint what it produces instead (render it, or lint the kustomization, chart or Terraform module that uses it)")
}
