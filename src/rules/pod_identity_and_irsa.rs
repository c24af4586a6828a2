use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::arn::display_role;
use crate::rules::pod_identity_trust::{association_label, service_account_in};
use crate::rules::util::sa_related;
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A service account has both an IRSA role annotation and a Pod Identity association.
    ///
    /// ## What it checks
    /// A ServiceAccount with a non-empty `eks.amazonaws.com/role-arn` (or an eksctl
    /// `attachRoleARN`) for which a Pod Identity association of the same namespace and name is in
    /// the run. An association whose cluster is known only as "the cluster of Terraform root
    /// DIR" (`cluster_name = module.eks.cluster_name`) is not matched with a service account that
    /// the Terraform files of another root create: two roots are two clusters.
    ///
    /// ## Why it matters
    /// Which role a pod gets then depends on how it was started, not on one place to read:
    /// - new pods get Pod Identity: the EKS pod identity webhook injects the container credential
    ///   variables (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`)
    ///   instead of the IRSA ones when an association exists (aws/amazon-eks-pod-identity-webhook,
    ///   `buildPodPatchConfig`: "Container credentials method takes precedence");
    /// - pods that carry both sets of variables (set in the manifest, or injected by another
    ///   webhook) use the IRSA role: web identity (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`)
    ///   comes before the container credential provider in every AWS SDK's default chain. The
    ///   Amazon EKS User Guide: "EKS Pod Identities have been added to the Container credential
    ///   provider which is searched in a step in the default credential chain. If your workloads
    ///   currently use credentials that are earlier in the chain of credentials, those credentials
    ///   will continue to be used even if you configure an EKS Pod Identity association for the
    ///   same workload." (<https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html>;
    ///   the chains: <https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html>);
    /// - pods started before the association keep the IRSA role until they are restarted.
    ///
    /// ## Example
    /// A migration to Pod Identity that kept `eks.amazonaws.com/role-arn` on the SA: remove the
    /// annotation (and restart the pods) once the association and its role are in place.
    pub struct PodIdentityAndIrsa => ("IRSA067", "pod-identity-and-irsa", Severity::Warning);
}

impl Rule for PodIdentityAndIrsa {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for a in &ws.pod_identity_associations {
            let (Some(ns), Some(name)) = (a.namespace_name(), a.service_account_name()) else {
                continue;
            };
            let Some(sa) = service_account_in(ws, ns, name) else {
                continue;
            };
            if another_root(a, sa) {
                continue;
            }
            let Some(irsa) = sa.role_arn_value().filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let irsa = display_role(irsa);
            let pod_identity = a
                .role_arn_value()
                .map_or("(a role eksctl creates)", display_role);
            out.push(
                Finding::new(
                    &PodIdentityAndIrsa::META,
                    format!(
                        "service account `{ns}/{name}` carries the IRSA role `{irsa}` and has the Pod Identity association {} (role `{pod_identity}`): new pods get the Pod Identity role (the EKS webhook injects container credentials instead of IRSA), while pods that carry both sets of variables use the IRSA role (web identity comes first in the SDKs' default chain)",
                        association_label(a)
                    ),
                )
                .at(sa_related(sa, "the IRSA role"))
                .related(a.location_of(&a.role_arn).with_message("the Pod Identity role"))
                .object(sa.object.object_ref())
                .help("keep one mechanism: remove the `eks.amazonaws.com/role-arn` annotation to move to Pod Identity, or delete the association; then restart the pods (`kubectl irsa explain IRSA067` cites the AWS documentation on the precedence)"),
            );
        }
    }
}

/// The association's cluster is a Terraform root's (name known only at apply time), and the
/// service account is made by Terraform files outside that root.
fn another_root(
    a: &crate::facts::PodIdentityAssociation,
    sa: &crate::facts::ServiceAccount,
) -> bool {
    let Some((_, dir)) = a.cluster_scope.as_deref().and_then(|s| s.split_once(':')) else {
        return false;
    };
    let path = &sa.object.file.path;
    crate::frontends::terraform::is_terraform_path(path) && !path.starts_with(dir)
}
