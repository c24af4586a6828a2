use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{SaOrigin, Workspace};
use crate::rules::pod_identity_trust::{association_label, landed_namespace, service_account_in};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A Pod Identity association names a service account that nothing in the run creates.
    ///
    /// ## What it checks
    /// Each Pod Identity association's `namespace`/`serviceAccount` must be created by the run's
    /// manifests or charts (or by eksctl: `iam.serviceAccounts`, `createServiceAccount: true`, an
    /// add-on). It is checked only where the run knows every service account of the namespace:
    /// the run's manifests or charts create service accounts there, and no release there has
    /// accounts the run cannot list (a chart neither rendered nor in a chart pack, IRSA020;
    /// values set at deploy time, IRSA053). Elsewhere the accounts come from outside the run,
    /// and nothing is reported. The `default` service account, which every namespace has,
    /// always counts as created.
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
        for a in &ws.pod_identity_associations {
            if a.creates_service_account {
                continue;
            }
            let (Some(ns), Some(sa)) = (a.namespace_name(), a.service_account_name()) else {
                continue;
            };
            if sa == "default"
                || service_account_in(ws, ns, sa).is_some()
                || !every_account_known(ws, ns)
            {
                continue;
            }
            let others: Vec<String> = ws
                .service_accounts
                .iter()
                .filter(|s| landed_namespace(s) == ns)
                .take(3)
                .map(|s| format!("{}/{}", landed_namespace(s), s.object.name))
                .collect();
            let message = format!(
                "the Pod Identity association {} names service account `{ns}/{sa}`, which no manifest or chart in the run creates (the run creates {} there)",
                association_label(a),
                others.join(", ")
            );
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

/// The run's manifests or charts create service accounts in `ns`, and nothing there creates
/// accounts the run cannot list.
fn every_account_known(ws: &Workspace, ns: &str) -> bool {
    let modeled = ws
        .service_accounts
        .iter()
        .any(|s| s.origin == SaOrigin::Manifest && landed_namespace(s) == ns);
    let unlisted = ws
        .unlisted_accounts
        .iter()
        .any(|u| u.namespace.as_deref().is_none_or(|n| n == ns));
    modeled && !unlisted
}
