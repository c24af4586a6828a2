use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::Rule;

/// IAM's default quota for a role trust policy, in characters without whitespace.
pub const TRUST_POLICY_QUOTA: usize = 2048;

declare_rule! {
    /// A trust policy is over, or close to, IAM's 2,048-character quota.
    ///
    /// ## What it checks
    /// The size of each trust policy with whitespace outside strings removed, which is how IAM
    /// counts it: over 2,048 characters is an error, over 80% of that (1,638) a warning.
    ///
    /// ## Why it matters
    /// Roles shared by many service accounts grow one `:sub` value per service account. Past the
    /// quota `CreateRole`/`UpdateAssumeRolePolicy` fail with `LimitExceeded`, usually in the
    /// middle of an apply that already changed other resources. The quota can be raised to 4,096
    /// through Service Quotas, but a role per workload is the better fix.
    ///
    /// ## Example
    /// A trust with forty `system:serviceaccount:<ns>:<name>` values under one `:sub` key.
    /// Fixed: split it into several roles, or use one `StringLike` pattern per namespace
    /// (`system:serviceaccount:team-a:*`) where every SA of the namespace may use the role.
    pub struct TrustPolicySize => ("IRSA011", "trust-policy-size", Severity::Error);
}

impl Rule for TrustPolicySize {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for p in ws.policies.iter().filter(|p| p.is_trust()) {
            let size = minified_len(&p.node.to_json());
            let warn_at = TRUST_POLICY_QUOTA * 8 / 10;
            if size <= warn_at {
                continue;
            }
            let (severity, msg) = if size > TRUST_POLICY_QUOTA {
                (Severity::Error, format!("trust policy is {size} characters without whitespace, over IAM's {TRUST_POLICY_QUOTA}-character quota: IAM will refuse it"))
            } else {
                (Severity::Warning, format!("trust policy is {size} characters without whitespace, {}% of IAM's {TRUST_POLICY_QUOTA}-character quota", size * 100 / TRUST_POLICY_QUOTA))
            };
            let span = p
                .node
                .entry("Statement")
                .map_or(p.node.span, |e| e.key.span);
            let mut f = Finding::new(&Self::META, msg)
                .severity(severity)
                .at_span(&p.file, span)
                .help("split the role, or raise the quota to 4096 in Service Quotas");
            if let Some(o) = p.object() {
                f = f.object(o);
            }
            out.push(f);
        }
    }
}

/// Characters of the compact JSON form (no whitespace outside strings).
pub fn minified_len(v: &serde_json::Value) -> usize {
    serde_json::to_string(v).map_or(0, |s| s.chars().count())
}
