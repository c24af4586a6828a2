//! The summarize phase of a lint run: what was read and which role/service-account pairs the
//! cross-checks saw (`report::coverage`). Silence must not look like a pass.

use std::collections::HashSet;

use crate::facts::Workspace;
use crate::model::arn::{parse_role_arn, ArnKind};
use crate::report::coverage::{CheckedPair, Coverage};

/// The coverage of a run's workspace (the "not checked" groups come from the findings later).
pub(crate) fn coverage(ws: &Workspace, verbose: bool) -> Coverage {
    let mut coverage = Coverage {
        verbose,
        files: ws.files.len(),
        service_accounts: ws.service_accounts.len(),
        trust_policies: ws.policies.iter().filter(|p| p.is_trust()).count(),
        pod_identity_associations: ws.pod_identity_associations.len(),
        ..Coverage::default()
    };
    coverage.set_checked(checked_pairs(ws));
    coverage.set_trusted_outside(trusted_outside(ws));
    coverage
}

fn checked_pairs(ws: &Workspace) -> Vec<CheckedPair> {
    let mut pairs: Vec<CheckedPair> = ws
        .trust_pairs()
        .iter()
        .map(|p| CheckedPair {
            role: p.role.to_string(),
            service_account: format!(
                "{}/{}",
                p.sa.object.effective_namespace("default"),
                p.sa.object.name
            ),
            via: "irsa",
        })
        .collect();
    let trusted: HashSet<&str> = ws
        .policies
        .iter()
        .filter(|p| p.is_trust())
        .filter_map(|p| p.role_name.as_deref())
        .collect();
    for a in &ws.pod_identity_associations {
        let Some(arn) = a.role_arn_value().and_then(|v| parse_role_arn(v).ok()) else {
            continue;
        };
        let ArnKind::Role { name, .. } = &arn.kind else {
            continue;
        };
        let (Some(ns), Some(sa)) = (a.namespace_name(), a.service_account_name()) else {
            continue;
        };
        if trusted.contains(name.as_str()) {
            pairs.push(CheckedPair {
                role: name.clone(),
                service_account: format!("{ns}/{sa}"),
                via: "pod-identity",
            });
        }
    }
    pairs
}

/// Service accounts a role of the run trusts by name that the run does not create.
fn trusted_outside(ws: &Workspace) -> Vec<CheckedPair> {
    ws.trusted_accounts()
        .iter()
        .filter(|t| ws.accounts_landing(&t.namespace, &t.name).is_empty())
        .map(|t| CheckedPair {
            role: crate::model::arn::display_role(t.role).to_string(),
            service_account: format!("{}/{}", t.namespace, t.name),
            via: "irsa",
        })
        .collect()
}
