//! `--format junit`: JUnit XML for CI dashboards.
//!
//! One `<testsuite name="kubectl-irsa">` (in doctor fleet runs, one per cluster, named by its
//! context); one `<testcase>` per file read or object named by a
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
    let mut cases: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    if report.clusters.is_empty() {
        cases.extend(report.sources.keys().map(|k| (k.clone(), Vec::new())));
    }
    for f in report.findings.iter().filter(|f| f.context.is_none()) {
        cases.entry(case_name(f)).or_default().push(f);
    }
    // Fleet runs: one testsuite per cluster, named by its context.
    let mut suites: Vec<(&str, BTreeMap<String, Vec<&Finding>>)> = Vec::new();
    for c in &report.clusters {
        let mut cluster: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
        for f in (report.findings.iter()).filter(|f| f.context.as_ref() == Some(&c.context)) {
            cluster.entry(case_name(f)).or_default().push(f);
        }
        if cluster.is_empty() {
            cluster.insert("kubectl-irsa".to_string(), Vec::new());
        }
        suites.push((&c.context, cluster));
    }
    if cases.is_empty() && suites.is_empty() {
        cases.insert("kubectl-irsa".to_string(), Vec::new());
    }
    if !cases.is_empty() {
        suites.insert(0, ("kubectl-irsa", cases));
    }
    let count = |cases: &BTreeMap<String, Vec<&Finding>>| {
        let failures = cases.values().filter(|v| !v.is_empty()).count();
        (cases.len(), failures)
    };
    let (tests, failures) = suites.iter().fold((0, 0), |(t, f), (_, cases)| {
        let (t2, f2) = count(cases);
        (t + t2, f + f2)
    });

    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"kubectl-irsa\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for (suite, cases) in &suites {
        let (tests, failures) = count(cases);
        let suite = escape(suite);
        let _ = writeln!(
            x,
            "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
        );
        write_cases(&mut x, &suite, cases, out)?;
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    out.write_all(x.as_bytes())
}

/// The testcases of one suite; `classname` is the suite's name.
fn write_cases(
    x: &mut String,
    classname: &str,
    cases: &BTreeMap<String, Vec<&Finding>>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for (name, findings) in cases {
        // Written as it goes: a large report is never held whole.
        if x.len() > 1 << 16 {
            out.write_all(x.as_bytes())?;
            x.clear();
        }
        let name = escape(name);
        if findings.is_empty() {
            let _ = writeln!(
                x,
                "    <testcase name=\"{name}\" classname=\"{classname}\"/>"
            );
            continue;
        }
        let _ = writeln!(
            x,
            "    <testcase name=\"{name}\" classname=\"{classname}\">"
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
    Ok(())
}
