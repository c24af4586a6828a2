use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::ChartInput;
use crate::facts::Workspace;
use crate::frontends::release::chartpack::ChartPack;
use crate::rules::chart_values::{is_role_arn, pack_for, sa_keys, user_keys};
use crate::rules::Rule;

declare_rule! {
    /// A role ARN is set under a values key the chart does not put on its ServiceAccount.
    ///
    /// ## What it checks
    /// For charts with a chart pack, a role ARN (`arn:…:role/…`) under a key the pack lists as
    /// ignored for IRSA: `podAnnotations` (the webhook reads the ServiceAccount, not the pod), or
    /// a top-level `serviceAccount.annotations` on a chart that reads `rbac.serviceAccount`
    /// (cluster-autoscaler) or `controller.serviceAccount` (aws-ebs-csi-driver). Likewise a
    /// service account `name` or `create` key the chart does not read: one the pack lists as
    /// ignored (`serviceAccount.name` on cluster-autoscaler), or a `….serviceAccount.name` /
    /// `.create` under a `serviceAccount` the pack knows no key of at all.
    ///
    /// ## Why it matters
    /// The chart renders without error, the ServiceAccount has no `eks.amazonaws.com/role-arn`,
    /// and the pods fall back to the node role: either `AccessDenied`, or far more access than
    /// intended. An ignored name leaves the trust naming one account while the chart creates
    /// another, without the role.
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
            out.extend(ignored_sa_keys(chart, pack));
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

/// A service account `name` or `create` key the chart does not read (`serviceAccount.name` on a
/// chart that reads `rbac.serviceAccount.name`): the trust names one account, the chart creates
/// another, without the role.
fn ignored_sa_keys(chart: &ChartInput, pack: &ChartPack) -> Vec<Finding> {
    let known = sa_keys(pack);
    let depth = known.iter().map(Vec::len).max().unwrap_or(0) + 1;
    let mut out = Vec::new();
    for key in user_keys(chart, depth) {
        let Some((last, parent)) = key.path.split_last() else {
            continue;
        };
        let on_sa = parent
            .last()
            .is_some_and(|p| p.eq_ignore_ascii_case("serviceAccount"));
        if !on_sa || !matches!(*last, "name" | "create") {
            continue;
        }
        let Some(sa) = pack.service_accounts.first() else {
            continue;
        };
        let right = if *last == "name" {
            &sa.name
        } else {
            &sa.create.key
        };
        let is_path = |k: &Vec<String>| k.iter().eq(key.path.iter());
        let why = match pack.ignored.iter().find(|(k, _)| is_path(k)) {
            Some((_, why)) => why.clone(),
            // Where the pack knows no key under that `serviceAccount` at all (a pack that knows
            // `serviceAccount.annotations` but not `.name` may just not list it).
            None => {
                let under = |k: &Vec<String>| {
                    k.len() > parent.len() && k.iter().zip(parent).all(|(a, b)| a == b)
                };
                if known.iter().any(under) || pack.ignored.iter().any(|(k, _)| under(k)) {
                    continue;
                }
                format!("its service account's {last} is `{}`", right.join("."))
            }
        };
        let effect = match *last {
            "name" => "the chart names its account otherwise, and a trust written for this name does not match it",
            _ => "the chart's own flag still decides whether it creates its account",
        };
        out.push(
            Finding::new(
                &RoleArnIgnoredKey::META,
                format!(
                    "`{}` is not read by chart `{}`: {why}; {effect}",
                    key.path.join("."),
                    pack.chart,
                ),
            )
            .at(Location::new(
                key.file,
                key.entry.key.span.to(key.entry.value.span),
            ))
            .help(format!("set `{}` instead", right.join("."))),
        );
    }
    out
}
