use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::Rule;

declare_rule! {
    /// A policy document repeats a key: IAM keeps the last one and drops the first silently.
    ///
    /// ## What it checks
    /// Duplicate keys inside an IAM policy document (trust or permissions), in JSON or YAML policy
    /// files and in policies embedded in ACK or Crossplane resources: two `Condition` blocks, two
    /// `StringEquals` in one condition, two `:sub` keys in one operator, two `Statement`s...
    ///
    /// ## Why it matters
    /// JSON allows duplicate keys syntactically, and IAM's parser keeps only the last one. A trust
    /// policy written with two `StringEquals` blocks (one for `:aud`, one for `:sub`) is stored
    /// with only the second, so the `:aud` check, or worse the `:sub` restriction, disappears
    /// without any error from IAM, Terraform or the console.
    ///
    /// ## Example
    /// ```json
    /// "Condition": {
    ///   "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:app:api"},
    ///   "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EX:aud": "sts.amazonaws.com"}
    /// }
    /// ```
    /// Fixed: one `StringEquals` holding both the `:sub` and the `:aud` keys.
    pub struct DuplicatePolicyKey => ("IRSA010", "duplicate-policy-key", Severity::Error);
}

impl Rule for DuplicatePolicyKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for (display, dups) in &ws.duplicate_keys {
            let policies: Vec<_> = ws
                .policies
                .iter()
                .filter(|p| &p.file.display == display)
                .collect();
            for dup in dups {
                // Only duplicates inside a policy document: manifests have their own linters.
                let Some(p) = policies.iter().find(|p| {
                    p.node.span.start.offset <= dup.second.start.offset
                        && dup.second.end.offset <= p.node.span.end.offset
                }) else {
                    continue;
                };
                let key = &dup.key;
                let mut f = Finding::new(
                    &Self::META,
                    format!(
                        "duplicate key `{key}`: only the last `{key}` is used by IAM's JSON parser; the first one at line {} is silently dropped",
                        dup.first.start.line
                    ),
                )
                .at(Location::new(&p.file, dup.second))
                .related(Location::new(&p.file, dup.first).with_message(format!("the first `{key}`, which IAM ignores")))
                .help("merge both blocks into one key");
                if let Some(o) = p.object() {
                    f = f.object(o);
                }
                out.push(f);
            }
        }
    }
}
