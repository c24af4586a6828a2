//! Live rule metadata (IRSA108–IRSA114): pods, the webhook and the role scan.

use crate::diagnostics::finding::Severity;

crate::declare_rule! {
    /// A pod that uses IRSA also has static AWS keys in its environment.
    ///
    /// ## What it checks
    /// Containers of pods whose ServiceAccount carries a role must not set `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` or `AWS_SESSION_TOKEN` (by value or from a Secret). Only the
    /// variable names are reported, never their values.
    ///
    /// ## Why it matters
    /// The SDK's credential chain prefers static keys: the role is silently unused.
    ///
    /// ## Example
    /// Remove `AWS_ACCESS_KEY_ID` from the Deployment's env and rely on the role.
    pub struct PodStaticKeys => ("IRSA108", "pod-static-aws-keys", Severity::Warning);
}

crate::declare_rule! {
    /// A non-root pod using IRSA has no `fsGroup`, so it may not be able to read the token.
    ///
    /// ## What it checks
    /// Pods with `runAsNonRoot: true` or a non-zero `runAsUser` (pod or container level) need
    /// `securityContext.fsGroup` so the projected token file is readable.
    ///
    /// ## Why it matters
    /// The SDK fails with `permission denied` on the token file, and falls back to the node role.
    ///
    /// ## Example
    /// `securityContext: {fsGroup: 65534}`.
    pub struct PodTokenUnreadable => ("IRSA109", "pod-token-unreadable", Severity::Warning);
}

crate::declare_rule! {
    /// A pod using IRSA runs with `hostNetwork: true`.
    ///
    /// ## What it checks
    /// `spec.hostNetwork` of pods whose ServiceAccount carries a role.
    ///
    /// ## Why it matters
    /// Host-network pods reach the node's instance metadata, so a broken IRSA set-up is hidden by
    /// the node role, and the pod can use the node's credentials.
    ///
    /// ## Example
    /// Drop `hostNetwork`, or block IMDS with a hop limit of 1.
    pub struct PodHostNetwork => ("IRSA110", "pod-host-network", Severity::Warning);
}

crate::declare_rule! {
    /// A pod's `serviceAccountName` does not exist.
    ///
    /// ## What it checks
    /// Every listed pod's ServiceAccount is looked up among the listed ServiceAccounts.
    ///
    /// ## Why it matters
    /// New pods of the workload cannot be created, and whoever creates that ServiceAccount
    /// decides which role they get.
    ///
    /// ## Example
    /// Create the ServiceAccount (the chart's `serviceAccount.create: true`) or fix the name.
    pub struct PodSaMissing => ("IRSA111", "pod-service-account-missing", Severity::Error);
}

crate::declare_rule! {
    /// No pod was mutated and the pod-identity webhook is not installed.
    ///
    /// ## What it checks
    /// When no pod of an IRSA ServiceAccount carries the webhook's changes and no
    /// `MutatingWebhookConfiguration` for the pod-identity webhook exists, this is said once.
    ///
    /// ## Why it matters
    /// Self-hosted clusters (kOps, kubeadm, EKS Anywhere) do not ship the webhook: annotations
    /// alone do nothing there.
    ///
    /// ## Example
    /// Install `amazon-eks-pod-identity-webhook` (or the cert-manager based Helm chart).
    pub struct WebhookMissing => ("IRSA112", "webhook-missing", Severity::Error);
}

crate::declare_rule! {
    /// A role trusts a namespace or ServiceAccount of this cluster that does not exist.
    ///
    /// ## What it checks
    /// Roles from `ListRoles` whose trust names this cluster's OIDC provider: every exact `sub`
    /// (`system:serviceaccount:<ns>:<name>`) must name an existing namespace and ServiceAccount.
    ///
    /// ## Why it matters
    /// Anyone who can create that namespace or ServiceAccount gets the role.
    ///
    /// ## Example
    /// Remove the stale subject from the trust, or delete the unused role.
    pub struct TrustDangling => ("IRSA113", "trust-dangling-subject", Severity::Warning);
}

crate::declare_rule! {
    /// A role trusts this cluster's provider with a `sub` any ServiceAccount could match.
    ///
    /// ## What it checks
    /// Roles from `ListRoles` whose trust names this cluster's provider and whose web-identity
    /// statement has no `sub` condition, or a `StringLike` `sub` with `*` or `?`.
    ///
    /// ## Why it matters
    /// Every pod that can use a matching ServiceAccount can assume the role.
    ///
    /// ## Example
    /// `system:serviceaccount:*` → `system:serviceaccount:edp:edp-kaniko` with `StringEquals`.
    pub struct TrustWildcard => ("IRSA114", "trust-wildcard-subject", Severity::Warning);
}

/// All pod-side and scan live rules.
pub fn metas() -> Vec<&'static crate::diagnostics::RuleMeta> {
    vec![
        &PodStaticKeys::META,
        &PodTokenUnreadable::META,
        &PodHostNetwork::META,
        &PodSaMissing::META,
        &WebhookMissing::META,
        &TrustDangling::META,
        &TrustWildcard::META,
    ]
}
