//! Kinds no rule reads beyond their names: API schemas and webhook registrations. A chain of
//! thousands of CRDs (100 MB of OpenAPI schemas) is walked holding only their metadata, and
//! the text of a file that holds nothing else is let go at once (it is never pointed at).

use std::sync::Arc;

use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind};

const INERT_KINDS: &[&str] = &[
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
];

/// Whether a document is of a kind no rule reads.
pub fn is_inert(doc: &Node) -> bool {
    doc.str_at(&["kind"])
        .is_some_and(|k| INERT_KINDS.contains(&k))
}

/// The document with only `apiVersion`, `kind` and `metadata` (patches and name transforms
/// still find it; its spec is never read).
pub fn metadata_only(doc: Node) -> Node {
    let NodeKind::Map(entries) = doc.kind else {
        return doc;
    };
    let kept = entries
        .into_iter()
        .filter(|e| matches!(e.key.as_str(), Some("apiVersion" | "kind" | "metadata")))
        .collect();
    Node {
        kind: NodeKind::Map(kept),
        span: doc.span,
    }
}

/// Slim the inert documents of a file; when all of them are, the file without its text.
pub fn slim(file: &Arc<SourceFile>, docs: Vec<Node>) -> (Arc<SourceFile>, Vec<Node>) {
    let all_inert = !docs.is_empty() && docs.iter().all(is_inert);
    let docs = docs
        .into_iter()
        .map(|d| if is_inert(&d) { metadata_only(d) } else { d })
        .collect();
    let file = if all_inert {
        Arc::new(file.without_text())
    } else {
        file.clone()
    };
    (file, docs)
}

#[cfg(test)]
mod tests {
    use super::super::eval::evaluate;
    use super::super::model::Graph;

    #[test]
    fn a_static_walk_keeps_only_the_metadata_of_crds_and_lets_their_text_go() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().canonicalize().unwrap();
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.acme.io\nspec:\n  group: acme.io\n";
        let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: carts\n";
        std::fs::write(dir.join("crd.yaml"), crd).unwrap();
        std::fs::write(dir.join("sa.yaml"), sa).unwrap();
        std::fs::write(
            dir.join("kustomization.yaml"),
            "resources:\n  - https://github.com/acme/platform//base?ref=v1\n  - crd.yaml\n  - sa.yaml\n",
        )
        .unwrap();
        let roots = vec![dir.clone()];
        let graph = Graph::build(&[(dir.clone(), ".".into())], &roots);
        let walked = evaluate(&graph, &dir, &roots);
        let crd = walked
            .resources
            .iter()
            .find(|r| r.kind() == "CustomResourceDefinition")
            .unwrap();
        assert_eq!(crd.name(), "widgets.acme.io");
        assert!(crd.value.get("spec").is_none());
        assert!(crd.file.text.is_empty() && crd.file.elided.is_some());
        let kept = walked
            .files
            .iter()
            .find(|f| f.path.ends_with("crd.yaml"))
            .unwrap();
        assert!(kept.text.is_empty(), "the file is counted, its text let go");
        let sa = walked
            .resources
            .iter()
            .find(|r| r.kind() == "ServiceAccount")
            .unwrap();
        assert!(!sa.file.text.is_empty());
    }
}
