//! A file that cannot be parsed is an error (IRSA000) only when it shows it was meant for this
//! tool: Kubernetes (`apiVersion` and `kind`) or IAM (`Statement`, `AssumeRole`, a role ARN), or
//! a Terraform plan or state, or a CloudFormation template, which it reads too.
//! Anything else (JSON Lines fixtures, git-crypt files, excerpts in documentation, test data of
//! other parsers) is the note IRSA056 file-not-read: listed, never failing the run.

use std::sync::{Arc, OnceLock};

use regex::Regex;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::{input_finding, FileNotRead, InputError};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Pos, Span};

/// The finding for a file that could not be read or parsed: `message` at `pos`.
pub fn parse_failure(
    file: &Arc<SourceFile>,
    text: &str,
    message: &str,
    pos: Option<Pos>,
) -> Finding {
    let excerpt = pos.is_some_and(|p| elided_before(text, p.line));
    if meant_for_the_tool(text) && !excerpt {
        return input_finding(file, message, pos);
    }
    let why = if excerpt {
        "an excerpt (`...` stands for lines left out)"
    } else {
        "no sign of Kubernetes or IAM in it"
    };
    let location = match pos {
        Some(p) => Location::new(file, Span { start: p, end: p }),
        None => Location::file(file),
    };
    Finding::new(&FileNotRead::META, format!("{NOT_READ}{message}"))
        .at(location)
        .help(format!("{why}: if it is meant to be linted, fix it; otherwise leave it (this is a note) or exclude it"))
}

const NOT_READ: &str = "file not read: ";

/// The error again for a file that another input shows to be meant for this tool (a values file
/// a release reads): IRSA056 becomes the IRSA000 it would have been.
pub fn as_input_error(finding: Finding) -> Finding {
    if finding.code != FileNotRead::META.code {
        return finding;
    }
    let message = finding
        .message
        .strip_prefix(NOT_READ)
        .unwrap_or(&finding.message);
    let mut error = Finding::new(&InputError::META, message.to_string());
    error.location = finding.location;
    error
}

/// Whether `text` shows it is a Kubernetes object or an IAM document.
pub fn meant_for_the_tool(text: &str) -> bool {
    static MARKS: OnceLock<[Regex; 5]> = OnceLock::new();
    let [api_version, kind, iam, role_arn, infra] = MARKS.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("valid regex");
        [
            re(r#"["']?\bapiVersion["']?\s*:"#),
            re(r#"["']?\bkind["']?\s*:"#),
            re(r#"["']?\bStatement["']?\s*:|AssumeRole"#),
            re(r"arn:aws[a-z-]*:iam::"),
            re(r#""terraform_version"\s*:|AWSTemplateFormatVersion|AWS::IAM::|"urn:pulumi:"#),
        ]
    });
    (api_version.is_match(text) && kind.is_match(text))
        || iam.is_match(text)
        || role_arn.is_match(text)
        || infra.is_match(text)
}

/// A documentation excerpt: an indented line of only `...` (or `…`) at or before `line`.
/// (At column 1, `...` is YAML's document end; indented, it is an elision.)
fn elided_before(text: &str, line: usize) -> bool {
    text.lines().take(line).any(|l| {
        let t = l.trim();
        l.starts_with([' ', '\t']) && (t == "..." || t == "…")
    })
}
