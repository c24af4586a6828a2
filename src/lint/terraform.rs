//! Terraform trees as lint units: input errors and notes become findings, the lowered trust
//! policies and manifests go through the file rules like any other file's.

use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::input::{input_finding, InputError, TerraformNotChecked};
use crate::facts::release::HelmRelease;
use crate::facts::Workspace;
use crate::frontends::terraform::lint_terraform;
use crate::lint::unit::{lint_unit, Keep, UnitOutcome};
use crate::lint::LintOptions;
use crate::rules::Rule;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

/// One lint unit per Terraform tree, the `helm_release`s found (resolved with the others), and
/// the templates the evaluation read.
pub fn units(files: &[std::path::PathBuf], opts: &LintOptions, rules: &[&dyn Rule]) -> TfRun {
    let mut releases = Vec::new();
    let mut consumed = std::collections::HashSet::new();
    let mut declared = std::collections::BTreeSet::new();
    let mut retired = crate::syntax::Retired::default();
    let mut defaults = Vec::new();
    let mut related = Vec::new();
    let units = lint_terraform(files, &opts.paths, opts.max_file_size, &opts.terraform)
        .into_iter()
        .map(|mut unit| {
            releases.append(&mut unit.releases);
            declared.append(&mut unit.declared_vars);
            retired.append(&mut unit.retired);
            defaults.append(&mut unit.defaults);
            related.append(&mut unit.related);
            // Templates read by templatefile()/file() belong to Terraform, not to other front-ends.
            consumed.extend(
                unit.files
                    .iter()
                    .filter(|f| !crate::frontends::terraform::is_terraform_path(&f.path))
                    .filter_map(|f| f.path.canonicalize().ok()),
            );
            // And every file a module passes to templatefile(), even from a call not reached.
            let unlisted = applied_templates(&unit.templates, opts.max_file_size);
            consumed.extend(unit.templates.drain(..));
            let mut findings = Vec::new();
            for (file, message, pos) in &unit.errors {
                findings.push(input_finding(file, message, Some(*pos)));
            }
            for (file, span, message) in &unit.notes {
                findings.push(
                    Finding::new(&TerraformNotChecked::META, message.clone())
                        .at(Location::new(file, *span)),
                );
            }
            // Every fact the module produced (Pod Identity associations included).
            let mut ws = Workspace::default();
            let display = unit
                .files
                .first()
                .map(|f| f.display.clone())
                .unwrap_or_default();
            ws.absorb_facts(&display, unit.classified);
            ws.unlisted_accounts.extend(unlisted);
            ws.files.extend(unit.files);
            (findings, lint_unit(ws, rules, Keep::WhatWorkspaceRulesRead))
        })
        .collect();
    // As `terraform plan` refuses a `-var` for a variable the root module does not declare.
    let warnings = opts
        .terraform
        .vars
        .iter()
        .filter_map(|flag| crate::frontends::terraform::vars::parse_var_flag(flag).ok())
        .filter(|(name, _)| !declared.contains(name))
        .map(|(name, _)| {
            format!("--var {name}: no Terraform root module in the run declares a variable `{name}`; the value was not used")
        })
        .collect();
    TfRun {
        units,
        releases,
        consumed,
        warnings,
        retired,
        defaults,
        related,
    }
}

/// What the Terraform trees of a run produced.
pub struct TfRun {
    pub units: Vec<(Vec<Finding>, UnitOutcome)>,
    pub releases: Vec<HelmRelease>,
    /// Other files the evaluation read (templates), canonical: not linted again on their own.
    pub consumed: std::collections::HashSet<std::path::PathBuf>,
    /// For the command line: `--var` flags that no root module in the run declares.
    pub warnings: Vec<String>,
    pub retired: crate::syntax::Retired,
    /// Values that modules no root calls took from their variables' defaults.
    pub defaults: Vec<(Arc<SourceFile>, Span, String)>,
    /// Documents used from another file, and the place that uses them.
    pub related: Vec<(Arc<SourceFile>, Span, Location)>,
}

/// A finding inside a document that a block of another file uses (a policy document, a
/// template) also points at that block.
pub fn add_related(findings: &mut [Finding], related: &[(Arc<SourceFile>, Span, Location)]) {
    if related.is_empty() {
        return;
    }
    // A document used in one place only (at most one call that fills it and one block that
    // uses it): a template that several blocks fill has no one user.
    let single = |file: &Arc<SourceFile>, span: &Span| {
        let users = related
            .iter()
            .filter(|(f, s, _)| f.path == file.path && s == span);
        let (fills, uses): (Vec<_>, Vec<_>) = users.partition(|(_, _, u)| {
            u.message
                .as_deref()
                .is_some_and(|m| m.starts_with("template "))
        });
        fills.len() <= 1 && uses.len() <= 1
    };
    for f in findings.iter_mut() {
        let Some(at) = f.location.clone() else {
            continue;
        };
        for (file, span, user) in related.iter().filter(|(f, s, _)| single(f, s)) {
            let inside = file.display == at.path
                && span.start.offset <= at.span.start.offset
                && at.span.end.offset <= span.end.offset;
            let known = f
                .related
                .iter()
                .any(|r| r.path == user.path && r.line == user.line);
            if inside && !known {
                f.related.push(user.clone());
            }
        }
    }
}

/// A finding decided by a value from the default of a module that no root in the run calls is at
/// most a warning: callers override defaults. Input errors are left as they are.
pub fn cap_defaults(findings: &mut [Finding], defaults: &[(Arc<SourceFile>, Span, String)]) {
    if defaults.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        if f.severity == Severity::Note || f.code == InputError::META.code {
            continue;
        }
        let Some(at) = &f.location else { continue };
        let from = defaults.iter().find(|(file, span, _)| {
            file.display == at.path
                && span.start.offset <= at.span.start.offset
                && at.span.end.offset <= span.end.offset
        });
        if let Some((_, _, name)) = from {
            f.severity = Severity::Warning;
            f.message.push_str(&format!(
                " (from the default of `var.{name}`; callers may override it)"
            ));
        }
    }
}

/// Fixes that land in Terraform files are kept only when they are a literal edit in place: a
/// quoted HCL string with no template in it, replaced by another, for a whole subject
/// (`system:serviceaccount:…`) or a condition operator. A value the evaluator derived (a
/// template, a local, a module input that the module prefixes) is not rewritten. In a JSON-syntax
/// file (`.tf.json`) the same test is exact: a JSON string with no escape, `"` or template in it
/// is copied byte for byte into the HCL the evaluator read, so its span is the JSON token itself,
/// and the replacement (no `\`, `"` or template either) is a JSON string too.
pub fn keep_literal_fixes(
    findings: &mut [Finding],
    sources: &std::collections::BTreeMap<String, std::sync::Arc<crate::syntax::source::SourceFile>>,
    max_size: u64,
) {
    for f in findings.iter_mut() {
        let Some(fix) = &f.fix else { continue };
        let tf =
            |path: &str| crate::frontends::terraform::is_terraform_path(std::path::Path::new(path));
        if !fix.replacements.iter().any(|r| tf(&r.location.path)) {
            continue;
        }
        let literal = |r: &crate::diagnostics::finding::Replacement| {
            let Some(file) = sources.get(&r.location.path) else {
                return false;
            };
            let back = file.elided.and_then(|_| file.read_back(max_size));
            let text = back
                .as_ref()
                .map_or(file.text.as_str(), |b| b.text.as_str());
            let Some(old) = text.get(r.start..r.end) else {
                return false;
            };
            let content = |s: &str| -> Option<String> {
                let inner = s.strip_prefix('"')?.strip_suffix('"')?;
                (!inner.contains("${") && !inner.contains("%{") && !inner.contains(['\\', '"']))
                    .then(|| inner.to_string())
            };
            match (content(old), content(&r.text)) {
                (Some(o), Some(n)) => {
                    let subject = |s: &str| s.starts_with("system:serviceaccount:");
                    let operator = |s: &str| s.starts_with("String");
                    (subject(&o) && subject(&n)) || (operator(&o) && operator(&n))
                }
                _ => false,
            }
        };
        if !fix
            .replacements
            .iter()
            .all(|r| !tf(&r.location.path) || literal(r))
        {
            f.fix = None;
        }
    }
}

/// Templates Terraform fills in and applies (`kubectl_manifest` of a `templatefile()`) that
/// declare objects creating service accounts (an Argo CD Application, a Flux HelmRelease, a
/// ServiceAccount): the run cannot list those accounts, so no rule may say they are missing.
fn applied_templates(
    templates: &[std::path::PathBuf],
    max_size: u64,
) -> Vec<crate::facts::release::UnlistedAccounts> {
    const CREATORS: [&str; 4] = [
        "kind: Application",
        "kind: ApplicationSet",
        "kind: HelmRelease",
        "kind: ServiceAccount",
    ];
    templates
        .iter()
        .filter_map(|path| {
            let text = crate::syntax::source::read_text(path, max_size).ok()?;
            let creates = text
                .lines()
                .any(|l| CREATORS.iter().any(|c| l.trim_end() == *c));
            creates.then(|| crate::facts::release::UnlistedAccounts {
                namespace: None,
                creator: format!("the Terraform template `{}`", path.display()),
            })
        })
        .collect()
}
