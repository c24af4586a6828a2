//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message`. Data escapes `%`, CR and
//! LF; property values also escape `:` and `,` (as in `@actions/core`).

use std::fmt::Write as _;
use std::io::Write;

use super::{location_label, object_label, span_end, Report};
use crate::diagnostics::finding::{Finding, Severity};

/// Escape the message part of a command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// The annotation body: message, object (when there is no file), related places, help.
fn message(f: &Finding) -> String {
    let mut m = match &f.context {
        Some(c) => format!("[{c}] {}", f.message),
        None => f.message.clone(),
    };
    if let (None, Some(o)) = (&f.location, &f.object) {
        let _ = write!(m, " ({})", object_label(o));
    }
    for r in &f.related {
        let _ = write!(m, "\n{}", location_label(r));
        if let Some(msg) = &r.message {
            let _ = write!(m, ": {msg}");
        }
    }
    if let Some(help) = &f.help {
        let _ = write!(m, "\nhelp: {help}");
    }
    if let Some(fix) = &f.fix {
        let _ = write!(m, "\nfix: {}", fix.description);
    }
    m
}

/// One workflow command line, without the newline.
pub fn annotation(f: &Finding) -> String {
    let mut props: Vec<(&str, String)> = Vec::new();
    if let Some(loc) = &f.location {
        props.push(("file", loc.path.replace('\\', "/")));
        props.push(("line", loc.line.to_string()));
        props.push(("col", loc.column.to_string()));
        if let Some((line, column)) = span_end(loc) {
            props.push(("endLine", line.to_string()));
            props.push(("endColumn", column.to_string()));
        }
    }
    props.push(("title", format!("{} {}", f.code, f.name)));
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!(
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&message(f))
    )
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.findings {
        writeln!(out, "{}", annotation(f))?;
    }
    Ok(())
}
