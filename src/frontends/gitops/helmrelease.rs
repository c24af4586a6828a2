//! Flux `HelmRelease` (helm.toolkit.fluxcd.io/v2) lowered into the release fact.
//!
//! - chart: `spec.chart.spec.chart` from a `GitRepository` (a directory of this tree, tried
//!   against the object's directory and its parents); a chart of a `HelmRepository` or
//!   `spec.chartRef` that the tree holds under the same name and a matching version
//!   ([`super::flux_chart`]); else a remote chart for the chart packs;
//! - namespace: `spec.targetNamespace`, else `metadata.namespace`;
//! - release name: `spec.releaseName`, else `<targetNamespace>-<name>` when a target namespace is
//!   set, else `<name>`, shortened past 53 characters as helm-controller does (the first 40, `-`,
//!   and 12 hex digits of the SHA-256 of the whole name);
//! - values: `spec.valuesFrom` ConfigMaps and Secrets of the tree in order
//!   ([`super::values_from`]), then `spec.values` (highest precedence).
//!   A `spec.values` that is wholly a deploy-time placeholder is not read (IRSA053).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::deploy_time::placeholder_values;
use super::flux_chart::{TreeCharts, Wanted};
use super::values_from::{self, ValuesObjects};
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
pub fn read(
    file: &Arc<SourceFile>,
    roots: &[PathBuf],
    index: &ValuesObjects,
    charts: &TreeCharts,
) -> (Vec<HelmRelease>, Vec<Finding>) {
    let mut releases = Vec::new();
    let mut findings = Vec::new();
    for doc in yaml::parse(&file.text).documents {
        let root = &doc.root;
        let is_release = root.str_at(&["kind"]) == Some("HelmRelease")
            && root
                .str_at(&["apiVersion"])
                .is_some_and(|a| a.starts_with("helm.toolkit.fluxcd.io/"));
        if is_release {
            let sources = Sources {
                roots,
                index,
                charts,
            };
            if let Some(r) = release(file, root, &sources, &mut findings) {
                releases.push(r);
            }
        }
    }
    (releases, findings)
}

/// Where a release's chart and values are looked up.
struct Sources<'a> {
    roots: &'a [PathBuf],
    index: &'a ValuesObjects,
    charts: &'a TreeCharts,
}

fn release(
    file: &Arc<SourceFile>,
    root: &Node,
    sources: &Sources,
    findings: &mut Vec<Finding>,
) -> Option<HelmRelease> {
    let index = sources.index;
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
        (None, target) => {
            let composed = match target.and_then(Node::as_str) {
                Some(t) => format!("{t}-{name}"),
                None => name.clone(),
            };
            let value = shorten(&composed);
            let mut why = Vec::new();
            if target.is_some() {
                why.push(format!(
                    "Flux: no `releaseName`, so `<targetNamespace>-<name>` = `{composed}`"
                ));
            }
            if value != composed {
                why.push(format!(
                    "longer than 53 characters, so helm-controller shortens it to `{value}`"
                ));
            }
            Setting {
                value,
                place: Some(place(name_node)),
                decided: if why.is_empty() {
                    Decided::Written
                } else {
                    Decided::Derived(why.join("; "))
                },
            }
        }
    };
    let chart = chart_source(file, root, sources, findings)?;
    let mut values = Vec::new();
    if let Some(from) = root.path(&["spec", "valuesFrom"]) {
        let ns = own_ns.and_then(Node::as_str).unwrap_or("default");
        values.extend(values_from::layers(file, &name, ns, from, index, findings));
    }
    let mut unknown_values = Vec::new();
    if let Some(v) = root.path(&["spec", "values"]) {
        let object = format!("HelmRelease `{name}`");
        if let Some((place, note)) = placeholder_values(file, v, &object, "spec.values") {
            unknown_values.push(place);
            findings.push(note);
        } else if v.as_map().is_some() {
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
        unknown_values,
    })
}

/// helm-controller's release name limit: past 53 characters, the first 40, `-`, and the first 12
/// hex digits of the name's SHA-256.
fn shorten(name: &str) -> String {
    use sha2::Digest;
    if name.len() <= 53 {
        return name.to_string();
    }
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let keep = name
        .char_indices()
        .map(|(i, _)| i)
        .take_while(|&i| i <= 40)
        .last()
        .unwrap_or(0);
    format!("{}-{}", &name[..keep], &hex[..12])
}

fn chart_source(
    file: &Arc<SourceFile>,
    root: &Node,
    sources: &Sources,
    findings: &mut Vec<Finding>,
) -> Option<ChartSource> {
    let roots = sources.roots;
    let namespace = root.str_at(&["metadata", "namespace"]).unwrap_or("default");
    if let Some(r) = root.path(&["spec", "chartRef"]) {
        let at = Location::new(file, r.span);
        let in_tree = sources
            .charts
            .chart_ref(r, namespace, at)
            .and_then(|w| sources.charts.find(&w, findings));
        if let Some(local) = in_tree {
            return Some(local);
        }
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
        let wanted = Wanted {
            via: format!(
                "{} `{}`",
                if kind.is_empty() {
                    "HelmRepository"
                } else {
                    kind
                },
                spec.str_at(&["sourceRef", "name"]).unwrap_or("")
            ),
            name: chart.to_string(),
            version: spec.str_at(&["version"]).map(str::to_string),
            at: Location::new(file, chart_node.span),
        };
        if let Some(local) = sources.charts.find(&wanted, findings) {
            return Some(local);
        }
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
                Finding::new(&crate::diagnostics::input::SourceNotInTree::META, format!("HelmRelease chart `{chart}` from {kind} is not a chart directory in the linted tree; not rendered"))
                    .at(Location::new(file, chart_node.span)),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn release_names_past_53_characters_are_shortened_as_helm_controller_does() {
        assert_eq!(shorten("shop-carts"), "shop-carts");
        let long = "observability-production-eu-west-1-opentelemetry-collector";
        // `printf %s NAME | sha256sum` starts with 8eae97b6cebe.
        assert_eq!(
            shorten(long),
            "observability-production-eu-west-1-opent-8eae97b6cebe"
        );
    }
}
