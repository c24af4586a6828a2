//! `helmCharts:` whose chart is not in the tree (kustomize pulls it from `repo` at build time):
//! when the build fails offline, each entry is lowered to a release of a remote chart, so its
//! `valuesFile`, `additionalValuesFiles` and `valuesInline` are checked with the chart's pack,
//! as a Flux release of that chart is (`frontends::release::chartpack`).
//!
//! As kustomize v5's HelmChartInflationGenerator runs `helm template`: `releaseName` (without
//! one, helm generates a name, so the accounts named after the release are not known), the
//! kustomization's `namespace:` over the entry's `namespace`, and `valuesInline` over
//! `valuesFile` (`valuesMerge: override`, the default), below it (`merge`) or alone (`replace`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::eval::{Loc, Problem};
use super::model::{Graph, Kustomization};
use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{ChartSource, HelmRelease, Place, ReleaseOrigin, Setting, ValuesLayer};
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node};

/// The releases of the remote charts of the chain at `dir`, and what could not be read.
pub fn remote_releases(graph: &Graph, dir: &Path) -> (Vec<HelmRelease>, Vec<Problem>) {
    let mut out = (Vec::new(), Vec::new());
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if seen.contains(&d) {
            continue;
        }
        seen.push(d.clone());
        stack.extend(graph.children(&d));
        let Some(k) = graph.nodes.get(&d) else {
            continue;
        };
        let home = k
            .root
            .str_at(&["helmGlobals", "chartHome"])
            .unwrap_or("charts");
        for entry in k
            .root
            .get("helmCharts")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(name) = entry.get("name").filter(|n| n.as_str().is_some()) else {
                continue;
            };
            let chart = name.as_str().unwrap_or_default();
            if k.dir.join(home).join(chart).join("Chart.yaml").is_file() {
                continue; // vendored: the build renders it, or says why not
            }
            match release(k, entry, name) {
                Ok(r) => out.0.push(r),
                Err(p) => out.1.push(p),
            }
        }
    }
    out
}

fn release(k: &Kustomization, entry: &Node, name: &Node) -> Result<HelmRelease, Problem> {
    let chart = name.as_str().unwrap_or_default().to_string();
    let place = |n: &Node| Place::new(&k.file, n.span);
    let not_read = |why: String| Problem {
        loc: Loc {
            file: k.file.clone(),
            span: name.span,
        },
        message: format!("helmCharts `{chart}` (not in the tree, pulled at build time): {why}"),
    };
    let release_name = match entry.get("releaseName").filter(|n| n.as_str().is_some()) {
        Some(n) => Setting::written(n.as_str().unwrap_or_default(), place(n)),
        None => return Err(not_read("no `releaseName`, so helm generates one at build time and the names of its service accounts are not known; its values were not checked".into())),
    };
    let namespace = match k.field("namespace").or(entry.get("namespace")) {
        Some(n) if n.as_str().is_some() => {
            Setting::written(n.as_str().unwrap_or_default(), place(n))
        }
        _ => Setting::default(
            "default",
            "kustomize: no `namespace` for the chart (`default` assumed)",
        ),
    };
    let mut files = Vec::new();
    for key in ["valuesFile"] {
        if let Some(w) = entry.get(key).and_then(Node::as_str) {
            files.push(values_file(k, w).map_err(not_read)?);
        }
    }
    let mut additional = Vec::new();
    for w in entry
        .get("additionalValuesFiles")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
    {
        additional.push(values_file(k, w).map_err(not_read)?);
    }
    let inline = entry
        .get("valuesInline")
        .filter(|v| v.as_map().is_some())
        .map(|v| ValuesLayer {
            file: k.file.clone(),
            root: v.clone(),
        });
    let mut values = Vec::new();
    match entry.str_at(&["valuesMerge"]).unwrap_or("override") {
        "replace" => values.extend(inline),
        "merge" => {
            values.extend(inline);
            values.extend(files);
        }
        _ => {
            values.extend(files);
            values.extend(inline);
        }
    }
    values.extend(additional);
    Ok(HelmRelease {
        origin: ReleaseOrigin {
            place: place(name),
            object: ObjectRef::new("helmCharts", None, &release_name.value),
            frontend: "kustomize",
        },
        release_name,
        namespace,
        chart: ChartSource::Remote {
            repo: entry.str_at(&["repo"]).map(str::to_string),
            name: chart,
            version: entry.str_at(&["version"]).map(str::to_string),
            place: Some(place(name)),
        },
        values,
        set: Vec::new(),
        unknown_values: Vec::new(),
    })
}

/// A values file of the entry, relative to the kustomization.
fn values_file(k: &Kustomization, written: &str) -> Result<ValuesLayer, String> {
    let path = super::model::normalize(&k.dir.join(written));
    let text = read_text(&path, DEFAULT_MAX_FILE_SIZE)
        .map_err(|e| format!("values file `{written}` was not read ({})", e.message))?;
    let display = super::model::join_display(
        Path::new(&k.file.display)
            .parent()
            .map_or("", |p| p.to_str().unwrap_or("")),
        written,
    );
    let file = Arc::new(SourceFile::new(&path, display, text));
    let stream = yaml::parse(&file.text);
    if let Some(e) = &stream.error {
        return Err(format!(
            "values file `{written}` is not YAML: {}",
            e.message
        ));
    }
    let root = stream
        .documents
        .into_iter()
        .next()
        .map(|d| d.root)
        .filter(|r| r.as_map().is_some())
        .unwrap_or_else(|| super::model::empty_map(Default::default()));
    Ok(ValuesLayer { file, root })
}
