//! Releases declared in the tree (helmfile, Flux HelmReleases, Argo CD Applications and
//! ApplicationSets): read them before charts are linted, so a
//! chart that a release installs is linted once, through the release, with its values.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::facts::release::{ChartSource, HelmRelease};
use crate::facts::Workspace;
use crate::frontends::discover::Input;
use crate::frontends::helm::HelmOptions;
use crate::frontends::release::chartpack::ChartPacks;
use crate::frontends::release::{resolve, ResolveOptions};
use crate::syntax::source::{read_text, SourceFile};

/// The releases found, with what reading them reported.
#[derive(Default)]
pub struct Releases {
    pub releases: Vec<HelmRelease>,
    pub findings: Vec<Finding>,
    pub files: Vec<Arc<SourceFile>>,
    /// Directories applied into a namespace by a Flux Kustomization or an Argo CD Application.
    pub targets: Vec<crate::facts::release::NamespaceTarget>,
    /// The trees given (canonical), where release charts and values files are looked up.
    roots: Vec<PathBuf>,
    /// Rendered chart files that declared Applications (app-of-apps), for snippets.
    pub rendered: Vec<Arc<SourceFile>>,
    /// Files that hold Crossplane package objects (`frontends::operators::crossplane`).
    pub crossplane: Vec<Arc<SourceFile>>,
    /// ConfigMaps and Secrets for Flux `valuesFrom`.
    values_objects: crate::frontends::gitops::values_from::ValuesObjects,
    /// The tree's charts and Flux chart sources, for releases of published charts.
    tree_charts: crate::frontends::gitops::flux_chart::TreeCharts,
}

impl Releases {
    /// Read every helmfile and GitOps release object among the inputs.
    pub fn read(inputs: &[Input], paths: &[PathBuf], max_size: u64) -> Releases {
        let mut out = Releases::default();
        let helmfiles: Vec<(&PathBuf, &String)> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File { path, display }
                    if crate::frontends::helmfile::is_helmfile_name(path) =>
                {
                    Some((path, display))
                }
                _ => None,
            })
            .collect();
        let roots = super::flux::roots_of(paths);
        gitops_releases(inputs, &roots, max_size, &mut out);
        out.roots = roots.clone();
        for (path, display) in helmfiles {
            let Ok(text) = read_text(path, max_size) else {
                continue; // the file itself is linted (and its read error reported) as a file
            };
            let file = Arc::new(SourceFile::new(path, display.as_str(), text));
            let read = crate::frontends::helmfile::read(&file, &roots);
            out.releases.extend(read.releases);
            out.findings.extend(read.findings);
            out.files.extend(read.files);
            out.files.push(file);
        }
        out
    }

    /// Release objects that kustomize units apply are read from their builds, as the controller
    /// gets them (an overlay's patch of an Application's values included), not from the files.
    /// Returns the findings reading the builds gave (to be traced back to the files).
    pub fn read_built(
        &mut self,
        consumed: &dyn Fn(&std::path::Path) -> bool,
        built: &[Arc<SourceFile>],
    ) -> Vec<Finding> {
        use crate::frontends::gitops::{argocd, helmrelease};
        let displays: HashSet<String> = self
            .files
            .iter()
            .filter(|f| consumed(&f.path))
            .map(|f| f.display.clone())
            .collect();
        self.releases
            .retain(|r| !consumed(&r.origin.place.file.path));
        self.findings.retain(|f| {
            f.location
                .as_ref()
                .is_none_or(|l| !displays.contains(&l.path))
        });
        let mut findings = Vec::new();
        for file in built {
            let flux = helmrelease::may_hold(&file.text);
            let argo = argocd::may_hold(&file.text);
            // Namespace targets stay as read from the files: the builds were made with them.
            let lookups = Lookups {
                roots: &self.roots,
                values_objects: &self.values_objects,
                charts: &self.tree_charts,
            };
            let read = release_objects(file, flux, argo, &lookups, false);
            self.releases.extend(read.releases);
            findings.extend(read.findings);
            self.files.extend(read.files);
        }
        findings
    }

    /// The trees given (canonical).
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Chart directories a release installs (canonical): not linted on their own.
    pub fn local_charts(&self) -> HashSet<PathBuf> {
        self.releases
            .iter()
            .filter_map(|r| match &r.chart {
                ChartSource::Local { dir, .. } => dir.canonicalize().ok(),
                ChartSource::Remote { .. } => None,
            })
            .collect()
    }

    /// Resolve each release: one unit (findings, workspace) per release, and where each
    /// release's service accounts got their name and namespace.
    pub fn resolve(&self, helm: &HelmOptions) -> (Vec<(Vec<Finding>, Workspace)>, Vec<Provenance>) {
        if self.releases.is_empty() && self.findings.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let packs = ChartPacks::builtin();
        let opts = ResolveOptions {
            helm,
            packs: &packs,
        };
        let mut first = Workspace::default();
        first.files.extend(self.files.iter().cloned());
        first.files.extend(self.rendered.iter().cloned());
        let mut findings = self.findings.clone();
        findings.extend(packs.diagnostics.iter().map(|p| {
            Finding::new(&crate::rules::packs::RulePackError::META, p.message.clone())
                .at(crate::diagnostics::finding::Location::new(&p.file, p.span))
        }));
        let mut out = vec![(findings, first)];
        let mut provenance = Vec::new();
        for r in &self.releases {
            let unit = resolve(r, &opts).into_workspace();
            for sa in &unit.1.service_accounts {
                provenance.push(Provenance::of(r, sa));
            }
            out.push(unit);
        }
        (out, provenance)
    }
}

/// Where a release decided a service account's name and namespace: related locations for
/// findings about that account (a trust that names another account, for one).
pub struct Provenance {
    pub namespace: String,
    pub name: String,
    pub related: Vec<Location>,
}

impl Provenance {
    fn of(r: &HelmRelease, sa: &crate::facts::ServiceAccount) -> Provenance {
        let release = &r.release_name.value;
        let mut related = Vec::new();
        // A derived setting says how (Flux's `<targetNamespace>-<name>`, an ApplicationSet
        // template's parameters).
        let derived = |s: &crate::facts::release::Setting| match &s.decided {
            crate::facts::release::Decided::Derived(why) => format!(" ({why})"),
            _ => String::new(),
        };
        if let Some(p) = &r.release_name.place {
            related.push(p.location().with_message(format!(
                "{} release `{release}` (chart `{}`) is declared here{}",
                r.origin.frontend,
                r.chart_name(),
                derived(&r.release_name)
            )));
        }
        if let Some(p) = &r.namespace.place {
            related.push(p.location().with_message(format!(
                "release `{release}` is installed into namespace `{}` here{}",
                r.namespace.value,
                derived(&r.namespace)
            )));
        }
        Provenance {
            namespace: sa.object.effective_namespace(&r.namespace.value),
            name: sa.object.name.clone(),
            related,
        }
    }

    /// Add the release's locations to findings about its service accounts.
    pub fn annotate(all: &[Provenance], findings: &mut [Finding]) {
        if all.is_empty() {
            return;
        }
        for f in findings.iter_mut() {
            let Some(o) = f.object.as_ref().filter(|o| o.kind == "ServiceAccount") else {
                continue;
            };
            let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
            for p in all.iter().filter(|p| p.namespace == ns && p.name == o.name) {
                for loc in &p.related {
                    let known = f
                        .related
                        .iter()
                        .any(|r| r.path == loc.path && r.line == loc.line);
                    if !known {
                        f.related.push(loc.clone());
                    }
                }
            }
        }
    }
}

/// Flux HelmReleases and Argo CD Applications among the inputs (files that mention their API
/// groups), with the ConfigMaps and Secrets that Flux `valuesFrom` entries name.
fn gitops_releases(inputs: &[Input], roots: &[PathBuf], max_size: u64, out: &mut Releases) {
    use crate::frontends::gitops::flux_chart::TreeCharts;
    use crate::frontends::gitops::values_from::ValuesObjects;
    use crate::frontends::gitops::{argocd, flux, helmrelease};
    use crate::frontends::terraform::is_terraform_path;
    use rayon::prelude::*;
    let texts: Vec<(Arc<SourceFile>, bool, bool)> = inputs
        .par_iter()
        .filter_map(|i| match i {
            // Terraform's releases (`helm_release`) come from its own front-end.
            Input::File { path, display } if !is_terraform_path(path) => Some((path, display)),
            _ => None,
        })
        .filter_map(|(path, display)| {
            let text = read_text(path, max_size).ok()?;
            // A Flux Kustomization's `targetNamespace` is read with the releases.
            let flux = helmrelease::may_hold(&text) || flux::may_hold_kustomization(&text);
            let argo = argocd::may_hold(&text);
            let operators = crate::frontends::operators::crossplane::may_hold(&text);
            if !flux
                && !argo
                && !operators
                && !ValuesObjects::may_hold(&text)
                && !TreeCharts::may_hold(&text)
            {
                return None;
            }
            Some((
                Arc::new(SourceFile::new(path, display.as_str(), text)),
                flux,
                argo,
            ))
        })
        .collect();
    out.crossplane.extend(
        texts
            .iter()
            .filter(|(f, ..)| crate::frontends::operators::crossplane::may_hold(&f.text))
            .map(|(f, ..)| f.clone()),
    );
    let index = &mut out.values_objects;
    if texts
        .iter()
        .any(|(f, flux, _)| *flux && f.text.contains("valuesFrom"))
    {
        for (file, _, _) in texts
            .iter()
            .filter(|(f, ..)| ValuesObjects::may_hold(&f.text))
        {
            index.add(file, &crate::syntax::yaml::parse(&file.text));
        }
    }
    let charts = &mut out.tree_charts;
    if texts.iter().any(|(_, flux, _)| *flux) {
        for input in inputs {
            if let Input::Chart { dir, display } = input {
                charts.add_chart(dir.clone(), display);
            }
        }
        for (file, ..) in texts.iter().filter(|(f, ..)| TreeCharts::may_hold(&f.text)) {
            charts.add_sources(file);
        }
    }
    let lookups = Lookups {
        roots,
        values_objects: &out.values_objects,
        charts: &out.tree_charts,
    };
    let read: Vec<_> = texts
        .into_par_iter()
        .filter(|(_, flux, argo)| *flux || *argo)
        .map(|(file, flux, argo)| {
            let read = release_objects(&file, flux, argo, &lookups, true);
            (file, read)
        })
        .collect();
    let mut seen: HashSet<PathBuf> = out.files.iter().map(|f| f.path.clone()).collect();
    for (file, read) in read {
        let has_targets = !read.targets.is_empty();
        out.targets.extend(read.targets);
        if read.releases.is_empty() && read.findings.is_empty() && !has_targets {
            continue;
        }
        // ConfigMaps and Secrets that values came from, for snippets.
        for layer in read.releases.iter().flat_map(|r| &r.values) {
            if layer.file.path != file.path && seen.insert(layer.file.path.clone()) {
                out.files.push(layer.file.clone());
            }
        }
        out.releases.extend(read.releases);
        out.findings.extend(read.findings);
        out.files.extend(read.files);
        out.files.push(file);
    }
}

/// What reading release objects looks up in the tree.
struct Lookups<'a> {
    roots: &'a [PathBuf],
    values_objects: &'a crate::frontends::gitops::values_from::ValuesObjects,
    charts: &'a crate::frontends::gitops::flux_chart::TreeCharts,
}

/// The Flux HelmReleases (and, with `targets`, Kustomizations' namespace targets) and Argo CD
/// Applications of one file.
fn release_objects(
    file: &Arc<SourceFile>,
    flux: bool,
    argo: bool,
    lookups: &Lookups,
    targets: bool,
) -> crate::frontends::gitops::argocd::Read {
    use crate::frontends::gitops::{argocd, flux, helmrelease};
    let roots = lookups.roots;
    let mut read = argocd::Read::default();
    if flux {
        let (releases, findings) =
            helmrelease::read(file, roots, lookups.values_objects, lookups.charts);
        read.releases.extend(releases);
        read.findings.extend(findings);
        if targets {
            read.targets.extend(flux::targets(file, roots));
        }
    }
    if argo {
        let mut argo = argocd::read(file, roots);
        if !targets {
            argo.targets.clear();
        }
        read.releases.extend(argo.releases);
        read.findings.extend(argo.findings);
        read.files.extend(argo.files);
        read.targets.extend(argo.targets);
    }
    read
}
