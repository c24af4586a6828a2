//! `Pulumi.yaml` and `cdk.json`: programs lint does not run. Each is one IRSA057 note, unless
//! what it deploys is there to read: a stack export or preview JSON in the Pulumi project's
//! directory (or one level below), or the CDK app's output directory (`output` in `cdk.json`,
//! `cdk.out` by default), whose templates the CloudFormation front-end reads.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::ProgramNotRead;
use crate::syntax::source::SourceFile;

/// Is this a Pulumi project file or a CDK app file?
pub fn is_program_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(name, "Pulumi.yaml" | "Pulumi.yml" | "cdk.json")
}

/// The note for a program file whose output is not beside it; `None` when it is.
pub fn note(file: &Arc<SourceFile>) -> Option<Finding> {
    let dir = file.path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let message = if file.file_name() == "cdk.json" {
        let output = cdk_output(&file.text);
        let out_dir = dir.join(&output);
        if out_dir.is_dir() && !git_ignored(dir, &out_dir) {
            return None;
        }
        if out_dir.is_dir() {
            return Some(
                Finding::new(&ProgramNotRead::META, format!("CDK app ({}): {output}/ is ignored by .gitignore, so the walk skips it; run `kubectl irsa lint {}`", file.display, out_dir.display()))
                    .at(Location::file(file)),
            );
        }
        format!("CDK app ({}) not synthesized: no {output}/ beside it; run `cdk synth` and lint {output}/", file.display)
    } else {
        if has_pulumi_json(dir) {
            return None;
        }
        format!("Pulumi program ({}) not read: no stack export or preview JSON beside it; run `pulumi stack export --file stack.json` (or `pulumi preview --json > preview.json`) and lint that file", file.display)
    };
    Some(Finding::new(&ProgramNotRead::META, message).at(Location::file(file)))
}

/// Is `path` ignored by the `.gitignore` beside the app (as the walk reads it)?
fn git_ignored(dir: &Path, path: &Path) -> bool {
    let (ignore, _) = ignore::gitignore::Gitignore::new(dir.join(".gitignore"));
    ignore.matched(path, true).is_ignore()
}

/// `output` of `cdk.json`, else `cdk.out`.
fn cdk_output(text: &str) -> String {
    let stream = crate::syntax::yaml::parse(text);
    stream
        .documents
        .first()
        .and_then(|d| d.root.str_at(&["output"]))
        .filter(|o| !o.is_empty() && !o.contains(".."))
        .unwrap_or("cdk.out")
        .to_string()
}

/// A `.json` file in `dir` or one level below whose head is Pulumi JSON.
fn has_pulumi_json(dir: &Path) -> bool {
    let mut dirs = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    let mut i = 0;
    while let Some(d) = dirs.get(i).cloned() {
        i += 1;
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten().take(500) {
            let path = e.path();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() && i == 1 && !is_hidden(&path) {
                dirs.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|x| x == "json") {
                seen += 1;
                if seen > 200 {
                    return false;
                }
                if head(&path).is_some_and(|h| super::looks_like_pulumi(&h)) {
                    return true;
                }
            }
        }
    }
    false
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n == "node_modules")
}

fn head(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let n = std::fs::File::open(path).ok()?.read(&mut buf).ok()?;
    buf.truncate(n);
    Some(String::from_utf8_lossy(&buf).into_owned())
}
