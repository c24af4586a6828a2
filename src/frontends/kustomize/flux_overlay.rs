//! A Flux Kustomization's own build settings, as the overlay kustomize-controller writes over its
//! `spec.path` before building it: `spec.patches` (strategic-merge and JSON6902, each with its
//! `target`), the deprecated `patchesStrategicMerge`/`patchesJson6902`, `commonMetadata.annotations`
//! and, in `kustomize.toolkit.fluxcd.io/v1`, `namePrefix`/`nameSuffix` (added in
//! kustomize-controller v1.3.0, Flux 2.3: fluxcd/kustomize-controller#1133, fluxcd/pkg#761; the
//! generator is fluxcd/pkg `kustomize/kustomize_generator.go`).
//! Each patched value remembers the line of the Flux object that wrote it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::eval::{transform, Evaluated, Problem, Res};
use super::model::{Kustomization, PatchRef};
use super::patch::apply_patch;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::input_finding;
use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Entry, Node, NodeKind, Scalar};

/// One Flux Kustomization as an overlay over the objects of its path.
#[derive(Debug, Clone)]
pub struct FluxOverlay {
    k: Kustomization,
    /// `metadata.name` of the Flux object.
    pub name: String,
}

impl FluxOverlay {
    /// The overlay of the Flux Kustomization `doc` (in `file`) over `dir` (`None` when it sets
    /// nothing an overlay applies), and the errors of patches that are not objects.
    pub fn read(
        file: &Arc<SourceFile>,
        doc: &Node,
        dir: &Path,
    ) -> (Option<FluxOverlay>, Vec<Finding>) {
        let Some(spec) = doc.get("spec") else {
            return (None, Vec::new());
        };
        let v1 = doc.str_at(&["apiVersion"]) == Some("kustomize.toolkit.fluxcd.io/v1");
        let mut entries = Vec::new();
        for key in ["namePrefix", "nameSuffix"].iter().filter(|_| v1) {
            if let Some(v) = spec.get(key).filter(|v| v.as_str().is_some()) {
                entries.push(entry(key, v.clone()));
            }
        }
        if let Some(a) = spec.path(&["commonMetadata", "annotations"]) {
            entries.push(entry("commonAnnotations", a.clone()));
        }
        let mut errors = Vec::new();
        let mut patches = Vec::new();
        for key in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
            for item in spec.get(key).and_then(Node::as_seq).unwrap_or_default() {
                let (body, target) = match key {
                    "patchesStrategicMerge" => (item, None),
                    _ => match item.get("patch") {
                        Some(p) => (p, item.get("target")),
                        None => continue,
                    },
                };
                for inline in patch_documents(file, body, target.is_some(), &mut errors) {
                    patches.push(PatchRef {
                        path: None,
                        inline: Some(inline),
                        target: target.cloned(),
                        span: item.span,
                    });
                }
            }
        }
        if entries.is_empty() && patches.is_empty() {
            return (None, errors);
        }
        let k = Kustomization {
            dir: dir.to_path_buf(),
            file: file.clone(),
            root: Node {
                kind: NodeKind::Map(entries),
                span: spec.span,
            },
            resources: Vec::new(),
            components: Vec::new(),
            patches,
            errors: Vec::new(),
        };
        let name = doc.str_at(&["metadata", "name"]).unwrap_or("").to_string();
        (Some(FluxOverlay { k, name }), errors)
    }

    /// The file of the Flux object.
    pub fn file(&self) -> &Arc<SourceFile> {
        &self.k.file
    }

    /// Apply the patches, then the name affixes and annotations, to the objects of the path.
    /// A Flux Kustomization among them that this one patches is noted: Flux runs the patched
    /// object after the first apply, lint reads it as written (once, never again).
    pub fn apply(&self, roots: &[PathBuf], acc: &mut Vec<Res>, out: &mut Evaluated) {
        for p in &self.k.patches {
            apply_patch(&self.k, p, roots, acc, out);
        }
        transform(&self.k, acc);
        let own = |r: &Res| {
            r.kind() == "Kustomization"
                && r.file.path == self.k.file.path
                && r.node.str_at(&["metadata", "name"]) == Some(self.name.as_str())
        };
        let patched_here = acc.iter().filter(|r| own(r)).find_map(|r| {
            r.fields_from
                .iter()
                .find(|(_, l)| l.file.path == self.k.file.path)
        });
        if let Some((_, at)) = patched_here {
            out.generated.push(Problem {
                loc: at.clone(),
                message: format!(
                    "Flux Kustomization `{}` patches itself: Flux runs the patched object from its second reconciliation; linted as written",
                    self.name
                ),
            });
        }
    }
}

/// A key entry of the synthesized kustomization, spanned at its value.
fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: Node {
            kind: NodeKind::Scalar(Scalar {
                text: key.to_string(),
                plain: true,
            }),
            span: value.span,
        },
        value,
    }
}

/// The documents of a patch (a string, or a mapping/list written inline), with spans in the
/// Flux file. A patch that does not parse, or is neither an object nor a list of operations
/// (or an object without `kind` and no `target`), is an error on its line and is not applied.
fn patch_documents(
    file: &Arc<SourceFile>,
    body: &Node,
    targeted: bool,
    errors: &mut Vec<Finding>,
) -> Vec<Node> {
    let docs: Vec<Node> = match body.as_str() {
        Some(_) => match parse_embedded(file, body) {
            Some(stream) => {
                if let Some(e) = &stream.error {
                    let msg = format!("Flux Kustomization patch is not valid YAML: {}", e.message);
                    errors.push(input_finding(file, &msg, Some(e.pos)));
                    return Vec::new();
                }
                stream.documents.into_iter().map(|d| d.root).collect()
            }
            None => Vec::new(),
        },
        None => vec![body.clone()],
    };
    docs.into_iter()
        .map(|d| if targeted { without_identity(d) } else { d })
        .filter(|d| {
            let ok = match &d.kind {
                NodeKind::Seq(ops) => targeted && ops.iter().all(|o| o.str_at(&["op"]).is_some()),
                NodeKind::Map(_) => targeted || d.str_at(&["kind"]).is_some(),
                NodeKind::Scalar(_) => false,
            };
            if !ok {
                let msg = "Flux Kustomization patch is neither an object with `kind` (or a `target`) nor a list of JSON6902 operations with a `target`; not applied";
                errors.push(input_finding(file, msg, Some(d.span.start)));
            }
            ok
        })
        .collect()
}

/// A targeted strategic-merge patch names its objects by its `target`: kustomize ignores the
/// patch's own `metadata.name`/`namespace` (often a placeholder such as `not-used`).
fn without_identity(mut doc: Node) -> Node {
    let NodeKind::Map(entries) = &mut doc.kind else {
        return doc;
    };
    for e in entries.iter_mut() {
        if e.key.as_str() != Some("metadata") {
            continue;
        }
        if let NodeKind::Map(meta) = &mut e.value.kind {
            meta.retain(|m| !matches!(m.key.as_str(), Some("name" | "namespace")));
        }
    }
    doc
}

/// The objects of a build output, as resources an overlay can patch.
pub fn resources_of(built: &Arc<SourceFile>) -> Vec<Res> {
    yaml::parse(&built.text)
        .documents
        .into_iter()
        .map(|d| d.root)
        .filter(|n| n.as_map().is_some())
        .map(|node| Res::written(built, node))
        .collect()
}
