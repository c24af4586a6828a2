use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::util::entries;
use crate::rules::Rule;

const KUBE2IAM_ROLE: &str = "iam.amazonaws.com/role";
const KIAM_PERMITTED: &str = "iam.amazonaws.com/permitted";

declare_rule! {
    /// A kube2iam/kiam annotation: those tools are superseded by IRSA and Pod Identity.
    ///
    /// ## What it checks
    /// The `iam.amazonaws.com/role` annotation on a Pod or a workload's pod template, and the
    /// `iam.amazonaws.com/permitted` (or `iam.amazonaws.com/role`) annotation on a Namespace.
    ///
    /// ## Why it matters
    /// kube2iam and kiam intercept the node's instance metadata endpoint; kiam is archived and
    /// both need the node role to be able to assume every pod role. On EKS the annotation does
    /// nothing unless the agent still runs, so a migrated cluster silently gives the pod the node
    /// role instead, and a half-migrated one hides which mechanism a pod really uses.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     metadata:
    ///       annotations:
    ///         iam.amazonaws.com/role: s3-reader
    /// ```
    /// Fixed: drop the pod annotation, annotate the pod's ServiceAccount with
    /// `eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/s3-reader`, and give the role
    /// an IRSA trust policy (or use an EKS Pod Identity association).
    pub struct LegacyIamAnnotation => ("IRSA015", "legacy-iam-annotation", Severity::Warning);
}

const HELP: &str = "migrate to IRSA: annotate the ServiceAccount with `eks.amazonaws.com/role-arn` and trust the cluster's OIDC provider (or use EKS Pod Identity), then remove kube2iam/kiam";

impl Rule for LegacyIamAnnotation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for w in &ws.workloads {
            for e in entries(w.pod_annotations.as_ref()) {
                if e.key.as_str() == Some(KUBE2IAM_ROLE) {
                    let role = e.value.as_str().unwrap_or("");
                    out.push(
                        Finding::new(&Self::META, format!("kube2iam/kiam annotation `{KUBE2IAM_ROLE}: {role}` on the pod template: IRSA ignores it"))
                            .at(w.object.location(e.key.span))
                            .object(w.object.object_ref())
                            .help(HELP),
                    );
                }
            }
        }
        for o in ws.objects.iter().filter(|o| o.kind == "Namespace") {
            for e in entries(o.annotations()) {
                let Some(key) = e
                    .key
                    .as_str()
                    .filter(|k| *k == KIAM_PERMITTED || *k == KUBE2IAM_ROLE)
                else {
                    continue;
                };
                out.push(
                    Finding::new(
                        &Self::META,
                        format!("kiam/kube2iam namespace annotation `{key}`: IRSA ignores it"),
                    )
                    .at(o.location(e.key.span))
                    .object(o.object_ref())
                    .help(HELP),
                );
            }
        }
    }
}
