//! Terraform trees as lint units: input errors and notes become findings, the lowered trust
//! policies and manifests go through the file rules like any other file's.

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::{input_finding, TerraformNotChecked};
use crate::facts::release::HelmRelease;
use crate::facts::Workspace;
use crate::frontends::terraform::lint_terraform;
use crate::lint::unit::{lint_unit, Keep, UnitOutcome};
use crate::lint::LintOptions;
use crate::rules::Rule;

/// One lint unit per Terraform tree, and the `helm_release`s found (resolved with the others).
pub fn units(
    files: &[std::path::PathBuf],
    opts: &LintOptions,
    rules: &[&dyn Rule],
) -> (Vec<(Vec<Finding>, UnitOutcome)>, Vec<HelmRelease>) {
    let mut releases = Vec::new();
    let units = lint_terraform(files, &opts.paths, opts.max_file_size)
        .into_iter()
        .map(|mut unit| {
            releases.append(&mut unit.releases);
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
            let mut ws = Workspace::default();
            let c = unit.classified;
            ws.service_accounts.extend(c.service_accounts);
            ws.workloads.extend(c.workloads);
            ws.policies.extend(c.policies);
            ws.arn_values.extend(c.arn_values);
            ws.objects.extend(c.objects);
            ws.files.extend(unit.files);
            (findings, lint_unit(ws, rules, Keep::WhatWorkspaceRulesRead))
        })
        .collect();
    (units, releases)
}
