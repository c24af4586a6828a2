//! Every location a report prints names a real file of the repository: SARIF, GitHub
//! annotations and JUnit attach findings to files. A finding on a built or rendered object that
//! tracing could not bring back to a source line points at the file that produced the object
//! (the kustomization, the chart's template), with the built or rendered place in its message.

use crate::diagnostics::finding::{Finding, Location};

const BUILT: &str = " (kustomize build)";
const RENDERED: &str = " (rendered)";
const KUSTOMIZATIONS: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Rewrite the primary and related locations that name a build or render output.
pub(crate) fn point_at_real_files(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if let Some(loc) = f.location.as_mut() {
            if let Some(context) = to_real_file(loc) {
                f.message.push_str(&format!(" ({context})"));
            }
        }
        for r in f.related.iter_mut() {
            if let Some(context) = to_real_file(r) {
                let message = r.message.take().unwrap_or_else(|| "related".into());
                r.message = Some(format!("{message} ({context})"));
            }
        }
    }
}

/// Point `loc` at the producing file; returns where the object was, for the message.
fn to_real_file(loc: &mut Location) -> Option<String> {
    let (real, context) = if let Some(dir) = loc.path.strip_suffix(BUILT) {
        let file = KUSTOMIZATIONS
            .iter()
            .map(|name| in_dir(dir, name))
            .find(|p| std::path::Path::new(p).is_file())
            .unwrap_or_else(|| in_dir(dir, KUSTOMIZATIONS[0]));
        let context = format!("line {} of `kustomize build {dir}`", loc.line);
        (file, context)
    } else if let Some(template) = loc.path.strip_suffix(RENDERED) {
        let context = format!("line {} of the rendered `{template}`", loc.line);
        (template.to_string(), context)
    } else {
        return None;
    };
    let message = loc.message.take();
    *loc = Location {
        path: real,
        line: 1,
        column: 1,
        message,
        span: Default::default(),
    };
    Some(context)
}

/// `name` in the shown directory `dir`; the working directory (`.`) is not written.
fn in_dir(dir: &str, name: &str) -> String {
    match dir.trim_end_matches('/') {
        "" | "." => name.to_string(),
        dir => format!("{dir}/{name}"),
    }
}
