use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::glob::{glob_match, has_wildcard};
use crate::model::policy::BaseOp;
use crate::rules::util::{is_claim, policy_finding, policy_related};
use crate::rules::{Rule, Scope};

const PREFIX: &str = "system:serviceaccount:";

declare_rule! {
    /// A `StringLike` `:sub` pattern lets service accounts of any namespace, or any name, assume the role.
    ///
    /// ## What it checks
    /// `StringLike` values of `<issuer>:sub` conditions in trust policies:
    /// - `*`, `system:serviceaccount:*`, `system:serviceaccount:*:*` (any service account at all): error;
    /// - `system:serviceaccount:*:<name>` or `*<name>*` (any namespace): warning;
    /// - `system:serviceaccount:<namespace>:*` (any service account of the namespace): warning.
    ///
    /// ## Why it matters
    /// Whoever can create a service account that matches the pattern gets the role. A namespace
    /// wildcard hands the role to anyone allowed to create a namespace; a name wildcard to anyone
    /// who can create a service account in that namespace, including build and staging workloads.
    ///
    /// ## Example
    /// ```json
    /// "StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:*:external-dns"}
    /// ```
    /// Fixed: `"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:kube-system:external-dns"}`.
    pub struct BroadSubWildcard => ("IRSA004", "broad-sub-wildcard", Severity::Warning);
}

impl Rule for BroadSubWildcard {
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
            let conditions = t.statements().flat_map(|s| &s.conditions);
            for c in
                conditions.filter(|c| c.operator.base == BaseOp::StringLike && is_claim(c, "sub"))
            {
                for v in &c.values {
                    let Some((severity, what)) = breadth(&v.value) else {
                        continue;
                    };
                    out.push(
                        policy_finding(&Self::META, p, v.span, format!("`:sub` pattern `{}` matches {what}", v.value))
                            .severity(severity)
                            .related(policy_related(p, c.key_span, "the subject condition"))
                            .help("name each service account exactly: `system:serviceaccount:<namespace>:<name>` under StringEquals"),
                    );
                }
            }
        }
    }
}

/// How broad a `:sub` pattern is, when too broad.
fn breadth(pattern: &str) -> Option<(Severity, String)> {
    if !has_wildcard(pattern) {
        return None;
    }
    if glob_match(pattern, "system:serviceaccount:zz-any-ns:zz-any-name") {
        return Some((
            Severity::Error,
            "any service account in any namespace of the cluster".into(),
        ));
    }
    let Some(rest) = pattern.strip_prefix(PREFIX) else {
        return pattern.starts_with(['*', '?']).then(|| {
            (
                Severity::Warning,
                "service accounts in any namespace".into(),
            )
        });
    };
    let (ns, name) = rest.split_once(':').unwrap_or((rest, ""));
    if has_wildcard(ns) {
        Some((
            Severity::Warning,
            format!("service accounts named `{name}` in any namespace matching `{ns}`"),
        ))
    } else if name.starts_with(['*', '?']) {
        Some((
            Severity::Warning,
            format!("any service account of namespace `{ns}`"),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breadth_levels() {
        assert_eq!(breadth("*").map(|b| b.0), Some(Severity::Error));
        assert_eq!(
            breadth("system:serviceaccount:*").map(|b| b.0),
            Some(Severity::Error)
        );
        assert_eq!(
            breadth("system:serviceaccount:*:*").map(|b| b.0),
            Some(Severity::Error)
        );
        assert_eq!(
            breadth("system:serviceaccount:*:dns").map(|b| b.0),
            Some(Severity::Warning)
        );
        assert_eq!(
            breadth("system:serviceaccount:app:*").map(|b| b.0),
            Some(Severity::Warning)
        );
        assert_eq!(breadth("*dns*").map(|b| b.0), Some(Severity::Warning));
        assert_eq!(breadth("system:serviceaccount:app:worker-*"), None);
        assert_eq!(breadth("system:serviceaccount:app:api"), None);
    }
}
