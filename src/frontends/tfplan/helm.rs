//! `helm_release` in a plan or state, lowered into the release fact: the chart from its
//! `repository` (or `oci://`) through the chart packs, or a chart directory beside the plan
//! rendered with helm; `name`, `namespace` (the provider's default: `default`), the `values`
//! strings (parsed with spans inside the JSON strings) and `set` entries (`type = "string"` as
//! `--set-string`). `set_sensitive` is never read.

use std::sync::Arc;

use super::Resource;
use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{HelmRelease, Place, ReleaseOrigin, SetValue, Setting, ValuesLayer};
use crate::frontends::jsonstr::parse_string_value;
use crate::frontends::Problem;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind};

pub fn lower(
    file: &Arc<SourceFile>,
    r: &Resource,
    problems: &mut Vec<Problem>,
) -> Option<HelmRelease> {
    let name_node = r.known("name")?;
    let name = name_node.as_str()?;
    let chart_node = r.known("chart")?;
    let chart = chart_node.as_str()?;
    let namespace = match r.known("namespace") {
        Some(n) if n.as_str().is_some_and(|s| !s.is_empty()) => {
            Setting::written(n.as_str().unwrap_or_default(), Place::new(file, n.span))
        }
        _ => Setting::default(
            "default",
            "the helm provider's default namespace (`namespace` not set)",
        ),
    };
    let mut values = Vec::new();
    for v in r.known("values").and_then(Node::as_seq).unwrap_or_default() {
        let Some(stream) = parse_string_value(file, v) else {
            continue;
        };
        if let Some(e) = stream.error {
            let message = format!(
                "{}: a `values` entry is not valid YAML: {}",
                r.address, e.message
            );
            problems.push(Problem::new(message, e.pos));
            return None;
        }
        if let Some(doc) = stream.documents.into_iter().next() {
            values.push(ValuesLayer {
                file: file.clone(),
                root: doc.root,
            });
        }
    }
    let set = r
        .known("set")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| set_value(file, s))
        .collect();
    Some(HelmRelease {
        origin: ReleaseOrigin {
            place: Place::new(file, name_node.span),
            object: ObjectRef::new("helm_release", None, &r.address),
            frontend: "terraform",
        },
        release_name: Setting::written(name, Place::new(file, name_node.span)),
        namespace,
        // The plan records a local chart's path as Terraform evaluated it, relative to the module.
        chart: crate::frontends::release::chart_beside(
            file,
            chart,
            r.known("repository").and_then(Node::as_str),
            r.known("version").and_then(Node::as_str),
            chart_node,
        ),
        values,
        set,
        unknown_values: Vec::new(),
    })
}

/// A `set` entry: `--set` typing, or a string with `type = "string"`.
fn set_value(file: &Arc<SourceFile>, s: &Node) -> Option<SetValue> {
    let key = s.entry("name")?;
    let mut value = s.get("value")?.clone();
    let string = s.str_at(&["type"]) == Some("string");
    if let NodeKind::Scalar(scalar) = &mut value.kind {
        scalar.plain = !string;
    }
    Some(SetValue {
        path: SetValue::split_key(key.value.as_str()?),
        file: file.clone(),
        key_span: key.key.span.to(value.span),
        value,
    })
}
