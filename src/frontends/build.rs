//! Small builders for synthesized Nodes (a ServiceAccount manifest lowered from a plan), whose
//! every scalar keeps the span of the value it came from.

use crate::syntax::yaml::{Entry, Node, NodeKind, Scalar, Span};

pub fn scalar(text: &str, span: Span) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar {
            text: text.to_string(),
            plain: false,
        }),
        span,
    }
}

/// A mapping of `(key, value)`; each key takes its value's span unless given one.
pub fn map(span: Span, entries: Vec<(Node, Node)>) -> Node {
    Node {
        kind: NodeKind::Map(
            entries
                .into_iter()
                .map(|(key, value)| Entry { key, value })
                .collect(),
        ),
        span,
    }
}

/// `key: value` with the key placed at `key_span`.
pub fn entry(key: &str, key_span: Span, value: Node) -> (Node, Node) {
    (scalar(key, key_span), value)
}

/// `key: value` with the key at the value's span.
pub fn field(key: &str, value: Node) -> Entry {
    Entry {
        key: scalar(key, value.span),
        value,
    }
}

/// A mapping of entries already built.
pub fn mapping(entries: Vec<Entry>, span: Span) -> Node {
    Node {
        kind: NodeKind::Map(entries),
        span,
    }
}

/// The ACK `PodIdentityAssociation` every format lowers its associations to
/// (`frontends::pod_identity` reads it), named `name`, with `spec` entries as given.
pub fn ack_pod_identity_association(name: &str, span: Span, spec: Vec<(Node, Node)>) -> Node {
    map(
        span,
        vec![
            entry(
                "apiVersion",
                span,
                scalar("eks.services.k8s.aws/v1alpha1", span),
            ),
            entry("kind", span, scalar("PodIdentityAssociation", span)),
            entry(
                "metadata",
                span,
                map(span, vec![entry("name", span, scalar(name, span))]),
            ),
            entry("spec", span, map(span, spec)),
        ],
    )
}
