//! A static walk of a kustomization chain: which resources a unit produces, and which line of
//! which file decided each namespace, name and patched field. It is the fallback when the build
//! fails, and tells where a value of a real build came from.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::model::{Graph, Kustomization, Target};
use super::partial;
use super::patch::apply_patch;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, Span};

/// A place in a user's file.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// One resource a unit produces.
#[derive(Debug, Clone)]
pub struct Res {
    /// The file it is written in, and the document as written.
    pub file: Arc<SourceFile>,
    pub node: Node,
    /// After the chain's transformations.
    pub value: Value,
    /// The `namespace:` entry that set its namespace last.
    pub namespace_from: Option<Loc>,
    /// `namePrefix`/`nameSuffix` entries applied to its name, innermost first.
    pub name_from: Vec<Loc>,
    /// Fields set by a patch or `commonAnnotations`: path and the value that was written.
    pub fields_from: Vec<(Vec<String>, Loc)>,
    /// Made from a patch over a base that was not fetched: all lint knows of the object.
    pub partial: bool,
}

impl Res {
    /// An object as written in `file`, before any overlay touched it.
    pub fn written(file: &Arc<SourceFile>, node: Node) -> Res {
        Res {
            file: file.clone(),
            value: node.to_json(),
            node,
            namespace_from: None,
            name_from: Vec::new(),
            fields_from: Vec::new(),
            partial: false,
        }
    }

    pub fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.value["metadata"]["name"].as_str().unwrap_or("")
    }
    pub fn namespace(&self) -> Option<&str> {
        self.value["metadata"]["namespace"].as_str()
    }
}

/// A problem in the chain.
#[derive(Debug, Clone)]
pub struct Problem {
    pub loc: Loc,
    pub message: String,
}

#[derive(Default)]
pub struct Evaluated {
    pub resources: Vec<Res>,
    pub problems: Vec<Problem>,
    /// Resources that are not in the tree (often generated at deploy time: `claim.yaml` from
    /// `claim-tmpl.yaml` beside it): not checked, rather than broken.
    pub generated: Vec<Problem>,
    /// What the static walk did not apply (e.g. `helmCharts in overlays/prod`).
    pub not_applied: BTreeSet<String>,
    /// Every file read, for snippets.
    pub files: Vec<Arc<SourceFile>>,
    /// Whether the chain has a cycle or a remote base (a build cannot succeed offline).
    pub cycle: bool,
    /// Remote bases not fetched, and partial objects not linted (IRSA054 notes).
    pub unfetched: Vec<Problem>,
    /// Whether the kustomization being walked has a base that was not fetched or is not in the
    /// tree (so a patch that matches nothing patches an object lint cannot see).
    pub base_unfetched: bool,
}

/// Fields the static walk does not apply, when present.
const UNAPPLIED: &[&str] = &[
    "helmCharts",
    "helmChartInflationGenerator",
    "replacements",
    "vars",
    "transformers",
    "generators",
    "configMapGenerator",
    "secretGenerator",
];

/// Built-in kinds that have no namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PersistentVolume",
    "PriorityClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
];

/// Evaluate the unit at `dir`.
pub fn evaluate(graph: &Graph, dir: &Path, roots: &[PathBuf]) -> Evaluated {
    let mut out = Evaluated::default();
    let mut stack = Vec::new();
    let resources = eval_dir(graph, dir, roots, &mut stack, &mut out);
    let (kept, unplaced): (Vec<Res>, Vec<Res>) = resources
        .into_iter()
        .partition(|r| !r.partial || r.namespace().is_some());
    for r in unplaced {
        out.unfetched.push(Problem {
            loc: partial::namespace_unknown(&r),
            message: format!(
                "{} `{}` is patched over a base that was not fetched, and neither the patch nor a kustomization sets its namespace (the base decides it); not linted",
                r.kind(),
                r.name()
            ),
        });
    }
    out.resources = kept;
    out
}

fn eval_dir(
    graph: &Graph,
    dir: &Path,
    roots: &[PathBuf],
    stack: &mut Vec<PathBuf>,
    out: &mut Evaluated,
) -> Vec<Res> {
    let Some(k) = graph.nodes.get(dir) else {
        return Vec::new();
    };
    stack.push(dir.to_path_buf());
    out.files.push(k.file.clone());
    let at = |span: Span| Loc {
        file: k.file.clone(),
        span,
    };
    for (message, span) in &k.errors {
        out.problems.push(Problem {
            loc: at(*span),
            message: format!("{}: {message}", k.file.display),
        });
    }
    for key in UNAPPLIED.iter().filter(|key| k.root.get(key).is_some()) {
        out.not_applied
            .insert(format!("`{key}` in {}", k.file.display));
    }
    let mut acc = Vec::new();
    let (unfetched_before, generated_before) = (out.unfetched.len(), out.generated.len());
    for w in k.resources.iter().chain(&k.components) {
        match k.resolve(&w.value, roots) {
            Target::Dir(child) if stack.contains(&child) => {
                out.cycle = true;
                out.problems.push(Problem {
                    loc: at(w.span),
                    message: format!(
                        "kustomization cycle: `{}` includes itself through `{}`",
                        k.file.display, w.value
                    ),
                });
            }
            Target::Dir(child) => acc.extend(eval_dir(graph, &child, roots, stack, out)),
            Target::File(path) => acc.extend(read_resources(&path, &k.file.display, &w.value, out)),
            Target::Remote => {
                out.cycle = true;
                out.not_applied.insert(format!("remote base `{}`", w.value));
                out.unfetched.push(Problem {
                    loc: at(w.span),
                    message: format!("remote base `{}` of `{}` was not fetched: its objects were not linted; patches over it are linted as the partial objects they describe", w.value, k.file.display),
                });
            }
            Target::Missing(why) => {
                let absent = !k.dir.join(&w.value).exists();
                match (absent, template_beside(&k.dir, &w.value)) {
                    (true, Some(template)) => out.generated.push(Problem {
                        loc: at(w.span),
                        message: format!("resource {why}; `{template}` beside it is its template, so it is generated at deploy time (envsubst); not checked"),
                    }),
                    // A file a pipeline or a workshop step writes before the build.
                    (true, None) => out.generated.push(Problem {
                        loc: at(w.span),
                        message: format!("resource {why} in the tree (written before the build?); the unit was walked without it"),
                    }),
                    (false, _) => out.problems.push(Problem {
                        loc: at(w.span),
                        message: format!("resource {why}"),
                    }),
                }
            }
        }
    }
    let outer = out.base_unfetched;
    // A base not fetched, or not in the tree (written before the build): a patch that matches
    // nothing may patch an object of it.
    out.base_unfetched =
        out.unfetched.len() > unfetched_before || out.generated.len() > generated_before;
    for p in &k.patches {
        apply_patch(k, p, roots, &mut acc, out);
    }
    out.base_unfetched = outer;
    transform(k, &mut acc);
    stack.pop();
    acc
}

/// The template of a missing resource, when one sits beside it: `x-tmpl.yaml`, `x.tmpl.yaml`,
/// `x-template.yaml`, `x.yaml.tpl`, `x.yaml.tmpl`, `x.yaml.template`, `x.yaml.j2`.
fn template_beside(dir: &std::path::Path, written: &str) -> Option<String> {
    let path = std::path::Path::new(written);
    let name = path.file_name()?.to_str()?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let candidates = [
        format!("{stem}-tmpl.{ext}"),
        format!("{stem}.tmpl.{ext}"),
        format!("{stem}-template.{ext}"),
        format!("{name}.tpl"),
        format!("{name}.tmpl"),
        format!("{name}.template"),
        format!("{name}.j2"),
    ];
    let parent = dir.join(path.parent().unwrap_or(std::path::Path::new("")));
    candidates.into_iter().find(|c| parent.join(c).is_file())
}

/// The documents of a resource file, as resources.
pub(super) fn read_resources(
    path: &Path,
    from: &str,
    written: &str,
    out: &mut Evaluated,
) -> Vec<Res> {
    let Some((file, docs)) = load(path, from, written, out) else {
        return Vec::new();
    };
    let (file, docs) = super::inert::slim(&file, docs);
    if file.elided.is_some() {
        if let Some(kept) = out.files.iter_mut().rev().find(|f| f.path == file.path) {
            *kept = file.clone();
        }
    }
    docs.into_iter()
        .filter(|d| d.as_map().is_some())
        .map(|node| Res::written(&file, node))
        .collect()
}

pub(super) fn load(
    path: &Path,
    from: &str,
    written: &str,
    out: &mut Evaluated,
) -> Option<(Arc<SourceFile>, Vec<Node>)> {
    let display = super::model::join_display(
        Path::new(from)
            .parent()
            .map_or("", |p| p.to_str().unwrap_or("")),
        written,
    );
    let text = read_text(path, DEFAULT_MAX_FILE_SIZE).ok()?;
    let file = Arc::new(SourceFile::new(path, display, text));
    let stream = yaml::parse(&file.text);
    if let Some(e) = &stream.error {
        out.problems.push(Problem {
            loc: Loc {
                file: file.clone(),
                span: Span {
                    start: e.pos,
                    end: e.pos,
                },
            },
            message: format!("invalid YAML: {}", e.message),
        });
    }
    out.files.push(file.clone());
    Some((file, stream.documents.into_iter().map(|d| d.root).collect()))
}

/// `namespace`, `namePrefix`/`nameSuffix` (and the references to renamed service accounts),
/// `commonAnnotations`: in kustomize's order, after the patches.
pub(super) fn transform(k: &Kustomization, acc: &mut [Res]) {
    let at = |n: &Node| Loc {
        file: k.file.clone(),
        span: n.span,
    };
    if let Some(ns) = k.field("namespace") {
        for r in acc
            .iter_mut()
            .filter(|r| !CLUSTER_SCOPED.contains(&r.kind()))
        {
            r.value["metadata"]["namespace"] = Value::String(ns.as_str().unwrap_or("").into());
            r.namespace_from = Some(at(ns));
        }
    }
    let prefix = k.field("namePrefix");
    let suffix = k.field("nameSuffix");
    if prefix.is_some() || suffix.is_some() {
        let p = prefix.and_then(Node::as_str).unwrap_or("");
        let s = suffix.and_then(Node::as_str).unwrap_or("");
        let decided: Vec<Loc> = prefix.iter().chain(suffix.iter()).map(|n| at(n)).collect();
        let mut renamed_sas = Vec::new();
        for r in acc
            .iter_mut()
            .filter(|r| !CLUSTER_SCOPED.contains(&r.kind()))
        {
            let old = r.name().to_string();
            if r.kind() == "ServiceAccount" {
                renamed_sas.push((r.namespace().map(str::to_string), old.clone()));
            }
            r.value["metadata"]["name"] = Value::String(format!("{p}{old}{s}"));
            r.name_from.extend(decided.iter().cloned());
        }
        for r in acc.iter_mut() {
            let Some(path) = pod_spec_path(r.kind()) else {
                continue;
            };
            let mut sa_path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            sa_path.push("serviceAccountName".into());
            let ns = r.namespace().map(str::to_string);
            let Some(current) = pointer(&r.value, &sa_path)
                .and_then(Value::as_str)
                .map(str::to_string)
            else {
                continue;
            };
            if renamed_sas
                .iter()
                .any(|(n, name)| *name == current && (n.is_none() || *n == ns))
            {
                if let Some(v) = pointer_mut(&mut r.value, &sa_path) {
                    *v = Value::String(format!("{p}{current}{s}"));
                }
                for d in &decided {
                    r.fields_from.push((sa_path.clone(), d.clone()));
                }
            }
        }
    }
    if let Some(entries) = k.root.get("commonAnnotations").and_then(Node::as_map) {
        for r in acc.iter_mut() {
            for e in entries {
                let (Some(key), Some(v)) = (e.key.as_str(), e.value.as_str()) else {
                    continue;
                };
                let meta = &mut r.value["metadata"];
                if !meta["annotations"].is_object() {
                    meta["annotations"] = Value::Object(Map::new());
                }
                meta["annotations"][key] = Value::String(v.into());
                let path = vec!["metadata".into(), "annotations".into(), key.to_string()];
                r.fields_from.push((path, at(&e.value)));
            }
        }
    }
}

/// Where a workload kind keeps its pod spec.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &["spec"],
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            &["spec", "template", "spec"]
        }
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

fn pointer<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k.as_str()))
}

fn pointer_mut<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| v.get_mut(k.as_str()))
}

/// The resources as a YAML stream (JSON documents), as a build would print them.
pub fn to_stream(resources: &[Res]) -> String {
    let mut out = String::new();
    for r in resources {
        out.push_str("---\n");
        out.push_str(&serde_json::to_string_pretty(&r.value).unwrap_or_default());
        out.push('\n');
    }
    out
}
