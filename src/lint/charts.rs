//! Charts in the tree that no release installs: rendered with the CLI's helm flags, then once
//! per chart-testing `ci/*-values.yaml`, and their other values files (`values-prod.yaml`,
//! `examples/*values*.yaml`, or one given by path) checked statically against the chart.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::file::internal_error_unit;
use super::unit::{lint_unit, Keep};
use super::{Gathered, LintOptions};
use crate::diagnostics::internal_error::{self, isolate};
use crate::facts::Workspace;
use crate::frontends::discover::Input;
use crate::frontends::helm::overlays::{self, Overlay};
use crate::frontends::helm::HelmOptions;
use crate::rules::Rule;

/// Lint every chart input no release installs, with its overlays, and every values file given
/// by path (`values_files`: (path, display), each read as values of its chart).
pub(super) fn lint_charts(
    inputs: &[Input],
    released: &HashSet<PathBuf>,
    values_files: &[(PathBuf, String)],
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
        render(dir, display, &opts.helm, file_rules, run);
        for (path, kind) in overlays::overlays(dir) {
            let shown = match path.strip_prefix(dir) {
                Ok(rel) => format!("{display}/{}", rel.display()),
                Err(_) => path.display().to_string(),
            };
            overlay(dir, display, (&path, &shown), kind, opts, file_rules, run);
        }
    }
    for (path, shown) in values_files {
        let Some(dir) = overlays::chart_of(path) else {
            continue;
        };
        let display = dir.display().to_string();
        let Some(kind) = overlays::overlay_kind(&dir, path) else {
            continue;
        };
        overlay(&dir, &display, (path, shown), kind, opts, file_rules, run);
    }
}

/// One values file of a chart: rendered with it (`ci/`, or the defaults) or checked statically.
fn overlay(
    dir: &Path,
    display: &str,
    (path, shown): (&Path, &str),
    kind: Overlay,
    opts: &LintOptions,
    file_rules: &[&dyn Rule],
    run: &mut Gathered,
) {
    match kind {
        Overlay::Defaults => render(dir, display, &opts.helm, file_rules, run),
        Overlay::Static if overlays::has_pack(dir) => {
            let (findings, outcome) = isolate(|| {
                let (findings, unit) = overlays::lint_static(dir, path, shown).into_workspace();
                (findings, lint_unit(unit, file_rules, Keep::Everything))
            })
            .unwrap_or_else(|p| internal_error_unit(shown, &p));
            run.add(findings, outcome);
        }
        // As `ct lint`: the chart with that values file alone (over its defaults); so is a
        // values file of a chart no pack describes.
        Overlay::Ci | Overlay::Static => {
            let helm = HelmOptions {
                values: vec![path.to_path_buf()],
                set: Vec::new(),
                set_string: Vec::new(),
                ..opts.helm.clone()
            };
            render(dir, display, &helm, file_rules, run);
        }
    }
}

/// Render a chart with `helm` and lint what it produced.
fn render(
    dir: &Path,
    display: &str,
    helm: &HelmOptions,
    file_rules: &[&dyn Rule],
    run: &mut Gathered,
) {
    let (findings, outcome) = isolate(|| {
        internal_error::debug_trigger("chart", display);
        let chart = crate::frontends::helm::lint_chart(dir, display, helm);
        let mut unit = Workspace::default();
        unit.unlisted_accounts.extend(unlisted_chart(&chart));
        for (file, classified) in chart.rendered {
            unit.absorb(file, classified);
        }
        unit.files.extend(chart.files.iter().cloned());
        let mut findings = chart.findings;
        if unlisted_chart_code(&findings) {
            findings.extend(dependencies(dir, display, &chart.input, &mut unit));
        }
        unit.charts.push(Arc::new(chart.input));
        let outcome = lint_unit(unit, file_rules, Keep::Everything);
        (findings, outcome)
    })
    .unwrap_or_else(|p| internal_error_unit(display, &p));
    run.add(findings, outcome);
}

/// Whether the chart was not rendered, or rendered without its subcharts.
fn unlisted_chart_code(findings: &[crate::diagnostics::finding::Finding]) -> bool {
    let code = crate::diagnostics::input::ChartNotRendered::META.code;
    findings.iter().any(|f| f.code == code)
}

/// Dependencies of an umbrella chart that are not vendored, checked with their chart packs and
/// the umbrella's values for them; their facts go into `unit`.
fn dependencies(
    dir: &Path,
    display: &str,
    input: &crate::facts::ChartInput,
    unit: &mut Workspace,
) -> Vec<crate::diagnostics::finding::Finding> {
    use crate::frontends::release::chartpack::{resolve_remote, ChartPacks};
    let packs = ChartPacks::builtin();
    let ctx = &input.context;
    let releases = crate::frontends::helm::umbrella::dependency_releases(
        dir,
        display,
        &input.values,
        (&ctx.release_name, &ctx.namespace),
        &packs,
    );
    let mut findings = Vec::new();
    for release in releases {
        let resolved = resolve_remote(&release, &packs);
        findings.extend(resolved.findings);
        for (file, classified) in resolved.classified {
            unit.absorb(file, classified);
        }
        unit.files.extend(resolved.files);
        unit.charts.extend(resolved.chart.map(Arc::new));
    }
    findings
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
