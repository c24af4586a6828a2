//! IRSA112: no pod was mutated and there is no pod-identity webhook configuration. Said once.

use super::pods::PodStats;
use super::Ctx;
use crate::diagnostics::finding::{Finding, ObjectRef};
use crate::doctor::rules_pod::WebhookMissing;

/// Names the pod-identity webhook goes by (EKS, the Helm chart, kOps).
const WEBHOOK_NAMES: &[&str] = &["pod-identity-webhook", "iam-for-pods.amazonaws.com"];

pub fn check(ctx: &mut Ctx<'_>, stats: &PodStats) {
    if ctx.sas.is_empty() || stats.mutated > 0 {
        return;
    }
    // A failed list is already a could-not-verify: never guess here.
    let Some(hooks) = &ctx.snap.webhooks else {
        return;
    };
    let installed = hooks.iter().any(|h| {
        let name = h.metadata.name.as_deref().unwrap_or("");
        WEBHOOK_NAMES.iter().any(|w| name.contains(w))
            || h.webhooks
                .iter()
                .flatten()
                .any(|w| WEBHOOK_NAMES.iter().any(|n| w.name.contains(n)))
    });
    if installed {
        return;
    }
    let pods = if stats.irsa_pods == 0 {
        "no pod uses them yet".to_string()
    } else {
        format!(
            "none of the {} pods that use them was mutated",
            stats.irsa_pods
        )
    };
    ctx.push(
        Finding::new(
            &WebhookMissing::META,
            format!(
                "{} ServiceAccounts carry eks.amazonaws.com/role-arn, but {pods} and there is no MutatingWebhookConfiguration for the pod-identity webhook: the annotations do nothing on this cluster",
                ctx.sas.len()
            ),
        )
        .object(ObjectRef::new("MutatingWebhookConfiguration", None, "pod-identity-webhook"))
        .help("on a self-hosted cluster install amazon-eks-pod-identity-webhook (github.com/aws/amazon-eks-pod-identity-webhook), then restart the workloads"),
    );
}
