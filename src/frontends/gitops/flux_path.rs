//! Where a Flux Kustomization's `spec.path` is in the linted tree. The path is relative to the
//! source's root, which need not be the linted root (the GitRepository may be another
//! repository, or the linted directory a subfolder of it): it is tried against the object's
//! directory and each parent, and when no directory matches exactly, by its trailing
//! components (longest first), saying which directory was chosen.

use std::path::{Component, Path, PathBuf};

use super::inside;
use crate::frontends::kustomize::model::normalize;

/// A resolved `spec.path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub dir: PathBuf,
    /// The trailing components it was matched by, when the whole path matched nothing.
    pub by_tail: Option<String>,
}

/// The source of a Flux Kustomization when it is an artifact that is not a repository
/// checkout (`OCIRepository`, `Bucket`, `ExternalArtifact`): `kind/name`. Its path is inside
/// that artifact, never looked up in the tree.
pub fn artifact_source(doc: &crate::syntax::yaml::Node) -> Option<String> {
    let kind = doc.str_at(&["spec", "sourceRef", "kind"])?;
    let name = doc.str_at(&["spec", "sourceRef", "name"]).unwrap_or("");
    matches!(kind, "OCIRepository" | "Bucket" | "ExternalArtifact")
        .then(|| format!("{kind} `{name}`"))
}

/// Resolve `spec_path` of an object in `file` to a directory inside `roots` for which `want`
/// holds.
pub fn resolve(
    file: &Path,
    spec_path: &str,
    roots: &[PathBuf],
    want: &dyn Fn(&Path) -> bool,
) -> Option<Resolved> {
    let parts: Vec<String> = Path::new(spec_path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let base = file.parent().unwrap_or(Path::new(""));
    let ok = |d: &Path| want(d) && inside(d, roots);
    if parts.is_empty() {
        // `./`: the source's root, taken as the outermost parent inside the linted tree.
        let top = base.ancestors().filter(|a| inside(a, roots)).last()?;
        return ok(top).then(|| Resolved {
            dir: top.to_path_buf(),
            by_tail: None,
        });
    }
    for skip in 0..parts.len() {
        let tail: PathBuf = parts[skip..].iter().collect();
        let found = base
            .ancestors()
            .map(|a| normalize(&a.join(&tail)))
            .find(|d| ok(d));
        if let Some(dir) = found {
            return Some(Resolved {
                dir,
                by_tail: (skip > 0).then(|| tail.to_string_lossy().into_owned()),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_from_another_root_matches_by_its_trailing_components() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("flux/prod/apps")).unwrap();
        std::fs::create_dir_all(root.join("apps")).unwrap();
        let file = root.join("flux/prod/sync.yaml");
        let roots = vec![root.clone()];
        let is_dir = |d: &Path| d.is_dir();
        let exact = resolve(&file, "./apps", &roots, &is_dir).unwrap();
        assert_eq!(exact.dir, root.join("flux/prod/apps"));
        assert_eq!(exact.by_tail, None);
        let tail = resolve(&file, "./platform/prod/apps", &roots, &is_dir).unwrap();
        assert_eq!(tail.dir, root.join("flux/prod/apps"));
        assert_eq!(tail.by_tail.as_deref(), Some("prod/apps"));
        assert_eq!(resolve(&file, "./nothing/here", &roots, &is_dir), None);
    }
}
