//! GitOps release objects: what Flux and Argo CD will apply, read from the objects that say so.

pub mod appset;
pub mod argocd;
pub mod deploy_time;
pub mod flux;
pub mod flux_chart;
pub mod flux_deps;
pub mod flux_path;
pub mod helmrelease;
pub mod values_from;

use std::path::{Path, PathBuf};

use crate::syntax::source::SourceFile;

/// `rel` joined to the object's directory or one of its parents (the repository root is not
/// known), the first for which `want` holds, inside `roots`.
pub fn in_tree(
    file: &SourceFile,
    rel: &str,
    roots: &[PathBuf],
    want: &dyn Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let rel = rel.trim_start_matches("./");
    let base = file.path.parent().unwrap_or(Path::new("."));
    base.ancestors()
        .take_while(|a| inside(a, roots))
        .map(|a| crate::frontends::kustomize::model::normalize(&a.join(rel)))
        .find(|p| want(p) && inside(p, roots))
}

/// `path` exists and is inside one of `roots` (after resolving symlinks and `..`).
pub fn inside(path: &Path, roots: &[PathBuf]) -> bool {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    path.canonicalize()
        .is_ok_and(|real| roots.iter().any(|r| real.starts_with(r)))
}
