//! App-of-apps: the Argo CD Applications and ApplicationSets that a chart of the tree renders
//! are read like those in files. Each keeps the charts that rendered it, outermost first (its
//! lineage): a chart that would render itself again (a cycle, such as the common root
//! Application that manages its own chart) is not followed twice, and nothing is followed
//! deeper than [`MAX_DEPTH`] charts; either is a note at the rendered Application.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{may_hold, read, Read};
use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::GeneratorNotExpanded;
use crate::facts::release::{ChartSource, HelmRelease};
use crate::syntax::source::SourceFile;

/// Charts followed inside one another at most (the root's included).
pub const MAX_DEPTH: usize = 4;

/// Whether a chart's templates may render Argo CD objects (cheap test before rendering).
pub fn renders_applications(chart_dir: &Path) -> bool {
    fn walk(dir: &Path, depth: usize) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        entries.flatten().any(|e| {
            let path = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => depth > 0 && walk(&path, depth - 1),
                Ok(t) if t.is_file() => std::fs::read_to_string(&path)
                    .is_ok_and(|text| may_hold(&text) && text.contains("kind: Application")),
                _ => false,
            }
        })
    }
    walk(&chart_dir.join("templates"), 3)
}

/// The chart directory a release installs from the tree, canonical.
pub fn local_chart(release: &HelmRelease) -> Option<PathBuf> {
    match &release.chart {
        ChartSource::Local { dir, .. } => dir.canonicalize().ok(),
        ChartSource::Remote { .. } => None,
    }
}

/// A release found in a rendered chart, with the charts that rendered it (outermost first).
pub struct Nested {
    pub release: HelmRelease,
    pub lineage: Vec<PathBuf>,
    /// Whether its own chart is to be rendered for Applications in turn.
    pub follow: bool,
}

/// What the rendered files of `chart` (reached through `lineage`) declare: releases one level
/// deeper, directory targets, notes, and the values files read.
pub fn rendered(
    rendered: &[Arc<SourceFile>],
    chart: &Path,
    lineage: &[PathBuf],
    roots: &[PathBuf],
) -> (Read, Vec<Nested>) {
    let mut lineage = lineage.to_vec();
    lineage.push(chart.to_path_buf());
    let mut out = Read::default();
    for file in rendered.iter().filter(|f| may_hold(&f.text)) {
        let found = read(file, roots);
        out.findings.extend(found.findings);
        out.files.extend(found.files);
        out.targets.extend(found.targets);
        out.releases.extend(found.releases);
    }
    let mut nested = Vec::new();
    for release in std::mem::take(&mut out.releases) {
        let child = local_chart(&release);
        if let Some(dir) = child.as_ref().filter(|d| lineage.contains(d)) {
            out.findings.push(cycle(&release, dir, &lineage));
            continue;
        }
        let renders = child.as_deref().is_some_and(renders_applications);
        if renders && lineage.len() >= MAX_DEPTH {
            out.findings.push(too_deep(&release, &lineage));
        }
        nested.push(Nested {
            release,
            lineage: lineage.clone(),
            follow: renders && lineage.len() < MAX_DEPTH,
        });
    }
    (out, nested)
}

fn chain(lineage: &[PathBuf]) -> String {
    lineage
        .iter()
        .map(|d| format!("`{}`", d.file_name().unwrap_or_default().to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" → ")
}

fn cycle(release: &HelmRelease, dir: &Path, lineage: &[PathBuf]) -> Finding {
    let message = format!(
        "app-of-apps cycle: Argo CD Application `{}` installs chart `{}`, which already rendered it ({}); not followed again",
        release.origin.object.name,
        dir.file_name().unwrap_or_default().to_string_lossy(),
        chain(lineage)
    );
    Finding::new(&GeneratorNotExpanded::META, message).at(at(release))
}

fn too_deep(release: &HelmRelease, lineage: &[PathBuf]) -> Finding {
    let message = format!(
        "app-of-apps deeper than {MAX_DEPTH} charts ({}): the Applications that Argo CD Application `{}` renders are not followed",
        chain(lineage),
        release.origin.object.name
    );
    Finding::new(&GeneratorNotExpanded::META, message).at(at(release))
}

fn at(release: &HelmRelease) -> Location {
    release.origin.place.location()
}
