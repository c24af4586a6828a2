//! Live rule metadata (IRSA115–IRSA121): the EKS cluster and its Pod Identity associations.

use crate::diagnostics::finding::Severity;

crate::declare_rule! {
    /// EKS says the cluster's OIDC issuer is not the one its API server publishes.
    ///
    /// ## What it checks
    /// The cluster name comes from the kubeconfig (`arn:aws:eks:REGION:ACCOUNT:cluster/NAME`
    /// context or cluster names, `--cluster-name` in the exec args) or `--cluster`. EKS
    /// `DescribeCluster` gives `identity.oidc.issuer`; it must equal the `issuer` of the API
    /// server's `/.well-known/openid-configuration` (or `--issuer`). When discovery cannot be read,
    /// the EKS issuer is used for the OIDC provider and trust checks.
    ///
    /// ## Why it matters
    /// Tokens carry the API server's issuer. A difference means the kubeconfig and the cluster
    /// name point at different clusters (a recreated cluster with the old name in the
    /// kubeconfig, a wrong `--cluster`), and every IRSA check would be made against the wrong one.
    ///
    /// ## Example
    /// `aws eks update-kubeconfig --name prod --region eu-west-1` to point the kubeconfig at the
    /// cluster EKS knows as `prod`, or pass the right `--cluster`.
    pub struct EksIssuerMismatch => ("IRSA115", "eks-issuer-mismatch", Severity::Error);
}

crate::declare_rule! {
    /// A live Pod Identity association's role does not trust EKS Pod Identity for it.
    ///
    /// ## What it checks
    /// For each association (`ListPodIdentityAssociations` to the last page, then
    /// `DescribePodIdentityAssociation`), the role's trust (`GetRole`, once per distinct role) is
    /// evaluated for principal `pods.eks.amazonaws.com`, actions `sts:AssumeRole` and
    /// `sts:TagSession`, and the session tags of the association (`aws:RequestTag/kubernetes-namespace`,
    /// `kubernetes-service-account`, `eks-cluster-name`, `eks-cluster-arn`), `aws:SourceAccount` and
    /// `aws:SourceArn` (the cluster ARN from `DescribeCluster`). With `disableSessionTags` no
    /// request tag is present.
    ///
    /// ## Why it matters
    /// EKS accepts the association and injects the pods, and then every credential request from
    /// the EKS Pod Identity Agent is refused: `AccessDenied` in the pod's SDK.
    ///
    /// ## Example
    /// A role copied from an IRSA setup (`Principal.Federated`), or a condition naming another
    /// namespace: add the statement doctor prints.
    pub struct LivePodIdentityTrustDenies => ("IRSA116", "live-pod-identity-trust-denies", Severity::Error);
}

crate::declare_rule! {
    /// A Pod Identity association names a namespace or service account that does not exist.
    ///
    /// ## What it checks
    /// Each association's namespace must exist, and its service account in it.
    ///
    /// ## Why it matters
    /// A dangling association is harmless until someone creates that service account: then it
    /// silently gets the role. It is usually a leftover of a renamed or removed workload.
    ///
    /// ## Example
    /// `aws eks delete-pod-identity-association --cluster-name prod --association-id a-…`.
    pub struct PodIdentityDangling => ("IRSA117", "pod-identity-dangling", Severity::Warning);
}

crate::declare_rule! {
    /// A pod of an associated service account was not injected with Pod Identity credentials.
    ///
    /// ## What it checks
    /// Each running pod whose service account has an association must have
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` in every
    /// container and the `eks-pod-identity-token` volume. The owner to restart
    /// (Deployment, StatefulSet, DaemonSet...) is named.
    ///
    /// ## Why it matters
    /// EKS injects pods only when they are created: a pod started before its association runs
    /// with the node role (or no credentials) until it is restarted.
    ///
    /// ## Example
    /// `kubectl rollout restart deployment/app -n web` after creating the association.
    pub struct PodIdentityNotInjected => ("IRSA118", "pod-identity-not-injected", Severity::Error);
}

crate::declare_rule! {
    /// The EKS Pod Identity Agent is missing, or not ready on a node where associated pods run.
    ///
    /// ## What it checks
    /// The `eks-pod-identity-agent` DaemonSet in `kube-system` (the EKS add-on) must exist, and
    /// a ready agent pod must run on every node where a pod of an associated service account runs.
    ///
    /// ## Why it matters
    /// Injected pods fetch credentials from the agent on their own node
    /// (`http://169.254.170.23/v1/credentials`). Without it the SDK's container provider fails and
    /// the pod gets no credentials.
    ///
    /// ## Example
    /// `aws eks create-addon --cluster-name prod --addon-name eks-pod-identity-agent`.
    pub struct PodIdentityAgentNotReady => ("IRSA119", "pod-identity-agent-not-ready", Severity::Error);
}

crate::declare_rule! {
    /// A live service account has both an IRSA role annotation and a Pod Identity association.
    ///
    /// ## What it checks
    /// A ServiceAccount with `eks.amazonaws.com/role-arn` for which the cluster has a Pod
    /// Identity association.
    ///
    /// ## Why it matters
    /// New pods get the Pod Identity role (the EKS webhook injects container credentials instead
    /// of the IRSA variables), pods started earlier keep the IRSA role, and a pod that carries
    /// both sets of variables uses the IRSA role: the AWS SDKs' default chain tries web identity
    /// before the container credential provider. Doctor says which set each pod has (see
    /// `kubectl irsa explain IRSA067` for the AWS documentation on the precedence).
    ///
    /// ## Example
    /// Remove the annotation once the association is in place, then restart the pods.
    pub struct LivePodIdentityAndIrsa => ("IRSA120", "live-pod-identity-and-irsa", Severity::Warning);
}

crate::declare_rule! {
    /// The role of a Pod Identity association does not exist in IAM.
    ///
    /// ## What it checks
    /// `GetRole` for the association's `roleArn` answered `NoSuchEntity`.
    ///
    /// ## Why it matters
    /// Every credential request of the association's pods fails; EKS does not check the role
    /// after the association is created.
    ///
    /// ## Example
    /// Recreate the role, or `aws eks update-pod-identity-association --role-arn …`.
    pub struct PodIdentityRoleNotFound => ("IRSA121", "pod-identity-role-not-found", Severity::Error);
}

/// All EKS and Pod Identity live rules.
pub fn metas() -> Vec<&'static crate::diagnostics::RuleMeta> {
    vec![
        &EksIssuerMismatch::META,
        &LivePodIdentityTrustDenies::META,
        &PodIdentityDangling::META,
        &PodIdentityNotInjected::META,
        &PodIdentityAgentNotReady::META,
        &LivePodIdentityAndIrsa::META,
        &PodIdentityRoleNotFound::META,
    ]
}
