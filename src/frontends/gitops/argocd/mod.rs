//! Argo CD `Application` (argoproj.io/v1alpha1) lowered into the release fact; an
//! `ApplicationSet` is first expanded into its Applications ([`super::appset`]).
//!
//! For each Helm source of `spec.source` or `spec.sources`:
//! - chart: `chart:` from a Helm repository or OCI registry (chart packs), or `path:` holding a
//!   `Chart.yaml` in this tree (tried against the object's directory and its parents, as the
//!   repository root is not known);
//! - namespace: `spec.destination.namespace`, else `default` (Argo CD passes no namespace);
//! - release name: `helm.releaseName`, else the Application's name;
//! - values, in Argo CD's order of precedence: `helm.valueFiles` (relative to the chart path, or
//!   `$ref/…` relative to a `ref:` source's repository), then `helm.values` (a YAML string, its
//!   spans mapped into the file), then `helm.valuesObject`, then `helm.parameters` (`--set`, or
//!   `--set-string` with `forceString`).
//!   A `helm.values` or `helm.valuesObject` that is wholly a deploy-time placeholder
//!   (`${user_values_yaml}`) is not read: IRSA053 says so, and the release is linted without it.
//!
//! A source with a local `path:` that is not a chart (plain manifests, a kustomization) becomes a
//! [`NamespaceTarget`]: its objects are linted where the tree's files and units are, placed in
//! `destination.namespace` when they name none, or all in `kustomize.namespace` when set.

pub mod app_of_apps;
mod destination;
mod naming;
mod source;
mod values;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::appset::{self, Generated};
use crate::diagnostics::finding::{Finding, Location, ObjectRef, Severity};
use crate::diagnostics::input::{GeneratorNotExpanded, InputError, SourceNotInTree};
use crate::facts::release::HelmRelease;
use crate::facts::release::NamespaceTarget;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, Span};
use source::Lowering;

/// Whether a text may hold an Argo CD object (cheap test before parsing).
pub fn may_hold(text: &str) -> bool {
    text.contains("argoproj.io/")
}

/// The releases of one file, what could not be read, and the values files read.
#[derive(Default)]
pub struct Read {
    pub releases: Vec<HelmRelease>,
    pub findings: Vec<Finding>,
    pub files: Vec<Arc<SourceFile>>,
    /// Directory and kustomize sources, with the namespace they are applied into.
    pub targets: Vec<NamespaceTarget>,
}

/// Read the Applications and ApplicationSets of `file`; `roots` bound what may be read.
pub fn read(file: &Arc<SourceFile>, roots: &[PathBuf]) -> Read {
    let mut out = Read::default();
    for doc in yaml::parse(&file.text).documents {
        let root = &doc.root;
        if !root
            .str_at(&["apiVersion"])
            .is_some_and(|a| a.starts_with("argoproj.io/"))
        {
            continue;
        }
        match root.str_at(&["kind"]) {
            Some("Application") => application(file, root, &Generated::none(), roots, &mut out),
            Some("ApplicationSet") => {
                for generated in appset::expand(file, root, roots, &mut out.findings) {
                    application(file, &generated.app, &generated, roots, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

pub(super) fn note(
    out: &mut Read,
    file: &Arc<SourceFile>,
    span: Span,
    severity: Severity,
    message: String,
) {
    out.findings.push(
        Finding::new(&InputError::META, message)
            .at(Location::new(file, span))
            .severity(severity),
    );
}

/// A source of the Application that is not in the linted tree (IRSA054, a note).
pub(super) fn not_in_tree(out: &mut Read, file: &Arc<SourceFile>, span: Span, message: String) {
    out.findings
        .push(Finding::new(&SourceNotInTree::META, message).at(Location::new(file, span)));
}

/// What an ApplicationSet template left unexpanded (IRSA055, a note).
pub(super) fn not_expanded(out: &mut Read, file: &Arc<SourceFile>, span: Span, message: String) {
    out.findings
        .push(Finding::new(&GeneratorNotExpanded::META, message).at(Location::new(file, span)));
}

fn application(
    file: &Arc<SourceFile>,
    app: &Node,
    generated: &Generated,
    roots: &[PathBuf],
    out: &mut Read,
) {
    let Some(name_node) = app.path(&["metadata", "name"]) else {
        return;
    };
    let Some(name) = name_node.as_str() else {
        return;
    };
    if name.contains("{{") {
        let message = format!("Argo CD Application name `{name}` is a template that could not be expanded offline; not linted");
        not_expanded(out, file, name_node.span, message);
        return;
    }
    let Some(spec) = app.get("spec") else { return };
    let sources: Vec<&Node> = match spec.get("sources").and_then(Node::as_seq) {
        Some(list) => list.iter().collect(),
        None => spec.get("source").into_iter().collect(),
    };
    let refs: Vec<&str> = sources.iter().filter_map(|s| s.str_at(&["ref"])).collect();
    let namespace = destination::namespace(file, spec, generated);
    let app_ns = app.str_at(&["metadata", "namespace"]);
    let object = ObjectRef::new("Application", app_ns, name);
    let lower = Lowering {
        file,
        app: name,
        generated,
        roots,
        refs: &refs,
    };
    for source in sources {
        if let Some(release) = lower.source(source, name_node, &namespace, &object, out) {
            out.releases.push(release);
        }
    }
}

pub(super) fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).replace("/./", "/")
}
