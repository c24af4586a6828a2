use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::policy::BaseOp;
use crate::rules::util::policy_finding;
use crate::rules::Rule;

declare_rule! {
    /// An IAM policy document that IAM itself would reject, or that could only be read in part.
    ///
    /// ## What it checks
    /// Every policy (a JSON/YAML file, or inline in an ACK/Crossplane CR) is parsed as IAM does:
    /// `Statement` an object or a list, `Effect` `Allow` or `Deny`, principals, actions and
    /// conditions of the right shape, and condition operators that exist (`StringEquals`,
    /// `StringLike`, `ForAnyValue:…`, `…IfExists`, `Null`, …). A document that cannot be read is
    /// reported once, here; parts that are skipped (an operator whose value is not a mapping, such
    /// as a `"__doc_comment": "…"` inside `Condition`) are reported and the rest is still checked.
    ///
    /// ## Why it matters
    /// `aws iam update-assume-role-policy` fails with `MalformedPolicyDocument` on such a policy,
    /// or Terraform/CloudFormation/ACK keep retrying; and a linter that skipped a document it could
    /// not read would call it clean.
    ///
    /// ## Example
    /// ```json
    /// "Condition": {
    ///   "__doc_comment": "scope the role to the service account",
    ///   "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:app:api"}
    /// }
    /// ```
    /// Fixed: remove the comment key (JSON has no comments; use the statement's `Sid`).
    pub struct InvalidPolicyDocument => ("IRSA019", "invalid-policy-document", Severity::Error);
}

impl Rule for InvalidPolicyDocument {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for p in &ws.policies {
            let doc = match &p.parsed {
                Err(e) => {
                    out.push(policy_finding(
                        &Self::META,
                        p,
                        e.span,
                        format!("{}; nothing else in this policy was checked", e.message),
                    ));
                    continue;
                }
                Ok(doc) => doc,
            };
            for problem in &doc.problems {
                out.push(policy_finding(
                    &Self::META,
                    p,
                    problem.span,
                    problem.message.clone(),
                ));
            }
            for c in doc.statements.iter().flat_map(|s| &s.conditions) {
                if let BaseOp::Unknown(op) = &c.operator.base {
                    out.push(policy_finding(
                        &Self::META,
                        p,
                        c.operator_span,
                        format!("`{op}` is not an IAM condition operator; IAM rejects this policy (MalformedPolicyDocument)"),
                    ));
                }
            }
        }
    }
}
