//! `--format json`: a versioned, stable JSON document. Field names are part of the interface.

use std::io::Write;

use serde::Serialize;

use super::Report;
use crate::diagnostics::finding::{Finding, Location, ObjectRef, Severity};

/// Bumped on any incompatible change to the shape below.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    /// Lint runs: what was read, checked and not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a super::coverage::Coverage>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    /// Fleet runs only: the kubeconfig context (absent otherwise, so single runs are unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    location: Option<Place<'a>>,
    related: Vec<Place<'a>>,
    object: Option<Object<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct Place<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct Object<'a> {
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    replacements: Vec<JsonReplacement<'a>>,
}

#[derive(Serialize)]
struct JsonReplacement<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

/// A place; `with_message` is false for the primary location (its message is the finding's).
fn place(loc: &Location, with_message: bool) -> Place<'_> {
    Place {
        path: &loc.path,
        line: loc.line,
        column: loc.column,
        message: loc.message.as_deref().filter(|_| with_message),
    }
}

fn object(o: &ObjectRef) -> Object<'_> {
    Object {
        kind: &o.kind,
        namespace: o.namespace.as_deref(),
        name: &o.name,
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        context: f.context.as_deref(),
        code: &f.code,
        name: &f.name,
        severity: f.severity,
        message: &f.message,
        location: f.location.as_ref().map(|l| place(l, false)),
        related: f.related.iter().map(|l| place(l, true)).collect(),
        object: f.object.as_ref().map(object),
        help: f.help.as_deref(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            description: &fix.description,
            replacements: fix
                .replacements
                .iter()
                .map(|r| JsonReplacement {
                    path: &r.location.path,
                    line: r.location.line,
                    column: r.location.column,
                    start: r.start,
                    end: r.end,
                    text: &r.text,
                })
                .collect(),
        }),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = Doc {
        version: JSON_VERSION,
        findings: report.findings.iter().map(finding).collect(),
        summary: report.coverage.as_ref(),
    };
    super::write_json(&doc, out)
}
