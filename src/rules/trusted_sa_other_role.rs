use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::trusted::{annotation_use, arn_use, same_role, RoleUse, TrustedAccount};
use crate::facts::{PodIdentityAssociation, ServiceAccount, Workspace};
use crate::model::arn::display_role;
use crate::rules::util::{policy_finding, sa_related};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A role trusts a service account that the run creates, but that account uses another role, or none.
    ///
    /// ## What it checks
    /// Starting from the trust: a role defined in the run (an IAM JSON file, a Role CR, a
    /// Terraform or CloudFormation role) whose trust names `system:serviceaccount:<ns>:<name>`
    /// exactly (`StringEquals` on `…:sub`), where the run creates `<ns>/<name>` (a manifest, a
    /// rendered chart or release, Terraform `kubernetes_service_account`, eksctl). What that
    /// account uses is its `eks.amazonaws.com/role-arn` annotation (a chart's from its values),
    /// or a Pod Identity association of the same namespace and name. The rule warns when no
    /// definition of the account uses the role, and each one uses another role or none.
    ///
    /// It stays quiet when:
    /// - the run does not create the account (the coverage summary lists such trusts);
    /// - any definition of the account uses this role (IRSA016 then checks the pair) or a role
    ///   the run cannot name wholly: an ARN with any part set at deploy time (`${…}`; such a
    ///   manifest is a template the deploy may still patch, as Flux `postBuild` with
    ///   `spec.patches` does), an eksctl-made role;
    /// - the other role is defined in the run and trusts the same account too (another
    ///   environment's role, or a migration in progress);
    /// - for "none": something in the namespace creates accounts the run cannot list or values
    ///   set at deploy time (IRSA020, IRSA053), or the account comes from a chart rendered on
    ///   its own, whose role annotation is usually given at install time.
    ///
    /// ## Why it matters
    /// The role's trust was written for this account, but the pods never ask for the role: a
    /// renamed role, an annotation left on an old role, or an annotation forgotten. The pods get
    /// the other role's permissions, or the node's role, and the trusted role is unused.
    ///
    /// ## Example
    /// Role `external-dns` trusts `system:serviceaccount:kube-system:external-dns`, and the
    /// manifest of `kube-system/external-dns` says
    /// `eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/old-dns`: annotate it with the
    /// `external-dns` role's ARN (or trust the account from `old-dns`).
    pub struct TrustedSaOtherRole => ("IRSA028", "trusted-sa-other-role", Severity::Warning);
}

impl Rule for TrustedSaOtherRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let trusted = ws.trusted_accounts();
        let trusts: HashSet<(&str, &str, &str)> = trusted
            .iter()
            .map(|t| (t.role, t.namespace.as_str(), t.name.as_str()))
            .collect();
        let mut seen = HashSet::new();
        for t in &trusted {
            if !seen.insert((t.role, &t.namespace, &t.name)) {
                continue;
            }
            let accounts = ws.accounts_landing(&t.namespace, &t.name);
            if accounts.is_empty() {
                continue;
            }
            let associations = associations_of(ws, &t.namespace, &t.name);
            let uses = uses(&accounts, &associations);
            let this_role = |u: &RoleUse| matches!(u, RoleUse::Role(r) if same_role(r, t.role));
            if uses.contains(&RoleUse::Unknown) || uses.iter().any(this_role) {
                continue;
            }
            let others: Vec<&str> = uses
                .iter()
                .filter_map(|u| match u {
                    RoleUse::Role(r) => Some(r.as_str()),
                    _ => None,
                })
                .collect();
            let other_trusts =
                |r: &&str| trusts.contains(&(*r, t.namespace.as_str(), t.name.as_str()));
            if others.iter().any(other_trusts) {
                continue;
            }
            if others.is_empty() && !none_is_known(ws, &t.namespace, &accounts) {
                continue;
            }
            out.push(finding(t, &others, &accounts, &associations));
        }
    }
}

fn associations_of<'w>(ws: &'w Workspace, ns: &str, name: &str) -> Vec<&'w PodIdentityAssociation> {
    (ws.pod_identity_associations.iter())
        .filter(|a| a.namespace_name() == Some(ns) && a.service_account_name() == Some(name))
        .collect()
}

fn uses(accounts: &[&ServiceAccount], associations: &[&PodIdentityAssociation]) -> Vec<RoleUse> {
    let mut out: Vec<RoleUse> = accounts.iter().map(|sa| annotation_use(sa)).collect();
    for a in associations {
        out.push(a.role_arn_value().map_or(RoleUse::Unknown, arn_use));
    }
    out
}

/// "No role" is said only where the run knows every account of the namespace, and no account
/// is a chart rendered on its own (its annotation is given at install time).
fn none_is_known(ws: &Workspace, ns: &str, accounts: &[&ServiceAccount]) -> bool {
    let unlisted =
        (ws.unlisted_accounts.iter()).any(|u| u.namespace.as_deref().is_none_or(|n| n == ns));
    let standalone_chart = (accounts.iter()).any(|sa| {
        sa.object
            .chart
            .as_ref()
            .is_some_and(|c| c.declared_by.is_none())
    });
    !unlisted && !standalone_chart
}

fn finding(
    t: &TrustedAccount,
    others: &[&str],
    accounts: &[&ServiceAccount],
    associations: &[&PodIdentityAssociation],
) -> Finding {
    let (ns, name, role) = (&t.namespace, &t.name, display_role(t.role));
    let uses = match others {
        [] => "no role (no `eks.amazonaws.com/role-arn`, no Pod Identity association)".to_string(),
        _ => {
            let named: Vec<String> = others
                .iter()
                .map(|r| format!("`{}`", display_role(r)))
                .collect();
            format!("role {}", named.join(" and "))
        }
    };
    let message = format!("role `{role}` trusts `{ns}/{name}`, but `{ns}/{name}` uses {uses}");
    let mut f = policy_finding(&TrustedSaOtherRole::META, t.policy, t.value.span, message);
    for sa in accounts {
        f = f.related(sa_related(sa, &format!("`{ns}/{name}` is created here")));
    }
    for a in associations {
        let at: Location = a.location_of(&a.role_arn);
        f = f.related(at.with_message("its Pod Identity association"));
    }
    f.help(format!(
        "give `{ns}/{name}` the role `{role}` (annotation `eks.amazonaws.com/role-arn`), or trust the account from the role it uses"
    ))
}
