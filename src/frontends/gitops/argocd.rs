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

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::appset::{self, Generated};
use super::deploy_time::placeholder_values;
use super::{in_tree, inside};
use crate::diagnostics::finding::{Finding, Location, ObjectRef, Severity};
use crate::diagnostics::input::{GeneratorNotExpanded, InputError, SourceNotInTree};
use crate::facts::release::{
    ChartSource, Decided, HelmRelease, NameAffixes, NamespaceTarget, Place, ReleaseOrigin,
    SetValue, Setting, ValuesLayer,
};
use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, NodeKind, Span};

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

fn note(out: &mut Read, file: &Arc<SourceFile>, span: Span, severity: Severity, message: String) {
    out.findings.push(
        Finding::new(&InputError::META, message)
            .at(Location::new(file, span))
            .severity(severity),
    );
}

/// A source of the Application that is not in the linted tree (IRSA054, a note).
fn not_in_tree(out: &mut Read, file: &Arc<SourceFile>, span: Span, message: String) {
    out.findings
        .push(Finding::new(&SourceNotInTree::META, message).at(Location::new(file, span)));
}

/// What an ApplicationSet template left unexpanded (IRSA055, a note).
fn not_expanded(out: &mut Read, file: &Arc<SourceFile>, span: Span, message: String) {
    out.findings
        .push(Finding::new(&GeneratorNotExpanded::META, message).at(Location::new(file, span)));
}

/// A setting written in the Application, or derived by an ApplicationSet template.
fn setting(file: &Arc<SourceFile>, node: &Node, value: &str, generated: &Generated) -> Setting {
    let place = Place::new(file, node.span);
    match generated.derivation(node) {
        Some(why) => Setting {
            value: value.to_string(),
            place: Some(place),
            decided: Decided::Derived(why),
        },
        None => Setting::written(value, place),
    }
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
    let namespace = match spec.path(&["destination", "namespace"]) {
        Some(n) if n.as_str().is_some_and(|s| !s.is_empty()) => {
            setting(file, n, n.as_str().unwrap_or_default(), generated)
        }
        _ => Setting::default(
            "default",
            "Argo CD: no `destination.namespace`, so helm's `default` namespace",
        ),
    };
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

/// One Application being lowered.
struct Lowering<'a> {
    file: &'a Arc<SourceFile>,
    app: &'a str,
    generated: &'a Generated,
    roots: &'a [PathBuf],
    /// The `ref:` names of its sources (`$values/…` value files).
    refs: &'a [&'a str],
}

impl Lowering<'_> {
    fn source(
        &self,
        source: &Node,
        name_node: &Node,
        namespace: &Setting,
        object: &ObjectRef,
        out: &mut Read,
    ) -> Option<HelmRelease> {
        let (chart, chart_dir) = match self.chart(source, out)? {
            Ok(chart) => chart,
            Err(dir) => {
                out.targets
                    .extend(self.target(source, dir, name_node, namespace, object));
                return None;
            }
        };
        let helm = source.get("helm");
        let release_name = match helm.and_then(|h| h.get("releaseName")) {
            Some(n) if n.as_str().is_some() => {
                setting(self.file, n, n.as_str().unwrap_or_default(), self.generated)
            }
            _ => Setting {
                value: self.app.to_string(),
                place: Some(Place::new(self.file, name_node.span)),
                decided: Decided::Derived(format!(
                    "Argo CD: no `helm.releaseName`, so the Application's name `{}`",
                    self.app
                )),
            },
        };
        let mut values = Vec::new();
        let mut set = Vec::new();
        let mut unknown_values = Vec::new();
        if let Some(helm) = helm {
            for vf in helm
                .get("valueFiles")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                self.value_file(vf, chart_dir.as_deref(), out, &mut values);
            }
            for key in ["values", "valuesObject"] {
                let Some(v) = helm.get(key) else { continue };
                let object = format!("Argo CD Application `{}`", self.app);
                let key = format!("helm.{key}");
                if let Some((place, note)) = placeholder_values(self.file, v, &object, &key) {
                    unknown_values.push(place);
                    out.findings.push(note);
                } else if key == "helm.values" {
                    values.push(self.values_string(v, out)?);
                } else if v.as_map().is_some() {
                    values.push(ValuesLayer {
                        file: self.file.clone(),
                        root: v.clone(),
                    });
                }
            }
            for p in helm
                .get("parameters")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                set.extend(self.parameter(p));
            }
        }
        Some(HelmRelease {
            origin: ReleaseOrigin {
                place: Place::new(self.file, name_node.span),
                object: object.clone(),
                frontend: "argocd",
            },
            release_name,
            namespace: namespace.clone(),
            chart,
            values,
            set,
            unknown_values,
        })
    }

    /// The chart of a Helm source, with its directory when it is in the tree; a directory of the
    /// tree that is not a chart; `None` for a source this run cannot read (which is said).
    #[allow(clippy::type_complexity)]
    fn chart(
        &self,
        source: &Node,
        out: &mut Read,
    ) -> Option<Result<(ChartSource, Option<PathBuf>), PathBuf>> {
        if let Some(chart_node) = source.get("chart") {
            let chart = chart_node.as_str()?;
            let repo = source.str_at(&["repoURL"]).map(str::to_string);
            let name = chart.rsplit('/').next().unwrap_or(chart).to_string();
            let remote = ChartSource::Remote {
                repo,
                name,
                version: source.str_at(&["targetRevision"]).map(str::to_string),
                place: Some(Place::new(self.file, chart_node.span)),
            };
            return Some(Ok((remote, None)));
        }
        let path_node = source.get("path")?;
        let path = path_node.as_str()?;
        if path.contains("{{") {
            let message = format!("Argo CD Application `{}`: source path `{path}` is a template that could not be expanded offline; not linted", self.app);
            not_expanded(out, self.file, path_node.span, message);
            return None;
        }
        let found = in_tree(self.file, path, self.roots, &|d: &Path| d.is_dir());
        match found {
            Some(dir) if dir.join("Chart.yaml").is_file() => {
                let display = display_of(&dir);
                let local = ChartSource::Local {
                    dir: dir.clone(),
                    display,
                };
                Some(Ok((local, Some(dir))))
            }
            Some(dir) => Some(Err(dir)),
            None => {
                let message = format!("Argo CD Application `{}`: source path `{path}` is not a directory of the linted tree; not linted", self.app);
                not_in_tree(out, self.file, path_node.span, message);
                None
            }
        }
    }

    /// A directory or kustomize source: where its objects land.
    fn target(
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

    fn value_file(
        &self,
        vf: &Node,
        chart_dir: Option<&Path>,
        out: &mut Read,
        values: &mut Vec<ValuesLayer>,
    ) {
        let Some(written) = vf.as_str() else { return };
        let path = match written.strip_prefix('$').and_then(|r| r.split_once('/')) {
            Some((reference, rest)) if self.refs.contains(&reference) => {
                in_tree(self.file, rest, self.roots, &|p: &Path| p.is_file())
            }
            _ => chart_dir
                .map(|d| d.join(written))
                .filter(|p| inside(p, self.roots)),
        };
        let Some(path) = path else {
            let message = format!("Argo CD Application `{}`: value file `{written}` is not in the linted tree; not read", self.app);
            not_in_tree(out, self.file, vf.span, message);
            return;
        };
        match read_text(&path, DEFAULT_MAX_FILE_SIZE) {
            Ok(text) => {
                let values_file = Arc::new(SourceFile::new(&path, display_of(&path), text));
                // A parse error is reported where the file itself is linted (it is in the tree).
                if let Some(doc) = yaml::parse(&values_file.text).documents.into_iter().next() {
                    values.push(ValuesLayer {
                        file: values_file.clone(),
                        root: doc.root,
                    });
                }
                out.files.push(values_file);
            }
            Err(e) => {
                let message = format!(
                    "Argo CD Application `{}`: value file `{written}`: {}",
                    self.app, e.message
                );
                note(out, self.file, vf.span, Severity::Warning, message);
            }
        }
    }

    /// `helm.values`: a YAML string (or, leniently, a mapping). `None` when it is not YAML:
    /// Argo CD cannot sync the Application, so the release is not linted.
    fn values_string(&self, v: &Node, out: &mut Read) -> Option<ValuesLayer> {
        if v.as_map().is_some() {
            return Some(ValuesLayer {
                file: self.file.clone(),
                root: v.clone(),
            });
        }
        let stream = parse_embedded(self.file, v)?;
        if let Some(err) = stream.error {
            let message = format!(
                "Argo CD Application `{}`: `helm.values` is not valid YAML: {}; the release is not linted",
                self.app, err.message
            );
            let at = Span {
                start: err.pos,
                end: err.pos,
            };
            note(out, self.file, at, Severity::Error, message);
            return None;
        }
        let root = stream.documents.into_iter().next().map(|d| d.root)?;
        if root.as_map().is_none() && !root.is_null() {
            let message = format!(
                "Argo CD Application `{}`: `helm.values` is not a mapping of values; the release is not linted",
                self.app
            );
            note(out, self.file, v.span, Severity::Error, message);
            return None;
        }
        Some(ValuesLayer {
            file: self.file.clone(),
            root,
        })
    }

    /// `helm.parameters` entry: `name`, `value`, `forceString`.
    fn parameter(&self, p: &Node) -> Option<SetValue> {
        let key = p.entry("name")?;
        let mut value = p.get("value")?.clone();
        if p.get("forceString").and_then(Node::as_bool) == Some(true) {
            if let NodeKind::Scalar(s) = &mut value.kind {
                s.plain = false;
            }
        }
        Some(SetValue {
            path: SetValue::split_key(key.value.as_str()?),
            file: self.file.clone(),
            key_span: key.key.span.to(key.value.span),
            value,
        })
    }
}

fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).replace("/./", "/")
}
