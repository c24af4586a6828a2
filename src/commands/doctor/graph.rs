//! What doctor checked, for the graph renderers and OpenReports: each annotated ServiceAccount
//! and Pod Identity association as a pair, and the cluster-wide facts it looked at.

use crate::doctor::checks::{Ctx, Verdict};
use crate::report::graph::{ClusterCheck, GraphPair, Provider};

/// Every ServiceAccount → role pair and association doctor checked in one cluster.
pub fn pairs(ctx: &Ctx<'_>, context: Option<&str>) -> Vec<GraphPair> {
    let provider = match &ctx.issuer {
        Some(issuer) => Provider::Oidc(issuer.clone()),
        None => Provider::UnknownOidc,
    };
    let mut out: Vec<GraphPair> = ctx
        .sas
        .iter()
        .map(|sa| GraphPair {
            context: context.map(str::to_string),
            namespace: sa.namespace.clone(),
            service_account: sa.name.clone(),
            role: sa.role.as_ref().map_or(sa.arn.clone(), |r| r.name.clone()),
            role_arn: Some(sa.arn.clone()),
            provider: provider.clone(),
            association_id: None,
            trust_path: None,
            verified: sa.verdict != Verdict::CouldNotVerify,
        })
        .collect();
    let Some(eks) = &ctx.eks else { return out };
    for a in eks.associations.iter().flatten() {
        let arn = a.role_arn.clone().unwrap_or_default();
        let role = arn.rsplit('/').next().unwrap_or(&arn).to_string();
        out.push(GraphPair {
            context: context.map(str::to_string),
            namespace: a.namespace.clone(),
            service_account: a.service_account.clone(),
            role,
            role_arn: a.role_arn.clone(),
            provider: Provider::PodIdentity,
            association_id: Some(a.association_id.clone()),
            trust_path: None,
            verified: eks.verdicts.get(&a.association_id) != Some(&Verdict::CouldNotVerify),
        });
    }
    out
}

/// The cluster-wide facts doctor read (a finding of the same code, or a could-not-verify about
/// the same object, turns the pass into a failure or an error).
pub fn cluster_checks(ctx: &Ctx<'_>, context: Option<&str>) -> Vec<ClusterCheck> {
    let check = |policy: &'static str, kind: &'static str, name: String| ClusterCheck {
        context: context.map(str::to_string),
        policy,
        kind,
        name,
    };
    let mut out = Vec::new();
    let irsa = !ctx.sas.is_empty();
    if let (true, Some(issuer)) = (irsa, &ctx.issuer) {
        out.push(check("IRSA101", "OpenIDConnectProvider", issuer.clone()));
    }
    if irsa && ctx.snap.webhooks.is_some() {
        out.push(check(
            "IRSA112",
            "MutatingWebhookConfiguration",
            "pod-identity-webhook".into(),
        ));
    }
    let Some(eks) = &ctx.eks else { return out };
    if let Some(cluster) = &eks.cluster {
        if cluster.issuer.is_some() && ctx.snap.issuer.is_some() {
            out.push(check("IRSA115", "Cluster", cluster.name.clone()));
        }
    }
    if eks.agent.is_some() {
        out.push(check(
            "IRSA119",
            "DaemonSet",
            crate::doctor::pod_identity::AGENT_NAME.into(),
        ));
    }
    out
}
