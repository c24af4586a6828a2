//! Kustomization files as read: their references (resources, components, patches) with the
//! spans they were written at, and the graph that says which ones are deployable units.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, Span};

/// File names that make a directory a kustomization, in kustomize's order of preference.
pub const KUSTOMIZATION_FILES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of `dir`, if it has one.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// A string written in a kustomization, with where it was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub value: String,
    pub span: Span,
}

/// What a reference in `resources:`/`components:`/a patch `path:` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another kustomization directory.
    Dir(PathBuf),
    File(PathBuf),
    /// A URL or `github.com/…` base: fetched by kustomize, never by lint.
    Remote,
    /// Nothing there, or a path out of the tree: the message says which.
    Missing(String),
}

/// One patch entry (`patches`, `patchesStrategicMerge`, `patchesJson6902`).
#[derive(Debug, Clone)]
pub struct PatchRef {
    /// The `path:` (or `patchesStrategicMerge` item) it reads, when it is a file.
    pub path: Option<Written>,
    /// An inline `patch:` string or mapping.
    pub inline: Option<Node>,
    /// `target:` (kind, name, namespace) for JSON6902 and targeted patches.
    pub target: Option<Node>,
    /// Where the entry was written (for "matches no resource").
    pub span: Span,
}

/// One kustomization file, parsed.
#[derive(Debug, Clone)]
pub struct Kustomization {
    pub dir: PathBuf,
    pub file: Arc<SourceFile>,
    pub root: Node,
    /// `resources:` and `bases:`, in order.
    pub resources: Vec<Written>,
    pub components: Vec<Written>,
    pub patches: Vec<PatchRef>,
    /// Parse errors and the like: (message, span).
    pub errors: Vec<(String, Span)>,
}

impl Kustomization {
    pub fn read(dir: &Path, file: &Path, display: String) -> Kustomization {
        let mut errors = Vec::new();
        let text = read_text(file, DEFAULT_MAX_FILE_SIZE).unwrap_or_else(|e| {
            errors.push((e.message, Span::default()));
            String::new()
        });
        let file = Arc::new(SourceFile::new(file, display, text));
        let stream = yaml::parse(&file.text);
        if let Some(e) = &stream.error {
            let at = Span {
                start: e.pos,
                end: e.pos,
            };
            errors.push((format!("invalid YAML: {}", e.message), at));
        }
        let root = stream
            .documents
            .into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| empty_map(Span::default()));
        let strings = |key: &str| -> Vec<Written> {
            root.get(key)
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| {
                    Some(Written {
                        value: n.as_str()?.to_string(),
                        span: n.span,
                    })
                })
                .collect()
        };
        let mut resources = strings("resources");
        resources.extend(strings("bases"));
        let components = strings("components");
        let mut patches = Vec::new();
        for key in ["patches", "patchesJson6902"] {
            for item in root.get(key).and_then(Node::as_seq).unwrap_or_default() {
                patches.push(PatchRef {
                    path: item.get("path").and_then(|p| {
                        Some(Written {
                            value: p.as_str()?.to_string(),
                            span: p.span,
                        })
                    }),
                    inline: item.get("patch").cloned(),
                    target: item.get("target").cloned(),
                    span: item.span,
                });
            }
        }
        for item in root
            .get("patchesStrategicMerge")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let (path, inline) = match item.as_str() {
                // An item is a file path, or an inline patch written as a string.
                Some(s) if !s.contains('\n') => (
                    Some(Written {
                        value: s.to_string(),
                        span: item.span,
                    }),
                    None,
                ),
                _ => (None, Some(item.clone())),
            };
            patches.push(PatchRef {
                path,
                inline,
                target: None,
                span: item.span,
            });
        }
        Kustomization {
            dir: dir.to_path_buf(),
            file,
            root,
            resources,
            components,
            patches,
            errors,
        }
    }

    /// A string field (`namespace`, `namePrefix`, `nameSuffix`) and its value node.
    pub fn field(&self, key: &str) -> Option<&Node> {
        self.root.get(key).filter(|n| n.as_str().is_some())
    }

    /// Resolve a path written in this kustomization; never outside `roots`.
    pub fn resolve(&self, written: &str, roots: &[PathBuf]) -> Target {
        if is_remote(written) {
            return Target::Remote;
        }
        let joined = normalize(&self.dir.join(written));
        let Ok(canonical) = joined.canonicalize() else {
            return Target::Missing(format!("`{written}` does not exist"));
        };
        if !roots.iter().any(|r| canonical.starts_with(r)) {
            return Target::Missing(format!(
                "`{written}` is outside the linted tree; not followed"
            ));
        }
        if joined.is_dir() {
            match kustomization_file(&joined) {
                Some(_) => Target::Dir(joined),
                None => Target::Missing(format!(
                    "`{written}` is a directory without a kustomization.yaml"
                )),
            }
        } else {
            Target::File(joined)
        }
    }
}

/// URLs, `github.com/…`, `git@…` and `?ref=` references are remote bases.
pub fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.contains("?ref=")
        || s.contains(".git//")
}

/// `a/b/../c` → `a/c`, lexically (symlinks are refused by the tree check anyway).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every kustomization of the run and which ones are deployable units.
#[derive(Default)]
pub struct Graph {
    pub nodes: BTreeMap<PathBuf, Kustomization>,
    /// Kustomization directory → the directories that use it as a resource or component.
    pub users: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    /// Every file a kustomization reads (resources, patches, kustomization files): linted
    /// through the units, not on their own.
    pub consumed: BTreeSet<PathBuf>,
}

impl Graph {
    /// Read the kustomizations in `dirs` (each with its display prefix) and link them.
    pub fn build(dirs: &[(PathBuf, String)], roots: &[PathBuf]) -> Graph {
        let mut graph = Graph::default();
        let mut queue: Vec<(PathBuf, String)> = dirs.to_vec();
        while let Some((dir, display)) = queue.pop() {
            let dir = normalize(&dir);
            if graph.nodes.contains_key(&dir) {
                continue;
            }
            let Some(file) = kustomization_file(&dir) else {
                continue;
            };
            let name = file
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let k = Kustomization::read(&dir, &file, join_display(&display, &name));
            graph.consumed.insert(normalize(&file));
            for w in k.resources.iter().chain(&k.components) {
                match k.resolve(&w.value, roots) {
                    Target::Dir(child) => {
                        graph
                            .users
                            .entry(child.clone())
                            .or_default()
                            .insert(dir.clone());
                        queue.push((child, join_display(&display, &w.value)));
                    }
                    Target::File(f) => {
                        graph.consumed.insert(f);
                    }
                    Target::Remote | Target::Missing(_) => {}
                }
            }
            for p in k.patches.iter().filter_map(|p| p.path.as_ref()) {
                if let Target::File(f) = k.resolve(&p.value, roots) {
                    graph.consumed.insert(f);
                }
            }
            graph.nodes.insert(dir, k);
        }
        graph
    }

    /// Units to build: kustomizations nobody uses, then one member of each cycle nobody
    /// outside it uses (so the cycle is reported).
    pub fn units(&self) -> Vec<PathBuf> {
        let mut units: Vec<PathBuf> = self
            .nodes
            .keys()
            .filter(|d| self.users.get(*d).is_none_or(|u| u.is_empty()))
            .cloned()
            .collect();
        let mut reached: BTreeSet<PathBuf> = BTreeSet::new();
        let mut stack = units.clone();
        while let Some(d) = stack.pop() {
            if reached.insert(d.clone()) {
                stack.extend(self.children(&d));
            }
        }
        for d in self.nodes.keys() {
            if !reached.contains(d) {
                units.push(d.clone());
                let mut stack = vec![d.clone()];
                while let Some(d) = stack.pop() {
                    if reached.insert(d.clone()) {
                        stack.extend(self.children(&d));
                    }
                }
            }
        }
        units
    }

    /// The kustomization directories `dir` uses.
    pub fn children(&self, dir: &Path) -> Vec<PathBuf> {
        self.users
            .iter()
            .filter(|(_, users)| users.contains(dir))
            .map(|(child, _)| child.clone())
            .collect()
    }
}

/// `overlays/prod` + `../../base` → `base`, for display names.
pub fn join_display(base: &str, rel: &str) -> String {
    let joined = normalize(&Path::new(base).join(rel));
    let s = joined.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// An empty mapping at `span`.
pub fn empty_map(span: Span) -> Node {
    Node {
        kind: crate::syntax::yaml::NodeKind::Map(Vec::new()),
        span,
    }
}
