//! Kustomize units in a lint run: built in parallel, linted like files, traced back afterwards.

use std::collections::HashSet;

use rayon::prelude::*;

use super::flux::FluxRun;
use super::targets::Targets;
use super::unit::{lint_unit, Keep};
use super::{Gathered, LintOptions};
use crate::facts::release::HelmRelease;
use crate::facts::Workspace;
use crate::frontends::kustomize::flux_dir::{lint_dir, FluxApplied};
use crate::frontends::kustomize::trace::BuiltUnit;
use crate::frontends::kustomize::{lint_unit as build_unit, KustomizeOptions, Plan};
use crate::rules::Rule;

/// Build every unit of `plan`, and the directories Flux builds (`flux`), and lint what they
/// produce; returns the builds, for tracing findings back to the overlay and base lines, and the
/// releases of remote `helmCharts:` of units not built.
pub(crate) fn lint_units(
    plan: &Plan,
    flux: &FluxRun,
    opts: &LintOptions,
    (file_rules, targets): (&[&dyn Rule], &Targets),
    run: &mut Gathered,
) -> (Vec<BuiltUnit>, Vec<HelmRelease>) {
    let mut notes = flux.plans.findings.clone();
    notes.extend(
        flux.plans
            .dirs
            .values()
            .flat_map(|a| a.findings.iter().cloned()),
    );
    run.findings.extend(notes);
    if plan.units.is_empty() && flux.dirs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let kopts = KustomizeOptions {
        bin: opts.kustomize_bin.clone(),
        timeout: opts.helm.timeout,
        helm: crate::frontends::helm::render::helm_binary(&opts.helm),
        no_render: opts.helm.no_render,
    };
    let none = FluxApplied::default();
    let flux_dirs = flux.dirs.par_iter().map(|(dir, display, files)| {
        let applied = flux.plans.dirs.get(dir).unwrap_or(&none);
        (lint_dir(dir, display, files, applied, &flux.roots), dir)
    });
    let results: Vec<_> = plan
        .units
        .par_iter()
        .map(|dir| {
            let applied = flux.plans.dirs.get(dir).unwrap_or(&none);
            (build_unit(plan, dir, &kopts, applied), dir)
        })
        .chain(flux_dirs)
        .map(|(mut r, dir)| {
            targets.apply_to_unit(dir, &mut r.classified);
            let mut unit = Workspace::default();
            unit.absorb(r.built, r.classified);
            unit.files.extend(r.files);
            (
                r.findings,
                lint_unit(unit, file_rules, Keep::Everything),
                (r.unit, r.releases),
            )
        })
        .collect();
    // A base's problem reached through several overlays is one finding.
    let mut seen = HashSet::new();
    let mut built = Vec::new();
    let mut releases = Vec::new();
    for (findings, outcome, (unit, unit_releases)) in results {
        let findings = findings
            .into_iter()
            .filter(|f| {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| (l.path.clone(), l.line, l.column));
                seen.insert((f.code.clone(), at, f.message.clone()))
            })
            .collect();
        run.add(findings, outcome);
        built.push(unit);
        releases.extend(unit_releases);
    }
    (built, releases)
}
