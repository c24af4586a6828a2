//! `kubectl irsa lint`: discover inputs, parse each once (in parallel), run every rule, filter.

pub mod baseline;
pub mod catalog;
mod file;
pub mod fix;
mod kustomize;
mod real_places;
pub mod releases;
mod summary;
pub mod suppress;
mod targets;
mod terraform;
pub mod unit;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::{input_finding, ConfigError, InputError};
use crate::diagnostics::internal_error::{self, isolate, HELP, PREFIX};
use crate::diagnostics::RuleInfo;
use crate::facts::Workspace;
use crate::frontends::discover::{discover, Discovered, Input};
use crate::frontends::unread::as_input_error;
use crate::rules::candidate::{settle_all, Candidate};
use crate::rules::registry::builtin_rules;
use crate::rules::{Rule, Scope};
use crate::syntax::source::SourceFile;
use file::{input_display, internal_error_unit, process_file};
use suppress::Suppressions;
use unit::{lint_unit, Keep, UnitOutcome};

/// Files parsed at once before their results are merged.
const FILES_IN_FLIGHT: usize = 512;

#[derive(Debug, Clone)]
pub struct LintOptions {
    pub paths: Vec<PathBuf>,
    pub max_file_size: u64,
    pub no_ignores: bool,
    pub helm: crate::frontends::helm::HelmOptions,
    pub rule_dirs: Vec<PathBuf>,
    /// `--kustomize PATH`: the kustomize (or kubectl) binary for kustomizations.
    pub kustomize_bin: Option<PathBuf>,
    /// `--var`/`--var-file` for Terraform root modules.
    pub terraform: crate::frontends::terraform::TerraformOptions,
    /// `--verbose`: the coverage summary names every item, not the first few.
    pub verbose: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            paths: vec![PathBuf::from(".")],
            max_file_size: crate::syntax::source::DEFAULT_MAX_FILE_SIZE,
            no_ignores: false,
            helm: crate::frontends::helm::HelmOptions::default(),
            rule_dirs: Vec::new(),
            kustomize_bin: None,
            terraform: Default::default(),
            verbose: false,
        }
    }
}

/// What a lint run produced.
pub struct LintResult {
    pub findings: Vec<Finding>,
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    pub rules: Vec<RuleInfo>,
    /// What was read; the CLI leaks it at exit instead of freeing a large tree node by node.
    pub workspace: Workspace,
    /// Said on stderr by the CLI: options that had no effect (a `--var` nothing declares).
    pub warnings: Vec<String>,
    /// Parsed trees no longer read (Terraform's): left to the OS by the CLI, as `workspace`.
    pub retired: crate::syntax::Retired,
    /// What was read and which pairs were checked; the caller adds what was not checked
    /// (`Coverage::absorb`) once the findings it reports are final.
    pub coverage: crate::report::coverage::Coverage,
}

/// What the units of a run left behind, in input order.
#[derive(Default)]
pub(crate) struct Gathered {
    /// Input and render errors (not traced to values keys).
    findings: Vec<Finding>,
    rule_findings: Vec<Finding>,
    candidates: Vec<Candidate>,
    suppressions: Suppressions,
    ws: Workspace,
}

impl Gathered {
    pub(crate) fn add(&mut self, input_findings: Vec<Finding>, unit: UnitOutcome) {
        self.findings.extend(input_findings);
        self.rule_findings.extend(unit.findings);
        self.candidates.extend(unit.candidates);
        self.suppressions.merge(unit.suppressions);
        self.ws.merge(unit.retained);
    }
}

/// A lint run, phase by phase (docs/architecture.md): discover, read (with the file rules on
/// each unit), workspace rules, trace, rule packs, suppress. Summarizing and rendering are the
/// caller's (`LintResult::coverage`, `report`).
pub fn lint(opts: &LintOptions, config: &Config) -> LintResult {
    // Rule packs (parsed and schema-checked) load while the inputs are read.
    let packs = {
        let dirs = opts.rule_dirs.clone();
        std::thread::Builder::new()
            .name("packs".into())
            .spawn(move || crate::rules::packs::PackSet::load(&dirs))
    };
    let (discovered, mut run) = discover_inputs(opts, config);
    let rules = builtin_rules();
    let file_rules: Vec<&dyn Rule> = rules
        .iter()
        .filter(|r| r.scope() == Scope::File)
        .map(|r| r.as_ref())
        .collect();
    let read = read_inputs(&discovered.inputs, opts, config, &file_rules, &mut run);
    let Gathered {
        mut findings,
        rule_findings,
        candidates,
        mut suppressions,
        mut ws,
    } = run;
    if let Some(file) = &config.file {
        for err in &config.errors {
            findings.push(
                Finding::new(&ConfigError::META, err.message.clone())
                    .at(Location::new(file, err.span)),
            );
        }
        suppressions.add_comments(file);
        ws.files.push(file.clone());
    }
    let mut rule_findings = rule_findings;
    rule_findings.extend(workspace_rules(&rules, &ws));
    rule_findings.extend(settle_all(&ws, candidates));
    findings.extend(read.trace(&ws, rule_findings));
    let packs = match packs {
        Ok(loading) => loading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(_) => crate::rules::packs::PackSet::load(&opts.rule_dirs),
    };
    let pack = read.trace(&ws, packs.check(&ws));
    findings.extend(not_restated(pack, &findings));
    real_places::point_at_real_files(&mut findings);
    let sources: BTreeMap<String, Arc<SourceFile>> = ws
        .files
        .iter()
        .chain(packs.files.iter())
        .map(|f| (f.display.clone(), f.clone()))
        .collect();
    terraform::cap_defaults(&mut findings, &read.tf_defaults);
    terraform::keep_literal_fixes(&mut findings, &sources, opts.max_file_size);
    let findings = suppress::apply(findings, &suppressions, &sources, config, opts.no_ignores);
    LintResult {
        coverage: summary::coverage(&ws, opts.verbose),
        findings,
        sources,
        rules: catalog::all_rule_infos_from(&packs),
        workspace: ws,
        warnings: read.warnings,
        retired: read.retired,
    }
}

/// Discover: the paths' inputs, plus the files `.irsa.yaml` `roles:` names; what discovery
/// skipped (a symlink loop, a huge file) is an input error.
fn discover_inputs(opts: &LintOptions, config: &Config) -> (Discovered, Gathered) {
    let mut discovered = discover(&opts.paths);
    for path in config.roles.values() {
        let display = path.to_string_lossy().to_string();
        let known = discovered
            .inputs
            .iter()
            .any(|i| matches!(i, Input::File { path: p, .. } if same_file(p, path)));
        if !known {
            discovered.inputs.push(Input::File {
                path: path.clone(),
                display,
            });
        }
    }
    let mut run = Gathered::default();
    for skipped in &discovered.skipped {
        let file = Arc::new(SourceFile::new(&skipped.display, &skipped.display, ""));
        run.findings
            .push(input_finding(&file, &skipped.reason, None));
        run.ws.files.push(file);
    }
    (discovered, run)
}

/// What the read phase leaves for the later ones: how to trace findings on built and released
/// objects back to the user's lines, and what the CLI says or frees.
struct Read {
    built: Vec<crate::frontends::kustomize::trace::BuiltUnit>,
    provenance: Vec<releases::Provenance>,
    /// Where GitOps targets placed each service account.
    placed: Vec<releases::Provenance>,
    /// Where Terraform values took a variable's default in a module no root calls.
    tf_defaults: Vec<(Arc<SourceFile>, crate::syntax::yaml::Span, String)>,
    warnings: Vec<String>,
    retired: crate::syntax::Retired,
}

/// Read every input once, each unit checked by the file rules as soon as it is read: Terraform
/// roots, plain files (in parallel), kustomize builds, releases (helmfile, Flux, Argo CD,
/// Terraform), then the charts no release installs.
fn read_inputs(
    inputs: &[Input],
    opts: &LintOptions,
    config: &Config,
    file_rules: &[&dyn Rule],
    run: &mut Gathered,
) -> Read {
    let kustomize = crate::frontends::kustomize::Plan::new(inputs, &opts.paths);
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
            Input::File { path, .. } => !kustomize.consumes(path) && !is_tf(path) && !tf_read(path),
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
    let targets = targets::Targets::new(std::mem::take(&mut releases.targets));
    // A values file that a release reads is meant for this tool: a parse failure stays IRSA000.
    let values_files: std::collections::HashSet<PathBuf> = releases
        .files
        .iter()
        .filter_map(|f| f.path.canonicalize().ok())
        .collect();
    let file_releases = read_files(
        &files,
        (opts, config),
        file_rules,
        (&targets, &values_files),
        run,
    );
    let built = kustomize::lint_units(&kustomize, inputs, opts, (file_rules, &targets), run);
    let built_files: Vec<Arc<SourceFile>> = built.iter().map(|u| u.built.clone()).collect();
    let built_findings = releases.read_built(&|p| kustomize.consumes(p), &built_files);
    run.findings
        .extend(crate::frontends::kustomize::trace::trace_findings(
            &built,
            built_findings,
        ));
    releases.releases.extend(tf.releases);
    releases.releases.extend(file_releases);
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
    lint_charts(inputs, &released, opts, file_rules, run);
    Read {
        built,
        provenance,
        placed: targets.into_provenance(),
        tf_defaults: tf.defaults,
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

/// Charts in the tree that no release installs, rendered with the CLI's helm flags.
fn lint_charts(
    inputs: &[Input],
    released: &std::collections::HashSet<PathBuf>,
    opts: &LintOptions,
    file_rules: &[&dyn Rule],
    run: &mut Gathered,
) {
    for input in inputs {
        let Input::Chart { dir, display } = input else {
            continue;
        };
        if !released.is_empty() && dir.canonicalize().is_ok_and(|d| released.contains(&d)) {
            continue;
        }
        let (findings, outcome) = isolate(|| {
            internal_error::debug_trigger("chart", display);
            let chart = crate::frontends::helm::lint_chart(dir, display, &opts.helm);
            let mut unit = Workspace::default();
            unit.unlisted_accounts.extend(unlisted_chart(&chart));
            for (file, classified) in chart.rendered {
                unit.absorb(file, classified);
            }
            unit.files.extend(chart.files.iter().cloned());
            unit.charts.push(Arc::new(chart.input));
            let outcome = lint_unit(unit, file_rules, Keep::Everything);
            (chart.findings, outcome)
        })
        .unwrap_or_else(|p| internal_error_unit(display, &p));
        run.add(findings, outcome);
    }
}

/// The workspace rules, in parallel; a rule that panics is reported, the others still run.
fn workspace_rules(rules: &[Box<dyn Rule>], ws: &Workspace) -> Vec<Finding> {
    let found: Vec<Vec<Finding>> = rules
        .par_iter()
        .filter(|rule| rule.scope() == Scope::Workspace)
        .map(|rule| {
            isolate(|| {
                let mut out = Vec::new();
                rule.check(ws, &mut out);
                out
            })
            .unwrap_or_else(|p| {
                let code = rule.meta().code;
                let message = format!("{PREFIX} in rule {code}: {p}; please report it");
                vec![Finding::new(&InputError::META, message).help(HELP)]
            })
        })
        .collect();
    found.into_iter().flatten().collect()
}

impl Read {
    /// Trace rule findings on rendered, released and built objects to the user's lines.
    fn trace(&self, ws: &Workspace, mut findings: Vec<Finding>) -> Vec<Finding> {
        crate::frontends::helm::trace::trace_findings(ws, &mut findings);
        // Release locations first: a release read from a kustomize build is traced with the rest.
        releases::Provenance::annotate(&self.provenance, &mut findings);
        let mut findings =
            crate::frontends::kustomize::trace::trace_findings(&self.built, findings);
        releases::Provenance::annotate(&self.placed, &mut findings);
        findings
    }
}

/// The rule packs' findings (traced), less those that re-state a built-in finding at the same
/// values key (e.g. the role ARN format, checked on the rendered SA and traced back): one
/// finding per problem.
fn not_restated(pack: Vec<Finding>, findings: &[Finding]) -> Vec<Finding> {
    let located = rule_findings_locations(findings);
    pack.into_iter()
        .filter(|f| {
            f.location
                .as_ref()
                .is_none_or(|l| !located.contains(&(l.path.clone(), l.line, l.column)))
        })
        .collect()
}

impl LintResult {
    /// Read back the texts of files that findings point into, for snippets, SARIF regions and
    /// `--fix` (texts are let go once a file is linted). A file that changed since keeps none.
    pub fn read_back_texts(&mut self, max_size: u64) {
        let pointed: Vec<String> = unit::pointed_files(self.findings.iter())
            .into_iter()
            .map(str::to_string)
            .collect();
        for display in pointed {
            let back = self
                .sources
                .get(&display)
                .filter(|f| f.elided.is_some())
                .and_then(|f| f.read_back(max_size));
            if let Some(file) = back {
                self.sources.insert(display, Arc::new(file));
            }
        }
    }
}

/// A chart that was not rendered: its service accounts are not known.
fn unlisted_chart(
    chart: &crate::frontends::helm::ChartLint,
) -> Option<crate::facts::release::UnlistedAccounts> {
    let code = crate::diagnostics::input::ChartNotRendered::META.code;
    chart
        .findings
        .iter()
        .any(|f| f.code == code)
        .then(|| crate::facts::release::UnlistedAccounts {
            namespace: Some(chart.input.context.namespace.clone()),
            creator: format!("chart `{}`", chart.input.display),
        })
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `(path, line, column)` of the built-in findings about values keys (not input or render errors).
fn rule_findings_locations(
    findings: &[Finding],
) -> std::collections::HashSet<(String, usize, usize)> {
    findings
        .iter()
        .filter(|f| f.code.starts_with("IRSA") && !matches!(f.code.as_str(), "IRSA000" | "IRSA020"))
        .filter_map(|f| {
            f.location
                .as_ref()
                .map(|l| (l.path.clone(), l.line, l.column))
        })
        .collect()
}
