//! `kubernetes:helm.sh/v3:Release` and the `Chart` components (v3 and v4) lowered into the
//! release fact, as Terraform's `helm_release` is: the chart by `repositoryOpts.repo` (Release,
//! v4 Chart) or `fetchOpts.repo`/`repo` (v3 Chart), or a chart directory beside the file
//! (`path`, or a `./` chart); `values` as written (secrets and unknowns left out). A Chart whose
//! rendered objects are in the export (its children) is not lowered again.

use std::sync::Arc;

use super::lower::object_ref;
use super::resources::{known_tree, Resource};
use crate::facts::release::{HelmRelease, Place, ReleaseOrigin, Setting, ValuesLayer};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

pub const RELEASE: &str = "kubernetes:helm.sh/v3:Release";
pub const CHARTS: &[&str] = &["kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"];

pub fn is_helm(kind: &str) -> bool {
    kind == RELEASE || CHARTS.contains(&kind)
}

/// The release `r` declares; `None` when its chart is not known or its objects are in the export.
pub fn lower(file: &Arc<SourceFile>, r: &Resource, all: &[Resource]) -> Option<HelmRelease> {
    if CHARTS.contains(&r.kind)
        && all
            .iter()
            .any(|c| c.node.str_at(&["parent"]) == Some(r.urn))
    {
        return None;
    }
    let chart_node = r.prop("chart", true).or_else(|| r.prop("path", true))?;
    let chart = chart_node.as_str()?;
    let name_place = Place::new(file, r.node.get("urn").map_or(r.node.span, |u| u.span));
    let release_name = match r.prop("name", true).filter(|n| n.as_str().is_some()) {
        Some(n) => Setting::written(n.as_str().unwrap_or_default(), Place::new(file, n.span)),
        None => Setting::written(r.name(), name_place.clone()),
    };
    let namespace = match r.prop("namespace", true) {
        Some(n) if n.as_str().is_some_and(|s| !s.is_empty()) => {
            Setting::written(n.as_str().unwrap_or_default(), Place::new(file, n.span))
        }
        _ => Setting::default(
            "default",
            "the namespace Pulumi's Kubernetes provider uses when `namespace` is not set",
        ),
    };
    let values = r
        .prop("values", true)
        .filter(|v| v.as_map().is_some())
        .map(|v| ValuesLayer {
            file: file.clone(),
            root: known_tree(v),
        });
    Some(HelmRelease {
        origin: ReleaseOrigin {
            place: name_place,
            object: object_ref(r),
            frontend: "pulumi",
        },
        release_name,
        namespace,
        chart: crate::frontends::release::chart_beside(
            file,
            chart,
            repository(r),
            r.prop("version", true).and_then(Node::as_str),
            chart_node,
        ),
        values: values.into_iter().collect(),
        set: Vec::new(),
        unknown_values: Vec::new(),
    })
}

fn repository<'a>(r: &Resource<'a>) -> Option<&'a str> {
    for (key, inner) in [("repositoryOpts", "repo"), ("fetchOpts", "repo")] {
        if let Some(repo) = r.prop(key, true).and_then(|o| o.str_at(&[inner])) {
            return Some(repo);
        }
    }
    r.prop("repo", true).and_then(Node::as_str)
}
