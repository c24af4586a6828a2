use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::policy::SetQualifier;
use crate::rules::util::{is_claim, policy_finding, policy_related};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// `ForAnyValue:`/`ForAllValues:` on the single-valued `:sub` or `:aud` claim.
    ///
    /// ## What it checks
    /// Condition operators with a set qualifier (`ForAnyValue:StringEquals`,
    /// `ForAllValues:StringLike`...) on `<issuer>:sub` or `<issuer>:aud` keys in trust policies.
    ///
    /// ## Why it matters
    /// Set operators are meant for multi-valued keys. `ForAllValues:` is true when the key is
    /// absent or empty, so the restriction can pass without any matching value; `ForAnyValue:`
    /// happens to work for a single value but reads as if the claim were a list and hides the
    /// real semantics from reviewers. Plain `StringEquals`/`StringLike` already OR the values of
    /// a list.
    ///
    /// ## Example
    /// ```json
    /// "ForAnyValue:StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:aud": "sts.amazonaws.com"}
    /// ```
    /// Fixed: `"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:aud": "sts.amazonaws.com"}`.
    pub struct ForAnyValueOnClaim => ("IRSA009", "for-any-value-on-claim", Severity::Warning);
}

impl Rule for ForAnyValueOnClaim {
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
                let Some(set) = c.operator.set else {
                    continue;
                };
                if !(is_claim(c, "sub") || is_claim(c, "aud")) {
                    continue;
                }
                let why = match set {
                    SetQualifier::ForAllValues => {
                        "`ForAllValues:` is also true when the claim is absent"
                    }
                    SetQualifier::ForAnyValue => {
                        "`ForAnyValue:` treats it as a list, which it is not"
                    }
                };
                let base = c
                    .operator
                    .raw
                    .split_once(':')
                    .map_or(c.operator.raw.as_str(), |(_, b)| b);
                out.push(
                    policy_finding(
                        &Self::META,
                        p,
                        c.operator_span,
                        format!(
                            "`{}` on the single-valued key `{}`: {why}",
                            c.operator.raw, c.key
                        ),
                    )
                    .related(policy_related(p, c.key_span, "the single-valued claim"))
                    .help(format!("use `{base}` without the set qualifier")),
                );
            }
        }
    }
}
