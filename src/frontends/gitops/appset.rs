//! Argo CD `ApplicationSet`: its generators expanded offline into Applications.
//!
//! Expanded: `list` (`elements`), `git` with `directories` (matched against the linted tree,
//! taken as the generator's repository; `exclude: true` entries removed), and `matrix` of those.
//! Other generators (clusters, SCM providers, pull requests, git `files`, `merge`, plugins)
//! need the live Argo CD or a remote repository: each is said once, as a note.
//!
//! Templates are rendered as Argo CD does: fasttemplate (`{{path.basename}}`, `{{path[1]}}`,
//! `{{cluster}}`, `{{values.env}}`; an unknown parameter is left as written) or, with
//! `goTemplate: true`, plain field references (`{{ .path.basename }}`,
//! `{{ index .path.segments 1 }}`). Expanded scalars keep the template's span, and
//! [`Generated::derivation`] says which parameters decided them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::GeneratorNotExpanded;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind};

/// Bound on the Applications one ApplicationSet expands to.
const MAX_APPLICATIONS: usize = 1000;

/// One generated Application: the template with parameters substituted.
pub struct Generated {
    pub app: Node,
    /// `ApplicationSet `name`, the git directory `apps/carts``; empty for a plain Application.
    what: String,
    /// Template scalars that were rendered: start offset → the template as written.
    templated: BTreeMap<usize, String>,
}

impl Generated {
    /// For a plain Application: nothing was generated.
    pub fn none() -> Generated {
        Generated {
            app: Node {
                kind: NodeKind::Map(Vec::new()),
                span: Default::default(),
            },
            what: String::new(),
            templated: BTreeMap::new(),
        }
    }

    /// How a rendered scalar got its value, when a template decided it.
    pub fn derivation(&self, node: &Node) -> Option<String> {
        let template = self.templated.get(&node.span.start.offset)?;
        Some(format!(
            "{}: `{template}` = `{}`",
            self.what,
            node.as_str().unwrap_or_default()
        ))
    }
}

/// A generator's parameter set, flattened (`path.basename`, `path[0]`, `values.env`).
type Params = BTreeMap<String, String>;

/// Expand `root` (an ApplicationSet) into Applications; say what cannot be expanded.
pub fn expand(
    file: &Arc<SourceFile>,
    root: &Node,
    roots: &[PathBuf],
    findings: &mut Vec<Finding>,
) -> Vec<Generated> {
    let set = root.str_at(&["metadata", "name"]).unwrap_or("?");
    let Some(spec) = root.get("spec") else {
        return Vec::new();
    };
    let Some(template) = spec.get("template") else {
        return Vec::new();
    };
    let go = spec.get("goTemplate").and_then(Node::as_bool) == Some(true);
    let mut note = |node: &Node, message: String| {
        findings.push(
            Finding::new(&GeneratorNotExpanded::META, message).at(Location::new(file, node.span)),
        );
    };
    if let Some(patch) = spec.get("templatePatch") {
        note(patch, format!("ApplicationSet `{set}`: `templatePatch` is not applied offline; the Applications are linted from `template`"));
    }
    let mut out = Vec::new();
    for generator in spec
        .get("generators")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let params = match parameters(file, generator, roots) {
            Ok(p) => p,
            Err(why) => {
                note(
                    generator,
                    format!("ApplicationSet `{set}`: {why}; its Applications are not linted"),
                );
                continue;
            }
        };
        for (what, p) in params {
            if out.len() >= MAX_APPLICATIONS {
                note(generator, format!("ApplicationSet `{set}`: more than {MAX_APPLICATIONS} Applications; the rest are not linted"));
                return out;
            }
            let mut templated = BTreeMap::new();
            let app = render_node(template, &p, go, &mut templated);
            out.push(Generated {
                app,
                what: format!("ApplicationSet `{set}`, {what}"),
                templated,
            });
        }
    }
    out
}

/// The parameter sets of one generator, each with a description for messages.
fn parameters(
    file: &SourceFile,
    generator: &Node,
    roots: &[PathBuf],
) -> Result<Vec<(String, Params)>, String> {
    let entry = generator
        .as_map()
        .unwrap_or_default()
        .iter()
        .find(|e| !matches!(e.key.as_str(), Some("selector" | "values")));
    let Some(entry) = entry else {
        return Err("an empty generator".into());
    };
    let kind = entry.key.as_str().unwrap_or_default();
    let body = &entry.value;
    match kind {
        "list" => {
            let elements = body.get("elements").and_then(Node::as_seq);
            let Some(elements) = elements else {
                return Err("a `list` generator without literal `elements`".into());
            };
            Ok(elements
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let mut p = Params::new();
                    flatten("", e, &mut p);
                    (format!("list element {}", i + 1), p)
                })
                .collect())
        }
        "git" => {
            let Some(dirs) = body.get("directories").and_then(Node::as_seq) else {
                return Err("the git `files` generator reads a remote repository at sync time and is not expanded offline".into());
            };
            git_directories(file, dirs, roots)
        }
        "matrix" => {
            let children = body
                .get("generators")
                .and_then(Node::as_seq)
                .unwrap_or_default();
            let [a, b] = children else {
                return Err("a `matrix` generator needs exactly two child generators".into());
            };
            let (a, b) = (
                parameters(file, a, roots)?,
                parameters(file, b, roots)?,
            );
            let mut out = Vec::new();
            for (wa, pa) in &a {
                for (wb, pb) in &b {
                    let mut p = pa.clone();
                    p.extend(pb.clone());
                    out.push((format!("{wa} × {wb}"), p));
                }
            }
            Ok(out)
        }
        other => Err(format!(
            "the `{other}` generator needs the live Argo CD or a remote service and is not expanded offline"
        )),
    }
}

/// Flatten a list element: scalars by key, nested mappings with dotted keys.
fn flatten(prefix: &str, node: &Node, out: &mut Params) {
    for e in node.as_map().unwrap_or_default() {
        let Some(key) = e.key.as_str() else { continue };
        let key = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        match &e.value.kind {
            NodeKind::Scalar(s) => {
                out.insert(key, s.text.clone());
            }
            NodeKind::Map(_) => flatten(&key, &e.value, out),
            NodeKind::Seq(_) => {}
        }
    }
}

/// The git directories generator over the linted tree: the first of the object's directory and
/// its parents (inside the tree) where a pattern matches is taken as the repository root.
fn git_directories(
    file: &SourceFile,
    entries: &[Node],
    roots: &[PathBuf],
) -> Result<Vec<(String, Params)>, String> {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for e in entries {
        let Some(pattern) = e.str_at(&["path"]) else {
            continue;
        };
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|err| format!("the git directory pattern `{pattern}` is not valid: {err}"))?
            .compile_matcher();
        if e.get("exclude").and_then(Node::as_bool) == Some(true) {
            exclude.push(glob);
        } else {
            include.push(glob);
        }
    }
    let base = file.path.parent().unwrap_or(Path::new("."));
    for repo in base.ancestors().take_while(|a| super::inside(a, roots)) {
        let dirs: Vec<String> = directories(repo)
            .into_iter()
            .filter(|d| include.iter().any(|g| g.is_match(d)))
            .filter(|d| !exclude.iter().any(|g| g.is_match(d)))
            .collect();
        if !dirs.is_empty() {
            return Ok(dirs
                .into_iter()
                .map(|d| (format!("the git directory `{d}`"), directory_params(&d)))
                .collect());
        }
    }
    Err("no directory of the linted tree matches the git generator's `directories`".into())
}

/// The directories under `repo`, relative and `/`-separated; hidden ones and symlinks skipped.
fn directories(repo: &Path) -> Vec<String> {
    let walk = ignore::WalkBuilder::new(repo)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .max_depth(Some(12))
        .build();
    walk.filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_dir()))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(repo).ok()?;
            let s = rel.to_str()?.replace('\\', "/");
            (!s.is_empty()).then_some(s)
        })
        .take(100_000)
        .collect()
}

/// Argo CD's parameters for one git directory, for both template syntaxes.
fn directory_params(dir: &str) -> Params {
    let segments: Vec<&str> = dir.split('/').collect();
    let basename = segments.last().copied().unwrap_or_default().to_string();
    let normalized: String = basename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut p = Params::new();
    p.insert("path".into(), dir.to_string());
    p.insert("path.path".into(), dir.to_string());
    p.insert("path.basename".into(), basename);
    p.insert("path.basenameNormalized".into(), normalized);
    for (i, s) in segments.iter().enumerate() {
        p.insert(format!("path[{i}]"), s.to_string());
        p.insert(format!("path.segments.{i}"), s.to_string());
    }
    p
}

/// The template with every string scalar rendered; rendered scalars are recorded.
fn render_node(
    node: &Node,
    params: &Params,
    go: bool,
    templated: &mut BTreeMap<usize, String>,
) -> Node {
    let mut out = node.clone();
    let mut stack = vec![&mut out];
    while let Some(n) = stack.pop() {
        match &mut n.kind {
            NodeKind::Scalar(s) if s.text.contains("{{") => {
                let rendered = render(&s.text, params, go);
                if rendered != s.text {
                    templated.insert(
                        n.span.start.offset,
                        std::mem::replace(&mut s.text, rendered),
                    );
                    s.plain = false;
                }
            }
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => stack.extend(entries.iter_mut().map(|e| &mut e.value)),
        }
    }
    out
}

/// Render one string: each `{{ … }}` that names a known parameter is replaced.
pub(super) fn render(text: &str, params: &Params, go: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = after[..end].trim();
        match lookup(tag, params, go) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn lookup<'a>(tag: &str, params: &'a Params, go: bool) -> Option<&'a String> {
    if !go {
        return params.get(tag);
    }
    if let Some(field) = tag.strip_prefix('.') {
        return params.get(field);
    }
    // `index .path.segments N`
    let words: Vec<&str> = tag.split_whitespace().collect();
    match words.as_slice() {
        ["index", list, n] => params.get(&format!("{}.{n}", list.strip_prefix('.')?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_template_syntaxes_render_directory_parameters() {
        let p = directory_params("apps/Cart_Service");
        assert_eq!(render("{{path.basename}}", &p, false), "Cart_Service");
        assert_eq!(render("ns-{{ path[0] }}", &p, false), "ns-apps");
        assert_eq!(
            render("{{path.basenameNormalized}}", &p, false),
            "cart-service"
        );
        assert_eq!(render("{{ .path.basename }}", &p, true), "Cart_Service");
        assert_eq!(render("{{index .path.segments 0}}", &p, true), "apps");
        assert_eq!(render("{{.path.path}}/x", &p, true), "apps/Cart_Service/x");
    }

    #[test]
    fn unknown_or_unclosed_tags_are_left_as_written() {
        let p = directory_params("apps/carts");
        assert_eq!(
            render("{{cluster}}-{{path}}", &p, false),
            "{{cluster}}-apps/carts"
        );
        assert_eq!(
            render("{{ .name | lower }}", &p, true),
            "{{ .name | lower }}"
        );
        assert_eq!(render("a {{path", &p, false), "a {{path");
    }
}
