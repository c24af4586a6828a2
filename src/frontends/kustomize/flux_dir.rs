//! What Flux Kustomizations do to one directory they apply ([`FluxApplied`]), applied to a
//! kustomize unit's chain and build, or to a directory without a kustomization: Flux then
//! generates one from every manifest below it, so its patches, name affixes, annotations and
//! `postBuild` variables reach those objects too ([`lint_dir`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::eval::{read_resources, Evaluated, Problem, Res};
use super::flux_overlay::{resources_of, FluxOverlay};
use super::{subst, trace, UnitResult};
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::input::{input_finding, KustomizationError};
use crate::facts::Classified;
use crate::frontends::manifest::classify;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml;

/// The Flux Kustomizations that apply one directory: their overlays, their `postBuild`
/// variables, and the notes and errors about them.
#[derive(Debug, Default)]
pub struct FluxApplied {
    pub vars: BTreeMap<String, String>,
    pub overlays: Vec<FluxOverlay>,
    pub findings: Vec<Finding>,
}

impl FluxApplied {
    /// Whether the directory's objects differ from the files (so it is linted as a build).
    pub fn changes_objects(&self) -> bool {
        !self.vars.is_empty() || !self.overlays.is_empty()
    }

    /// Apply the overlays to the resources of a chain; their problems as findings (a patch
    /// that matches nothing is only a note when the chain has a base lint could not read).
    pub fn apply_to_chain(&self, roots: &[PathBuf], evaluated: &mut Evaluated) -> Vec<Finding> {
        let mut out = Evaluated::default();
        for o in &self.overlays {
            o.apply(roots, &mut evaluated.resources, &mut out);
            evaluated.files.push(o.file().clone());
        }
        let partial = evaluated.cycle;
        let finding = |p: &Problem, note: bool| {
            let f = Finding::new(&KustomizationError::META, p.message.clone())
                .at(Location::new(&p.loc.file, p.loc.span));
            if note {
                f.severity(Severity::Note)
            } else {
                f
            }
        };
        let mut findings: Vec<Finding> = out.problems.iter().map(|p| finding(p, partial)).collect();
        findings.extend(out.generated.iter().map(|p| finding(p, true)));
        findings
    }

    /// The output of a real build with the overlays applied (the chain's resources already
    /// carry them, so tracing finds the Flux lines).
    pub fn apply_to_output(&self, roots: &[PathBuf], dir: &Path, text: String) -> String {
        if self.overlays.is_empty() {
            return text;
        }
        let built = Arc::new(SourceFile::new(dir, "build", text));
        let mut resources = resources_of(&built);
        let mut scratch = Evaluated::default();
        for o in &self.overlays {
            o.apply(roots, &mut resources, &mut scratch);
        }
        stream_of(&resources)
    }
}

/// Lint a directory without a kustomization as Flux builds it: every manifest in `files`
/// (with its display), the overlays, then the `postBuild` variables.
pub fn lint_dir(
    dir: &Path,
    display: &str,
    files: &[(PathBuf, String)],
    flux: &FluxApplied,
    roots: &[PathBuf],
) -> UnitResult {
    let mut evaluated = Evaluated::default();
    for (path, shown) in files {
        let found = read_resources(path, "", shown, &mut evaluated);
        evaluated.resources.extend(found);
    }
    // Problems so far are files that are not YAML: errors on those files, as when read alone.
    let mut findings: Vec<Finding> = std::mem::take(&mut evaluated.problems)
        .into_iter()
        .map(|p| input_finding(&p.loc.file, &p.message, Some(p.loc.span.start)))
        .collect();
    findings.extend(flux.apply_to_chain(roots, &mut evaluated));
    let (text, _unresolved) = subst::substitute(&stream_of(&evaluated.resources), &flux.vars);
    let built = Arc::new(SourceFile::new(
        dir,
        format!("{display} (Flux build)"),
        text,
    ));
    let mut classified = Classified::default();
    classify(&built, &yaml::parse(&built.text), &mut classified);
    let unit = trace::BuiltUnit::new(display.to_string(), built.clone(), evaluated.resources);
    let mut files = evaluated.files;
    files.sort_by(|a, b| a.display.cmp(&b.display));
    files.dedup_by(|a, b| a.display == b.display);
    UnitResult {
        findings,
        built,
        classified,
        files,
        unit,
        releases: Vec::new(),
    }
}

/// The resources as a YAML stream: an object no overlay changed is copied as written, the
/// others written out with their multi-line strings as block scalars; either way a finding
/// inside a block (an embedded policy document) is traced to its line.
fn stream_of(resources: &[Res]) -> String {
    let mut out = String::new();
    for r in resources {
        let untouched =
            r.fields_from.is_empty() && r.name_from.is_empty() && r.namespace_from.is_none();
        let written = r
            .file
            .text
            .get(r.node.span.start.offset..r.node.span.end.offset);
        match written.filter(|_| untouched && r.node.span.start.column <= 1) {
            Some(text) => {
                out.push_str("---\n");
                out.push_str(text);
                out.push('\n');
            }
            None => {
                out.push_str("---\n");
                emit(&r.value, 0, &mut out);
            }
        }
    }
    out
}

/// A JSON value as block YAML at `indent`, ending with a newline.
fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, item) in map {
                out.push_str(&pad);
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                nested(item, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                nested(item, indent, out);
            }
        }
        other => {
            out.push_str(&pad);
            scalar(other, indent, out);
        }
    }
}

/// What follows `key:` or `-`.
fn nested(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            emit(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            emit(v, indent + 2, out);
        }
        _ => {
            out.push(' ');
            scalar(v, indent + 2, out);
        }
    }
}

/// A scalar (or empty collection) and its newline: multi-line strings as `|` blocks when they
/// can be written so, everything else as JSON (which YAML reads as the same value).
fn scalar(v: &Value, indent: usize, out: &mut String) {
    if let Value::String(text) = v {
        let lines: Vec<&str> = text.split('\n').collect();
        let blockable = lines.len() > 1
            && !text.contains('\r')
            && !text.starts_with([' ', '\t'])
            && !text.ends_with("\n\n")
            && lines.iter().all(|l| l.trim_end() == *l);
        if blockable {
            out.push_str(if text.ends_with('\n') { "|\n" } else { "|-\n" });
            let body = text.strip_suffix('\n').unwrap_or(text);
            for line in body.split('\n') {
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent));
                    out.push_str(line);
                }
                out.push('\n');
            }
            return;
        }
    }
    out.push_str(&v.to_string());
    out.push('\n');
}
