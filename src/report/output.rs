//! Output and gating flags shared by lint and doctor, writing a report to stdout, and the exit
//! codes that keep "findings" apart from "the tool failed".

use std::io::{IsTerminal, Write};

use clap::{Args, ValueEnum};

use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::internal_error::is_internal;
use crate::report::{render, Format, Report};

/// Exit codes: findings are not failures of the tool.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TOOL_ERROR: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Output and gating flags shared by lint and doctor.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "human")]
    pub format: crate::report::Format,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = Severity::Error)]
    pub fail_on: Severity,
    /// Colour in human output (NO_COLOR is honoured with auto).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn use_color(choice: ColorChoice, format: Format) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            format == Format::Human
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Render a report to stdout and decide the exit code.
pub fn finish(report: &Report, output: &OutputArgs) -> u8 {
    let color = use_color(output.color, output.format);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Err(e) = render(report, output.format, color, &mut out).and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_TOOL_ERROR;
        }
    }
    // `--fail-on note` fails on what was not checked too, whether or not `--verbose` kept those
    // notes as findings: the exit code never depends on how much is printed.
    let unchecked = report
        .coverage
        .as_ref()
        .is_some_and(|c| c.not_checked.iter().any(|g| g.count > 0));
    match gate(&report.findings, output) {
        EXIT_OK if unchecked && output.fail_on == Severity::Note => EXIT_FINDINGS,
        code => code,
    }
}

/// `1` when a finding is at or above `--fail-on`; else `2` when the tool hit an internal error
/// (a caught panic) on some input; else `0`.
pub fn gate(findings: &[Finding], output: &OutputArgs) -> u8 {
    if findings
        .iter()
        .any(|f| !is_internal(f) && f.severity >= output.fail_on)
    {
        EXIT_FINDINGS
    } else if findings.iter().any(is_internal) {
        EXIT_TOOL_ERROR
    } else {
        EXIT_OK
    }
}
