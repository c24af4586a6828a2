use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::candidate::Candidate;
use crate::rules::Rule;
use crate::syntax::yaml::{Entry, Node};

declare_rule! {
    /// A non-root workload using IRSA has no `fsGroup`, so it may not be able to read its token.
    ///
    /// ## What it checks
    /// Workloads whose service account carries a role and that run as non-root
    /// (`runAsUser` other than 0, or `runAsNonRoot: true`, on the pod or on a container), while the
    /// pod's `securityContext.fsGroup` is unset.
    ///
    /// ## Why it matters
    /// The projected web identity token is written with mode 0600, owned by root, unless the pod
    /// has an `fsGroup`. On older clusters and webhook versions a non-root process then fails with
    /// "permission denied" on `/var/run/secrets/eks.amazonaws.com/serviceaccount/token`, and
    /// some SDKs silently fall back to the node role.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccountName: s3-reader
    ///   securityContext:
    ///     runAsUser: 1000
    /// ```
    /// Fixed: add `fsGroup: 65534` (or the group the process runs as) to the pod `securityContext`.
    pub struct TokenUnreadableNonRoot => ("IRSA014", "token-unreadable-non-root", Severity::Warning);
}

impl Rule for TokenUnreadableNonRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reports through [`Rule::candidates`]: only a service account with a role makes it a finding.
    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}

    fn candidates(&self, ws: &Workspace, out: &mut Vec<Candidate>) {
        for w in &ws.workloads {
            let pod_sc = w.pod_spec.get("securityContext");
            if pod_sc
                .and_then(|sc| sc.get("fsGroup"))
                .is_some_and(|n| !n.is_null())
            {
                continue;
            }
            let non_root = pod_sc.and_then(non_root_entry).or_else(|| {
                w.containers()
                    .find_map(|c| c.get("securityContext").and_then(non_root_entry))
            });
            let Some(entry) = non_root else {
                continue;
            };
            let what = entry.key.as_str().unwrap_or("runAsUser");
            let span = entry.key.span.to(entry.value.span);
            out.push(Candidate::new(unreadable_token_finding, w, span, what));
        }
    }
}

fn unreadable_token_finding(c: &Candidate) -> Finding {
    Finding::new(
        &TokenUnreadableNonRoot::META,
        format!("runs as non-root (`{}`) without a pod `securityContext.fsGroup`: the projected IRSA token may be unreadable", c.detail),
    )
    .help("set `spec.securityContext.fsGroup` (e.g. 65534) so the token file is group-readable")
}

/// The `runAsUser: <non-zero>` or `runAsNonRoot: true` entry of a security context.
fn non_root_entry(sc: &Node) -> Option<&Entry> {
    let user = sc
        .entry("runAsUser")
        .filter(|e| e.value.as_str().is_some_and(|v| v.trim() != "0"));
    user.or_else(|| {
        sc.entry("runAsNonRoot")
            .filter(|e| e.value.as_bool() == Some(true))
    })
}
