use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::util::{
    is_claim, oidc_federated, oidc_statements, policy_finding, policy_related,
};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// An OIDC trust statement has no `:sub` condition: any service account can assume the role.
    ///
    /// ## What it checks
    /// Allow statements of trust policies with a `Principal.Federated` OIDC provider and the
    /// `sts:AssumeRoleWithWebIdentity` action, without a positive condition (`StringEquals`,
    /// `StringLike`...) on the `<issuer>:sub` key. A negated operator alone (`StringNotEquals`)
    /// does not restrict who may assume the role.
    ///
    /// ## Why it matters
    /// Every pod of the cluster gets a token from the same issuer. Without a `sub` condition, any
    /// service account in any namespace (including one an attacker can create) can assume the
    /// role by annotating itself with its ARN; an `aud` condition does not help, since every IRSA
    /// token carries `sts.amazonaws.com`.
    ///
    /// ## Example
    /// ```json
    /// "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:aud": "sts.amazonaws.com"}}
    /// ```
    /// Fixed: add `"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:<namespace>:<name>"`
    /// to the same `StringEquals`.
    pub struct MissingSubCondition => ("IRSA003", "missing-sub-condition", Severity::Error);
}

impl Rule for MissingSubCondition {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Workspace: a trust of an unrecognised provider is checked when a service account of the
    /// run, in any file, uses the role (`Workspace::eks_trusts`).
    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for t in ws.eks_trusts() {
            let p = t.policy;
            for s in oidc_statements(&t) {
                let restricted = s
                    .conditions
                    .iter()
                    .any(|c| is_claim(c, "sub") && !c.operator.base.is_negated());
                if restricted {
                    continue;
                }
                let federated = oidc_federated(s);
                let Some(principal) = federated.first() else {
                    continue;
                };
                let issuer = principal
                    .value
                    .split_once(":oidc-provider/")
                    .map_or("<issuer>", |(_, i)| i);
                let mut f = policy_finding(
                    &Self::META,
                    p,
                    principal.span,
                    "this OIDC trust statement has no `:sub` condition: any service account in the cluster can assume the role",
                )
                .help(format!(
                    "add \"{issuer}:sub\": \"system:serviceaccount:<namespace>:<name>\" under StringEquals"
                ));
                if let Some(span) = s.condition_span {
                    f = f.related(policy_related(p, span, "the conditions, none on `:sub`"));
                }
                out.push(f);
            }
        }
    }
}
