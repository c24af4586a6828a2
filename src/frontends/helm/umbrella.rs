//! Umbrella charts whose dependencies are not vendored (`charts/` holds no copy): each
//! dependency a chart pack describes is checked as a release of that chart would be (a Flux
//! release of a remote chart), with the umbrella's `<alias or name>:` subtree and `global:` as
//! its values, at their lines in the umbrella's values files.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{ChartSource, HelmRelease, Place, ReleaseOrigin, Setting, ValuesLayer};
use crate::frontends::build::{entry, map};
use crate::frontends::release::chartpack::ChartPacks;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node};

/// The releases of the umbrella's dependencies that are not vendored and have a chart pack.
/// `values` are the umbrella's values layers (its values.yaml first); `release` and
/// `namespace` the umbrella's (a subchart shares its parent's release).
pub fn dependency_releases(
    dir: &Path,
    display: &str,
    values: &[(Arc<SourceFile>, Node)],
    (release, namespace): (&str, &str),
    packs: &ChartPacks,
) -> Vec<HelmRelease> {
    let Ok(text) = read_text(&dir.join("Chart.yaml"), DEFAULT_MAX_FILE_SIZE) else {
        return Vec::new();
    };
    let chart_yaml = Arc::new(SourceFile::new(
        dir.join("Chart.yaml"),
        format!("{display}/Chart.yaml"),
        text,
    ));
    let stream = yaml::parse(&chart_yaml.text);
    let Some(root) = stream.documents.first().map(|d| &d.root) else {
        return Vec::new();
    };
    let deps = root
        .get("dependencies")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    deps.iter()
        .filter_map(|dep| {
            let name_node = dep.get("name").filter(|n| n.as_str().is_some())?;
            let name = name_node.as_str()?;
            packs.find(name)?;
            if vendored(dir, name) {
                return None;
            }
            let key = dep.str_at(&["alias"]).unwrap_or(name);
            let layers = values
                .iter()
                .flat_map(|(file, root)| subchart_layers(file, root, key))
                .collect();
            Some(HelmRelease {
                origin: ReleaseOrigin {
                    place: Place::new(&chart_yaml, name_node.span),
                    object: ObjectRef::new("dependency", None, key),
                    frontend: "helm dependency",
                },
                release_name: Setting::default(release, "the umbrella chart's release"),
                namespace: Setting::default(namespace, "the umbrella chart's namespace"),
                chart: ChartSource::Remote {
                    repo: dep.str_at(&["repository"]).map(str::to_string),
                    name: name.to_string(),
                    version: dep.str_at(&["version"]).map(str::to_string),
                    place: Some(Place::new(&chart_yaml, name_node.span)),
                },
                values: layers,
                set: Vec::new(),
                unknown_values: Vec::new(),
            })
        })
        .collect()
}

/// `charts/<name>/` or `charts/<name>-<version>.tgz`.
fn vendored(dir: &Path, name: &str) -> bool {
    let charts = dir.join("charts");
    charts.join(name).join("Chart.yaml").is_file()
        || std::fs::read_dir(&charts).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(&format!("{name}-")) && n.ends_with(".tgz")
            })
        })
}

/// The subchart's view of one values layer: its `<key>:` subtree, with `global:` beside it.
fn subchart_layers(file: &Arc<SourceFile>, root: &Node, key: &str) -> Vec<ValuesLayer> {
    let mut out = Vec::new();
    if let Some(global) = root.entry("global").filter(|e| e.value.as_map().is_some()) {
        let span = global.key.span;
        out.push(ValuesLayer {
            file: file.clone(),
            root: map(span, vec![entry("global", span, global.value.clone())]),
        });
    }
    if let Some(sub) = root.get(key).filter(|n| n.as_map().is_some()) {
        out.push(ValuesLayer {
            file: file.clone(),
            root: sub.clone(),
        });
    }
    out
}
