//! Finding inputs: walk directories (honouring .gitignore), spot charts, refuse to leave the tree.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

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

const LINTED_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

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
                reason: crate::input::source::io_message(&e),
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

fn walk(root: &Path, out: &mut Discovered) {
    let canonical_root = match root.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            out.skipped.push(Skipped {
                display: display_of(root),
                reason: crate::input::source::io_message(&e),
            });
            return;
        }
    };
    let mut found: Vec<Input> = Vec::new();
    let walker = WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    let mut charts: Vec<PathBuf> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let display = error_path(&e).map_or_else(|| display_of(root), |p| display_of(&p));
                out.skipped.push(Skipped {
                    display,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let path = entry.path();
        if charts.iter().any(|c| path.starts_with(c)) {
            continue;
        }
        let display = display_of(path);
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if path != root && is_chart_dir(path) {
                charts.push(path.to_path_buf());
                found.push(Input::Chart {
                    dir: path.to_path_buf(),
                    display,
                });
            }
            continue;
        }
        if !has_linted_extension(path) {
            continue;
        }
        if file_type.is_symlink() {
            match path.canonicalize() {
                Err(e) => {
                    let reason = if e.raw_os_error() == Some(40) {
                        "symlink loop; not followed".to_string()
                    } else {
                        format!("broken symlink: {e}")
                    };
                    out.skipped.push(Skipped { display, reason });
                    continue;
                }
                Ok(target) if !target.starts_with(&canonical_root) => {
                    out.skipped.push(Skipped {
                        display,
                        reason: format!(
                            "symlink points outside the tree ({}); not followed",
                            target.display()
                        ),
                    });
                    continue;
                }
                Ok(target) if target.is_dir() => continue,
                Ok(_) => {}
            }
        }
        found.push(Input::File {
            path: path.to_path_buf(),
            display,
        });
    }
    out.inputs.extend(found);
}

fn has_linted_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| LINTED_EXTENSIONS.contains(&e))
        || is_aws_config_name(path)
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
