//! Flux `Kustomization` objects (kustomize.toolkit.fluxcd.io): which directory of the tree they
//! apply, what they apply to its objects before any rule runs ([`plans`]: their patches and
//! other overlays, and the `postBuild` variables they substitute into its build), and the
//! `targetNamespace` they move its objects into ([`targets`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::finding::{Finding, Location, ObjectRef, Severity};
use crate::diagnostics::input::{KustomizationError, SourceNotInTree};
use crate::facts::release::{NamespaceTarget, Place, ReleaseOrigin, Setting};
use crate::frontends::kustomize::flux_dir::FluxApplied;
use crate::frontends::kustomize::flux_overlay::FluxOverlay;
use crate::syntax::source::SourceFile;

use crate::frontends::discover::Input;
use crate::syntax::source::read_text;
use crate::syntax::yaml::{self, Node, Span};

use super::{flux_deps, flux_path};

/// What the Flux Kustomizations of a run do to the directories they apply.
#[derive(Debug, Default)]
pub struct FluxPlans {
    /// By the (normalized) directory a Flux Kustomization applies: a kustomize unit, or a
    /// directory without a kustomization.
    pub dirs: BTreeMap<PathBuf, FluxApplied>,
    /// Notes on the Flux objects (a path matched by its trailing components).
    pub findings: Vec<Finding>,
}

/// One Flux Kustomization as read.
struct FluxKustomization {
    file: Arc<SourceFile>,
    path: String,
    path_span: Span,
    substitute: BTreeMap<String, String>,
    /// `(kind, name)` of `substituteFrom` entries.
    from: Vec<(String, String)>,
    doc: Node,
}

/// Read the Flux Kustomizations and ConfigMaps/Secrets among `inputs`; resolve each one's
/// `spec.path` to a kustomize unit (`is_unit`) or a directory of the tree, and gather what it
/// applies there: its overlay and its `postBuild` variables (`substituteFrom` ConfigMaps and
/// Secrets found in the tree; `substitute` wins, as in Flux).
pub fn plans(
    inputs: &[Input],
    max_size: u64,
    is_unit: &dyn Fn(&Path) -> bool,
    roots: &[PathBuf],
) -> FluxPlans {
    let read: Vec<(Arc<SourceFile>, Vec<Node>)> = inputs
        .par_iter()
        .filter_map(|i| match i {
            Input::File { path, display } => Some((path, display)),
            _ => None,
        })
        .filter_map(|(path, display)| {
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
            Some((
                Arc::new(SourceFile::new(path, display.as_str(), text)),
                docs,
            ))
        })
        .collect();
    let mut fluxes = Vec::new();
    let mut depends = Vec::new();
    let mut data: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for (file, docs) in read {
        for doc in docs {
            let kind = doc.str_at(&["kind"]).unwrap_or("");
            let api = doc.str_at(&["apiVersion"]).unwrap_or("");
            let name = doc.str_at(&["metadata", "name"]).unwrap_or("").to_string();
            match kind {
                "Kustomization" if api.starts_with("kustomize.toolkit.fluxcd.io/") => {
                    depends.extend(flux_deps::DependsOn::read(&file, &doc));
                    if let Some(f) = flux_kustomization(&file, doc) {
                        fluxes.push(f);
                    }
                }
                "ConfigMap" => {
                    data.insert(("ConfigMap".into(), name), strings(doc.get("data")));
                }
                "Secret" => {
                    data.insert(("Secret".into(), name), secret_data(&doc));
                }
                _ => {}
            }
        }
    }
    let mut out = FluxPlans {
        findings: flux_deps::cycles(&depends),
        ..Default::default()
    };
    let want = |d: &Path| is_unit(d) || d.is_dir();
    for f in fluxes {
        if let Some(source) = flux_path::artifact_source(&f.doc) {
            out.findings.push(artifact_note(&f, &source));
            continue;
        }
        let Some(found) = flux_path::resolve(&f.file.path, &f.path, roots, &want) else {
            continue;
        };
        if let Some(tail) = &found.by_tail {
            out.findings.push(tail_note(&f, tail, &found.dir));
        }
        let applied = out.dirs.entry(found.dir.clone()).or_default();
        let (overlay, errors) = FluxOverlay::read(&f.file, &f.doc, &found.dir);
        applied.findings.extend(errors);
        match (overlay, applied.overlays.first()) {
            // Several Kustomizations (one per cluster, often) build the same directory: the
            // first one's overlay is applied, the others are said not to be.
            (Some(o), Some(first)) => {
                let note = also_applies(&f, &o, first, &found.dir);
                applied.findings.push(note);
            }
            (o, _) => applied.overlays.extend(o),
        }
        for key in &f.from {
            applied
                .vars
                .extend(data.get(key).cloned().unwrap_or_default());
        }
        applied.vars.extend(f.substitute);
    }
    out
}

fn flux_kustomization(file: &Arc<SourceFile>, doc: Node) -> Option<FluxKustomization> {
    let path_node = doc.path(&["spec", "path"])?;
    let path = path_node.as_str()?.to_string();
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
    Some(FluxKustomization {
        file: file.clone(),
        path,
        path_span: path_node.span,
        substitute: strings(doc.path(&["spec", "postBuild", "substitute"])),
        from,
        doc,
    })
}

/// A Secret's `stringData`, then its base64 `data`.
fn secret_data(doc: &Node) -> BTreeMap<String, String> {
    use base64::Engine;
    let mut values = strings(doc.get("stringData"));
    for (k, v) in strings(doc.get("data")) {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(v.trim()) {
            values
                .entry(k)
                .or_insert_with(|| String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    values
}

/// The note that says a second Flux Kustomization's overlay of a directory was not applied.
fn also_applies(
    f: &FluxKustomization,
    o: &FluxOverlay,
    first: &FluxOverlay,
    dir: &Path,
) -> Finding {
    Finding::new(
        &KustomizationError::META,
        format!(
            "Flux Kustomization `{}` builds `{}` as `{}` ({}) does: linted with the patches and names of `{}` only, not with these",
            o.name,
            dir.display(),
            first.name,
            first.file().display,
            first.name
        ),
    )
    .at(Location::new(&f.file, f.path_span))
    .severity(Severity::Note)
    .help("lint each cluster's directory on its own to check every Kustomization's patches")
}

/// The note that says a path is inside an artifact, not looked up in the tree.
fn artifact_note(f: &FluxKustomization, source: &str) -> Finding {
    let name = f.doc.str_at(&["metadata", "name"]).unwrap_or("");
    Finding::new(
        &SourceNotInTree::META,
        format!(
            "Flux Kustomization `{name}` applies `{}` of {source}, an artifact whose layout is not this tree's: its patches, names and target namespace are not applied (files of the tree are linted as written)",
            f.path
        ),
    )
    .at(Location::new(&f.file, f.path_span))
    .help("lint the directory the artifact is pushed from too")
}

/// The note that says which directory a path matched by its trailing components.
fn tail_note(f: &FluxKustomization, tail: &str, dir: &Path) -> Finding {
    let name = f.doc.str_at(&["metadata", "name"]).unwrap_or("");
    let shown = dir.to_string_lossy();
    let shown = shown.strip_prefix("./").unwrap_or(&shown);
    Finding::new(
        &SourceNotInTree::META,
        format!(
            "Flux Kustomization `{name}`: `spec.path: {}` is relative to its source's root, which is not the linted tree; matched by its trailing components `{tail}` to directory `{}`",
            f.path,
            if shown.is_empty() { "." } else { shown }
        ),
    )
    .at(Location::new(&f.file, f.path_span))
    .help("lint the source's root to match the path exactly")
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
        if !is_flux || ns.is_empty() || flux_path::artifact_source(root).is_some() {
            continue;
        }
        let Some(dir) = flux_path::resolve(&file.path, path, roots, &|d: &Path| d.is_dir()) else {
            continue;
        };
        let dir = dir.dir;
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
