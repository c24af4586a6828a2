//! What every check produces: a finding with a primary location, related locations and an object.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

/// How bad a finding is. Ordered: `Note < Warning < Error`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a source file (a user's file, or a synthesized view of a live object).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Location {
    /// The path as the user gave it (relative where possible).
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// What this place has to do with the finding (related locations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Location {
    pub fn new(file: &SourceFile, span: Span) -> Self {
        Location {
            path: file.display.clone(),
            line: span.start.line,
            column: span.start.column,
            message: None,
            span,
        }
    }

    /// A whole-file location (line 1, column 1, nothing underlined).
    pub fn file(file: &SourceFile) -> Self {
        Self::new(file, Span::default().with_start_line())
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// The Kubernetes or IAM object a finding is about. IAM roles are kind `Role` with the role name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn new(kind: impl Into<String>, namespace: Option<&str>, name: impl Into<String>) -> Self {
        ObjectRef {
            kind: kind.into(),
            namespace: namespace.map(str::to_string),
            name: name.into(),
        }
    }
}

/// A mechanical fix: replace each span with the given text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fix {
    pub description: String,
    pub replacements: Vec<Replacement>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Replacement {
    pub location: Location,
    /// Byte range replaced, within `location.path`.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub related: Vec<Location>,
    pub object: Option<ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// The kubeconfig context a live finding is about, in fleet runs (`doctor --context A --context B`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl Finding {
    /// A finding of a rule, with the rule's default severity.
    pub fn new(rule: &crate::diagnostics::RuleMeta, message: impl Into<String>) -> Self {
        Finding {
            code: rule.code.to_string(),
            name: rule.name.to_string(),
            severity: rule.severity,
            message: message.into(),
            location: None,
            related: Vec::new(),
            object: None,
            help: None,
            fix: None,
            context: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn at_span(self, file: &Arc<SourceFile>, span: Span) -> Self {
        self.at(Location::new(file, span))
    }

    pub fn related(mut self, location: Location) -> Self {
        self.related.push(location);
        self
    }

    pub fn object(mut self, object: ObjectRef) -> Self {
        self.object = Some(object);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn fix_opt(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.or(self.fix);
        self
    }

    /// Stable order for output: path, line, column, code, message.
    pub fn sort_key(&self) -> impl Ord + '_ {
        let loc = self.location.as_ref();
        (
            loc.map(|l| l.path.as_str()),
            loc.map(|l| (l.line, l.column)),
            self.code.as_str(),
            self.object.as_ref(),
            self.message.as_str(),
        )
    }
}
