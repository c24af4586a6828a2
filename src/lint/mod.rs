//! `kubectl irsa lint`: discover inputs, parse each once (in parallel), run every rule, filter.

mod app_of_apps;
pub mod baseline;
pub mod catalog;
mod charts;
mod file;
pub mod fix;
mod flux;
mod kustomize;
mod read;
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
use crate::diagnostics::internal_error::{isolate, HELP, PREFIX};
use crate::diagnostics::RuleInfo;
use crate::facts::Workspace;
use crate::frontends::discover::{discover, Discovered, Input};
use crate::rules::candidate::{settle_all, Candidate};
use crate::rules::registry::builtin_rules;
use crate::rules::{Rule, Scope};
use crate::syntax::source::SourceFile;
use suppress::Suppressions;
use unit::UnitOutcome;

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
    let read = read::read_inputs(&discovered.inputs, opts, config, &file_rules, &mut run);
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
    terraform::add_related(&mut findings, &read.tf_related);
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
