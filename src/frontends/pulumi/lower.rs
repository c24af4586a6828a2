//! Resources lowered into what the manifest classifier reads: `aws:iam/role:Role`
//! `assumeRolePolicy` (a JSON string, or an object in inputs) as a trust policy paired with the
//! role's name; `kubernetes:core/v1:ServiceAccount` as the object itself;
//! `aws:eks/podIdentityAssociation:PodIdentityAssociation` as the ACK CR shape.

use std::collections::HashMap;
use std::sync::Arc;

use super::resources::{known_tree, Resource};
use crate::diagnostics::finding::ObjectRef;
use crate::facts::{Classified, PolicyInput, PolicySource, ROLE_ARN_ANNOTATION};
use crate::frontends::build::{ack_pod_identity_association, entry, map, scalar};
use crate::frontends::jsonstr::parse_string_value;
use crate::frontends::manifest::classify_node;
use crate::model::policy::{parse_policy, PolicyError};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Entry, Node, NodeKind, Span};

pub const ROLE: &str = "aws:iam/role:Role";
pub const SERVICE_ACCOUNT: &str = "kubernetes:core/v1:ServiceAccount";
pub const POD_IDENTITY: &str = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

pub fn object_ref(r: &Resource) -> ObjectRef {
    ObjectRef::new(r.kind, None, r.name())
}

/// Every role's trust; returns role URN → its ARN (known, or derived from its name and the
/// account of the OIDC provider it trusts), for service accounts whose annotation is unknown.
pub fn lower_roles(
    file: &Arc<SourceFile>,
    resources: &[Resource],
    out: &mut Classified,
) -> HashMap<String, String> {
    let mut arns = HashMap::new();
    for r in resources.iter().filter(|r| r.kind == ROLE) {
        if let Some(arn) = lower_role(file, r, out) {
            arns.insert(r.urn.to_string(), arn);
        }
    }
    arns
}

fn lower_role(file: &Arc<SourceFile>, r: &Resource, out: &mut Classified) -> Option<String> {
    let name = r
        .prop("name", true)
        .and_then(Node::as_str)
        .map(str::to_string);
    let mut account = None;
    if let Some(doc) = r.prop("assumeRolePolicy", true) {
        let input = trust_input(file, r, doc, name.clone(), out);
        account = input.document().and_then(trust_account);
        out.policies.push(input);
    }
    let known = r
        .prop("arn", false)
        .and_then(Node::as_str)
        .map(str::to_string);
    // Unknown before apply: the account of the provider it trusts, else symbolic.
    known.or_else(|| {
        let (partition, account) =
            account.unwrap_or_else(|| ("${Partition}".to_string(), "${AccountId}".to_string()));
        Some(format!("arn:{partition}:iam::{account}:role/{}", name?))
    })
}

/// The trust as a policy input: an object as written, or a JSON string parsed with spans inside it.
fn trust_input(
    file: &Arc<SourceFile>,
    r: &Resource,
    doc: &Node,
    role_name: Option<String>,
    out: &mut Classified,
) -> PolicyInput {
    let source = PolicySource::CustomResource(object_ref(r));
    let parsed = match doc.as_str() {
        None => Ok(known_tree(doc)),
        Some(_) => parse_string_value(file, doc)
            .ok_or_else(|| ("the string cannot be read".to_string(), doc.span))
            .and_then(|stream| {
                out.duplicate_keys
                    .extend(stream.duplicate_keys.iter().cloned());
                match (stream.error, stream.documents.into_iter().next()) {
                    (None, Some(d)) => Ok(d.root),
                    (Some(e), _) => Err((
                        e.message,
                        Span {
                            start: e.pos,
                            end: e.pos,
                        },
                    )),
                    (None, None) => Err(("empty policy document".to_string(), doc.span)),
                }
            }),
    };
    match parsed {
        Ok(node) => PolicyInput {
            file: file.clone(),
            parsed: parse_policy(&node),
            node,
            source,
            role_name,
        },
        Err((message, span)) => PolicyInput {
            file: file.clone(),
            node: doc.clone(),
            source,
            role_name,
            parsed: Err(PolicyError {
                message: format!(
                    "the assumeRolePolicy of `{}` is not valid JSON: {message}",
                    r.name()
                ),
                span,
            }),
        },
    }
}

/// The partition and account of a trust's OIDC provider (a role lives in its provider's account).
fn trust_account(doc: &crate::model::policy::PolicyDocument) -> Option<(String, String)> {
    crate::model::trust::web_identity_statements(doc)
        .flat_map(|s| s.principal.iter().flat_map(|p| p.federated()))
        .find_map(|f| crate::model::trust::oidc_issuer_of(&f.value))
        .map(|(partition, account, _)| (partition, account))
}

/// A ServiceAccount as deployed (outputs) or asked for (inputs), secrets and unknowns removed.
/// An annotation unknown before apply (a preview of a new role) is the ARN of the one role the
/// account depends on, when that is known.
pub fn lower_service_account(
    file: &Arc<SourceFile>,
    r: &Resource,
    role_arns: &HashMap<String, String>,
    out: &mut Classified,
) {
    let Some(props) = [r.inputs, r.outputs]
        .into_iter()
        .flatten()
        .find(|p| p.path(&["metadata", "name"]).is_some())
    else {
        return;
    };
    let mut node = known_tree(props);
    let unknown_role = props
        .path(&["metadata", "annotations", ROLE_ARN_ANNOTATION])
        .is_some_and(super::resources::is_unknown)
        || props
            .path(&["metadata", "annotations"])
            .is_some_and(super::resources::is_unknown);
    if unknown_role {
        // Else a value set at apply time: symbolic (IRSA053), never dropped.
        let arn = depended_role(r, role_arns).unwrap_or_else(|| "${roleArn}".to_string());
        add_annotation(&mut node, &arn);
    }
    // The provider fills in `apiVersion` and `kind` from the type token.
    let span = node.span;
    if node.get("kind").is_none() {
        push_entry(
            &mut node,
            entry("kind", span, scalar("ServiceAccount", span)),
        );
    }
    if node.get("apiVersion").is_none() {
        push_entry(&mut node, entry("apiVersion", span, scalar("v1", span)));
    }
    classify_node(file, &node, None, out);
}

/// The ARN of the one role among the resource's dependencies.
fn depended_role(r: &Resource, role_arns: &HashMap<String, String>) -> Option<String> {
    let deps = r.node.get("dependencies").and_then(Node::as_seq)?;
    let mut roles = deps
        .iter()
        .filter_map(Node::as_str)
        .filter_map(|u| role_arns.get(u));
    let first = roles.next()?;
    roles.next().is_none().then(|| first.clone())
}

fn add_annotation(node: &mut Node, arn: &str) {
    let Some(meta) = child_mut(node, "metadata") else {
        return;
    };
    let span = meta.span;
    if meta.get("annotations").is_none() {
        push_entry(meta, entry("annotations", span, map(span, Vec::new())));
    }
    if let Some(annotations) = child_mut(meta, "annotations") {
        push_entry(
            annotations,
            (scalar(ROLE_ARN_ANNOTATION, span), scalar(arn, span)),
        );
    }
}

fn child_mut<'n>(node: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    match &mut node.kind {
        NodeKind::Map(entries) => entries
            .iter_mut()
            .find(|e| e.key.as_str() == Some(key))
            .map(|e| &mut e.value),
        _ => None,
    }
}

fn push_entry(node: &mut Node, (key, value): (Node, Node)) {
    if let NodeKind::Map(entries) = &mut node.kind {
        entries.push(Entry { key, value });
    }
}

/// `aws:eks/podIdentityAssociation:PodIdentityAssociation` → the ACK CR shape.
/// A role ARN unknown before apply is the one role the association depends on; when that is
/// not known either, the association is not lowered (without a role it would read as another
/// tool's default).
pub fn lower_pod_identity(
    file: &Arc<SourceFile>,
    r: &Resource,
    role_arns: &HashMap<String, String>,
    out: &mut Classified,
) {
    let span = r.node.span;
    let mut spec = Vec::new();
    for (prop, key) in [
        ("clusterName", "clusterName"),
        ("namespace", "namespace"),
        ("serviceAccount", "serviceAccount"),
        ("roleArn", "roleARN"),
    ] {
        if let Some(v) = r.prop(prop, true).filter(|v| v.as_str().is_some()) {
            spec.push(entry(key, v.span, v.clone()));
        } else if prop == "roleArn" {
            let place = r.inputs.and_then(|i| i.get(prop)).map_or(span, |v| v.span);
            match depended_role(r, role_arns) {
                Some(arn) => spec.push(entry(key, place, scalar(&arn, place))),
                None => return,
            }
        }
    }
    let name = r.name().replace(['_', ':', '/'], "-");
    let node = ack_pod_identity_association(&name, span, spec);
    classify_node(file, &node, None, out);
}
