//! Kustomize: every deployable kustomization (one no other kustomization in the tree uses) is
//! built with the user's kustomize (or `kubectl kustomize`), its output classified like any
//! manifest, and findings traced back to the overlay line, patch or base that decided them. A
//! build that fails falls back to a static walk of the chain (`eval`), with one warning.

pub mod eval;
pub mod flux_dir;
pub mod flux_overlay;
pub mod helm_charts;
mod inert;
pub mod model;
mod partial;
mod patch;
pub mod subst;
pub mod trace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::{
    ChartNotRendered, KustomizationError, KustomizeNotBuilt, SourceNotInTree,
};
use crate::facts::Classified;
use crate::frontends::discover::Input;
use crate::frontends::manifest::classify;
use crate::frontends::runner::{self, RunError};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml;
use model::{normalize, Graph};

/// How to run kustomize.
#[derive(Debug, Clone)]
pub struct KustomizeOptions {
    /// `--kustomize PATH` (a kustomize binary, or kubectl).
    pub bin: Option<PathBuf>,
    pub timeout: Duration,
    /// The helm binary for `helmCharts:` (`--enable-helm --helm-command`).
    pub helm: PathBuf,
    /// `--no-render`: walk chains statically.
    pub no_render: bool,
}

/// The kustomizations of a run: the graph, the units and the files they consume.
pub struct Plan {
    graph: Graph,
    pub units: Vec<PathBuf>,
    roots: Vec<PathBuf>,
    displays: BTreeMap<PathBuf, String>,
}

impl Plan {
    /// Find every kustomization among the discovered files; `paths` are the linted trees.
    pub fn new(inputs: &[Input], paths: &[PathBuf]) -> Plan {
        let roots: Vec<PathBuf> = paths
            .iter()
            .filter_map(|p| p.canonicalize().ok())
            .map(|p| {
                if p.is_dir() {
                    p
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or(p)
                }
            })
            .collect();
        let mut dirs = Vec::new();
        for input in inputs {
            let Input::File { path, display } = input else {
                continue;
            };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if model::KUSTOMIZATION_FILES.contains(&name) {
                let dir = path.parent().unwrap_or(Path::new("."));
                let shown = Path::new(display)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| ".".into());
                dirs.push((
                    if dir.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        dir.to_path_buf()
                    },
                    shown,
                ));
            }
        }
        let graph = Graph::build(&dirs, &roots);
        let displays = dirs.into_iter().map(|(d, s)| (normalize(&d), s)).collect();
        let units = graph.units();
        Plan {
            graph,
            units,
            roots,
            displays,
        }
    }

    /// Whether a discovered file is read through a unit rather than on its own.
    pub fn consumes(&self, path: &Path) -> bool {
        !self.graph.consumed.is_empty() && self.graph.consumed.contains(&normalize(path))
    }

    /// Chart directories that kustomizations inflate through `helmCharts:` (under
    /// `helmGlobals.chartHome`, default `charts`), canonical: they are linted through the unit's
    /// build, with its values, not again on their own with their defaults.
    pub fn helm_chart_dirs(&self) -> std::collections::HashSet<PathBuf> {
        let mut out = std::collections::HashSet::new();
        for k in self.graph.nodes.values() {
            let Some(charts) = k.root.get("helmCharts").and_then(yaml::Node::as_seq) else {
                continue;
            };
            let home = k
                .root
                .str_at(&["helmGlobals", "chartHome"])
                .unwrap_or("charts");
            for chart in charts {
                let Some(name) = chart.str_at(&["name"]) else {
                    continue;
                };
                let dir = k.dir.join(home).join(name);
                if let Ok(real) = dir.canonicalize() {
                    if self.roots.iter().any(|r| real.starts_with(r)) {
                        out.insert(real);
                    }
                }
            }
        }
        out
    }

    /// Whether `dir` (normalized) is a unit of this run.
    pub fn is_unit(&self, dir: &Path) -> bool {
        self.units.iter().any(|u| u == dir)
    }

    pub fn display(&self, dir: &Path) -> String {
        self.displays
            .get(dir)
            .cloned()
            .unwrap_or_else(|| dir.to_string_lossy().into_owned())
    }
}

/// What building one unit produced.
pub struct UnitResult {
    /// Build and chain findings (not traced; they point at real lines already).
    pub findings: Vec<Finding>,
    pub built: Arc<SourceFile>,
    pub classified: Classified,
    /// The files of the chain, for snippets.
    pub files: Vec<Arc<SourceFile>>,
    pub unit: trace::BuiltUnit,
    /// `helmCharts:` of charts not in the tree, when the build failed: resolved with the
    /// run's other releases (chart packs).
    pub releases: Vec<crate::facts::release::HelmRelease>,
}

/// The command that builds a unit: `--kustomize` (kustomize, or kubectl), else `kustomize build`
/// on PATH, else `kubectl kustomize`.
fn command(opts: &KustomizeOptions) -> (PathBuf, &'static str) {
    let sub = |bin: &Path| {
        let name = bin.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("kubectl") {
            "kustomize"
        } else {
            "build"
        }
    };
    if let Some(bin) = &opts.bin {
        return (bin.clone(), sub(bin));
    }
    let kustomize = runner::find_binary(None, None, "kustomize");
    if !runner::is_available(&kustomize) && runner::is_available(Path::new("kubectl")) {
        return (PathBuf::from("kubectl"), "kustomize");
    }
    (kustomize, "build")
}

/// Why a build did not produce output, in one sentence.
fn describe(bin: &Path, e: RunError) -> String {
    let name = bin.file_name().map_or_else(
        || bin.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    match e {
        RunError::NotStarted(why) => format!("no kustomize could be run ({why}); install kustomize or kubectl, or pass --kustomize PATH"),
        RunError::Failed(stderr) => format!("{name} failed: {}", trim(&klog_message(&stderr))),
        RunError::TimedOut(d) => format!("{name} did not finish within {}s (--render-timeout)", d.as_secs()),
    }
}

/// Stderr as quoted in a finding: trimmed and cut at a readable length.
fn trim(text: &str) -> String {
    const LIMIT: usize = 1200;
    let text = text.trim();
    match text.char_indices().nth(LIMIT) {
        Some((i, _)) => format!("{} …", &text[..i]),
        None => text.to_string(),
    }
}

/// Build (or walk) one unit and classify what it produces, with what the Flux Kustomizations
/// that apply it add (their patches and other overlays, then their substitutions).
pub fn lint_unit(
    plan: &Plan,
    dir: &Path,
    opts: &KustomizeOptions,
    flux: &flux_dir::FluxApplied,
) -> UnitResult {
    let display = plan.display(dir);
    let mut evaluated = eval::evaluate(&plan.graph, dir, &plan.roots);
    let flux_findings = flux.apply_to_chain(&plan.roots, &mut evaluated);
    let kfile = plan.graph.nodes.get(dir).map(|k| k.file.clone());
    let kfile = kfile.unwrap_or_else(|| Arc::new(SourceFile::new(dir, display.clone(), "")));
    let mut findings = Vec::new();
    let mut releases = Vec::new();
    let uses_helm = evaluated
        .not_applied
        .iter()
        .any(|n| n.contains("helmChart"));
    let outcome = if evaluated.cycle
        && !evaluated
            .not_applied
            .iter()
            .any(|n| n.starts_with("remote"))
    {
        Err("the chain has a cycle".to_string())
    } else if opts.no_render {
        Err("building disabled by --no-render".to_string())
    } else {
        let (bin, sub) = command(opts);
        let mut args: Vec<String> = vec![sub.into(), build_path(dir)];
        if uses_helm && runner::is_available(&opts.helm) {
            args.extend([
                "--enable-helm".into(),
                "--helm-command".into(),
                opts.helm.to_string_lossy().into_owned(),
            ]);
        }
        runner::run(&bin, &args, None, opts.timeout).map_err(|e| describe(&bin, e))
    };
    let built_text = match outcome {
        Ok(text) => flux.apply_to_output(&plan.roots, dir, text),
        Err(why) => {
            for p in &evaluated.problems {
                findings.push(
                    Finding::new(&KustomizationError::META, p.message.clone())
                        .at(Location::new(&p.loc.file, p.loc.span)),
                );
            }
            let (remote, unread) = helm_charts::remote_releases(&plan.graph, dir);
            releases = remote;
            for p in unread {
                findings.push(
                    Finding::new(&ChartNotRendered::META, p.message)
                        .at(Location::new(&p.loc.file, p.loc.span)),
                );
            }
            for p in &evaluated.unfetched {
                findings.push(
                    Finding::new(&SourceNotInTree::META, p.message.clone())
                        .at(Location::new(&p.loc.file, p.loc.span)),
                );
            }
            for p in &evaluated.generated {
                findings.push(
                    Finding::new(&KustomizationError::META, p.message.clone())
                        .at(Location::new(&p.loc.file, p.loc.span))
                        .severity(crate::diagnostics::finding::Severity::Note),
                );
            }
            let mut not_applied: Vec<String> = evaluated.not_applied.iter().cloned().collect();
            if not_applied.is_empty() {
                not_applied.push("nothing else".into());
            }
            findings.push(
                Finding::new(
                    &KustomizeNotBuilt::META,
                    format!(
                        "kustomization `{display}` was not built: {why}; linted statically (resources, namespace, namePrefix/nameSuffix, commonAnnotations, patches); not applied: {}",
                        not_applied.join(", ")
                    ),
                )
                .at(Location::file(&kfile))
                .help("install kustomize or kubectl (or pass --kustomize PATH), and vendor remote bases"),
            );
            eval::to_stream(&evaluated.resources)
        }
    };
    findings.extend(flux_findings);
    let (text, _unresolved) = subst::substitute(&built_text, &flux.vars);
    let built = Arc::new(SourceFile::new(
        dir,
        format!("{display} (kustomize build)"),
        text,
    ));
    let mut classified = Classified::default();
    let stream = yaml::parse(&built.text);
    if let Some(e) = &stream.error {
        findings.push(
            Finding::new(
                &KustomizeNotBuilt::META,
                format!(
                    "the output of kustomization `{display}` is not YAML: {}",
                    e.message
                ),
            )
            .at(Location::file(&kfile)),
        );
    }
    classify(&built, &stream, &mut classified);
    let unit = trace::BuiltUnit::new(display, built.clone(), evaluated.resources);
    let mut files = evaluated.files;
    files.sort_by(|a, b| a.display.cmp(&b.display));
    files.dedup_by(|a, b| a.display == b.display);
    UnitResult {
        findings,
        built,
        classified,
        files,
        unit,
        releases,
    }
}

/// The directory argument of the build: a unit at the working directory normalizes to an empty
/// path, which kustomize refuses.
fn build_path(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.to_string_lossy().into_owned()
    }
}

/// kubectl wraps errors in a klog line (`E1201 … "command failed" err="…"`): the message only.
fn klog_message(stderr: &str) -> String {
    if let Some((_, rest)) = stderr.split_once(" err=<") {
        let lines: Vec<&str> = rest
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != ">")
            .collect();
        return lines.join(" ");
    }
    match stderr.split_once(" err=\"") {
        Some((_, rest)) => rest
            .trim_end()
            .trim_end_matches('"')
            .replace("\\\"", "\"")
            .replace("\\\\", "\\"),
        None => stderr.to_string(),
    }
}
