use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::util::policy_finding;
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A condition key starts with `https://`: IAM keys OIDC claims by host/path only.
    ///
    /// ## What it checks
    /// Condition keys in trust policies that begin with `https://` (or `http://`), such as
    /// `https://oidc.eks.us-east-1.amazonaws.com/id/EX:sub`, the form the cluster's issuer URL is
    /// printed in by `aws eks describe-cluster`.
    ///
    /// ## Why it matters
    /// STS names the claim keys `<host/path>:sub`, without the scheme, so a key with `https://`
    /// never exists: the condition fails and the role cannot be assumed ("Not authorized to
    /// perform sts:AssumeRoleWithWebIdentity"). It is the most common copy-paste slip when the
    /// issuer comes straight from the cluster description.
    ///
    /// ## Example
    /// ```json
    /// "StringEquals": {"https://oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:app:api"}
    /// ```
    /// Fixed: `"oidc.eks.us-east-1.amazonaws.com/id/EX:sub"`.
    pub struct HttpsInConditionKey => ("IRSA007", "https-in-condition-key", Severity::Error);
}

impl Rule for HttpsInConditionKey {
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
            for c in t.statements().flat_map(|s| &s.conditions) {
                let lower = c.key.to_ascii_lowercase();
                let Some(scheme) = ["https://", "http://"]
                    .into_iter()
                    .find(|s| lower.starts_with(s))
                else {
                    continue;
                };
                let fixed = &c.key[scheme.len()..];
                out.push(
                    policy_finding(&Self::META, p, c.key_span, format!("condition key `{}` starts with `{scheme}`: STS keys claims by host/path, so this key never exists", c.key))
                        .help(format!("use `{fixed}`")),
                );
            }
        }
    }
}
