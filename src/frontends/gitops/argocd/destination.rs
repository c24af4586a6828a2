//! Where an Application's objects land: `spec.destination.namespace` (else helm's `default`), and
//! for a directory or kustomize source, the namespace and name affixes applied to its objects.

use std::path::PathBuf;
use std::sync::Arc;

use super::naming::setting;
use super::source::Lowering;
use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{NameAffixes, NamespaceTarget, Place, ReleaseOrigin, Setting};
use crate::frontends::gitops::appset::Generated;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// `spec.destination.namespace`, else `default` (Argo CD passes no namespace to helm).
pub(super) fn namespace(file: &Arc<SourceFile>, spec: &Node, generated: &Generated) -> Setting {
    match spec.path(&["destination", "namespace"]) {
        Some(n) if n.as_str().is_some_and(|s| !s.is_empty()) => {
            setting(file, n, n.as_str().unwrap_or_default(), generated)
        }
        _ => Setting::default(
            "default",
            "Argo CD: no `destination.namespace`, so helm's `default` namespace",
        ),
    }
}

impl Lowering<'_> {
    /// A directory or kustomize source: where its objects land.
    pub(super) fn target(
        &self,
        source: &Node,
        dir: PathBuf,
        name_node: &Node,
        namespace: &Setting,
        object: &ObjectRef,
    ) -> Option<NamespaceTarget> {
        let forced = source
            .path(&["kustomize", "namespace"])
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
        let (namespace, force) = match forced {
            Some(n) => (
                setting(self.file, n, n.as_str().unwrap_or_default(), self.generated),
                true,
            ),
            // No destination namespace: objects without one go where kubectl puts them.
            None if namespace.place.is_none() => return None,
            None => (namespace.clone(), false),
        };
        let recurse = source
            .path(&["directory", "recurse"])
            .and_then(Node::as_bool)
            == Some(true);
        let affix = |key: &str| {
            source
                .path(&["kustomize", key])
                .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        };
        let (prefix, suffix) = (affix("namePrefix"), affix("nameSuffix"));
        let name_affixes = prefix.or(suffix).map(|at| NameAffixes {
            prefix: prefix
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
            suffix: suffix
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
            place: Place::new(self.file, at.span),
        });
        Some(NamespaceTarget {
            dir: dir.canonicalize().ok()?,
            recurse,
            namespace,
            force,
            name_affixes,
            origin: ReleaseOrigin {
                place: Place::new(self.file, name_node.span),
                object: object.clone(),
                frontend: "argocd",
            },
        })
    }
}
