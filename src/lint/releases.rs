//! Releases declared in the tree (helmfile today): read them before charts are linted, so a
//! chart that a release installs is linted once, through the release, with its values.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::finding::Finding;
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
}

impl Releases {
    /// Read every helmfile among the inputs.
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
        if helmfiles.is_empty() {
            return out;
        }
        let roots: Vec<PathBuf> = paths
            .iter()
            .filter_map(|p| {
                let dir = if p.is_dir() {
                    p.clone()
                } else {
                    p.parent()?.to_path_buf()
                };
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                dir.canonicalize().ok()
            })
            .collect();
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

    /// Resolve each release: one unit (findings, workspace) per release.
    pub fn resolve(&self, helm: &HelmOptions) -> Vec<(Vec<Finding>, Workspace)> {
        if self.releases.is_empty() && self.findings.is_empty() {
            return Vec::new();
        }
        let packs = ChartPacks::builtin();
        let opts = ResolveOptions {
            helm,
            packs: &packs,
        };
        let mut first = Workspace::default();
        first.files.extend(self.files.iter().cloned());
        let mut findings = self.findings.clone();
        findings.extend(packs.diagnostics.iter().map(|p| {
            Finding::new(&crate::rules::packs::RulePackError::META, p.message.clone())
                .at(crate::diagnostics::finding::Location::new(&p.file, p.span))
        }));
        let mut out = vec![(findings, first)];
        out.extend(
            self.releases
                .iter()
                .map(|r| resolve(r, &opts).into_workspace()),
        );
        out
    }
}
