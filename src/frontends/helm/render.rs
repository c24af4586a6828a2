//! Running the user's `helm template`, with a timeout, and splitting the output by template.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::frontends::helm::HelmOptions;
use crate::frontends::runner::{self, RunError};

/// Why a render did not happen or failed; quoted in the fallback warning.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderError {
    /// No helm binary could be found or started.
    NoHelm(String),
    /// helm ran and failed: its stderr.
    Failed(String),
    TimedOut(Duration),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::NoHelm(why) => write!(
                f,
                "helm is not available ({why}); install helm 3 or pass --helm PATH"
            ),
            RenderError::Failed(stderr) => write!(f, "helm template failed: {}", stderr.trim()),
            RenderError::TimedOut(d) => write!(
                f,
                "helm template did not finish within {}s (--render-timeout)",
                d.as_secs()
            ),
        }
    }
}

/// The helm binary: `--helm`, else `HELM_BIN` (set when running as a Helm plugin), else `helm` on PATH.
pub fn helm_binary(opts: &HelmOptions) -> PathBuf {
    runner::find_binary(opts.helm_bin.as_deref(), Some("HELM_BIN"), "helm")
}

/// The full `helm template` argument list for a chart.
pub fn template_args(chart_dir: &Path, release: &str, opts: &HelmOptions) -> Vec<String> {
    let mut args = vec![
        "template".to_string(),
        release.to_string(),
        chart_dir.to_string_lossy().to_string(),
        "--namespace".to_string(),
        opts.namespace.clone().unwrap_or_else(|| "default".into()),
    ];
    for v in &opts.values {
        args.push("--values".into());
        args.push(v.to_string_lossy().to_string());
    }
    for s in &opts.set {
        args.push("--set".into());
        args.push(s.clone());
    }
    for s in &opts.set_string {
        args.push("--set-string".into());
        args.push(s.clone());
    }
    if let Some(k) = &opts.kube_version {
        args.push("--kube-version".into());
        args.push(k.clone());
    }
    for a in &opts.api_versions {
        args.push("--api-versions".into());
        args.push(a.clone());
    }
    args
}

/// Run `helm template`; returns its stdout.
pub fn render(chart_dir: &Path, release: &str, opts: &HelmOptions) -> Result<String, RenderError> {
    let bin = helm_binary(opts);
    runner::run(
        &bin,
        template_args(chart_dir, release, opts),
        None,
        opts.timeout,
    )
    .map_err(|e| match e {
        RunError::NotStarted(why) => RenderError::NoHelm(why),
        RunError::Failed(stderr) => RenderError::Failed(stderr),
        RunError::TimedOut(d) => RenderError::TimedOut(d),
    })
}

/// `(offset, template path)` of every `# Source:` comment in a render.
pub fn source_markers(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("# Source: ") {
            out.push((offset, rest.trim().to_string()));
        }
        offset += line.len();
    }
    out
}

/// The template a document at `offset` was rendered from.
pub fn template_at(markers: &[(usize, String)], offset: usize) -> Option<&str> {
    markers
        .iter()
        .take_while(|(o, _)| *o <= offset)
        .last()
        .map(|(_, t)| t.as_str())
}
