//! `--format markdown`: for GitHub job summaries (`$GITHUB_STEP_SUMMARY`) and pull-request
//! comments. A one-line verdict, counts by rule, every error and warning with its place and fix,
//! the coverage summary folded in `<details>`, and a Mermaid graph of the checked pairs.

use std::fmt::Write as _;
use std::io::Write;

use super::coverage::{count_by_rule, RuleCount};
use super::graph::Drawing;
use super::{mermaid, object_label, Report};
use crate::diagnostics::finding::{Finding, Severity};

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut s = String::new();
    verdict(report, &mut s);
    rule_table(report, &mut s);
    findings(report, &mut s);
    details(report, &mut s);
    graph(report, &mut s);
    out.write_all(s.as_bytes())
}

fn verdict(report: &Report, s: &mut String) {
    let c = report.counts();
    let pairs = report.graph.len();
    let mark = if c.errors > 0 {
        "❌"
    } else if c.warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let checked = match pairs {
        1 => "1 service-account/role pair checked".to_string(),
        n => format!("{n} service-account/role pairs checked"),
    };
    let _ = writeln!(s, "**{mark} kubectl-irsa: {c}** ({checked})\n");
}

fn rule_table(report: &Report, s: &mut String) {
    let by_rule: Vec<RuleCount> = match &report.coverage {
        Some(c) => c.by_rule.clone(),
        None => count_by_rule(&report.findings),
    };
    if by_rule.is_empty() {
        return;
    }
    s.push_str("| Rule | Name | Errors | Warnings | Notes |\n|---|---|--:|--:|--:|\n");
    for r in &by_rule {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            r.code,
            inline(&r.name),
            r.errors,
            r.warnings,
            r.notes
        );
    }
    s.push('\n');
}

fn findings(report: &Report, s: &mut String) {
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Note)
        .collect();
    if shown.is_empty() {
        return;
    }
    s.push_str("### Errors and warnings\n\n");
    for f in shown {
        let place = match (&f.location, &f.object) {
            (Some(l), _) => format!("{}:{}", l.path, l.line),
            (None, Some(o)) => object_label(o),
            (None, None) => "-".to_string(),
        };
        let context = f
            .context
            .as_deref()
            .map(|c| format!("\\[{}\\] ", inline(c)))
            .unwrap_or_default();
        let _ = write!(
            s,
            "- {} `{}` {context}{}: {}",
            f.severity,
            f.code,
            code_span(&place),
            inline(&f.message)
        );
        if let Some(fix) = fix_text(f) {
            let _ = write!(s, " — *fix:* {}", inline(&fix));
        }
        s.push('\n');
    }
    s.push('\n');
}

/// The mechanical fix, else the first paragraph of the help.
fn fix_text(f: &Finding) -> Option<String> {
    if let Some(fix) = &f.fix {
        return Some(fix.description.clone());
    }
    let help = f.help.as_deref()?;
    let first = help.split("\n\n").next().unwrap_or(help).trim();
    (!first.is_empty()).then(|| first.to_string())
}

fn details(report: &Report, s: &mut String) {
    let (title, body) = match (&report.coverage, &report.summary) {
        (Some(c), _) => (
            "Coverage: what was read, checked and not checked",
            c.human_text(),
        ),
        (None, Some(summary)) => ("Service accounts and roles", doctor_text(report, summary)),
        (None, None) => return,
    };
    let _ = writeln!(s, "<details>\n<summary>{title}</summary>\n");
    s.push_str(&fenced("text", &body));
    s.push_str("\n</details>\n\n");
}

/// doctor's table, and each cluster's in fleet runs.
fn doctor_text(report: &Report, summary: &str) -> String {
    let mut text = summary.to_string();
    for c in &report.clusters {
        let _ = write!(text, "\n[{}]\n{}", c.context, c.summary);
    }
    text
}

fn graph(report: &Report, s: &mut String) {
    if report.graph.is_empty() {
        return;
    }
    let d = Drawing::of(report);
    s.push_str("### Who can assume what\n\n");
    if d.left_out > 0 {
        let _ = writeln!(
            s,
            "{} of {} pairs drawn: only pairs with findings; {} left out.\n",
            d.pairs - d.left_out,
            d.pairs,
            d.left_out
        );
    }
    if !d.edges.is_empty() {
        s.push_str(&fenced("mermaid", &mermaid::flowchart(&d)));
    }
}

/// Text in a fenced code block whose fence no run of backticks inside can close.
fn fenced(info: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let nl = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{body}{nl}{fence}\n")
}

/// Text as CommonMark inline content that means itself: ASCII punctuation backslash-escaped,
/// line breaks as spaces.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// A code span that holds any text (a fence longer than any backtick run inside).
fn code_span(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = clean.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {clean} {fence}")
}
