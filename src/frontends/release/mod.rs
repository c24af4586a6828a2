//! Resolving a [`HelmRelease`] fact into the ordinary facts: render a chart in the tree with the
//! user's helm, or compute a remote chart's ServiceAccount from its chart pack.
//!
//! Front-ends (Terraform `helm_release`, Flux, Argo CD, helmfile) build the fact and call
//! [`resolve`]; the [`Resolved`] they get back goes into a lint unit like a chart's render
//! ([`Resolved::into_workspace`]), so every rule applies unchanged and findings land on the
//! user's line.

pub mod chartpack;
pub mod fullname;
pub mod merge;
pub mod synth;

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::facts::release::{ChartSource, HelmRelease, UnlistedAccounts};
use crate::facts::ChartInput;
use crate::facts::Classified;
use crate::facts::Workspace;
use crate::frontends::helm::HelmOptions;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// What resolving needs besides the release.
pub struct ResolveOptions<'a> {
    /// The helm binary, timeout, kube version and api versions (release name, namespace and
    /// values come from the release, not from here).
    pub helm: &'a HelmOptions,
    pub packs: &'a chartpack::ChartPacks,
}

/// The facts a release produced.
#[derive(Default)]
pub struct Resolved {
    /// Render failures, missing packs and value-key findings.
    pub findings: Vec<Finding>,
    /// Files that findings may point into (rendered templates, the user's values files).
    pub files: Vec<Arc<SourceFile>>,
    /// What each rendered (or synthesized) file holds.
    pub classified: Vec<(Arc<SourceFile>, Classified)>,
    /// The chart and its values layers, for value tracing and rule packs.
    pub chart: Option<ChartInput>,
    /// Set when the release's service accounts could not all be listed.
    pub unlisted: Option<UnlistedAccounts>,
}

impl Resolved {
    /// One lint unit's workspace (keep it whole: value tracing reads rendered texts back).
    pub fn into_workspace(self) -> (Vec<Finding>, Workspace) {
        let mut ws = Workspace::default();
        for (file, c) in self.classified {
            ws.absorb(file, c);
        }
        ws.files.extend(self.files);
        ws.charts.extend(self.chart.map(Arc::new));
        ws.unlisted_accounts.extend(self.unlisted);
        (self.findings, ws)
    }
}

/// Turn one release into facts.
pub fn resolve(release: &HelmRelease, opts: &ResolveOptions) -> Resolved {
    let mut out = match &release.chart {
        ChartSource::Local { dir, display } => render_local(release, dir, display, opts),
        ChartSource::Remote { .. } => chartpack::resolve_remote(release, opts.packs),
    };
    let not_rendered = crate::diagnostics::input::ChartNotRendered::META.code;
    // Without its chart, or without values set at deploy time, the names are not all known.
    if out.findings.iter().any(|f| f.code == not_rendered) || !release.unknown_values.is_empty() {
        out.unlisted = Some(unlisted(release));
    }
    out
}

/// The release's accounts, as not listed.
fn unlisted(release: &HelmRelease) -> UnlistedAccounts {
    UnlistedAccounts {
        namespace: Some(release.namespace.value.clone()),
        creator: format!(
            "release `{}` (chart `{}`)",
            release.release_name.value,
            release.chart_name()
        ),
    }
}

/// Render a chart of the tree with the release's name, namespace and values.
fn render_local(
    release: &HelmRelease,
    dir: &std::path::Path,
    display: &str,
    opts: &ResolveOptions,
) -> Resolved {
    let layers = merge::user_layers(release);
    let mut out = Resolved::default();
    let temp = match TempValues::write(&layers) {
        Ok(t) => t,
        Err(e) => {
            out.findings.push(
                Finding::new(
                    &crate::diagnostics::input::ChartNotRendered::META,
                    format!("chart `{display}` of release `{}` was not rendered: cannot write its values for helm: {e}", release.release_name.value),
                )
                .at(release.origin.place.location()),
            );
            return out;
        }
    };
    let helm = HelmOptions {
        release_name: Some(release.release_name.value.clone()),
        namespace: Some(release.namespace.value.clone()),
        values: temp.paths.clone(),
        set: Vec::new(),
        set_string: Vec::new(),
        declared_by: Some(release.declared_by()),
        declared_at: Some(release.origin.place.clone()),
        ..opts.helm.clone()
    };
    let chart = crate::frontends::helm::lint_chart_with(dir, display, &helm, Some(layers));
    drop(temp);
    let origin = release.origin.place.location().with_message(format!(
        "release `{}` ({}) declared here",
        release.release_name.value, release.origin.frontend
    ));
    out.findings = chart
        .findings
        .into_iter()
        .map(|f| with_origin(f, &origin))
        .collect();
    out.files = chart.files;
    out.files.push(release.origin.place.file.clone());
    out.classified = chart.rendered;
    out.chart = Some(chart.input);
    out
}

/// A render failure is about the release: say where it is declared.
fn with_origin(f: Finding, origin: &Location) -> Finding {
    if f.code == crate::diagnostics::input::ChartNotRendered::META.code {
        f.related(origin.clone())
    } else {
        f
    }
}

/// The release's values layers written as JSON files for `helm -f`, removed on drop.
struct TempValues {
    dir: PathBuf,
    paths: Vec<PathBuf>,
}

impl TempValues {
    fn write(layers: &[(Arc<SourceFile>, Node)]) -> std::io::Result<TempValues> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let unique = format!(
            "kubectl-irsa-release-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&dir)?;
        let mut temp = TempValues {
            dir,
            paths: Vec::new(),
        };
        for (i, (_, root)) in layers.iter().enumerate() {
            let path = temp.dir.join(format!("values-{i}.json"));
            std::fs::write(&path, root.to_json().to_string())?;
            temp.paths.push(path);
        }
        Ok(temp)
    }
}

impl Drop for TempValues {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A release's chart as a plan, state or stack export records it: a directory with a
/// `Chart.yaml` beside `file` (inside its directory, never out of it), else a repository or OCI
/// chart for the packs.
pub fn chart_beside(
    file: &Arc<SourceFile>,
    chart: &str,
    repository: Option<&str>,
    version: Option<&str>,
    at: &Node,
) -> ChartSource {
    if repository.is_none() && !chart.starts_with("oci://") {
        let base = file.path.parent().filter(|p| !p.as_os_str().is_empty());
        let base = base.unwrap_or(std::path::Path::new("."));
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
    // `repo/name` (a repository alias) or a bare name.
    ChartSource::Remote {
        repo: repository
            .map(str::to_string)
            .or_else(|| chart.starts_with("oci://").then(|| chart.to_string())),
        name: chart.rsplit('/').next().unwrap_or(chart).to_string(),
        version: version.map(str::to_string),
        place: Some(crate::facts::release::Place::new(file, at.span)),
    }
}
