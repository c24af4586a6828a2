use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::chart_values::{is_role_arn, pack_for, user_keys};
use crate::rules::Rule;

declare_rule! {
    /// A role ARN is set under a values key the chart does not put on its ServiceAccount.
    ///
    /// ## What it checks
    /// For charts with a chart pack, a role ARN (`arn:…:role/…`) under a key the pack lists as
    /// ignored for IRSA: `podAnnotations` (the webhook reads the ServiceAccount, not the pod), or
    /// a top-level `serviceAccount.annotations` on a chart that reads `rbac.serviceAccount`
    /// (cluster-autoscaler) or `controller.serviceAccount` (aws-ebs-csi-driver).
    ///
    /// ## Why it matters
    /// The chart renders without error, the ServiceAccount has no `eks.amazonaws.com/role-arn`,
    /// and the pods fall back to the node role: either `AccessDenied`, or far more access than
    /// intended.
    ///
    /// ## Example
    /// ```yaml
    /// podAnnotations:
    ///   eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/external-dns
    /// ```
    /// Fixed: put it under `serviceAccount.annotations`.
    pub struct RoleArnIgnoredKey => ("IRSA061", "role-arn-ignored-key", Severity::Error);
}

impl Rule for RoleArnIgnoredKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for chart in &ws.charts {
            let Some(pack) = pack_for(chart) else {
                continue;
            };
            let depth = pack
                .ignored
                .iter()
                .map(|(k, _)| k.len() + 1)
                .max()
                .unwrap_or(0);
            for key in user_keys(chart, depth) {
                if !is_role_arn(&key.entry.value) {
                    continue;
                }
                let Some((ignored, why)) = pack.ignored.iter().find(|(k, _)| {
                    key.path.len() > k.len() && k.iter().eq(key.path[..k.len()].iter())
                }) else {
                    continue;
                };
                let target = pack
                    .service_accounts
                    .first()
                    .map(|sa| sa.annotations.join("."))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        &Self::META,
                        format!(
                            "a role ARN under `{}`, which chart `{}` does not put on its ServiceAccount: {why}",
                            ignored.join("."),
                            pack.chart
                        ),
                    )
                    .at(Location::new(key.file, key.entry.key.span.to(key.entry.value.span)))
                    .help(format!("move it to `{target}.\"eks.amazonaws.com/role-arn\"`")),
                );
            }
        }
    }
}
