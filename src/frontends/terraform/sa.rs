//! Kubernetes objects from Terraform, lowered to the manifests they apply: service accounts
//! (`kubernetes_service_account(_v1)`, `kubernetes_annotations`), any object of
//! `kubernetes_manifest` / `kubectl_manifest`, and Pod Identity associations in the ACK shape.

use hcl_edit::structure::Block;

use super::eval::Eval;
use super::trust::obj;
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::{Node, Span};

/// The manifests a resource of type `ty` applies (empty for other types).
pub fn manifests(ev: &Eval, ty: &str, address: &str, block: &Block, f: FileId) -> Vec<Node> {
    let span = ev.span(f, block);
    let attr = |k: &str| block.body.get_attribute(k).map(|a| ev.eval(&a.value, f));
    match ty {
        "kubernetes_service_account" | "kubernetes_service_account_v1" => {
            let Some(meta) = block.body.blocks().find(|b| b.ident.as_str() == "metadata") else {
                return Vec::new();
            };
            let meta_v = ev.body_value(&meta.body, f, 1);
            service_account(ev, &meta_v, None, ev.span(f, meta), span, f)
                .into_iter()
                .collect()
        }
        "kubernetes_annotations" => {
            let kind = attr("kind");
            if kind.as_ref().and_then(Value::as_str) != Some("ServiceAccount") {
                return Vec::new();
            }
            let Some(meta) = block.body.blocks().find(|b| b.ident.as_str() == "metadata") else {
                return Vec::new();
            };
            let meta_v = ev.body_value(&meta.body, f, 1);
            service_account(ev, &meta_v, attr("annotations"), ev.span(f, meta), span, f)
                .into_iter()
                .collect()
        }
        "kubernetes_manifest" => attr("manifest")
            .filter(|m| m.as_map().is_some())
            .map(|m| known_only(&m).to_node())
            .into_iter()
            .collect(),
        "kubectl_manifest" => {
            let Some(body) = attr("yaml_body") else {
                return Vec::new();
            };
            if let Some(doc) = &body.doc {
                return vec![known_only(doc).to_node()];
            }
            let Some(text) = body.as_str() else {
                return Vec::new();
            };
            let holder = Node {
                kind: crate::syntax::yaml::NodeKind::Scalar(crate::syntax::yaml::Scalar {
                    text: text.to_string(),
                    plain: false,
                }),
                span: body.span,
            };
            let file = ev.files.get(body.file);
            crate::syntax::embedded::parse_embedded(&file, &holder)
                .map(|s| s.documents.into_iter().map(|d| d.root).collect())
                .unwrap_or_default()
        }
        "aws_eks_pod_identity_association" => {
            let fields = |tf: &str| attr(tf);
            vec![pod_identity_cr(address, &fields, span, f)]
        }
        _ => Vec::new(),
    }
}

/// An association in the ACK `PodIdentityAssociation` shape, from its Terraform attributes
/// (`cluster_name`, `namespace`, `service_account`, `role_arn`; unknown ones left out).
pub fn pod_identity_cr(
    address: &str,
    attr: &dyn Fn(&str) -> Option<Value>,
    span: Span,
    f: FileId,
) -> Node {
    let mut spec = Vec::new();
    for (tf, ack) in [
        ("cluster_name", "clusterName"),
        ("namespace", "namespace"),
        ("service_account", "serviceAccount"),
        ("role_arn", "roleARN"),
    ] {
        if let Some(v) = attr(tf).filter(|v| !v.has_unknown()) {
            spec.push((ack, v.span, v));
        }
    }
    let name = Value::str(address.replace('_', "-"), span, f);
    // The CR is namespaced; the classifier reads associations with a namespace only.
    let namespace = attr("namespace")
        .filter(|v| v.as_str().is_some())
        .unwrap_or_else(|| Value::str("default", span, f));
    let metadata = vec![
        ("name", span, name),
        ("namespace", namespace.span, namespace),
    ];
    let doc = obj(
        vec![
            (
                "apiVersion",
                span,
                Value::str("eks.services.k8s.aws/v1alpha1", span, f),
            ),
            ("kind", span, Value::str("PodIdentityAssociation", span, f)),
            ("metadata", span, obj(metadata, span, f)),
            ("spec", span, obj(spec, span, f)),
        ],
        span,
        f,
    );
    doc.to_node()
}

/// A ServiceAccount manifest from a `metadata` object (and extra annotations).
fn service_account(
    _ev: &Eval,
    meta: &Value,
    extra_annotations: Option<Value>,
    meta_span: Span,
    span: Span,
    f: FileId,
) -> Option<Node> {
    let name = meta.get("name").filter(|n| n.as_str().is_some())?.clone();
    let mut m = vec![("name", name.span, name)];
    if let Some(ns) = meta.get("namespace").filter(|n| n.as_str().is_some()) {
        m.push(("namespace", ns.span, ns.clone()));
    }
    let mut annotations: Vec<(Value, Value)> = Vec::new();
    for a in [meta.get("annotations").cloned(), extra_annotations]
        .into_iter()
        .flatten()
    {
        annotations.extend(a.as_map().unwrap_or_default().iter().cloned());
    }
    // An annotation whose key is not known offline is left out; a value known only in part
    // (`format()`, a reference, an unknown variable) stays symbolic (`${…}`), never guessed.
    annotations.retain(|(k, v)| !k.has_unknown() && (v.to_text().is_some() || v.is_unknown()));
    for (_, v) in annotations.iter_mut() {
        if v.has_unknown() {
            *v = Value::str(symbolic_text(v), v.span, f);
        }
    }
    if !annotations.is_empty() {
        let aspan = annotations[0].0.span;
        m.push((
            "annotations",
            aspan,
            Value::new(Kind::Map(annotations), aspan, f),
        ));
    }
    let doc = obj(
        vec![
            ("apiVersion", span, Value::str("v1", span, f)),
            ("kind", span, Value::str("ServiceAccount", span, f)),
            ("metadata", meta_span, obj(m, meta_span, f)),
        ],
        span,
        f,
    );
    Some(doc.to_node())
}

/// A value known only in part as a deploy-time template (`arn:aws:iam::${var.account}:role/app`,
/// `${aws_iam_role.x.arn}`): the ARN rules check its known parts and say the rest is unknown.
pub(super) fn symbolic_text(v: &Value) -> String {
    let text = match &v.kind {
        Kind::Unknown(r) => super::value::marker(r),
        _ => v.to_text().unwrap_or_default(),
    };
    text.replace(super::value::MARK, "${")
}

/// The value with unknown map entries and list items left out.
fn known_only(v: &Value) -> Value {
    let mut out = v.clone();
    prune(&mut out, 0);
    out
}

fn prune(v: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match &mut v.kind {
        Kind::Map(entries) => {
            entries.retain(|(k, v)| {
                !k.has_unknown()
                    && !v.is_unknown()
                    && !matches!(v.kind, Kind::Str { partial: true, .. })
            });
            for (_, v) in entries.iter_mut() {
                prune(v, depth + 1);
            }
        }
        Kind::List(items) => {
            items.retain(|i| !i.is_unknown());
            for i in items.iter_mut() {
                prune(i, depth + 1);
            }
        }
        _ => {}
    }
}
