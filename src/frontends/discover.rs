//! Finding inputs: walk directories (honouring .gitignore), spot charts, refuse to leave the tree.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// One thing to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A YAML or JSON file.
    File { path: PathBuf, display: String },
    /// A directory containing `Chart.yaml`.
    Chart { dir: PathBuf, display: String },
    /// Standard input.
    Stdin,
}

/// A path that was given or found but cannot be linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub display: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub skipped: Vec<Skipped>,
}

const LINTED_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "tfstate", "template"];

pub fn is_chart_dir(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Expand the paths given on the command line into inputs, in a stable order.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut out = Discovered::default();
    for path in paths {
        if path.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        let display = display_of(path);
        match std::fs::metadata(path) {
            Err(e) => out.skipped.push(Skipped {
                display,
                reason: crate::syntax::source::io_message(&e),
            }),
            Ok(m) if m.is_dir() && is_chart_dir(path) => out.inputs.push(Input::Chart {
                dir: path.clone(),
                display,
            }),
            Ok(m) if m.is_dir() => walk(path, &mut out),
            Ok(_) => out.inputs.push(Input::File {
                path: path.clone(),
                display,
            }),
        }
    }
    out
}

/// Walk `root` on every core (ignore's parallel walker), then sort what was found by path, so the
/// order is the same as a sorted depth-first walk whatever the thread count.
fn walk(root: &Path, out: &mut Discovered) {
    let canonical_root = match root.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            out.skipped.push(Skipped {
                display: display_of(root),
                reason: crate::syntax::source::io_message(&e),
            });
            return;
        }
    };
    let found: Mutex<Vec<(PathBuf, Found)>> = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .build_parallel()
        .run(|| {
            let (found, canonical_root) = (&found, &canonical_root);
            Box::new(move |entry| {
                let (state, item) = visit(root, canonical_root, entry);
                if let Some(item) = item {
                    found.lock().unwrap_or_else(|e| e.into_inner()).push(item);
                }
                state
            })
        });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    found.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, item) in found {
        match item {
            Found::Input(input) => out.inputs.push(input),
            Found::Skipped(skipped) => out.skipped.push(skipped),
        }
    }
}

enum Found {
    Input(Input),
    Skipped(Skipped),
}

/// One walked entry: whether to descend, and what it is (keyed by its path, for sorting).
fn visit(
    root: &Path,
    canonical_root: &Path,
    entry: Result<ignore::DirEntry, ignore::Error>,
) -> (WalkState, Option<(PathBuf, Found)>) {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => {
            let path = error_path(&e).unwrap_or_else(|| root.to_path_buf());
            let skipped = Skipped {
                display: display_of(&path),
                reason: e.to_string(),
            };
            return (WalkState::Continue, Some((path, Found::Skipped(skipped))));
        }
    };
    let path = entry.path();
    let display = display_of(path);
    let Some(file_type) = entry.file_type() else {
        return (WalkState::Continue, None);
    };
    let found = |item: Found| Some((path.to_path_buf(), item));
    if file_type.is_dir() {
        if path != root && is_chart_dir(path) {
            // A chart is rendered as a whole: nothing under it is read as a file.
            let chart = Input::Chart {
                dir: path.to_path_buf(),
                display,
            };
            return (WalkState::Skip, found(Found::Input(chart)));
        }
        return (WalkState::Continue, None);
    }
    if !has_linted_extension(path) || is_tool_config(path) {
        return (WalkState::Continue, None);
    }
    if file_type.is_symlink() {
        let reason = match path.canonicalize() {
            Err(e) if e.raw_os_error() == Some(40) => {
                Some("symlink loop; not followed".to_string())
            }
            Err(e) => Some(format!("broken symlink: {e}")),
            Ok(target) if !target.starts_with(canonical_root) => Some(format!(
                "symlink points outside the tree ({}); not followed",
                target.display()
            )),
            Ok(target) if target.is_dir() => return (WalkState::Continue, None),
            Ok(_) => None,
        };
        if let Some(reason) = reason {
            return (
                WalkState::Continue,
                found(Found::Skipped(Skipped { display, reason })),
            );
        }
    }
    let file = Input::File {
        path: path.to_path_buf(),
        display,
    };
    (WalkState::Continue, found(Found::Input(file)))
}

fn has_linted_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| LINTED_EXTENSIONS.contains(&e))
        || is_aws_config_name(path)
        || path.file_name().is_some_and(|n| n == "Kustomization")
        || crate::frontends::template::is_template_name(path)
        || crate::frontends::terraform::is_terraform_path(path)
}

/// Configuration of other tools, found by name on a walk (a path given by hand is still read):
/// JavaScript/TypeScript projects, editors, dev containers, linters, Renovate. None is IAM or
/// Kubernetes, and several are JSON with comments, which no JSON reader accepts.
fn is_tool_config(path: &Path) -> bool {
    const NAMES: &[&str] = &[
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "composer.json",
        "bower.json",
        "lerna.json",
        "nx.json",
        "turbo.json",
        "deno.json",
        "tslint.json",
        "renovate.json",
        "renovate.json5",
        ".renovaterc.json",
        ".devcontainer.json",
        "devcontainer.json",
        ".markdownlint.json",
        ".markdownlint.yaml",
        ".markdownlint.yml",
    ];
    const PREFIXES: &[&str] = &[
        "tsconfig",
        "jsconfig",
        ".eslintrc",
        ".prettierrc",
        ".babelrc",
    ];
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let in_editor_dir = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|d| d == ".vscode" || d == ".devcontainer");
    NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p)) || in_editor_dir
}

/// Literal AWS config files that may hold a Roles Anywhere `credential_process`.
pub fn is_aws_config_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(name, "credfile" | "credentials" | "config" | "aws-config")
        || name.ends_with(".ini")
        || name.ends_with(".cfg")
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parallel_walk_is_sorted_depth_first_and_skips_chart_contents() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "a.yaml",
            "a-c.yaml",
            "a/b.yaml",
            "a/z/deep.json",
            "notes.txt",
            "package.json",
            "web/tsconfig.app.json",
            ".vscode/settings.json",
            "chart/Chart.yaml",
            "chart/values.yaml",
            "chart/templates/sa.yaml",
            "zz/credfile",
        ] {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "a: 1\n").unwrap();
        }
        std::os::unix::fs::symlink("/etc/hostname", root.join("outside.yaml")).unwrap();
        for _ in 0..5 {
            let found = discover(&[root.to_path_buf()]);
            let names: Vec<String> = found
                .inputs
                .iter()
                .map(|i| match i {
                    Input::File { path, .. } => {
                        path.strip_prefix(root).unwrap().display().to_string()
                    }
                    Input::Chart { dir, .. } => {
                        format!("chart:{}", dir.strip_prefix(root).unwrap().display())
                    }
                    Input::Stdin => "-".into(),
                })
                .collect();
            assert_eq!(
                names,
                [
                    "a/b.yaml",
                    "a/z/deep.json",
                    "a-c.yaml",
                    "a.yaml",
                    "chart:chart",
                    "zz/credfile"
                ]
            );
            assert_eq!(found.skipped.len(), 1);
            assert!(
                found.skipped[0].reason.contains("outside the tree"),
                "{:?}",
                found.skipped
            );
        }
    }
}
