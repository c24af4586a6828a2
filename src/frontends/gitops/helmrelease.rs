//! Flux `HelmRelease` (helm.toolkit.fluxcd.io/v2) lowered into the release fact.
//!
//! - chart: `spec.chart.spec.chart` from a `GitRepository` (a directory of this tree, tried
//!   against the object's directory and its parents), else a remote chart (`HelmRepository`,
//!   `spec.chartRef`) for the chart packs;
//! - namespace: `spec.targetNamespace`, else `metadata.namespace`;
//! - release name: `spec.releaseName`, else `<targetNamespace>-<name>` when a target namespace is
//!   set, else `<name>`, as helm-controller computes it;
//! - values: `spec.values` (highest precedence; `valuesFrom` is not read yet, and says so).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location, ObjectRef};
use crate::diagnostics::input::InputError;
use crate::facts::release::{
    ChartSource, Decided, HelmRelease, Place, ReleaseOrigin, Setting, ValuesLayer,
};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node};

/// Whether a text may hold a HelmRelease (cheap test before parsing).
pub fn may_hold(text: &str) -> bool {
    text.contains("helm.toolkit.fluxcd.io/")
}

/// The HelmReleases of one file, and what could not be read.
pub fn read(file: &Arc<SourceFile>, roots: &[PathBuf]) -> (Vec<HelmRelease>, Vec<Finding>) {
    let mut releases = Vec::new();
    let mut findings = Vec::new();
    for doc in yaml::parse(&file.text).documents {
        let root = &doc.root;
        let is_release = root.str_at(&["kind"]) == Some("HelmRelease")
            && root
                .str_at(&["apiVersion"])
                .is_some_and(|a| a.starts_with("helm.toolkit.fluxcd.io/"));
        if is_release {
            if let Some(r) = release(file, root, roots, &mut findings) {
                releases.push(r);
            }
        }
    }
    (releases, findings)
}

fn release(
    file: &Arc<SourceFile>,
    root: &Node,
    roots: &[PathBuf],
    findings: &mut Vec<Finding>,
) -> Option<HelmRelease> {
    let place = |n: &Node| Place::new(file, n.span);
    let name_node = root.path(&["metadata", "name"])?;
    let name = name_node.as_str()?.to_string();
    let target = root
        .path(&["spec", "targetNamespace"])
        .filter(|n| n.as_str().is_some());
    let own_ns = root
        .path(&["metadata", "namespace"])
        .filter(|n| n.as_str().is_some());
    let namespace = match (target, own_ns) {
        (Some(n), _) | (None, Some(n)) => Setting::written(n.as_str()?, place(n)),
        _ => Setting::default(
            "default",
            "Flux: the HelmRelease's namespace (not written; `default` assumed)",
        ),
    };
    let release_name = match (
        root.path(&["spec", "releaseName"])
            .and_then(|n| Some((n, n.as_str()?))),
        target,
    ) {
        (Some((n, v)), _) => Setting::written(v, place(n)),
        (None, Some(t)) => Setting {
            value: format!("{}-{name}", t.as_str()?),
            place: Some(place(name_node)),
            decided: Decided::Derived(format!(
                "Flux: no `releaseName`, so `<targetNamespace>-<name>` = `{}-{name}`",
                t.as_str()?
            )),
        },
        (None, None) => Setting::written(name.clone(), place(name_node)),
    };
    let chart = chart_source(file, root, roots, findings)?;
    let mut values = Vec::new();
    if let Some(v) = root.path(&["spec", "values"]) {
        if v.as_map().is_some() {
            values.push(ValuesLayer {
                file: file.clone(),
                root: v.clone(),
            });
        } else if !v.is_null() {
            findings.push(
                Finding::new(
                    &InputError::META,
                    format!("HelmRelease `{name}`: `spec.values` is not a mapping of values"),
                )
                .at(Location::new(file, v.span)),
            );
        }
    }
    if let Some(from) = root.path(&["spec", "valuesFrom"]) {
        findings.push(
            Finding::new(&InputError::META, format!("HelmRelease `{name}`: `valuesFrom` is not read; only `spec.values` was applied"))
                .at(Location::new(file, from.span))
                .severity(crate::diagnostics::finding::Severity::Note),
        );
    }
    Some(HelmRelease {
        origin: ReleaseOrigin {
            place: place(name_node),
            object: ObjectRef::new("HelmRelease", own_ns.and_then(Node::as_str), &name),
            frontend: "flux",
        },
        release_name,
        namespace,
        chart,
        values,
        set: Vec::new(),
    })
}

fn chart_source(
    file: &Arc<SourceFile>,
    root: &Node,
    roots: &[PathBuf],
    findings: &mut Vec<Finding>,
) -> Option<ChartSource> {
    if let Some(r) = root.path(&["spec", "chartRef"]) {
        return Some(ChartSource::Remote {
            repo: None,
            name: r.str_at(&["name"])?.to_string(),
            version: None,
            place: Some(Place::new(file, r.span)),
        });
    }
    let spec = root.path(&["spec", "chart", "spec"])?;
    let chart_node = spec.get("chart")?;
    let chart = chart_node.as_str()?;
    let kind = spec.str_at(&["sourceRef", "kind"]).unwrap_or("");
    if kind != "GitRepository" && kind != "Bucket" {
        return Some(ChartSource::Remote {
            repo: spec.str_at(&["sourceRef", "name"]).map(str::to_string),
            name: chart.to_string(),
            version: spec.str_at(&["version"]).map(str::to_string),
            place: Some(Place::new(file, chart_node.span)),
        });
    }
    let base = file.path.parent().unwrap_or(Path::new("."));
    let found = base
        .ancestors()
        .map(|a| crate::frontends::kustomize::model::normalize(&a.join(chart)))
        .find(|d| d.join("Chart.yaml").is_file());
    match found {
        Some(dir)
            if dir
                .canonicalize()
                .is_ok_and(|c| roots.iter().any(|r| c.starts_with(r))) =>
        {
            let display = dir.to_string_lossy().trim_start_matches("./").to_string();
            Some(ChartSource::Local { dir, display })
        }
        _ => {
            findings.push(
                Finding::new(&InputError::META, format!("HelmRelease chart `{chart}` from {kind} is not a chart directory in the linted tree; not rendered"))
                    .at(Location::new(file, chart_node.span))
                    .severity(crate::diagnostics::finding::Severity::Warning),
            );
            None
        }
    }
}
