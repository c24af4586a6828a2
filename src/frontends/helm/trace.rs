//! Trace a finding about a rendered value back to the values key that supplied it.
//!
//! The value under the finding's primary span is looked up in the chart's values sources, highest
//! precedence first (`--set`, then `-f` files in reverse, then `values.yaml`). A match makes the
//! values key the primary location; the rendered object and the template become related locations.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::facts::RenderContext;
use crate::facts::{Object, Workspace};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind};

/// Where a rendered value came from.
pub enum ValueOrigin {
    /// A key in a values file: the key path and the entry's key and value spans.
    File {
        file: Arc<SourceFile>,
        key_path: String,
        location: Location,
    },
    /// A `--set key=value` argument.
    SetArg { arg: String },
}

/// Find the values key whose value is `value` (a scalar as rendered).
pub fn find_value(
    ctx: &RenderContext,
    values: &[(Arc<SourceFile>, Node)],
    value: &str,
    rendered_key: Option<&str>,
) -> Option<ValueOrigin> {
    if !is_distinctive(value) {
        return None;
    }
    if let Some(arg) = ctx
        .set_args
        .iter()
        .rev()
        .find(|a| a.split_once('=').is_some_and(|(_, v)| v == value))
    {
        return Some(ValueOrigin::SetArg { arg: arg.clone() });
    }
    for (file, root) in values.iter().rev() {
        let matches = find_all(root, value);
        let best = matches
            .iter()
            .find(|(path, _)| rendered_key.is_some_and(|k| path.ends_with(k)))
            .or(matches.first());
        if let Some((key_path, span)) = best {
            let (key_path, span) = (key_path.clone(), *span);
            return Some(ValueOrigin::File {
                file: file.clone(),
                key_path: key_path.clone(),
                location: Location::new(file, span)
                    .with_message(format!("`{key_path}` supplies this value")),
            });
        }
    }
    None
}

/// Booleans, numbers and short strings are too common to trace by value.
fn is_distinctive(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 4
        && !matches!(v, "true" | "false" | "null" | "True" | "False")
        && v.parse::<f64>().is_err()
}

/// Every scalar equal to `value`, in document order: the dotted key path and the entry's span.
fn find_all(root: &Node, value: &str) -> Vec<(String, crate::syntax::yaml::Span)> {
    let mut found = Vec::new();
    let mut stack: Vec<(&Node, String)> = vec![(root, String::new())];
    while let Some((node, path)) = stack.pop() {
        match &node.kind {
            NodeKind::Map(entries) => {
                for e in entries.iter().rev() {
                    let key = e.key.as_str().unwrap_or_default();
                    let child = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    if e.value.as_str().is_some_and(|v| v.trim() == value.trim()) {
                        found.push((child.clone(), e.key.span.to(e.value.span)));
                    }
                    stack.push((&e.value, child));
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, format!("{path}[{i}]")));
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
    found
}

/// Rendered objects by the display path of their rendered file: the first object of each
/// render (a chart rendered again with each `ci/*-values.yaml` gives one per render), which
/// carries the file's text and chart, all tracing reads.
type Rendered<'a> = HashMap<&'a str, Vec<&'a Object>>;

fn rendered_objects(ws: &Workspace) -> Rendered<'_> {
    let mut out: Rendered = HashMap::new();
    for o in ws.all_objects().filter(|o| o.chart.is_some()) {
        let same = out.entry(o.file.display.as_str()).or_default();
        if !same.iter().any(|s| Arc::ptr_eq(&s.file, &o.file)) {
            same.push(o);
        }
    }
    out
}

/// The rendered value at a location, in each render of that file where it is a scalar.
fn rendered_values(
    rendered: &Rendered,
    loc: &Location,
) -> Vec<(String, Option<String>, Arc<RenderContext>)> {
    let objects = rendered
        .get(loc.path.as_str())
        .map_or(&[][..], Vec::as_slice);
    objects
        .iter()
        .filter_map(|object| {
            let text = &object.file.text;
            let raw = text.get(loc.span.start.offset..loc.span.end.offset)?;
            // A `key: value` span: the value part.
            let (key, raw) = match raw.split_once(": ") {
                Some((k, v)) => (Some(k.trim().trim_matches(['"', '\'']).to_string()), v),
                None => (None, raw),
            };
            let value = raw.trim().trim_matches(['"', '\'']).to_string();
            Some((value, key, object.chart.clone()?))
        })
        .collect()
}

/// The values key behind a rendered value: the first render of the file that traces it.
fn trace(ws: &Workspace, rendered: &Rendered, loc: &Location) -> Option<ValueOrigin> {
    rendered_values(rendered, loc)
        .into_iter()
        .find_map(|(value, key, ctx)| {
            let chart = ws.charts.iter().find(|c| Arc::ptr_eq(&c.context, &ctx))?;
            find_value(&ctx, &chart.values, &value, key.as_deref())
        })
}

/// Re-point findings about rendered values at the values key that supplied them; the rendered
/// object becomes a related location. Related locations in renders gain their values key too.
pub fn trace_findings(ws: &Workspace, findings: &mut [Finding]) {
    let rendered = rendered_objects(ws);
    if rendered.is_empty() {
        return; // nothing was rendered: no finding can point into a render
    }
    for finding in findings.iter_mut() {
        let mut extra = Vec::new();
        for related in &finding.related {
            if let Some(ValueOrigin::File { location, .. }) = trace(ws, &rendered, related) {
                extra.push(location);
            }
        }
        finding.related.extend(extra);
        let Some(rendered_at) = finding.location.clone() else {
            continue;
        };
        match trace(ws, &rendered, &rendered_at) {
            Some(ValueOrigin::File { location, .. }) => {
                finding.location = Some(location);
                finding.related.insert(
                    0,
                    rendered_at.with_message("rendered here by helm template"),
                );
            }
            Some(ValueOrigin::SetArg { arg }) => {
                finding
                    .message
                    .push_str(&format!(" (set on the command line: `--set {arg}`)"));
            }
            None if ws.charts.iter().any(|c| c.rendered)
                && !rendered_values(&rendered, &rendered_at).is_empty() =>
            {
                finding
                    .message
                    .push_str(" (rendered by the chart; not traced to a single values key)");
            }
            None => {}
        }
    }
}
