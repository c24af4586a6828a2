use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::chart_values::{near_miss, pack_for, sa_keys, user_keys};
use crate::rules::Rule;

declare_rule! {
    /// A values key differs from a ServiceAccount key of the chart by letter case or one letter.
    ///
    /// ## What it checks
    /// For charts with a chart pack (`rules/charts/`: cluster-autoscaler, external-dns,
    /// aws-load-balancer-controller, cert-manager, karpenter, aws-ebs-csi-driver,
    /// external-secrets, keda, velero), every key of the user's values (a release's values files, inline
    /// values and `set` entries) is compared with the keys that set the chart's ServiceAccount
    /// name, `create` flag and annotations. A key the chart does not read that is one edit (or a
    /// change of case) away from one it reads is reported with the right spelling.
    ///
    /// ## Why it matters
    /// Helm ignores keys a chart does not read, silently: `rbac.serviceAcount.name` leaves the
    /// name at its default, so the ServiceAccount is not the one the role trusts, and the pods
    /// fail with `AccessDenied` on `sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Example
    /// ```yaml
    /// rbac:
    ///   serviceAcount:        # cluster-autoscaler reads rbac.serviceAccount
    ///     name: cluster-autoscaler
    /// ```
    /// Fixed: `rbac.serviceAccount.name`.
    pub struct ValuesKeyTypo => ("IRSA060", "values-key-typo", Severity::Error);
}

impl Rule for ValuesKeyTypo {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for chart in &ws.charts {
            let Some(pack) = pack_for(chart) else {
                continue;
            };
            let known = sa_keys(pack);
            let ignored: Vec<&Vec<String>> = pack.ignored.iter().map(|(k, _)| k).collect();
            let depth = known.iter().map(Vec::len).max().unwrap_or(0);
            for key in user_keys(chart, depth) {
                let n = key.path.len();
                let is = |k: &Vec<String>| k.len() >= n && k[..n].iter().eq(key.path.iter());
                if known.iter().any(is) || ignored.iter().any(|k| is(k)) {
                    continue; // a key (or a prefix of one) the pack knows
                }
                let parent = &key.path[..n - 1];
                let Some(right) = known.iter().find(|k| {
                    k.len() >= n
                        && k[..n - 1].iter().eq(parent.iter())
                        && near_miss(key.path[n - 1], &k[n - 1])
                }) else {
                    continue;
                };
                let wrote = key.path.join(".");
                let meant = right[..n].join(".");
                out.push(
                    Finding::new(
                        &Self::META,
                        format!(
                            "`{wrote}` is not a key chart `{}` reads; did you mean `{meant}`? Helm ignores it, so the ServiceAccount keeps its default",
                            pack.chart
                        ),
                    )
                    .at(Location::new(key.file, key.entry.key.span))
                    .help(format!("rename the key to `{}`", right[n - 1])),
                );
            }
        }
    }
}
