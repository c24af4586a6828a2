//! Flux `Kustomization` objects (kustomize.toolkit.fluxcd.io): which directory of the tree they
//! apply and the `postBuild` variables they substitute into its build (`substitute`, and
//! `substituteFrom` ConfigMaps/Secrets found in the tree; `substitute` wins, as in Flux), and the
//! `targetNamespace` they move its objects into ([`targets`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{NamespaceTarget, Place, ReleaseOrigin, Setting};
use crate::syntax::source::SourceFile;

use crate::frontends::discover::Input;
use crate::frontends::kustomize::model::normalize;
use crate::syntax::source::read_text;
use crate::syntax::yaml::{self, Node};

/// Substitution variables by the (normalized) directory a Flux Kustomization applies.
pub type Substitutions = BTreeMap<PathBuf, BTreeMap<String, String>>;

/// One Flux Kustomization as read.
struct FluxKustomization {
    /// The file it is in (its directory's ancestors are tried as the repository root).
    file: PathBuf,
    path: String,
    substitute: BTreeMap<String, String>,
    /// `(kind, name)` of `substituteFrom` entries.
    from: Vec<(String, String)>,
}

/// Read the Flux Kustomizations and ConfigMaps/Secrets among `inputs`; resolve each one's
/// `spec.path` against `is_unit` (a kustomize unit directory of the run).
pub fn substitutions(
    inputs: &[Input],
    max_size: u64,
    is_unit: &dyn Fn(&Path) -> bool,
) -> Substitutions {
    let read: Vec<(PathBuf, Vec<Node>)> = inputs
        .par_iter()
        .filter_map(|i| match i {
            Input::File { path, .. } => Some(path),
            _ => None,
        })
        .filter_map(|path| {
            let text = read_text(path, max_size).ok()?;
            if !text.contains("kustomize.toolkit.fluxcd.io")
                && !text.contains("ConfigMap")
                && !text.contains("Secret")
            {
                return None;
            }
            let docs = yaml::parse(&text)
                .documents
                .into_iter()
                .map(|d| d.root)
                .collect();
            Some((path.clone(), docs))
        })
        .collect();
    let mut fluxes = Vec::new();
    let mut data: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for (file, docs) in &read {
        for doc in docs {
            let kind = doc.str_at(&["kind"]).unwrap_or("");
            let api = doc.str_at(&["apiVersion"]).unwrap_or("");
            let name = doc.str_at(&["metadata", "name"]).unwrap_or("").to_string();
            match kind {
                "Kustomization" if api.starts_with("kustomize.toolkit.fluxcd.io/") => {
                    let Some(path) = doc.str_at(&["spec", "path"]) else {
                        continue;
                    };
                    let from = doc
                        .path(&["spec", "postBuild", "substituteFrom"])
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|e| {
                            Some((
                                e.str_at(&["kind"])?.to_string(),
                                e.str_at(&["name"])?.to_string(),
                            ))
                        })
                        .collect();
                    fluxes.push(FluxKustomization {
                        file: file.clone(),
                        path: path.to_string(),
                        substitute: strings(doc.path(&["spec", "postBuild", "substitute"])),
                        from,
                    });
                }
                "ConfigMap" => {
                    data.insert(("ConfigMap".into(), name), strings(doc.get("data")));
                }
                "Secret" => {
                    let mut values = strings(doc.get("stringData"));
                    for (k, v) in strings(doc.get("data")) {
                        use base64::Engine;
                        if let Ok(bytes) =
                            base64::engine::general_purpose::STANDARD.decode(v.trim())
                        {
                            values
                                .entry(k)
                                .or_insert_with(|| String::from_utf8_lossy(&bytes).into_owned());
                        }
                    }
                    data.insert(("Secret".into(), name), values);
                }
                _ => {}
            }
        }
    }
    let mut out = Substitutions::new();
    for f in fluxes {
        let Some(dir) = f
            .file
            .parent()
            .into_iter()
            .flat_map(Path::ancestors)
            .map(|root| normalize(&root.join(&f.path)))
            .find(|d| is_unit(d))
        else {
            continue;
        };
        let vars = out.entry(dir).or_default();
        for key in &f.from {
            vars.extend(data.get(key).cloned().unwrap_or_default());
        }
        vars.extend(f.substitute);
    }
    out
}

/// A mapping of scalars as strings.
fn strings(node: Option<&Node>) -> BTreeMap<String, String> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
        .collect()
}

/// Whether a text may hold a Flux Kustomization.
pub fn may_hold_kustomization(text: &str) -> bool {
    text.contains("kustomize.toolkit.fluxcd.io/")
}

/// The Flux Kustomizations of `file` that set `targetNamespace`: every namespaced object that
/// `spec.path` produces lands there (kustomize-controller applies it as kustomize's namespace
/// transformer does). A path outside the linted tree is left to the live cluster.
pub fn targets(file: &Arc<SourceFile>, roots: &[PathBuf]) -> Vec<NamespaceTarget> {
    let mut out = Vec::new();
    for doc in yaml::parse(&file.text).documents {
        let root = &doc.root;
        let is_flux = root.str_at(&["kind"]) == Some("Kustomization")
            && root
                .str_at(&["apiVersion"])
                .is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/"));
        let (Some(path), Some(ns_node), Some(name_node)) = (
            root.str_at(&["spec", "path"]),
            root.path(&["spec", "targetNamespace"]),
            root.path(&["metadata", "name"]),
        ) else {
            continue;
        };
        let (Some(ns), Some(name)) = (ns_node.as_str(), name_node.as_str()) else {
            continue;
        };
        if !is_flux || ns.is_empty() {
            continue;
        }
        let Some(dir) = super::in_tree(file, path, roots, &|d: &Path| d.is_dir()) else {
            continue;
        };
        let Ok(dir) = dir.canonicalize() else {
            continue;
        };
        out.push(NamespaceTarget {
            dir,
            recurse: true,
            namespace: Setting::written(ns, Place::new(file, ns_node.span)),
            force: true,
            name_affixes: None,
            origin: ReleaseOrigin {
                place: Place::new(file, name_node.span),
                object: ObjectRef::new(
                    "Kustomization",
                    root.str_at(&["metadata", "namespace"]),
                    name,
                ),
                frontend: "flux",
            },
        });
    }
    out
}
