//! Plan/state resources lowered into what the manifest classifier reads: trust policies parsed
//! from `assume_role_policy` strings, ServiceAccount manifests from `kubernetes_service_account`
//! and `kubernetes_annotations`, ACK PodIdentityAssociation CRs from `aws_eks_pod_identity_association`,
//! and `helm_release` as a release fact (`super::helm`).

use std::collections::HashMap;
use std::sync::Arc;

use super::Resource;
use crate::diagnostics::finding::ObjectRef;
use crate::facts::{ArnValue, PolicyInput, PolicySource, ROLE_ARN_ANNOTATION};
use crate::facts::{Classified, ExpectedArn};
use crate::frontends::build::{ack_pod_identity_association, entry, map, scalar};
use crate::frontends::jsonstr::parse_string_value;
use crate::frontends::manifest::classify_node;
use crate::frontends::Problem;
use crate::model::policy::{parse_policy, PolicyError};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, Span};

pub fn lower_all(
    file: &Arc<SourceFile>,
    root: &Node,
    resources: &[Resource],
    out: &mut Classified,
    problems: &mut Vec<Problem>,
) {
    let mut roles: HashMap<&str, RoleFacts> = HashMap::new();
    for r in resources.iter().filter(|r| r.kind == "aws_iam_role") {
        if let Some(facts) = lower_role(file, r, out) {
            roles.insert(r.address.as_str(), facts);
        }
    }
    let refs = super::refs::ConfigRefs::read(root);
    for r in resources {
        match r.kind {
            "aws_iam_openid_connect_provider" => {
                push_arn(file, r, "arn", ExpectedArn::OidcProvider, out)
            }
            "aws_eks_pod_identity_association" => lower_pod_identity(file, r, out),
            "kubernetes_service_account" | "kubernetes_service_account_v1" => {
                lower_service_account(file, r, &roles, &refs, out)
            }
            "kubernetes_annotations" => lower_annotations(file, r, out),
            "helm_release" => out.releases.extend(super::helm::lower(file, r, problems)),
            _ => {}
        }
    }
}

/// What a role's ServiceAccount needs to name it: its ARN, known or derived.
struct RoleFacts {
    arn: Option<String>,
}

fn object_ref(r: &Resource) -> ObjectRef {
    ObjectRef::new(r.kind, None, &r.address)
}

/// `aws_iam_role`: the `assume_role_policy` JSON string, parsed with spans inside the string.
fn lower_role(file: &Arc<SourceFile>, r: &Resource, out: &mut Classified) -> Option<RoleFacts> {
    let name = r.known("name").and_then(Node::as_str).map(str::to_string);
    let source = PolicySource::CustomResource(object_ref(r));
    let parsed_doc = r.known("assume_role_policy").and_then(|doc| {
        let stream = parse_string_value(file, doc)?;
        out.duplicate_keys
            .extend(stream.duplicate_keys.iter().cloned());
        Some((doc, stream))
    });
    let mut federated_account = None;
    if let Some((doc, stream)) = parsed_doc {
        let input = match (stream.error, stream.documents.into_iter().next()) {
            (None, Some(d)) => PolicyInput {
                file: file.clone(),
                parsed: parse_policy(&d.root),
                node: d.root,
                source,
                role_name: name.clone(),
            },
            (err, _) => {
                let (message, span) = match err {
                    Some(e) => (
                        e.message,
                        Span {
                            start: e.pos,
                            end: e.pos,
                        },
                    ),
                    None => ("empty policy document".to_string(), doc.span),
                };
                PolicyInput {
                    file: file.clone(),
                    node: doc.clone(),
                    source,
                    role_name: name.clone(),
                    parsed: Err(PolicyError {
                        message: format!(
                            "the assume_role_policy of `{}` is not valid JSON: {message}",
                            r.address
                        ),
                        span,
                    }),
                }
            }
        };
        federated_account = input.document().and_then(trust_account);
        out.policies.push(input);
    }
    let arn = r
        .known("arn")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| {
            let (partition, account) = federated_account?;
            Some(format!(
                "arn:{partition}:iam::{account}:role/{}",
                name.as_ref()?
            ))
        });
    Some(RoleFacts { arn })
}

/// The partition and account of a trust's OIDC provider: a role trusting a provider lives in
/// the provider's account (IAM requires it), so its ARN can be derived before apply.
fn trust_account(doc: &crate::model::policy::PolicyDocument) -> Option<(String, String)> {
    crate::model::trust::web_identity_statements(doc)
        .flat_map(|s| s.principal.iter().flat_map(|p| p.federated()))
        .find_map(|f| crate::model::trust::oidc_issuer_of(&f.value))
        .map(|(partition, account, _)| (partition, account))
}

fn push_arn(
    file: &Arc<SourceFile>,
    r: &Resource,
    attr: &str,
    expected: ExpectedArn,
    out: &mut Classified,
) {
    if let Some(node) = r.known(attr).filter(|n| n.as_str().is_some()) {
        out.arn_values.push(ArnValue {
            file: file.clone(),
            node: node.clone(),
            purpose: format!("{}.{attr}", r.address),
            expected,
            object: Some(object_ref(r)),
        });
    }
}

/// `metadata[0]` of a kubernetes_* resource (a one-element block list).
fn metadata<'a>(r: &'a Resource) -> Option<&'a Node> {
    let m = r.values.get("metadata")?;
    m.as_seq().map_or(Some(m), |s| s.first())
}

/// A synthesized `v1/ServiceAccount` whose scalars keep their plan spans.
fn service_account_node(span: Span, meta: &Node, annotations: Vec<(Node, Node)>) -> Node {
    let mut md = Vec::new();
    for key in ["name", "namespace"] {
        if let Some(e) = meta.entry(key).filter(|e| e.value.as_str().is_some()) {
            md.push((e.key.clone(), e.value.clone()));
        }
    }
    if !annotations.is_empty() {
        md.push(entry("annotations", span, map(span, annotations)));
    }
    map(
        span,
        vec![
            entry("apiVersion", span, scalar("v1", span)),
            entry("kind", span, scalar("ServiceAccount", span)),
            entry("metadata", meta.span, map(meta.span, md)),
        ],
    )
}

/// Known string annotations of a map node.
fn string_entries(node: Option<&Node>) -> Vec<(Node, Node)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter(|e| e.value.as_str().is_some())
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect()
}

fn lower_service_account(
    file: &Arc<SourceFile>,
    r: &Resource,
    roles: &HashMap<&str, RoleFacts>,
    refs: &super::refs::ConfigRefs,
    out: &mut Classified,
) {
    let Some(meta) = metadata(r) else { return };
    let unknown_meta = r.unknown.and_then(|u| u.get("metadata"));
    let unknown_meta = unknown_meta.and_then(|m| m.as_seq().map_or(Some(m), |s| s.first()));
    let annotations_unknown = unknown_meta
        .and_then(|m| m.get("annotations"))
        .is_some_and(|a| a.descendants().any(|n| n.as_bool() == Some(true)));
    let mut annotations = string_entries(meta.get("annotations"));
    let has_role = annotations
        .iter()
        .any(|(k, _)| k.as_str() == Some(ROLE_ARN_ANNOTATION));
    if !has_role && annotations_unknown {
        // Known after apply: the role it refers to in the configuration names it.
        let role_arn = refs
            .role_reference(&r.address)
            .and_then(|role| roles.get(role.as_str()))
            .and_then(|f| f.arn.clone());
        if let Some(arn) = role_arn {
            let span = meta.get("annotations").map_or(meta.span, |a| a.span);
            annotations.push((scalar(ROLE_ARN_ANNOTATION, span), scalar(&arn, span)));
        }
    }
    let node = service_account_node(r.values.span, meta, annotations);
    classify_node(file, &node, None, out);
}

/// `kubernetes_annotations` on a ServiceAccount: the annotations it sets, as that SA.
fn lower_annotations(file: &Arc<SourceFile>, r: &Resource, out: &mut Classified) {
    if r.known("kind").and_then(Node::as_str) != Some("ServiceAccount") {
        return;
    }
    let Some(meta) = metadata(r) else { return };
    let annotations = string_entries(r.known("annotations"));
    let node = service_account_node(r.values.span, meta, annotations);
    classify_node(file, &node, None, out);
}

fn lower_pod_identity(file: &Arc<SourceFile>, r: &Resource, out: &mut Classified) {
    classify_node(file, &pod_identity_node(r), None, out);
}

/// `aws_eks_pod_identity_association` → the ACK `PodIdentityAssociation` CR shape.
fn pod_identity_node(r: &Resource) -> Node {
    let span = r.values.span;
    let mut spec = Vec::new();
    for (attr, key) in [
        ("cluster_name", "clusterName"),
        ("namespace", "namespace"),
        ("service_account", "serviceAccount"),
        ("role_arn", "roleARN"),
    ] {
        if let Some(e) = r.values.entry(attr).filter(|_| r.known(attr).is_some()) {
            if e.value.as_str().is_some() {
                spec.push(entry(key, e.key.span, e.value.clone()));
            }
        }
    }
    let name = r.address.replace(['_', '[', ']', '"'], "-");
    ack_pod_identity_association(&name, span, spec)
}

#[cfg(test)]
mod tests {
    use crate::syntax::yaml;

    #[test]
    fn pod_identity_association_lowers_to_the_ack_cr_shape() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/tfplan/plan-bad.json"
        ))
        .unwrap();
        let root = yaml::parse(&text).documents.remove(0).root;
        let resources = super::super::resources(&root, &mut Vec::new())
            .unwrap()
            .unwrap();
        let r = resources
            .iter()
            .find(|r| r.kind == "aws_eks_pod_identity_association")
            .unwrap();
        let cr = super::pod_identity_node(r);
        assert_eq!(
            cr.str_at(&["apiVersion"]),
            Some("eks.services.k8s.aws/v1alpha1")
        );
        assert_eq!(cr.str_at(&["kind"]), Some("PodIdentityAssociation"));
        let spec = |k: &str| cr.str_at(&["spec", k]).map(str::to_string);
        assert_eq!(spec("clusterName").as_deref(), Some("prod"));
        assert_eq!(spec("namespace").as_deref(), Some("kube-system"));
        assert_eq!(
            spec("serviceAccount").as_deref(),
            Some("cluster-autoscaler")
        );
        let role = cr.path(&["spec", "roleARN"]).unwrap();
        let at = &text[role.span.start.offset..role.span.end.offset];
        assert_eq!(at, "\"arn:aws:iam::111122223333:role/cluster-autoscaler\"");
        // Unknown after apply: not lowered at all.
        assert!(cr.path(&["spec", "associationARN"]).is_none());
    }
}
