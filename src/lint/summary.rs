//! The summarize phase of a lint run: what was read and which role/service-account pairs the
//! cross-checks saw (`report::coverage`). Silence must not look like a pass.

use std::collections::HashSet;

use crate::facts::Workspace;
use crate::model::arn::{parse_role_arn, ArnKind};
use crate::model::trust;
use crate::report::coverage::{CheckedPair, Coverage};
use crate::report::graph::{GraphPair, Provider};

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
    let mut graph = graph_pairs(ws);
    graph.sort();
    graph.dedup();
    coverage.set_checked(graph.iter().map(checked_pair).collect());
    coverage.graph = graph;
    coverage.set_trusted_outside(trusted_outside(ws));
    coverage
}

fn checked_pair(p: &GraphPair) -> CheckedPair {
    CheckedPair {
        role: p.role.clone(),
        service_account: p.sa_label(),
        via: match p.provider {
            Provider::PodIdentity => "pod-identity",
            _ => "irsa",
        },
    }
}

/// One pair per (service account, trust, provider the trust names).
fn graph_pairs(ws: &Workspace) -> Vec<GraphPair> {
    let mut pairs = Vec::new();
    for p in ws.trust_pairs() {
        let mut issuers: Vec<Provider> = trust::web_identity_statements(p.doc)
            .flat_map(|s| s.principal.iter().flat_map(|pr| pr.federated()))
            .filter_map(|v| trust::oidc_issuer_of(&v.value))
            .map(|(_, _, issuer)| Provider::Oidc(issuer))
            .collect();
        if issuers.is_empty() {
            issuers.push(Provider::UnknownOidc);
        }
        for provider in issuers {
            pairs.push(GraphPair {
                context: None,
                namespace: p.sa.object.effective_namespace("default").to_string(),
                service_account: p.sa.object.name.clone(),
                role: p.role.to_string(),
                role_arn: p.sa.role_arn_value().map(str::to_string),
                provider,
                association_id: None,
                trust_path: Some(p.policy.file.display.clone()),
                verified: true,
            });
        }
    }
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
            pairs.push(GraphPair {
                context: None,
                namespace: ns.to_string(),
                service_account: sa.to_string(),
                role: name.clone(),
                role_arn: a.role_arn_value().map(str::to_string),
                provider: Provider::PodIdentity,
                association_id: None,
                trust_path: None,
                verified: true,
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
