//! The rule trait, rule metadata and the registry of every rule.

use serde::Serialize;

use crate::report::finding::{Finding, Severity};
use crate::workspace::Workspace;

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

/// What a rule reads at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One file (or one chart render) at a time, while the run streams through the inputs.
    File,
    /// Every service account and trust policy of the run, after all files are read.
    Workspace,
}

/// An offline check.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// File rules see a workspace of one file; workspace rules see what every file left behind
    /// (service accounts and trust policies; see `lint::unit`).
    fn scope(&self) -> Scope {
        Scope::File
    }
    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>);
    /// Findings that hold only if a workload's service account carries a role (see `candidate`).
    fn candidates(&self, _ws: &Workspace, _out: &mut Vec<candidate::Candidate>) {}
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
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $rule_name,
                severity: $sev,
                summary: $crate::rules::first_line(concat!($($doc, "\n"),+)),
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

pub mod audience_mismatch;
pub mod broad_permissions;
pub mod broad_sub_wildcard;
pub mod candidate;
pub mod chart_values;
pub mod duplicate_policy_key;
pub mod duplicate_role_annotation;
pub mod for_any_value_claim;
pub mod https_condition_key;
pub mod input_error;
pub mod invalid_policy_document;
pub mod invalid_role_arn;
pub mod legacy_iam_annotation;
pub mod missing_sub_condition;
pub mod provider_key_mismatch;
pub mod registry;
pub mod role_arn_annotation_key;
pub mod role_arn_ignored_key;
pub mod roles_anywhere_config;
pub mod sa_annotation_value;
pub mod same_key_anded;
pub mod static_credentials;
pub mod token_unreadable;
pub mod trust_policy_size;
pub mod trust_sub_mismatch;
pub mod util;
pub mod values_key_typo;
pub mod wildcard_string_equals;
pub mod wrong_principal_action;
