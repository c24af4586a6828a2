use crate::declare_rule;
use std::collections::HashMap;

use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::arn::display_role;
use crate::rules::pod_identity_trust::association_label;
use crate::rules::{Rule, Scope};

declare_rule! {
    /// Two Pod Identity associations for the same service account of the same cluster.
    ///
    /// ## What it checks
    /// Associations (from any format in the run) with the same cluster name, namespace and
    /// service account. Associations whose cluster is not written (an ACK `clusterRef`) are
    /// compared only with each other; one whose cluster is known only at apply time (Terraform's
    /// `module.eks.cluster_name`) only with those of the same Terraform root module.
    ///
    /// ## Why it matters
    /// EKS allows one association per service account per cluster: the second
    /// `CreatePodIdentityAssociation` fails (`ResourceInUseException`), so one of the two roles
    /// never applies, and which one depends on the order they were applied in.
    ///
    /// ## Example
    /// An eksctl `iam.podIdentityAssociations` entry and a Terraform
    /// `aws_eks_pod_identity_association` both for `web/app` on `prod`: keep one.
    pub struct PodIdentityDuplicate => ("IRSA068", "pod-identity-duplicate", Severity::Error);
}

impl Rule for PodIdentityDuplicate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        type Key<'a> = (Option<&'a str>, Option<&'a str>, &'a str, &'a str);
        let mut first: HashMap<Key, usize> = HashMap::new();
        for (i, a) in ws.pod_identity_associations.iter().enumerate() {
            let (Some(ns), Some(sa)) = (a.namespace_name(), a.service_account_name()) else {
                continue;
            };
            let scope = a.cluster().is_none().then_some(a.cluster_scope.as_deref());
            let key = (a.cluster(), scope.flatten(), ns, sa);
            let Some(&j) = first.get(&key) else {
                first.insert(key, i);
                continue;
            };
            let earlier = &ws.pod_identity_associations[j];
            let roles = |x: &crate::facts::PodIdentityAssociation| {
                x.role_arn_value()
                    .map_or("(no roleARN)", display_role)
                    .to_string()
            };
            out.push(
                Finding::new(
                    &PodIdentityDuplicate::META,
                    format!(
                        "a second Pod Identity association for {} (role `{}`; the first names `{}`): EKS allows one per service account and cluster",
                        association_label(a),
                        roles(a),
                        roles(earlier)
                    ),
                )
                .at(a.location_of(&a.service_account))
                .related(earlier.location_of(&earlier.service_account).with_message("the first association"))
                .object(a.object.clone())
                .help("keep one association per service account; give the other workload its own service account"),
            );
        }
    }
}
