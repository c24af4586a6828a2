//! The read phase of a lint run: every input read once, each unit checked by the file rules
//! as soon as it is read (Terraform roots, plain files on workers, kustomize builds, releases,
//! charts), and what the later phases need to trace findings back to the user's lines.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::file::{input_display, internal_error_unit, process_file};
use super::unit::{lint_unit, Keep, UnitOutcome};
use super::{charts, kustomize, releases, targets, terraform, Gathered, LintOptions};
use crate::config::Config;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::internal_error::isolate;
use crate::facts::Workspace;
use crate::frontends::discover::Input;
use crate::frontends::unread::as_input_error;
use crate::rules::Rule;
use crate::syntax::source::SourceFile;

/// Files parsed at once before their results are merged.
const FILES_IN_FLIGHT: usize = 512;

/// What the read phase leaves for the later ones: how to trace findings on built and released
/// objects back to the user's lines, and what the CLI says or frees.
pub(super) struct Read {
    pub(super) built: Vec<crate::frontends::kustomize::trace::BuiltUnit>,
    pub(super) provenance: Vec<releases::Provenance>,
    /// Where GitOps targets placed each service account.
    pub(super) placed: Vec<releases::Provenance>,
    /// Where Terraform values took a variable's default in a module no root calls.
    pub(super) tf_defaults: Vec<(Arc<SourceFile>, crate::syntax::yaml::Span, String)>,
    pub(super) tf_related: Vec<(
        Arc<SourceFile>,
        crate::syntax::yaml::Span,
        crate::diagnostics::finding::Location,
    )>,
    pub(super) warnings: Vec<String>,
    pub(super) retired: crate::syntax::Retired,
}

/// Read every input once, each unit checked by the file rules as soon as it is read: Terraform
/// roots, plain files (in parallel), kustomize builds, releases (helmfile, Flux, Argo CD,
/// Terraform), then the charts no release installs.
pub(super) fn read_inputs(
    inputs: &[Input],
    opts: &LintOptions,
    config: &Config,
    file_rules: &[&dyn Rule],
    run: &mut Gathered,
) -> Read {
    let kustomize = crate::frontends::kustomize::Plan::new(inputs, &opts.paths);
    let flux = super::flux::FluxRun::new(inputs, &kustomize, &opts.paths, opts.max_file_size);
    let consumed = |p: &std::path::Path| kustomize.consumes(p) || flux.consumes(p);
    let is_tf = |p: &std::path::Path| crate::frontends::terraform::is_terraform_path(p);
    let tf_paths: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, .. } if is_tf(path) => Some(path.clone()),
            _ => None,
        })
        .collect();
    let tf = terraform::units(&tf_paths, opts, file_rules);
    for (input_findings, outcome) in tf.units {
        run.add(input_findings, outcome);
    }
    let tf_read = |p: &std::path::Path| {
        !tf.consumed.is_empty() && p.canonicalize().is_ok_and(|c| tf.consumed.contains(&c))
    };
    let files: Vec<&Input> = inputs
        .iter()
        .filter(|i| match i {
            Input::Chart { .. } => false,
            Input::File { path, .. } => !consumed(path) && !is_tf(path) && !tf_read(path),
            Input::Stdin => true,
        })
        .collect();
    // Releases (helmfile, Flux, Argo CD) lint the charts they install, with their values; those
    // charts are not linted again on their own. GitOps objects that apply a directory into a
    // namespace are read first: the files and units they apply are placed there.
    // A file that Terraform reads as a template is not a release object of its own.
    let release_inputs: Vec<Input> = inputs
        .iter()
        .filter(|i| !matches!(i, Input::File { path, .. } if tf_read(path)))
        .cloned()
        .collect();
    let mut releases = releases::Releases::read(&release_inputs, &opts.paths, opts.max_file_size);
    super::app_of_apps::follow(inputs, &mut releases, &tf.releases, opts);
    let targets = targets::Targets::new(std::mem::take(&mut releases.targets));
    // A values file that a release reads is meant for this tool: a parse failure stays IRSA000.
    let values_files: std::collections::HashSet<PathBuf> = releases
        .files
        .iter()
        .filter_map(|f| f.path.canonicalize().ok())
        .collect();
    // A values file given by path is read as values of its chart, never as a manifest.
    let (chart_values, files): (Vec<&Input>, Vec<&Input>) = files.into_iter().partition(|i| {
        matches!(i, Input::File { path, .. } if crate::frontends::helm::overlays::chart_of(path).is_some()
            && !path.canonicalize().is_ok_and(|c| values_files.contains(&c)))
    });
    let chart_values: Vec<(PathBuf, String)> = chart_values
        .into_iter()
        .filter_map(|i| match i {
            Input::File { path, display } => Some((path.clone(), display.clone())),
            _ => None,
        })
        .collect();
    let file_releases = read_files(
        &files,
        (opts, config),
        file_rules,
        (&targets, &values_files),
        run,
    );
    let (built, unit_releases) =
        kustomize::lint_units(&kustomize, &flux, opts, (file_rules, &targets), run);
    let built_files: Vec<Arc<SourceFile>> = built.iter().map(|u| u.built.clone()).collect();
    let built_findings = releases.read_built(&consumed, &built_files);
    run.findings
        .extend(crate::frontends::kustomize::trace::trace_findings(
            &built,
            built_findings,
        ));
    releases.releases.extend(unit_releases);
    releases.releases.extend(tf.releases);
    releases.releases.extend(file_releases);
    operator_accounts(&releases, file_rules, run);
    let mut released = releases.local_charts();
    released.extend(kustomize.helm_chart_dirs());
    let (release_units, provenance) = releases.resolve(&opts.helm);
    for (input_findings, unit) in release_units {
        // A release read from a kustomize build reports at the lines of the files it came from.
        let input_findings =
            crate::frontends::kustomize::trace::trace_findings(&built, input_findings);
        run.add(
            input_findings,
            lint_unit(unit, file_rules, Keep::Everything),
        );
    }
    charts::lint_charts(inputs, &released, &chart_values, opts, file_rules, run);
    Read {
        built,
        provenance,
        placed: targets.into_provenance(),
        tf_defaults: tf.defaults,
        tf_related: tf.related,
        warnings: tf.warnings,
        retired: tf.retired,
    }
}

/// Each file is read, parsed, classified and checked by the file rules on a worker; what comes
/// back is its findings and the little that workspace rules need. Chunks bound what is in flight
/// at once. Returns the releases that files declare (a plan's `helm_release`).
fn read_files(
    files: &[&Input],
    (opts, config): (&LintOptions, &Config),
    file_rules: &[&dyn Rule],
    (targets, values_files): (&targets::Targets, &std::collections::HashSet<PathBuf>),
    run: &mut Gathered,
) -> Vec<crate::facts::release::HelmRelease> {
    let file_releases = std::sync::Mutex::new(Vec::new());
    let release_read = |input: &Input| match input {
        Input::File { path, .. } if !values_files.is_empty() => {
            path.canonicalize().is_ok_and(|c| values_files.contains(&c))
        }
        _ => false,
    };
    for chunk in files.chunks(FILES_IN_FLIGHT) {
        let results: Vec<(Vec<Finding>, UnitOutcome)> = chunk
            .par_iter()
            .map(|input| {
                // A bug hit on one file is reported on that file; the others go on.
                isolate(|| {
                    let mut r = process_file(input, opts, config);
                    if release_read(input) {
                        r.findings = r.findings.into_iter().map(as_input_error).collect();
                    }
                    if let Input::File { path, .. } = input {
                        targets.apply_to_file(path, &mut r.classified);
                    }
                    if !r.classified.releases.is_empty() {
                        let found = std::mem::take(&mut r.classified.releases);
                        if let Ok(mut all) = file_releases.lock() {
                            all.extend(found);
                        }
                    }
                    let mut unit = Workspace::default();
                    unit.absorb(r.file, r.classified);
                    // Standard input cannot be read back to show a finding: it keeps its text.
                    let keep = match input {
                        Input::Stdin => Keep::Everything,
                        _ => Keep::WhatWorkspaceRulesRead,
                    };
                    (r.findings, lint_unit(unit, file_rules, keep))
                })
                .unwrap_or_else(|p| internal_error_unit(input_display(input), &p))
            })
            .collect();
        for (input_findings, outcome) in results {
            run.add(input_findings, outcome);
        }
    }
    file_releases.into_inner().unwrap_or_default()
}

/// The service accounts operators create (Crossplane packages), in Crossplane's namespace.
fn operator_accounts(releases: &releases::Releases, file_rules: &[&dyn Rule], run: &mut Gathered) {
    use crate::frontends::operators::crossplane;
    if releases.crossplane.is_empty() {
        return;
    }
    let namespace = crossplane::namespace(&releases.releases);
    let read = crossplane::service_accounts(&releases.crossplane, &namespace);
    let mut unit = Workspace::default();
    for (file, classified) in read.accounts {
        unit.absorb(file, classified);
    }
    run.add(
        read.findings,
        lint_unit(unit, file_rules, Keep::WhatWorkspaceRulesRead),
    );
}

impl Read {
    /// Trace rule findings on rendered, released and built objects to the user's lines.
    pub(super) fn trace(&self, ws: &Workspace, mut findings: Vec<Finding>) -> Vec<Finding> {
        crate::frontends::helm::trace::trace_findings(ws, &mut findings);
        // Release locations first: a release read from a kustomize build is traced with the rest.
        releases::Provenance::annotate(&self.provenance, &mut findings);
        let mut findings =
            crate::frontends::kustomize::trace::trace_findings(&self.built, findings);
        releases::Provenance::annotate(&self.placed, &mut findings);
        findings
    }
}
