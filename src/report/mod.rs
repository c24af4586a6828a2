//! Findings and their renderers.
//!
//! `render` writes one [`Report`] in one [`Format`]. Every renderer is deterministic for a given
//! report (no time stamps, no terminal probing), so the outputs can be snapshot-tested.
pub mod concise;
pub mod coverage;
pub mod dot;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod mermaid;
pub mod openreports;
pub mod output;
pub mod sarif;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location, ObjectRef, Severity};
use crate::diagnostics::RuleInfo;
use crate::syntax::source::SourceFile;

/// Everything a renderer needs about one run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Already sorted by the caller.
    pub findings: Vec<Finding>,
    /// Every rule that ran (SARIF declares all of them).
    pub rules: Vec<RuleInfo>,
    /// The files read, by display path; the human renderer underlines spans in them.
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    pub tool_version: &'static str,
    /// Printed first by the human renderer (e.g. doctor's SA → role → verdict table).
    pub summary: Option<String>,
    /// Fleet runs (doctor over several contexts): one section per cluster, in order. Findings then
    /// carry their `context`, and the renderers group or name them by it. Empty otherwise.
    pub clusters: Vec<Cluster>,
    /// Lint runs: what was read, checked and not checked (printed last by the human renderer).
    pub coverage: Option<coverage::Coverage>,
    /// `--verbose`: the human renderer prints helps whole.
    pub verbose: bool,
    /// Every checked service-account/role pair (`markdown`, `dot` and `openreports` draw them).
    pub graph: Vec<graph::GraphPair>,
    /// doctor: the cluster-wide facts it read (`openreports` reports them as passes).
    pub cluster_checks: Vec<graph::ClusterCheck>,
}

/// One cluster of a fleet report.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    pub context: String,
    /// Its own SA → role → verdict table.
    pub summary: String,
}

impl Report {
    pub fn new(tool_version: &'static str) -> Self {
        Report {
            tool_version,
            ..Report::default()
        }
    }

    /// Add a file to `sources`, keyed by its display path.
    pub fn add_source(&mut self, file: Arc<SourceFile>) {
        self.sources.insert(file.display.clone(), file);
    }

    /// The source a location points into, if it was read.
    pub fn source(&self, path: &str) -> Option<&Arc<SourceFile>> {
        self.sources.get(path)
    }

    /// The index of a rule in `rules`, by code.
    pub fn rule_index(&self, code: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.code == code)
    }

    /// Findings per severity.
    pub fn counts(&self) -> Counts {
        Self::count(&self.findings)
    }

    /// Findings per severity of any set of findings.
    pub fn count<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}

/// How many findings of each severity a report has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl std::fmt::Display for Counts {
    /// `2 errors, 1 warning, 0 notes`, or `no findings`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.errors + self.warnings + self.notes == 0 {
            return f.write_str("no findings");
        }
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        write!(
            f,
            "{}, {}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.notes, "note")
        )
    }
}

/// Output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets (miette).
    Human,
    /// Versioned JSON (`"version": 1`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// One line per finding: `path:line:col: CODE message` (as ruff and ESLint print).
    Concise,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML, for CI test dashboards.
    Junit,
    /// Markdown for GitHub job summaries and pull-request comments, with a Mermaid graph.
    Markdown,
    /// Graphviz dot: service account → role → OIDC provider or Pod Identity.
    Dot,
    /// doctor: OpenReports `Report`/`ClusterReport` objects (openreports.io/v1alpha1), as YAML.
    Openreports,
    /// doctor: `PolicyReport`/`ClusterPolicyReport` objects (wgpolicyk8s.io/v1alpha2), as YAML.
    Policyreport,
}

/// Write `report` to `out` in `format`. `color` only affects `Format::Human`.
pub fn render(
    report: &Report,
    format: Format,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::render(report, color, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Concise => concise::render(report, out),
        Format::Github => github::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Markdown => markdown::render(report, out),
        Format::Dot => dot::render(report, out),
        Format::Openreports => openreports::render(report, openreports::Api::OpenReports, out),
        Format::Policyreport => openreports::render(report, openreports::Api::PolicyReport, out),
    }
}

/// `ServiceAccount default/app`, or `Role my-role` for cluster-scoped objects.
pub fn object_label(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(ns) => format!("{} {}/{}", object.kind, ns, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// `path:line:col`.
pub fn location_label(loc: &Location) -> String {
    format!("{}:{}:{}", loc.path, loc.line, loc.column)
}

/// The end (line, column) of a location, when its span is non-empty and starts where it says.
pub(crate) fn span_end(loc: &Location) -> Option<(usize, usize)> {
    let s = &loc.span;
    let consistent = s.start.line == loc.line && s.start.column == loc.column;
    (consistent && !s.is_empty() && s.end.line >= 1).then_some((s.end.line, s.end.column))
}

/// Pretty-print a serde value with a trailing newline.
pub(crate) fn write_json<T: serde::Serialize>(
    value: &T,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}
