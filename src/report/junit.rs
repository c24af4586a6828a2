//! `--format junit`: JUnit XML for CI dashboards.
//!
//! One `<testsuite name="kubectl-irsa">`; one `<testcase>` per file read or object named by a
//! finding, with one `<failure>` per finding. Files without findings are passing testcases, and a run
//! with nothing at all still yields one passing testcase, so dashboards show that the run happened.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use super::{location_label, object_label, Report};
use crate::diagnostics::finding::Finding;

/// Escape text for XML content and attribute values; drop characters XML 1.0 forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escape element text: like [`escape`] but keeps line breaks readable.
fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n")
}

/// What a finding's testcase is named after: its file, else its object, else the run.
fn case_name(f: &Finding) -> String {
    match (&f.location, &f.object) {
        (Some(l), _) => l.path.clone(),
        (None, Some(o)) => object_label(o),
        (None, None) => "kubectl-irsa".to_string(),
    }
}

/// The failure's body: where, what, and what to do.
fn failure_body(f: &Finding) -> String {
    let mut b = String::new();
    let _ = write!(b, "{}[{}({})]", f.severity, f.code, f.name);
    match (&f.location, &f.object) {
        (Some(l), _) => {
            let _ = write!(b, " {}", location_label(l));
        }
        (None, Some(o)) => {
            let _ = write!(b, " {}", object_label(o));
        }
        (None, None) => {}
    }
    let _ = write!(b, ": {}", f.message);
    for r in &f.related {
        let _ = write!(b, "\nrelated: {}", location_label(r));
        if let Some(m) = &r.message {
            let _ = write!(b, ": {m}");
        }
    }
    if let Some(help) = &f.help {
        let _ = write!(b, "\nhelp: {help}");
    }
    if let Some(fix) = &f.fix {
        let _ = write!(b, "\nfix: {}", fix.description);
    }
    b
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // Testcases in name order: every file read, then whatever the findings name.
    let mut cases: BTreeMap<String, Vec<&Finding>> = report
        .sources
        .keys()
        .map(|k| (k.clone(), Vec::new()))
        .collect();
    for f in &report.findings {
        cases.entry(case_name(f)).or_default().push(f);
    }
    if cases.is_empty() {
        cases.insert("kubectl-irsa".to_string(), Vec::new());
    }
    let tests = cases.len();
    let failures = cases.values().filter(|v| !v.is_empty()).count();

    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"kubectl-irsa\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"kubectl-irsa\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for (name, findings) in &cases {
        // Written as it goes: a large report is never held whole.
        if x.len() > 1 << 16 {
            out.write_all(x.as_bytes())?;
            x.clear();
        }
        let name = escape(name);
        if findings.is_empty() {
            let _ = writeln!(
                x,
                "    <testcase name=\"{name}\" classname=\"kubectl-irsa\"/>"
            );
            continue;
        }
        let _ = writeln!(
            x,
            "    <testcase name=\"{name}\" classname=\"kubectl-irsa\">"
        );
        for f in findings {
            let _ = writeln!(
                x,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                escape(&f.code),
                escape(&f.message),
                escape_text(&failure_body(f))
            );
        }
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(x.as_bytes())
}
