//! Layer 3: what every check reports. Findings with their locations and fixes, severities, and the
//! metadata of rules (`declare_rule!`), shared by offline rules, live checks and the renderers.

pub mod finding;
pub mod fix;
pub mod input;
pub mod internal_error;

use serde::Serialize;

use finding::Severity;

/// Static facts about a built-in rule. `doc` is the rule's doc comment: `kubectl irsa explain CODE` prints it.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: the first line of the doc.
    pub summary: &'static str,
    pub doc: &'static str,
}

/// How a rule is listed by `kubectl irsa rules` and declared in SARIF.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    pub doc: String,
    pub help_uri: String,
    /// `built-in`, `built-in (live)`, or the rule file it came from.
    pub source: String,
}

pub const DOCS_BASE: &str = "https://github.com/kubectl-irsa/kubectl-irsa/blob/main/docs/rules.md";

impl RuleInfo {
    pub fn from_meta(meta: &RuleMeta, source: &str) -> Self {
        RuleInfo {
            code: meta.code.into(),
            name: meta.name.into(),
            severity: meta.severity,
            summary: meta.summary.into(),
            doc: doc_text(meta.doc),
            help_uri: format!("{DOCS_BASE}#{}", meta.code.to_lowercase()),
            source: source.into(),
        }
    }
}

/// Doc comments carry a leading space per line; strip it for printing.
pub fn doc_text(doc: &str) -> String {
    doc.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

/// Declare a rule struct whose doc comment is also its `explain` text.
///
/// ```ignore
/// declare_rule! {
///     /// Checks X.
///     /// ...
///     pub struct MyRule => ("IRSA001", "my-rule", Severity::Error);
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])+ pub struct $name:ident => ($code:literal, $rule_name:literal, $sev:expr);) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            pub const META: $crate::diagnostics::RuleMeta = $crate::diagnostics::RuleMeta {
                code: $code,
                name: $rule_name,
                severity: $sev,
                summary: $crate::diagnostics::first_line(concat!($($doc, "\n"),+)),
                doc: concat!($($doc, "\n"),+),
            };
        }
    };
}

/// The first non-empty line of a doc string, trimmed (const so that `META` stays a constant).
pub const fn first_line(doc: &'static str) -> &'static str {
    let bytes = doc.as_bytes();
    let mut start = 0;
    while start < bytes.len() && (bytes[start] == b' ' || bytes[start] == b'\n') {
        start += 1;
    }
    let mut end = start;
    while end < bytes.len() && bytes[end] != b'\n' {
        end += 1;
    }
    let (_, tail) = bytes.split_at(start);
    let (line, _) = tail.split_at(end - start);
    match std::str::from_utf8(line) {
        Ok(s) => s,
        Err(_) => "",
    }
}
