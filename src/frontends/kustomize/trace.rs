//! Trace findings about built objects back to the line that decided the value: the overlay's
//! `namespace:`, its `namePrefix`, the patch that set an annotation, or the base resource. A
//! finding several units share is reported once, naming them all.

use std::collections::HashMap;
use std::sync::Arc;

use super::eval::{Loc, Res};
use crate::diagnostics::finding::{Finding, Location};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, NodeKind, Span};

/// What decided a built value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// An overlay's `namespace:`.
    Namespace,
    /// `namePrefix`/`nameSuffix`.
    Name,
    /// A patch or `commonAnnotations`.
    Field,
    /// The resource as written.
    AsWritten,
}

/// One built unit: its output, parsed, and the resources of its chain.
pub struct BuiltUnit {
    /// The unit's directory as shown, e.g. `overlays/prod`.
    pub display: String,
    /// The build output (`<dir> (kustomize build)`); never shown once traced.
    pub built: Arc<SourceFile>,
    /// Each built document and the resource of the chain it came from.
    docs: Vec<(Node, Option<usize>)>,
    pub resources: Vec<Res>,
}

impl BuiltUnit {
    pub fn new(display: String, built: Arc<SourceFile>, resources: Vec<Res>) -> BuiltUnit {
        let stream = yaml::parse(&built.text);
        let docs = stream
            .documents
            .into_iter()
            .map(|d| {
                let origin = match_resource(&d.root, &resources);
                (d.root, origin)
            })
            .collect();
        BuiltUnit {
            display,
            built,
            docs,
            resources,
        }
    }

    /// The line of a user's file that decided the built value at `span`, and what it is.
    pub fn origin(&self, span: Span) -> Option<(Location, Decided)> {
        let (doc, res) = self.docs.iter().find(|(d, _)| {
            d.span.start.offset <= span.start.offset && span.end.offset <= d.span.end.offset
        })?;
        let res = &self.resources[(*res)?];
        let path = path_at(doc, span);
        let loc = |l: &Loc, why: String| Location::new(&l.file, l.span).with_message(why);
        if let Some((_, from)) = res
            .fields_from
            .iter()
            .rev()
            .find(|(p, _)| !p.is_empty() && path.starts_with(p))
        {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            let at = doc
                .path(&keys)
                .and_then(|built| line_in_block(built.span, span, from))
                .unwrap_or_else(|| from.clone());
            return Some((
                loc(&at, format!("set here (kustomize unit `{}`)", self.display)),
                Decided::Field,
            ));
        }
        let moved = res.node.str_at(&["metadata", "namespace"]) != res.namespace();
        if path == ["metadata", "namespace"] && moved {
            if let Some(from) = &res.namespace_from {
                let why = format!(
                    "`namespace:` puts {} `{}` in `{}`",
                    res.kind(),
                    res.name(),
                    res.namespace().unwrap_or("")
                );
                return Some((loc(from, why), Decided::Namespace));
            }
        }
        if path == ["metadata", "name"] {
            if let Some(from) = res.name_from.last() {
                return Some((
                    loc(
                        from,
                        format!("gives {} the name `{}`", res.kind(), res.name()),
                    ),
                    Decided::Name,
                ));
            }
        }
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        // A line inside a block scalar copied as written (an embedded policy document).
        if let (Some(built), Some(written)) = (doc.path(&keys), res.node.path(&keys)) {
            let from = Loc {
                file: res.file.clone(),
                span: written.span,
            };
            if let Some(at) = written.as_str().and(line_in_block(built.span, span, &from)) {
                return Some((Location::new(&at.file, at.span), Decided::AsWritten));
            }
        }
        for n in (0..=keys.len()).rev() {
            if let Some(span) = entry_span(&res.node, &keys[..n]) {
                return Some((Location::new(&res.file, span), Decided::AsWritten));
            }
        }
        None
    }

    /// Where the namespace (when an overlay moved it) and the name (when a prefix or suffix
    /// changed it) of the built object around `span` were decided.
    fn identity_origins(&self, span: Span) -> (Option<Location>, Option<Location>) {
        let Some((doc, _)) = self.docs.iter().find(|(d, _)| {
            d.span.start.offset <= span.start.offset && span.end.offset <= d.span.end.offset
        }) else {
            return (None, None);
        };
        let decided = |keys: &[&str], want: Decided| {
            let n = doc.path(keys)?;
            self.origin(n.span)
                .filter(|(_, d)| *d == want)
                .map(|(l, _)| l)
        };
        (
            decided(&["metadata", "namespace"], Decided::Namespace),
            decided(&["metadata", "name"], Decided::Name),
        )
    }

    /// The resource a built object came from, by kind, name and namespace.
    pub fn resource_for(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Res> {
        self.resources.iter().find(|r| {
            r.kind() == kind
                && r.name() == name
                && (namespace.is_none() || r.namespace() == namespace)
        })
    }
}

fn match_resource(doc: &Node, resources: &[Res]) -> Option<usize> {
    let kind = doc.str_at(&["kind"])?;
    let name = doc.str_at(&["metadata", "name"])?;
    let ns = doc.str_at(&["metadata", "namespace"]);
    let same = |r: &Res| r.kind() == kind && r.name() == name;
    resources
        .iter()
        .position(|r| same(r) && r.namespace() == ns)
        .or_else(|| resources.iter().position(same))
        .or_else(|| {
            resources.iter().position(|r| {
                r.kind() == kind
                    && r.node
                        .str_at(&["metadata", "name"])
                        .is_some_and(|n| name.contains(n))
            })
        })
}

/// The key path of the deepest node (or `key: value` entry) that contains `span`.
/// A line inside a multi-line scalar (a block of values) that a patch set whole: the same line
/// of the patch's block, which kustomize copies line for line; `None` when it cannot be.
fn line_in_block(built: Span, inner: Span, from: &Loc) -> Option<Loc> {
    let delta = inner.start.line.checked_sub(built.start.line)?;
    if delta == 0 {
        return None;
    }
    let line = from.span.start.line.checked_add(delta)?;
    if line > from.span.end.line {
        return None;
    }
    let text = &from.file.text;
    let start = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let body = text.get(start..)?.lines().next()?;
    let indent = body.len() - body.trim_start().len();
    let begin = start.checked_add(indent)?;
    let end = start.checked_add(body.trim_end().len())?.max(begin);
    Some(Loc {
        file: from.file.clone(),
        span: Span {
            start: crate::syntax::yaml::pos_at(text, begin),
            end: crate::syntax::yaml::pos_at(text, end),
        },
    })
}

fn path_at(root: &Node, span: Span) -> Vec<String> {
    let inside = |s: Span| s.start.offset <= span.start.offset && span.end.offset <= s.end.offset;
    let mut path = Vec::new();
    let mut node = root;
    loop {
        let next = match &node.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|e| inside(e.key.span.to(e.value.span)))
                .map(|e| (e.key.as_str().unwrap_or_default().to_string(), &e.value)),
            NodeKind::Seq(items) => items
                .iter()
                .enumerate()
                .find(|(_, n)| inside(n.span))
                .map(|(i, n)| (i.to_string(), n)),
            NodeKind::Scalar(_) => None,
        };
        match next {
            Some((key, child)) => {
                path.push(key);
                node = child;
            }
            None => return path,
        }
    }
}

/// The span of the entry at `keys` (key through value), or of the node for list items and the root.
fn entry_span(root: &Node, keys: &[&str]) -> Option<Span> {
    let Some((last, parents)) = keys.split_last() else {
        return Some(
            root.path(&["metadata", "name"])
                .map_or(root.span, |n| n.span),
        );
    };
    let mut node = root;
    for k in parents {
        node = child(node, k)?;
    }
    match &node.kind {
        NodeKind::Map(_) => node.entry(last).map(|e| e.key.span.to(e.value.span)),
        _ => child(node, last).map(|n| n.span),
    }
}

fn child<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.kind {
        NodeKind::Map(_) => node.get(key),
        NodeKind::Seq(items) => items.get(key.parse::<usize>().ok()?),
        NodeKind::Scalar(_) => None,
    }
}

/// Re-point findings at built objects to the lines that decided them; merge the copies that
/// several units produce, naming the units.
pub fn trace_findings(units: &[BuiltUnit], findings: Vec<Finding>) -> Vec<Finding> {
    if units.is_empty() {
        return findings;
    }
    let by_display: HashMap<&str, &BuiltUnit> = units
        .iter()
        .map(|u| (u.built.display.as_str(), u))
        .collect();
    let mut out: Vec<(Finding, Vec<String>)> = Vec::new();
    let mut seen: HashMap<(String, String, usize, usize, String), usize> = HashMap::new();
    for mut f in findings {
        let mut via: Vec<String> = Vec::new();
        let mut moved: Option<Location> = None;
        let mut related = Vec::new();
        for r in std::mem::take(&mut f.related) {
            match by_display.get(r.path.as_str()) {
                Some(unit) => {
                    via.push(unit.display.clone());
                    if let Some((l, _)) = unit.origin(r.span) {
                        related.push(match &r.message {
                            Some(m) => l.with_message(m.clone()),
                            None => l,
                        });
                    }
                    // A trust finding about an object an overlay moved: the `namespace:` line;
                    // one an overlay renamed: the `namePrefix` line as well.
                    if f.code == "IRSA016" {
                        let (ns, renamed) = unit.identity_origins(r.span);
                        moved = moved.or(ns);
                        related.extend(renamed);
                    }
                }
                None => related.push(r),
            }
        }
        f.related = related;
        if let Some(primary) = f.location.take() {
            match by_display.get(primary.path.as_str()) {
                Some(unit) => {
                    via.push(unit.display.clone());
                    f.location = unit.origin(primary.span).map(|(l, _)| l);
                }
                None => f.location = Some(primary),
            }
        }
        if let Some(ns) = moved {
            if let Some(old) = f.location.take() {
                f.related.insert(0, old);
            }
            f.location = Some(ns);
        }
        via.dedup();
        let key = f
            .location
            .as_ref()
            .map_or_else(Default::default, |l| (l.path.clone(), l.line, l.column));
        let key = (f.code.clone(), key.0, key.1, key.2, f.message.clone());
        match seen.get(&key) {
            Some(&i) if !via.is_empty() => {
                for v in via {
                    if !out[i].1.contains(&v) {
                        out[i].1.push(v);
                    }
                }
            }
            _ => {
                seen.insert(key, out.len());
                out.push((f, via));
            }
        }
    }
    out.into_iter()
        .map(|(mut f, via)| {
            if !via.is_empty() {
                let s = if via.len() > 1 { "s" } else { "" };
                f.message.push_str(&format!(
                    " (kustomize unit{s} {})",
                    via.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            f
        })
        .collect()
}
