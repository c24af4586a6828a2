//! A Flux `HelmRelease` of a chart published through a `HelmRepository`, an `OCIRepository` or a
//! `HelmChart`, whose source is also in the linted tree: the tree's chart with the same
//! `Chart.yaml` `name` (and a `version` that the release's version or semver range admits) is
//! rendered in its place, and a note says so. Several matching charts: none is rendered, the
//! note names them.
//!
//! Version ranges are read as Flux reads them (Masterminds semver, source-controller v1): a bare
//! version is exact, `1.x`/`1.*`/`~1.2`/`^1.2`/`>=1.0.0 <2.0.0` are ranges, `||` separates
//! alternatives; no version (or `*`) is the latest, which any version admits.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::SourceNotInTree;
use crate::facts::release::ChartSource;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node};

/// The charts of the tree, and the Flux chart sources (`OCIRepository`, `HelmChart`) by name.
#[derive(Default)]
pub struct TreeCharts {
    charts: Vec<TreeChart>,
    sources: BTreeMap<(String, String), Vec<FluxChartSource>>,
}

struct TreeChart {
    dir: PathBuf,
    display: String,
    name: String,
    version: String,
}

/// The chart an `OCIRepository` or `HelmChart` publishes (name and version as it names them).
struct FluxChartSource {
    namespace: Option<String>,
    chart: String,
    version: Option<String>,
}

/// A remote chart a HelmRelease asks for.
pub struct Wanted {
    /// `HelmRepository `podinfo``, `OCIRepository `podinfo``.
    pub via: String,
    pub name: String,
    pub version: Option<String>,
    /// Where the chart is named.
    pub at: Location,
}

impl TreeCharts {
    /// Whether a text may hold a Flux chart source.
    pub fn may_hold(text: &str) -> bool {
        text.contains("source.toolkit.fluxcd.io/")
            && (text.contains("OCIRepository") || text.contains("HelmChart"))
    }

    /// A chart directory of the tree (its `Chart.yaml` unreadable or nameless: left out).
    pub fn add_chart(&mut self, dir: PathBuf, display: &str) {
        let Ok(text) = std::fs::read_to_string(dir.join("Chart.yaml")) else {
            return;
        };
        let stream = yaml::parse(&text);
        let Some(root) = stream.documents.first().map(|d| &d.root) else {
            return;
        };
        if let Some(name) = root.str_at(&["name"]) {
            self.charts.push(TreeChart {
                name: name.to_string(),
                version: root.str_at(&["version"]).unwrap_or_default().to_string(),
                display: display.trim_end_matches('/').to_string(),
                dir,
            });
        }
    }

    /// The `OCIRepository` and `HelmChart` objects of one file.
    pub fn add_sources(&mut self, file: &Arc<SourceFile>) {
        for doc in yaml::parse(&file.text).documents {
            let root = &doc.root;
            if !root
                .str_at(&["apiVersion"])
                .is_some_and(|a| a.starts_with("source.toolkit.fluxcd.io/"))
            {
                continue;
            }
            let (Some(kind), Some(name)) =
                (root.str_at(&["kind"]), root.str_at(&["metadata", "name"]))
            else {
                continue;
            };
            let Some(source) = flux_chart_source(kind, root) else {
                continue;
            };
            self.sources
                .entry((kind.to_string(), name.to_string()))
                .or_default()
                .push(source);
        }
    }

    /// What a `spec.chartRef` names: the chart and version of the `OCIRepository` or `HelmChart`
    /// of the tree it points at.
    pub fn chart_ref(&self, r: &Node, namespace: &str, at: Location) -> Option<Wanted> {
        let kind = r.str_at(&["kind"])?;
        let name = r.str_at(&["name"])?;
        let ns = r.str_at(&["namespace"]).unwrap_or(namespace);
        let all = self.sources.get(&(kind.to_string(), name.to_string()))?;
        let source = all
            .iter()
            .find(|s| s.namespace.as_deref() == Some(ns))
            .or_else(|| all.iter().find(|s| s.namespace.is_none()))?;
        Some(Wanted {
            via: format!("{kind} `{name}`"),
            name: source.chart.clone(),
            version: source.version.clone(),
            at,
        })
    }

    /// The tree's chart for `wanted`, when exactly one matches; the note that says which.
    pub fn find(&self, wanted: &Wanted, findings: &mut Vec<Finding>) -> Option<ChartSource> {
        let matching: Vec<&TreeChart> = self
            .charts
            .iter()
            .filter(|c| c.name == wanted.name)
            .filter(|c| admits(wanted.version.as_deref(), &c.version))
            .collect();
        let version = match &wanted.version {
            Some(v) => format!(" version `{v}`"),
            None => String::new(),
        };
        let message = match matching.as_slice() {
            [] => return None,
            [one] => format!(
                "chart `{}`{version} of {} rendered from `{}/` in the tree (its Chart.yaml has name `{}`, version `{}`); the published chart is not fetched",
                wanted.name, wanted.via, one.display, one.name, one.version
            ),
            several => format!(
                "chart `{}`{version} of {}: several charts in the tree match ({}); none is rendered in its place",
                wanted.name,
                wanted.via,
                several
                    .iter()
                    .map(|c| format!("`{}/` {}", c.display, c.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        findings.push(Finding::new(&SourceNotInTree::META, message).at(wanted.at.clone()));
        let [one] = matching.as_slice() else {
            return None;
        };
        Some(ChartSource::Local {
            dir: one.dir.clone(),
            display: one.display.clone(),
        })
    }
}

/// The chart an `OCIRepository` (the last segment of its `oci://` URL; `spec.ref.tag` or
/// `spec.ref.semver`) or a `HelmChart` of a `HelmRepository` (`spec.chart`, `spec.version`)
/// publishes.
fn flux_chart_source(kind: &str, root: &Node) -> Option<FluxChartSource> {
    let namespace = root.str_at(&["metadata", "namespace"]).map(str::to_string);
    let (chart, version) = match kind {
        "OCIRepository" => {
            let url = root.str_at(&["spec", "url"])?;
            let chart = url.trim_end_matches('/').rsplit('/').next()?;
            let version = root
                .str_at(&["spec", "ref", "tag"])
                .or_else(|| root.str_at(&["spec", "ref", "semver"]));
            (chart.to_string(), version.map(str::to_string))
        }
        "HelmChart" => {
            if root.str_at(&["spec", "sourceRef", "kind"]) != Some("HelmRepository") {
                return None; // a chart path of a GitRepository or Bucket, not a published chart
            }
            let chart = root.str_at(&["spec", "chart"])?;
            let version = root.str_at(&["spec", "version"]);
            (chart.to_string(), version.map(str::to_string))
        }
        _ => return None,
    };
    Some(FluxChartSource {
        namespace,
        chart,
        version,
    })
}

/// Whether the release's version (exact, a range, or none) admits the tree chart's `version`.
pub fn admits(wanted: Option<&str>, version: &str) -> bool {
    let wanted = wanted.map(str::trim).unwrap_or("*");
    if wanted.is_empty() || wanted == "*" || wanted == version {
        return true;
    }
    let Ok(have) = semver::Version::parse(version.trim().trim_start_matches('v')) else {
        return false;
    };
    wanted
        .split("||")
        .any(|alt| requirement(alt).is_some_and(|req| req.matches(&have)))
}

/// One Masterminds constraint (`>= 1.2 < 2`, `1.2.3`, `v1.x`) as a `semver` requirement.
fn requirement(alt: &str) -> Option<semver::VersionReq> {
    let mut parts: Vec<String> = Vec::new();
    let mut pending_op = String::new();
    for token in alt.split([' ', ',']).filter(|t| !t.is_empty()) {
        let op_len = token
            .find(|c: char| !matches!(c, '=' | '<' | '>' | '~' | '^' | '!'))
            .unwrap_or(token.len());
        let (op, version) = token.split_at(op_len);
        let op = format!("{pending_op}{op}");
        if version.is_empty() {
            pending_op = op; // `>= 1.2`: the operator stands apart
            continue;
        }
        pending_op.clear();
        let version = version.trim_start_matches('v');
        let wildcard = version.contains(['x', 'X', '*']);
        // Masterminds reads a bare version as exact, the `semver` crate as a caret range.
        let op = if op.is_empty() && !wildcard {
            "=".to_string()
        } else {
            op
        };
        parts.push(format!("{op}{version}"));
    }
    semver::VersionReq::parse(&parts.join(", ")).ok()
}

#[cfg(test)]
mod tests {
    use super::admits;

    #[test]
    fn versions_are_admitted_as_flux_reads_them() {
        assert!(admits(None, "0.1.0"));
        assert!(admits(Some("*"), "0.1.0"));
        assert!(admits(Some("0.1.0"), "0.1.0"));
        assert!(!admits(Some("0.1.0"), "0.1.1"));
        assert!(admits(Some(">=0.1.0"), "0.2.0"));
        assert!(admits(Some(">= 0.1.0 < 1.0.0"), "0.2.0"));
        assert!(!admits(Some(">= 0.1.0 < 1.0.0"), "1.2.0"));
        assert!(admits(Some("0.x"), "0.4.2"));
        assert!(!admits(Some("1.x"), "0.4.2"));
        assert!(admits(Some("~1.2"), "1.2.9"));
        assert!(admits(Some("<1.0.0 || >=3.0.0"), "3.1.0"));
        assert!(admits(Some("v1.2.3"), "1.2.3"));
        assert!(!admits(Some("1.2.3"), "not-semver"));
    }
}
