use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::candidate::Candidate;
use crate::rules::Rule;
use crate::syntax::yaml::{Entry, Node};

declare_rule! {
    /// A non-root workload mounts its IRSA token with a mode it cannot read.
    ///
    /// ## What it checks
    /// Workloads whose service account carries a role and that mount a projected
    /// `serviceAccountToken` volume themselves (as IRSA without the webhook, or a copy of the
    /// webhook's `aws-iam-token` volume) with a `defaultMode` that others cannot read (`0600`,
    /// `0400`...), while a container runs as non-root (`runAsUser` other than 0, or
    /// `runAsNonRoot: true`), the pod has no `securityContext.fsGroup`, and the containers do not
    /// all run as one `runAsUser`.
    ///
    /// The volume the EKS Pod Identity Webhook injects is not reported: since Kubernetes 1.19
    /// ([kubernetes/kubernetes#89193](https://github.com/kubernetes/kubernetes/pull/89193),
    /// KEP [kubernetes/enhancements#1598](https://github.com/kubernetes/enhancements/pull/1598))
    /// the kubelet writes a projected token `0600` owned by the pod's user when every init and
    /// regular container has the same `runAsUser`, gives it to the `fsGroup` when one is set, and
    /// otherwise uses the volume's `defaultMode` (default `0644`). See
    /// ["Projected Volumes: serviceAccountToken"](https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken-projected-volumes)
    /// (ephemeral containers are not counted). Every EKS version that is still supported runs
    /// such a kubelet, so those tokens are readable.
    ///
    /// ## Why it matters
    /// With a restrictive `defaultMode`, no `fsGroup` and mixed (or unset) users, the token file
    /// is owned by root: a non-root process fails with "permission denied" on the token path,
    /// and some SDKs silently fall back to the node role.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccountName: s3-reader
    ///   securityContext: {runAsNonRoot: true}
    ///   volumes:
    ///     - name: aws-iam-token
    ///       projected:
    ///         defaultMode: 0600
    ///         sources: [{serviceAccountToken: {audience: sts.amazonaws.com, path: token}}]
    /// ```
    /// Fixed: add `fsGroup: 65534` (or the group the process runs as) to the pod
    /// `securityContext`, give every container the same `runAsUser`, or drop `defaultMode`.
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
            let non_root = pod_sc.and_then(non_root_entry).is_some()
                || w.containers()
                    .any(|c| c.get("securityContext").and_then(non_root_entry).is_some());
            // One user for every container: the kubelet makes that user the token's owner.
            if !non_root || single_user(w, pod_sc) {
                continue;
            }
            let Some((span, mode)) = restrictive_token_volume(&w.pod_spec) else {
                continue;
            };
            out.push(Candidate::new(
                unreadable_token_finding,
                w,
                span,
                format!("{mode:04o}"),
            ));
        }
    }
}

fn unreadable_token_finding(c: &Candidate) -> Finding {
    Finding::new(
        &TokenUnreadableNonRoot::META,
        format!("the projected service account token is mounted with mode {} and the pod runs as non-root without `fsGroup` or one `runAsUser` for all containers: the token file is owned by root and unreadable", c.detail),
    )
    .help("set `spec.securityContext.fsGroup` (e.g. 65534), run every container as the same `runAsUser`, or drop the restrictive `defaultMode`")
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

/// Every init and regular container has the same effective `runAsUser` (ephemeral ones are not
/// counted, as in the kubelet's `FsUserFrom`).
fn single_user(w: &crate::facts::Workload, pod_sc: Option<&Node>) -> bool {
    let pod_user = pod_sc
        .and_then(|sc| sc.get("runAsUser"))
        .and_then(Node::as_str);
    let mut users = ["initContainers", "containers"]
        .into_iter()
        .filter_map(|k| w.pod_spec.get(k).and_then(Node::as_seq))
        .flatten()
        .map(|c| {
            c.path(&["securityContext", "runAsUser"])
                .and_then(Node::as_str)
                .or(pod_user)
                .map(str::trim)
        });
    let Some(Some(first)) = users.next() else {
        return false;
    };
    users.all(|u| u == Some(first))
}

/// A projected volume with a `serviceAccountToken` source whose mode others cannot read: the
/// `defaultMode` entry's span and the mode.
fn restrictive_token_volume(pod_spec: &Node) -> Option<(crate::syntax::yaml::Span, u32)> {
    pod_spec
        .get("volumes")
        .and_then(Node::as_seq)?
        .iter()
        .filter_map(|v| v.get("projected"))
        .filter(|p| {
            p.get("sources")
                .and_then(Node::as_seq)
                .is_some_and(|s| s.iter().any(|src| src.get("serviceAccountToken").is_some()))
        })
        .find_map(|p| {
            let entry = p.entry("defaultMode")?;
            let mode = parse_mode(entry.value.as_str()?)?;
            (mode & 0o004 == 0).then_some((entry.key.span.to(entry.value.span), mode))
        })
}

/// `0600`, `0o600` (YAML octal) or `384` (decimal, as JSON writes it).
fn parse_mode(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Some(oct) = t.strip_prefix("0o") {
        return u32::from_str_radix(oct, 8).ok();
    }
    if t.len() > 1 && t.starts_with('0') {
        return u32::from_str_radix(&t[1..], 8).ok();
    }
    t.parse().ok()
}
