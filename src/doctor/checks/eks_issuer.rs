//! IRSA115: the issuer EKS reports for the cluster vs the API server's discovery issuer.

use serde_json::json;

use super::{issuer_host, Ctx};
use crate::diagnostics::finding::{Finding, ObjectRef};
use crate::doctor::rules_eks::EksIssuerMismatch;

pub fn check(ctx: &mut Ctx<'_>) {
    let Some(eks) = &ctx.eks else { return };
    let Some(cluster) = &eks.cluster else { return };
    let (Some(eks_issuer), Some(served)) = (cluster.issuer.clone(), ctx.snap.issuer.clone()) else {
        return;
    };
    if issuer_host(&eks_issuer) == issuer_host(&served) {
        return;
    }
    let name = cluster.name.clone();
    let source = eks.target.source.clone();
    let view = ctx.views.iam(
        format!("eks/cluster/{name}.json"),
        &json!({"name": name, "arn": cluster.arn, "identity": {"oidc": {"issuer": eks_issuer}}}),
    );
    let loc = view.loc(&["identity", "oidc", "issuer"]);
    ctx.push(
        Finding::new(
            &EksIssuerMismatch::META,
            format!("EKS says cluster `{name}` (from {source}) has issuer `{eks_issuer}`, but the API server publishes `{served}`: the kubeconfig and the cluster name point at different clusters"),
        )
        .at(loc.with_message("DescribeCluster's issuer"))
        .object(ObjectRef::new("Cluster", None, &name))
        .help(format!("point the kubeconfig at cluster `{name}` (`aws eks update-kubeconfig --name {name}`), or pass the cluster's real name with --cluster")),
    );
}
