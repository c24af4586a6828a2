//! Which roles pods assume: the roles IRSA024 looks at.

use std::collections::HashSet;

use crate::facts::Workspace;
use crate::model::arn::{parse_role_arn, ArnKind};
use crate::model::policy::{Effect, PolicyDocument, Statement};
use crate::model::trust::POD_IDENTITY_SERVICE;

/// Names of the roles a pod of the run can assume: a trust for an EKS OIDC provider (or for
/// `system:serviceaccount:` subjects) or for EKS Pod Identity, a service account's role ARN, or a
/// Pod Identity association's role.
pub fn pod_roles(ws: &Workspace) -> HashSet<String> {
    let mut roles = HashSet::new();
    for p in ws.policies.iter().filter(|p| p.is_trust()) {
        if let (Some(role), Some(doc)) = (&p.role_name, p.document()) {
            if trusts_pods(doc) {
                roles.insert(role.clone());
            }
        }
    }
    let carried = ws
        .service_accounts
        .iter()
        .filter_map(|sa| sa.role_arn_value())
        .chain(
            ws.pod_identity_associations
                .iter()
                .filter_map(|a| a.role_arn_value()),
        );
    for arn in carried {
        if let Ok(ArnKind::Role { name, .. }) = parse_role_arn(arn).map(|a| a.kind) {
            roles.insert(name);
        }
    }
    roles
}

/// Some Allow statement lets EKS Pod Identity or a Kubernetes service account token in.
pub fn trusts_pods(doc: &PolicyDocument) -> bool {
    doc.statements
        .iter()
        .filter(|s| s.effect.value == Effect::Allow)
        .any(|s| trusts_pod_identity(s) || trusts_eks_oidc(s))
}

fn trusts_pod_identity(s: &Statement) -> bool {
    s.principal.as_ref().is_some_and(|p| {
        p.services()
            .iter()
            .any(|v| v.value.eq_ignore_ascii_case(POD_IDENTITY_SERVICE))
    })
}

/// An EKS cluster's OIDC provider (`oidc.eks.<region>.amazonaws.com/id/…`), or any provider
/// whose `sub` names a Kubernetes service account (a self-managed cluster's issuer).
fn trusts_eks_oidc(s: &Statement) -> bool {
    let eks_provider = s.principal.as_ref().is_some_and(|p| {
        p.federated()
            .iter()
            .any(|v| v.value.contains(":oidc-provider/oidc.eks."))
    });
    let service_account_sub = s.conditions.iter().any(|c| {
        c.key.to_ascii_lowercase().ends_with(":sub")
            && c.values
                .iter()
                .any(|v| v.value.starts_with("system:serviceaccount:"))
    });
    eks_provider || service_account_sub
}
