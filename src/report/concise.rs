//! `--format concise`: one line per finding, `path:line:col: CODE message`, as ruff and ESLint
//! print, then the coverage summary and the count.

use std::io::Write;

use super::{location_label, object_label, Report};

/// Write one line per finding (newlines in a message become spaces).
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.findings {
        let place = match (&f.location, &f.object) {
            (Some(l), _) => location_label(l),
            (None, Some(o)) => object_label(o),
            (None, None) => "-".to_string(),
        };
        let context = f
            .context
            .as_deref()
            .map(|c| format!("[{c}] "))
            .unwrap_or_default();
        let message = f.message.replace('\n', " ");
        writeln!(
            out,
            "{context}{place}: {} [{}] {message}",
            f.code, f.severity
        )?;
    }
    if let Some(coverage) = &report.coverage {
        out.write_all(coverage.human_text().as_bytes())?;
    }
    writeln!(out, "{}", report.counts())
}
