//! `--format human`: miette diagnostics with source snippets, then a one-line count.
//!
//! Findings whose file was not read (or that have no location) print as plain text:
//! `severity[CODE]: message` and `  --> path:line:col` (or the object).

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, NamedSource,
    SourceCode, SourceSpan, SpanContents,
};

use super::{location_label, object_label, Report};
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::syntax::source::SourceFile;

/// Fixed so that output does not depend on the terminal.
pub const WIDTH: usize = 100;

/// A source file's text, shared rather than copied per finding.
#[derive(Debug, Clone)]
struct Src(Arc<SourceFile>);

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        self.0.text.as_str().read_span(span, before, after)
    }
}

/// One finding (or one related place) as a miette diagnostic.
#[derive(Debug)]
struct Diag {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<Src>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

impl std::fmt::Display for Diag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// The byte offset of a 1-based (line, column-in-characters) position, clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let col = (rest[..line_len].char_indices())
        .nth(column.saturating_sub(1))
        .map_or(line_len, |(i, _)| i);
    start + col
}

/// Round down to a char boundary so miette never slices inside a character.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A location's byte range in `text`: its span when consistent, else its line and column.
fn source_span(loc: &Location, text: &str) -> SourceSpan {
    let s = &loc.span;
    let (start, end) = if s.start.line == loc.line && s.start.column == loc.column {
        (s.start.offset, s.end.offset.max(s.start.offset))
    } else {
        let o = offset_of(text, loc.line, loc.column);
        (o, o)
    };
    let start = floor_boundary(text, start);
    let end = floor_boundary(text, end).max(start);
    SourceSpan::from((start, end - start))
}

fn named(file: &Arc<SourceFile>) -> NamedSource<Src> {
    NamedSource::new(&file.display, Src(file.clone()))
}

fn help_text(f: &Finding) -> Option<String> {
    let fix = f
        .fix
        .as_ref()
        .map(|x| format!("fix available: {}", x.description));
    match (&f.help, fix) {
        (Some(h), Some(x)) => Some(format!("{h}\n{x}")),
        (Some(h), None) => Some(h.clone()),
        (None, x) => x,
    }
}

/// The diagnostic of a finding whose primary file is in `sources`: the finding's line, the
/// related places in the same file as labels, those in other files as one line each.
fn diag(report: &Report, f: &Finding, loc: &Location, file: &Arc<SourceFile>) -> Diag {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        None,
        source_span(loc, &file.text),
    )];
    let mut elsewhere = Vec::new();
    for r in &f.related {
        if r.path == loc.path {
            let label = Some(r.message.clone().unwrap_or_else(|| "related".into()));
            labels.push(LabeledSpan::new_with_span(
                label,
                source_span(r, &file.text),
            ));
        } else {
            elsewhere.push(related_line(r));
        }
    }
    let help = [help_text(f).map(|h| short_help(&h, report.verbose))]
        .into_iter()
        .flatten()
        .chain(elsewhere)
        .collect::<Vec<_>>();
    Diag {
        code: None,
        severity: miette_severity(f.severity),
        message: format!("{}: {}", f.code, f.message),
        help: (!help.is_empty()).then(|| help.join("\n")),
        source: Some(named(file)),
        labels,
        related: Vec::new(),
    }
}

/// `related: path:line:col: message`.
fn related_line(r: &Location) -> String {
    match &r.message {
        Some(m) => format!("related: {}: {m}", location_label(r)),
        None => format!("related: {}", location_label(r)),
    }
}

/// A help of more than two lines keeps its first one unless `--verbose` (JSON has it whole).
fn short_help(help: &str, verbose: bool) -> String {
    let lines: Vec<&str> = help.lines().collect();
    if verbose || lines.len() <= 2 {
        return help.to_string();
    }
    let fix = lines.iter().rev().find(|l| l.starts_with("fix available:"));
    let mut short = format!(
        "{} (--verbose shows the rest)",
        lines[0].trim_end_matches(':')
    );
    if let Some(fix) = fix {
        short.push('\n');
        short.push_str(fix);
    }
    short
}

/// ANSI colour of a severity word.
fn paint(word: &str, severity: Severity, color: bool) -> String {
    if !color {
        return word.to_string();
    }
    let code = match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Note => "1;36",
    };
    format!("\x1b[{code}m{word}\x1b[0m")
}

/// A finding without a snippet.
fn plain(f: &Finding, color: bool) -> String {
    let mut s = String::new();
    let head = format!("{}[{}]", f.severity, f.code);
    let _ = writeln!(s, "{}: {}", paint(&head, f.severity, color), f.message);
    match (&f.location, &f.object) {
        (Some(l), _) => {
            let _ = writeln!(s, "  --> {}", location_label(l));
        }
        (None, Some(o)) => {
            let _ = writeln!(s, "  --> {}", object_label(o));
        }
        (None, None) => {}
    }
    for r in &f.related {
        let _ = write!(s, "  = related: {}", location_label(r));
        let _ = match &r.message {
            Some(m) => writeln!(s, ": {m}"),
            None => writeln!(s),
        };
    }
    if let Some(help) = help_text(f) {
        let _ = writeln!(s, "  = help: {}", help.replace('\n', "\n          "));
    }
    s
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_wrap_lines(false)
        .with_urls(false)
        .with_context_lines(0)
        .without_syntax_highlighting()
}

/// Write the human text of a report, one finding at a time (a large report is never built whole).
/// Fleet reports: the summary, then per cluster a heading, its table and its findings.
pub fn render(report: &Report, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let handler = handler(color);
    let mut first = true;
    let mut block = |text: &str| -> std::io::Result<()> {
        if !first {
            out.write_all(b"\n\n")?;
        }
        first = false;
        out.write_all(text.trim_end().as_bytes())
    };
    if let Some(summary) = &report.summary {
        block(summary)?;
    }
    for c in &report.clusters {
        let mine: Vec<&Finding> = (report.findings.iter())
            .filter(|f| f.context.as_ref() == Some(&c.context))
            .collect();
        let counts = Report::count(mine.iter().copied());
        block(&format!("== cluster {}: {counts} ==", c.context))?;
        block(&c.summary)?;
        for f in mine {
            block(&finding_text(report, &handler, f, color)?)?;
        }
    }
    let grouped = !report.clusters.is_empty();
    for f in (report.findings.iter()).filter(|f| !grouped || f.context.is_none()) {
        block(&finding_text(report, &handler, f, color)?)?;
    }
    if let Some(coverage) = &report.coverage {
        block(&coverage.human_text())?;
    }
    block(&report.counts().to_string())?;
    out.write_all(b"\n")
}

fn finding_text(
    report: &Report,
    handler: &GraphicalReportHandler,
    f: &Finding,
    color: bool,
) -> std::io::Result<String> {
    let snippet = f
        .location
        .as_ref()
        .and_then(|l| report.source(&l.path).map(|file| (l, file)))
        // An empty file has no snippet to show.
        .filter(|(_, file)| !file.text.is_empty());
    Ok(match snippet {
        Some((loc, file)) => {
            let mut s = String::new();
            handler
                .render_report(&mut s, &diag(report, f, loc, file))
                .map_err(|_| std::io::Error::other("failed to format a diagnostic"))?;
            s
        }
        None => plain(f, color),
    })
}
