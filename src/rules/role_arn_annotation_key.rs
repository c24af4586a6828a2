use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{Workspace, ROLE_ARN_ANNOTATION};
use crate::rules::chart_values::{is_role_arn, near_miss, pack_for, user_keys};
use crate::rules::Rule;

declare_rule! {
    /// A role ARN is in the chart's ServiceAccount annotations under a key other than `eks.amazonaws.com/role-arn`.
    ///
    /// ## What it checks
    /// For charts with a chart pack, each annotation the user sets on the chart's ServiceAccount
    /// (`serviceAccount.annotations`, `rbac.serviceAccount.annotations`, …) whose value is a role
    /// ARN must use the annotation key the EKS pod identity webhook reads,
    /// `eks.amazonaws.com/role-arn`, spelled exactly.
    ///
    /// ## Why it matters
    /// The webhook matches the key exactly. `eks.amazonaws.com/role_arn`,
    /// `eks.amazonaws.com/roleArn` or `iam.amazonaws.com/role` (kiam) leave the pods without
    /// web-identity credentials.
    ///
    /// ## Example
    /// ```yaml
    /// serviceAccount:
    ///   annotations:
    ///     eks.amazonaws.com/role_arn: arn:aws:iam::111122223333:role/karpenter
    /// ```
    /// Fixed: `eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/karpenter`.
    pub struct RoleArnAnnotationKey => ("IRSA062", "role-arn-annotation-key", Severity::Error);
}

impl Rule for RoleArnAnnotationKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for chart in &ws.charts {
            let Some(pack) = pack_for(chart) else {
                continue;
            };
            let depth = pack
                .service_accounts
                .iter()
                .map(|sa| sa.annotations.len() + 1)
                .max()
                .unwrap_or(0);
            for key in user_keys(chart, depth) {
                let Some((last, parent)) = key.path.split_last() else {
                    continue;
                };
                let on_sa = pack
                    .service_accounts
                    .iter()
                    .any(|sa| sa.annotations.iter().eq(parent.iter()));
                if !on_sa || *last == ROLE_ARN_ANNOTATION || !is_role_arn(&key.entry.value) {
                    continue;
                }
                let hint = if near_miss(last, ROLE_ARN_ANNOTATION)
                    || last.starts_with("eks.amazonaws.com/")
                {
                    " (a misspelling?)"
                } else {
                    ""
                };
                out.push(
                    Finding::new(
                        &Self::META,
                        format!(
                            "annotation `{last}`{hint} carries a role ARN, but the EKS pod identity webhook reads only `{ROLE_ARN_ANNOTATION}`: the `{}` pods get no role",
                            pack.chart
                        ),
                    )
                    .at(Location::new(key.file, key.entry.key.span))
                    .help(format!("rename the annotation to `{ROLE_ARN_ANNOTATION}`")),
                );
            }
        }
    }
}
