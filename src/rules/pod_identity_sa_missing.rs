use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{SaOrigin, Workspace};
use crate::rules::pod_identity_trust::{association_label, service_account_in};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A Pod Identity association names a service account that nothing in the run creates.
    ///
    /// ## What it checks
    /// When the run has Kubernetes manifests (a ServiceAccount or a workload from a file or a
    /// chart), each Pod Identity association's `namespace`/`serviceAccount` must be created by one
    /// of them (or by eksctl: `iam.serviceAccounts`, `createServiceAccount: true`, an add-on).
    /// The `default` service account, which every namespace has, always counts as created.
    ///
    /// ## Why it matters
    /// EKS accepts an association for a service account that does not exist. Nothing fails
    /// until a pod needs credentials: a typo in the SA name, a chart's fullname helper or a
    /// `namespaceOverride` leaves the role unused and the pods on the node role.
    ///
    /// ## Example
    /// The association says `serviceAccount: app`, the chart renders `my-release-app`: set the
    /// association's `serviceAccount` to the rendered name (or `serviceAccount.name` in values).
    pub struct PodIdentitySaMissing => ("IRSA066", "pod-identity-sa-missing", Severity::Warning);
}

impl Rule for PodIdentitySaMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        // Without any manifest there is nothing to compare with (an eksctl file on its own).
        let has_manifests = ws
            .service_accounts
            .iter()
            .any(|s| s.origin == SaOrigin::Manifest);
        if !has_manifests {
            return;
        }
        for a in &ws.pod_identity_associations {
            if a.creates_service_account {
                continue;
            }
            let (Some(ns), Some(sa)) = (a.namespace_name(), a.service_account_name()) else {
                continue;
            };
            if sa == "default" || service_account_in(ws, ns, sa).is_some() {
                continue;
            }
            let others: Vec<String> = ws
                .service_accounts
                .iter()
                .filter(|s| s.object.name == sa || s.object.effective_namespace("default") == ns)
                .take(3)
                .map(|s| {
                    format!(
                        "{}/{}",
                        s.object.effective_namespace("default"),
                        s.object.name
                    )
                })
                .collect();
            let mut message = format!(
                "the Pod Identity association {} names service account `{ns}/{sa}`, which no manifest or chart in the run creates",
                association_label(a)
            );
            if !others.is_empty() {
                message.push_str(&format!(" (the run creates {})", others.join(", ")));
            }
            out.push(
                Finding::new(&PodIdentitySaMissing::META, message)
                    .at(a.location_of(&a.service_account))
                    .related(a.location_of(&a.namespace).with_message("in this namespace"))
                    .object(a.object.clone())
                    .help("name the service account the workload really uses, or add its manifest to the run"),
            );
        }
    }
}
