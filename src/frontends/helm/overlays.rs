//! A chart's values files besides `values.yaml`: overlays users deploy with. chart-testing's
//! `ci/*-values.yaml` are rendered once each, as `ct lint` does; any other `*values*.yaml` beside
//! `Chart.yaml` (`values-prod.yaml`, `example-values-queue.yaml`) and `examples/*values*.yaml`
//! are checked statically against the chart: with its chart pack when there is one (the
//! ServiceAccounts it makes from those values), and by the value rules and rule packs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::finding::ObjectRef;
use crate::diagnostics::input::input_finding;
use crate::facts::release::{ChartSource, HelmRelease, Place, ReleaseOrigin, Setting, ValuesLayer};
use crate::frontends::release::chartpack::{self, ChartPacks};
use crate::frontends::release::Resolved;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, Span};

/// How a values file of a chart is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// `values.yaml`: the chart's defaults (linted with the chart).
    Defaults,
    /// `ci/*-values.yaml`: rendered with the chart, once per file.
    Ci,
    /// Any other values file: checked statically.
    Static,
}

/// Whether a file name is a values file (`*values*.yaml`/`.yml`).
fn is_values_name(name: &str) -> bool {
    (name.ends_with(".yaml") || name.ends_with(".yml")) && name.contains("values")
}

/// What a values file at `path` is to the chart at `chart`, if it is one.
pub fn overlay_kind(chart: &Path, path: &Path) -> Option<Overlay> {
    let name = path.file_name()?.to_str()?;
    if !is_values_name(name) {
        return None;
    }
    let rel = path.strip_prefix(chart).ok()?;
    let parent = rel.parent().and_then(Path::to_str).unwrap_or("");
    match parent {
        "" if name == "values.yaml" || name == "values.yml" => Some(Overlay::Defaults),
        "ci" if name.ends_with("-values.yaml") => Some(Overlay::Ci),
        "" | "ci" | "examples" => Some(Overlay::Static),
        _ => None,
    }
}

/// The chart a values file given by path belongs to: its directory, or the nearest parent with
/// a `Chart.yaml`.
pub fn chart_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if !is_values_name(name) {
        return None;
    }
    let dir = path.parent()?;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let chart = dir
        .ancestors()
        .take(3)
        .find(|d| crate::frontends::discover::is_chart_dir(d))?;
    overlay_kind(chart, path).map(|_| chart.to_path_buf())
}

/// The overlays of a chart directory, sorted: (path, kind).
pub fn overlays(dir: &Path) -> Vec<(PathBuf, Overlay)> {
    let mut out = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("ci"), dir.join("examples")] {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            match overlay_kind(dir, &path) {
                Some(Overlay::Defaults) | None => {}
                Some(kind) => out.push((path, kind)),
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The chart's name (Chart.yaml `name`, else its directory's).
pub fn chart_name(dir: &Path) -> String {
    read_text(&dir.join("Chart.yaml"), DEFAULT_MAX_FILE_SIZE)
        .ok()
        .and_then(|t| {
            let stream = yaml::parse(&t);
            stream
                .documents
                .first()?
                .root
                .str_at(&["name"])
                .map(str::to_string)
        })
        .unwrap_or_else(|| {
            dir.file_name()
                .map_or("chart".into(), |n| n.to_string_lossy().into())
        })
}

/// Whether the chart at `dir` has a chart pack (its values files are then checked statically).
pub fn has_pack(dir: &Path) -> bool {
    ChartPacks::builtin().find(&chart_name(dir)).is_some()
}

/// Check one values file statically with the chart's pack: the ServiceAccounts the chart makes
/// from it, its value keys, the rule packs. `None` when the file is not a mapping of values.
pub fn lint_static(dir: &Path, path: &Path, shown: &str) -> Resolved {
    let mut out = Resolved::default();
    let text = match read_text(path, DEFAULT_MAX_FILE_SIZE) {
        Ok(t) => t,
        Err(e) => {
            let file = Arc::new(SourceFile::new(path, shown, ""));
            out.findings.push(input_finding(&file, &e.message, e.pos));
            return out;
        }
    };
    let file = Arc::new(SourceFile::new(path, shown, text));
    let stream = yaml::parse(&file.text);
    if let Some(e) = &stream.error {
        let message = format!("invalid YAML: {}", e.message);
        out.findings
            .push(input_finding(&file, &message, Some(e.pos)));
        return out;
    }
    let root = stream.documents.into_iter().next().map(|d| d.root);
    let Some(root) = root.filter(|r| r.as_map().is_some()) else {
        return out;
    };
    let release = release_of(&chart_name(dir), &file, root);
    chartpack::resolve_remote(&release, &ChartPacks::builtin())
}

/// The values file as a release of the chart (named after it, in `default`), for its pack.
fn release_of(chart: &str, file: &Arc<SourceFile>, root: Node) -> HelmRelease {
    let place = Place::new(file, Span::default());
    HelmRelease {
        origin: ReleaseOrigin {
            place,
            object: ObjectRef::new("values file", None, &file.display),
            frontend: "helm values file",
        },
        release_name: Setting::default(chart, "no release: the chart's name is assumed"),
        namespace: Setting::default("default", "no release: `default` is assumed"),
        chart: ChartSource::Remote {
            repo: None,
            name: chart.to_string(),
            version: None,
            place: None,
        },
        values: vec![ValuesLayer {
            file: file.clone(),
            root,
        }],
        set: Vec::new(),
        unknown_values: Vec::new(),
    }
}
