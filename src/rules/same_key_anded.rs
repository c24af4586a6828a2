use crate::declare_rule;
use std::collections::BTreeMap;

use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::util::{policy_finding, policy_related};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// The same condition key under two operators in one statement: both must hold (AND), not either.
    ///
    /// ## What it checks
    /// A trust statement whose `Condition` tests one key (typically `<issuer>:sub`) under two
    /// operators, e.g. `StringEquals` for one service account and `StringLike` for a namespace.
    ///
    /// ## Why it matters
    /// IAM ANDs the operators of a condition block, so the token must satisfy both: the wider
    /// pattern adds nothing, and a second service account meant to be allowed by it is denied.
    /// The pod-identity webhook's own README shows this shape with "optional" comments, which
    /// reads as OR. To allow several subjects, list them as values of one key (values are ORed)
    /// or write a second statement.
    ///
    /// ## Example
    /// ```json
    /// "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:default:app"},
    /// "StringLike":   {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:default:*"}
    /// ```
    /// Fixed: keep one of them, or
    /// `"StringEquals": {"…:sub": ["system:serviceaccount:default:app", "system:serviceaccount:default:worker"]}`.
    pub struct SameKeyAnded => ("IRSA021", "same-condition-key-anded", Severity::Warning);
}

impl Rule for SameKeyAnded {
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
            for s in t.statements() {
                let mut by_key: BTreeMap<String, Vec<&crate::model::policy::Condition>> =
                    BTreeMap::new();
                for c in &s.conditions {
                    by_key
                        .entry(c.key.to_ascii_lowercase())
                        .or_default()
                        .push(c);
                }
                for conditions in by_key.values().filter(|c| c.len() > 1) {
                    let (first, rest) = (conditions[0], &conditions[1..]);
                    let ops: Vec<&str> =
                        conditions.iter().map(|c| c.operator.raw.as_str()).collect();
                    let mut f = policy_finding(
                        &Self::META,
                        p,
                        rest[0].key_span,
                        format!(
                            "`{}` is tested by {} in statement {}: IAM requires all of them to match (AND), so only tokens matching every one are allowed",
                            first.key,
                            ops.join(" and "),
                            s.index
                        ),
                    )
                    .help("to allow any of several subjects, list them as values of one key (values are ORed), or use separate statements");
                    f = f.related(policy_related(
                        p,
                        first.key_span,
                        &format!("also tested by {} here", first.operator.raw),
                    ));
                    out.push(f);
                }
            }
        }
    }
}
