//! Running the user's `helm template`, with a timeout, and splitting the output by template.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helm::HelmOptions;

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
    if let Some(bin) = &opts.helm_bin {
        return bin.clone();
    }
    match std::env::var_os("HELM_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => PathBuf::from("helm"),
    }
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
    let mut child = Command::new(&bin)
        .args(template_args(chart_dir, release, opts))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| RenderError::NoHelm(format!("{}: {e}", bin.display())))?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = stdout.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let deadline = Instant::now() + opts.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::TimedOut(opts.timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(RenderError::Failed(e.to_string())),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        Err(RenderError::Failed(stderr))
    }
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
