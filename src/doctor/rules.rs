//! Live rule metadata (IRSA100–IRSA107): IAM-side checks. Pod-side rules are in `rules_pod.rs`.

use crate::diagnostics::finding::Severity;

crate::declare_rule! {
    /// Something could not be checked: a permission, an API or IAM itself failed.
    ///
    /// ## What it checks
    /// Every Kubernetes list and IAM call doctor makes. When one fails (RBAC 403, IAM
    /// `AccessDenied`, throttling after the SDK's retries, a timeout, a 5xx, a missing API group,
    /// an expired kubeconfig token), the objects that depended on it are reported here, with the
    /// permission that would have let doctor check them (`iam:GetRole`, `list serviceaccounts`...).
    ///
    /// ## Why it matters
    /// A diagnosis that silently skips what it could not read looks clean when it is not. Doctor
    /// never reports OK for anything it did not verify.
    ///
    /// ## Example
    /// `could not verify role app-role: iam:GetRole was denied (AccessDenied)` — grant
    /// `iam:GetRole` on the role (see the README for the minimal policy) and run doctor again.
    pub struct CouldNotVerify => ("IRSA100", "could-not-verify", Severity::Error);
}

crate::declare_rule! {
    /// The IAM OIDC provider for the cluster's issuer does not exist in the role's account.
    ///
    /// ## What it checks
    /// For every account that owns a role referenced by a ServiceAccount, doctor looks up
    /// `arn:aws:iam::<account>:oidc-provider/<issuer>` with `GetOpenIDConnectProvider`.
    ///
    /// ## Why it matters
    /// Without the provider, STS refuses every token of the cluster: "No OpenIDConnect provider
    /// found in your account". Cross-account roles need the provider in the role's account too.
    ///
    /// ## Example
    /// `eksctl utils associate-iam-oidc-provider --cluster my-cluster --approve`, or create the
    /// provider for `https://oidc.eks.us-east-1.amazonaws.com/id/ABC` in account 111122223333.
    pub struct OidcProviderMissing => ("IRSA101", "oidc-provider-missing", Severity::Error);
}

crate::declare_rule! {
    /// The OIDC provider's client-ID list lacks the audience a ServiceAccount's token carries.
    ///
    /// ## What it checks
    /// Each annotated ServiceAccount's audience (`eks.amazonaws.com/audience`, else
    /// `sts.amazonaws.com`) must be in the provider's `ClientIDList`.
    ///
    /// ## Why it matters
    /// STS rejects a token whose `aud` is not a client ID of the provider: `Incorrect token audience`.
    ///
    /// ## Example
    /// `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn … --client-id sts.amazonaws.com`
    pub struct OidcAudienceMissing => ("IRSA102", "oidc-audience-missing", Severity::Error);
}

crate::declare_rule! {
    /// A live ServiceAccount's `eks.amazonaws.com/role-arn` is not a valid IAM role ARN.
    ///
    /// ## What it checks
    /// The annotation is parsed as `arn:<partition>:iam::<12-digit account>:role/<path/>name`;
    /// placeholders such as `<AWS_ACCOUNT_ID>` left from a README are named.
    ///
    /// ## Why it matters
    /// The webhook injects the value as is; the SDK then fails with a validation error at runtime.
    ///
    /// ## Example
    /// `arn:aws:iam::<AWS_ACCOUNT_ID>:role/kaniko` → `arn:aws:iam::123456789012:role/kaniko`.
    pub struct RoleArnInvalid => ("IRSA103", "live-role-arn-invalid", Severity::Error);
}

crate::declare_rule! {
    /// The role a ServiceAccount names does not exist in IAM.
    ///
    /// ## What it checks
    /// `GetRole` (once per distinct role) answered `NoSuchEntity`.
    ///
    /// ## Why it matters
    /// Every pod of the ServiceAccount fails `sts:AssumeRoleWithWebIdentity`; a deleted or
    /// misspelt role is a common leftover of a renamed release.
    ///
    /// ## Example
    /// The SA says `role/edp-kaniko-role`, IAM has `role/edp-kaniko`: fix the annotation or create the role.
    pub struct RoleNotFound => ("IRSA104", "role-not-found", Severity::Error);
}

crate::declare_rule! {
    /// The live role's trust policy does not let the live ServiceAccount assume it.
    ///
    /// ## What it checks
    /// The role's trust (from `GetRole`) is evaluated with IAM's condition semantics for this
    /// cluster's OIDC provider, `system:serviceaccount:<namespace>:<name>` and the SA's audience.
    /// The statement and condition that refused are underlined, and a corrected statement is printed.
    ///
    /// ## Why it matters
    /// This is the most common IRSA failure, and it is visible only in CloudTrail as
    /// `AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Example
    /// The SA is `ci/edp-kaniko`, the trust says `system:serviceaccount:edp:edp-kaniko`.
    pub struct TrustDenies => ("IRSA105", "live-trust-denies", Severity::Error);
}

crate::declare_rule! {
    /// A pod that uses an IRSA ServiceAccount was not mutated by the pod-identity webhook.
    ///
    /// ## What it checks
    /// Each container (except those in the pod's `eks.amazonaws.com/skip-containers`) must have
    /// `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`, and the pod the `aws-iam-token` volume.
    ///
    /// ## Why it matters
    /// An unmutated pod silently falls back to the node role (or to no credentials at all). Pods
    /// created before the SA was annotated are never mutated: they must be restarted.
    ///
    /// ## Example
    /// `kubectl rollout restart deployment/app -n edp` after annotating the SA.
    pub struct PodNotMutated => ("IRSA106", "pod-not-mutated", Severity::Error);
}

crate::declare_rule! {
    /// A running pod still uses the role its ServiceAccount carried before the annotation changed.
    ///
    /// ## What it checks
    /// The pod's `AWS_ROLE_ARN` must equal the SA's current `eks.amazonaws.com/role-arn`. When it
    /// does not, the owning Deployment, StatefulSet or DaemonSet to restart is named.
    ///
    /// ## Why it matters
    /// The webhook mutates pods only at creation: a changed annotation has no effect until restart.
    ///
    /// ## Example
    /// `kubectl rollout restart deployment/app -n edp`.
    pub struct PodStaleRole => ("IRSA107", "pod-stale-role", Severity::Error);
}

/// All IAM-side live rules.
pub fn metas() -> Vec<&'static crate::diagnostics::RuleMeta> {
    vec![
        &CouldNotVerify::META,
        &OidcProviderMissing::META,
        &OidcAudienceMissing::META,
        &RoleArnInvalid::META,
        &RoleNotFound::META,
        &TrustDenies::META,
        &PodNotMutated::META,
        &PodStaleRole::META,
    ]
}
