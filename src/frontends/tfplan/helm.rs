//! `helm_release` in a plan or state, lowered into the release fact: the chart from its
//! `repository` (or `oci://`) through the chart packs, or a chart directory beside the plan
//! rendered with helm; `name`, `namespace` (the provider's default: `default`), the `values`
//! strings (parsed with spans inside the JSON strings) and `set` entries (`type = "string"` as
//! `--set-string`). `set_sensitive` is never read.

use std::path::Path;
use std::sync::Arc;

use super::Resource;
use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{
    ChartSource, HelmRelease, Place, ReleaseOrigin, SetValue, Setting, ValuesLayer,
};
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
        chart: chart_source(file, r, chart, chart_node),
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

/// A chart directory beside the plan (the plan records the path as Terraform evaluated it,
/// relative to the module), else a repository chart for the packs.
fn chart_source(file: &Arc<SourceFile>, r: &Resource, chart: &str, node: &Node) -> ChartSource {
    let repository = r.known("repository").and_then(Node::as_str);
    if repository.is_none() && !chart.starts_with("oci://") {
        let base = file.path.parent().unwrap_or(Path::new("."));
        let base = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        let dir = base.join(chart);
        let inside = match (dir.canonicalize(), base.canonicalize()) {
            (Ok(d), Ok(b)) => d.starts_with(b) && d.join("Chart.yaml").is_file(),
            _ => false,
        };
        if inside {
            let display = dir.to_string_lossy().trim_start_matches("./").to_string();
            return ChartSource::Local { dir, display };
        }
    }
    let name = chart.rsplit('/').next().unwrap_or(chart).to_string();
    ChartSource::Remote {
        repo: repository
            .map(str::to_string)
            .or_else(|| chart.starts_with("oci://").then(|| chart.to_string())),
        name,
        version: r
            .known("version")
            .and_then(Node::as_str)
            .map(str::to_string),
        place: Some(Place::new(file, node.span)),
    }
}
