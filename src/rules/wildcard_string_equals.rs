use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::glob::has_wildcard;
use crate::model::policy::BaseOp;
use crate::rules::util::{policy_finding, policy_related};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A `*` or `?` inside `StringEquals`: the wildcard is compared literally and never matches.
    ///
    /// ## What it checks
    /// Values containing `*` or `?` under `StringEquals`, `StringNotEquals` or their
    /// `IgnoreCase`, `IfExists` and `ForAnyValue:`/`ForAllValues:` variants, in trust policies.
    ///
    /// ## Why it matters
    /// Only `StringLike` and `StringNotLike` expand wildcards. Under `StringEquals`,
    /// `system:serviceaccount:app:*` matches only a subject that literally ends in `*`, so
    /// `AssumeRoleWithWebIdentity` fails with "Not authorized to perform
    /// sts:AssumeRoleWithWebIdentity" for every pod. Under `StringNotEquals` the exclusion
    /// silently excludes nothing.
    ///
    /// ## Example
    /// ```json
    /// "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:app:*"}
    /// ```
    /// Fixed: `"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:app:*"}`,
    /// or better, the exact `system:serviceaccount:app:<name>` under `StringEquals`.
    pub struct WildcardInStringEquals => ("IRSA002", "wildcard-in-string-equals", Severity::Error);
}

impl Rule for WildcardInStringEquals {
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
            let (p, doc) = (t.policy, t.doc);
            for c in t.statements().flat_map(|s| &s.conditions) {
                let like = match c.operator.base {
                    BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase => "StringLike",
                    BaseOp::StringNotEquals | BaseOp::StringNotEqualsIgnoreCase => "StringNotLike",
                    _ => continue,
                };
                for v in c.values.iter().filter(|v| has_wildcard(&v.value)) {
                    let effect = if c.operator.base.is_negated() {
                        "never excludes anything"
                    } else {
                        "never matches"
                    };
                    out.push(
                        policy_finding(
                            &Self::META,
                            p,
                            v.span,
                            format!(
                                "`{}` under `{}` {effect}: {} is literal, `*` and `?` are not wildcards there; use {like}",
                                v.value, c.operator.raw, c.operator.base
                            ),
                        )
                        .related(policy_related(p, c.operator_span, "the literal operator"))
                        .fix_opt(operator_fix(p, doc, c, like))
                        .help(format!("change `{}` to `{like}` for `{}`, or list exact values", c.operator.raw, c.key)),
                    );
                }
            }
        }
    }
}

/// `StringEquals` → `StringLike` (qualifiers kept), unless the statement already has that operator.
fn operator_fix(
    p: &crate::facts::PolicyInput,
    doc: &crate::model::policy::PolicyDocument,
    c: &crate::model::policy::Condition,
    like: &str,
) -> Option<crate::diagnostics::finding::Fix> {
    let equals = like.replace("Like", "Equals");
    if c.operator.raw.contains("IgnoreCase") {
        return None;
    }
    let new_op = c.operator.raw.replacen(&equals, like, 1);
    let clash = doc
        .statements
        .iter()
        .filter(|s| s.conditions.iter().any(|x| std::ptr::eq(x, c)))
        .flat_map(|s| &s.conditions)
        .any(|x| x.operator.raw == new_op);
    if clash {
        return None;
    }
    let r = crate::diagnostics::fix::replace_scalar(&p.file, c.operator_span, &new_op)?;
    Some(crate::diagnostics::fix::fix(
        format!("use `{new_op}`"),
        vec![r],
    ))
}
