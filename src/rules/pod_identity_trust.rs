use crate::declare_rule;
use std::collections::HashMap;

use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{PodIdentityAssociation, PolicyInput, Workspace};
use crate::model::arn::{parse_role_arn, parse_templated, UNKNOWN_ACCOUNT};
use crate::model::trust::{
    corrected_pod_identity_statement, evaluate_pod_identity, is_decidable, Denial, MissReason,
    PodIdentityRequest, Verdict,
};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A Pod Identity association's role does not trust EKS Pod Identity for that association.
    ///
    /// ## What it checks
    /// For every EKS Pod Identity association (eksctl `iam.podIdentityAssociations` and
    /// `addons[].podIdentityAssociations`, the ACK `PodIdentityAssociation` CR, and what Terraform
    /// and CloudFormation declare) whose role's trust policy is in the run, the trust is evaluated
    /// with IAM's semantics for the request EKS Pod Identity makes: principal
    /// `Service: pods.eks.amazonaws.com`, actions `sts:AssumeRole` and `sts:TagSession`, and the
    /// session tags of the association: `aws:RequestTag/kubernetes-namespace`,
    /// `aws:RequestTag/kubernetes-service-account`, `aws:RequestTag/eks-cluster-name`,
    /// `aws:RequestTag/eks-cluster-arn`, plus `aws:SourceAccount` and `aws:SourceArn` (the
    /// cluster). With `disableSessionTags: true` no `aws:RequestTag/*` key is present. A condition
    /// on a value the input does not say (the cluster ARN without a region) is not reported.
    ///
    /// ## Why it matters
    /// The association is accepted by EKS, the pods are injected, and every credential request
    /// then fails with `AccessDenied` from the EKS Auth API; the pod's SDK falls back to the node
    /// role or fails. A trust written for IRSA (`Principal.Federated`) never matches Pod Identity.
    ///
    /// ## Example
    /// The association is `web/app` on cluster `prod`, but the trust says:
    /// ```json
    /// "StringEquals": {"aws:RequestTag/kubernetes-namespace": "api"}
    /// ```
    /// Fixed: `"aws:RequestTag/kubernetes-namespace": "web"`.
    pub struct PodIdentityTrustDenies => ("IRSA065", "pod-identity-trust-denies", Severity::Error);
}

impl Rule for PodIdentityTrustDenies {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        if ws.pod_identity_associations.is_empty() {
            return;
        }
        let mut trusts: HashMap<&str, Vec<&PolicyInput>> = HashMap::new();
        for p in &ws.policies {
            if let Some(role) = p.role_name.as_deref().filter(|_| p.is_trust()) {
                trusts.entry(role).or_default().push(p);
            }
        }
        for a in &ws.pod_identity_associations {
            // A role name written out is checked even when other parts are set at deploy time.
            let Some(arn) = a
                .role_arn_value()
                .and_then(|v| parse_templated(v.trim(), parse_role_arn).ok())
            else {
                continue;
            };
            let Some(name) = arn.role_name() else {
                continue;
            };
            // A stand-in account (known only at deploy time) is never compared.
            let account = arn.account().filter(|a| *a != UNKNOWN_ACCOUNT);
            let cluster_arn = match (a.cluster(), &a.region, arn.partition(), account) {
                (Some(c), Some(r), Some(partition), Some(account)) => {
                    Some(format!("arn:{partition}:eks:{r}:{account}:cluster/{c}"))
                }
                _ => None,
            };
            let req = PodIdentityRequest {
                cluster_name: a.cluster(),
                cluster_arn: cluster_arn.as_deref(),
                // The role must be in the cluster's account (cross-account uses targetRoleARN).
                account,
                namespace: a.namespace_name(),
                service_account: a.service_account_name(),
                session_tags: !a.disable_session_tags,
            };
            for policy in trusts.get(name).into_iter().flatten() {
                out.extend(check_pair(a, name, policy, &req));
            }
        }
    }
}

/// The service account `ns/name` of the run: a chart's SA without a namespace lands in the
/// release namespace (`-n`), a plain manifest's in `default`.
pub fn service_account_in<'w>(
    ws: &'w Workspace,
    ns: &str,
    name: &str,
) -> Option<&'w crate::facts::ServiceAccount> {
    ws.service_accounts
        .iter()
        .find(|s| s.object.name == name && landed_namespace(s) == ns)
}

/// The namespace a service account lands in: as written, else its release's, else `default`.
pub fn landed_namespace(s: &crate::facts::ServiceAccount) -> &str {
    match (&s.object.namespace, &s.object.chart) {
        (Some(n), _) => n.as_str(),
        (None, Some(ctx)) => ctx.namespace.as_str(),
        (None, None) => "default",
    }
}

/// `web/app on cluster prod` (what the input says, `?` for what it does not).
pub fn association_label(a: &PodIdentityAssociation) -> String {
    let mut s = format!(
        "{}/{}",
        a.namespace_name().unwrap_or("?"),
        a.service_account_name().unwrap_or("?")
    );
    if let Some(c) = a.cluster() {
        s.push_str(&format!(" on cluster `{c}`"));
    }
    s
}

fn check_pair(
    a: &PodIdentityAssociation,
    role: &str,
    policy: &PolicyInput,
    req: &PodIdentityRequest,
) -> Option<Finding> {
    let doc = policy.document()?;
    let denial = match evaluate_pod_identity(doc, req) {
        Verdict::Allow { .. } => return None,
        Verdict::Deny(d) => d,
    };
    // A Pod Identity statement without sts:TagSession is IRSA008's finding.
    if !is_decidable(&denial)
        || matches!(
            denial.closest().map(|m| &m.reason),
            Some(MissReason::Action { .. })
        )
    {
        return None;
    }
    let statement_span = |n: usize| doc.statements.iter().find(|s| s.index == n).map(|s| s.span);
    let (span, field) = match &denial {
        Denial::ExplicitDeny { statement } => (statement_span(*statement), &a.role_arn),
        Denial::NoStatementAllows { .. } => match denial.closest().map(|m| (m, &m.reason)) {
            Some((_, MissReason::Condition { span, key, .. })) => (Some(*span), field_for(a, key)),
            Some((m, _)) => (statement_span(m.statement), &a.role_arn),
            None => (None, &a.role_arn),
        },
    };
    let primary = Location::new(&policy.file, span.unwrap_or(doc.span));
    let label = association_label(a);
    let corrected = corrected_pod_identity_statement(req);
    let mut finding = Finding::new(
        &PodIdentityTrustDenies::META,
        format!("role `{role}` does not let EKS Pod Identity assume it for association {label}: {denial}"),
    )
    .at(primary.with_message(format!("refuses the association {label}")))
    .related(a.location_of(&a.role_arn).with_message(format!("the association names role `{role}` here")));
    if !std::ptr::eq(field, &a.role_arn) {
        finding = finding.related(a.location_of(field).with_message("the association's value"));
    }
    Some(
        finding.object(a.object.clone()).help(format!(
            "trust `pods.eks.amazonaws.com` for `sts:AssumeRole` and `sts:TagSession`, with conditions that match the association; a correct statement is:\n{}",
            serde_json::to_string_pretty(&corrected).unwrap_or_default()
        )),
    )
}

/// The association's field that a condition key is compared with.
fn field_for<'a>(
    a: &'a PodIdentityAssociation,
    key: &str,
) -> &'a Option<crate::syntax::yaml::Node> {
    let key = key.to_ascii_lowercase();
    if key.ends_with("/kubernetes-namespace") {
        &a.namespace
    } else if key.ends_with("/kubernetes-service-account") {
        &a.service_account
    } else if key.contains("eks-cluster") || key == "aws:sourcearn" {
        &a.cluster_name
    } else {
        &a.role_arn
    }
}
