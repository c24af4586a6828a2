use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use std::collections::HashSet;
use std::sync::Arc;

use crate::facts::{ChartInput, Workspace, ROLE_ARN_ANNOTATION};
use crate::rules::chart_values::{is_role_arn, near_miss, pack_for, user_keys};
use crate::rules::util::entries;
use crate::rules::Rule;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Entry, Node};

declare_rule! {
    /// A role ARN is in a ServiceAccount's annotations under a key other than `eks.amazonaws.com/role-arn`.
    ///
    /// ## What it checks
    /// Every annotation whose value is a role ARN (or whose key is a near miss of the right key,
    /// such as `eks.amazonaws.com/rolearn` or `eks.amazon.com/role-arn`) must use the annotation
    /// key the EKS pod identity webhook reads, `eks.amazonaws.com/role-arn`, spelled exactly. It
    /// is checked on every ServiceAccount of the run (manifests, Terraform
    /// `kubernetes_service_account`, eksctl, kustomize builds), and in charts' values: on the
    /// ServiceAccount annotations a chart pack knows (`serviceAccount.annotations`,
    /// `rbac.serviceAccount.annotations`, …), and under any `annotations` of a chart without a
    /// pack, whichever way the values are given (values files, helmfile, Flux, Argo CD,
    /// Terraform `helm_release` `values` and `set`). kube2iam's `iam.amazonaws.com/role` is
    /// IRSA015's.
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
        let mut reported: HashSet<(String, usize)> = HashSet::new();
        let mut report = |file: &Arc<SourceFile>, key: &Entry, subject: String| {
            if reported.insert((file.display.clone(), key.key.span.start.offset)) {
                out.push(finding(file, key, subject));
            }
        };
        for chart in &ws.charts {
            for (key, file) in chart_keys(chart) {
                let subject = match pack_for(chart) {
                    Some(pack) => format!("the `{}` pods get no role", pack.chart),
                    None => format!("the `{}` chart's pods get no role", chart.name),
                };
                report(file, key, subject);
            }
        }
        for sa in &ws.service_accounts {
            // A rendered chart's accounts: its values were checked above.
            if sa.object.chart.is_some() {
                continue;
            }
            for e in entries(sa.object.annotations()) {
                let Some(key) = e.key.as_str() else { continue };
                if wrong_key(key, &e.value) {
                    let subject = format!("the pods of `{}` get no role", sa.object.name);
                    report(&sa.object.file, e, subject);
                }
            }
        }
    }
}

/// The role ARN annotations under a wrong key that the user wrote in a chart's values: on the
/// pack's ServiceAccount annotations, or (a chart without a pack) under any `annotations`.
fn chart_keys(chart: &ChartInput) -> Vec<(&Entry, &Arc<SourceFile>)> {
    let pack = pack_for(chart);
    let depth = pack.map_or(6, |p| {
        (p.service_accounts.iter())
            .map(|sa| sa.annotations.len() + 1)
            .max()
            .unwrap_or(0)
    });
    let mut out = Vec::new();
    for key in user_keys(chart, depth) {
        let Some((last, parent)) = key.path.split_last() else {
            continue;
        };
        let on_sa = match pack {
            Some(pack) => {
                (pack.service_accounts.iter()).any(|sa| sa.annotations.iter().eq(parent.iter()))
            }
            None => parent.last() == Some(&"annotations"),
        };
        if on_sa && wrong_key(last, &key.entry.value) {
            out.push((key.entry, key.file));
        }
    }
    out
}

/// A role ARN under a key the webhook does not read, or a near miss of the key with a value.
/// `iam.amazonaws.com/role` is kube2iam's (IRSA015).
fn wrong_key(key: &str, value: &Node) -> bool {
    if key == ROLE_ARN_ANNOTATION || key == "iam.amazonaws.com/role" {
        return false;
    }
    let near =
        near_miss(key, ROLE_ARN_ANNOTATION) && value.as_str().is_some_and(|v| !v.trim().is_empty());
    is_role_arn(value) || near
}

fn finding(file: &Arc<SourceFile>, key: &Entry, subject: String) -> Finding {
    let written = key.key.as_str().unwrap_or_default();
    let hint =
        if near_miss(written, ROLE_ARN_ANNOTATION) || written.starts_with("eks.amazonaws.com/") {
            " (a misspelling?)"
        } else {
            ""
        };
    Finding::new(
        &RoleArnAnnotationKey::META,
        format!("annotation `{written}`{hint} carries a role ARN, but the EKS pod identity webhook reads only `{ROLE_ARN_ANNOTATION}`: {subject}"),
    )
    .at(Location::new(file, key.key.span))
    .help(format!("rename the annotation to `{ROLE_ARN_ANNOTATION}`"))
}
