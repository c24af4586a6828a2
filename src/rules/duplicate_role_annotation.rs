use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{Workspace, ROLE_ARN_ANNOTATION};
use crate::rules::Rule;
use crate::syntax::yaml::{Pos, Span};

declare_rule! {
    /// A service account's `eks.amazonaws.com/role-arn` annotation appears twice.
    ///
    /// ## What it checks
    /// Duplicate `eks.amazonaws.com/role-arn` keys in one annotations mapping, in manifests and in
    /// what a chart renders (typically a template that hard-codes the annotation and also copies
    /// `serviceAccount.annotations` from values).
    ///
    /// ## Why it matters
    /// YAML parsers keep one of the two silently: kubectl and the API server keep the last one,
    /// so the role that applies depends on template order, not on the value the user set.
    /// When the two values differ, half the team reads the wrong one.
    ///
    /// ## Example
    /// ```yaml
    /// annotations:
    ///   eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/default-role
    ///   eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app-role
    /// ```
    /// Fixed: keep one annotation (set it from values only).
    pub struct DuplicateRoleAnnotation => ("IRSA023", "duplicate-role-annotation", Severity::Error);
}

impl Rule for DuplicateRoleAnnotation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for (path, dups) in &ws.duplicate_keys {
            let Some(file) = ws.file(path) else { continue };
            for dup in dups.iter().filter(|d| d.key == ROLE_ARN_ANNOTATION) {
                let (first_span, first) = entry_line(&file.text, dup.first);
                let (second_span, second) = entry_line(&file.text, dup.second);
                let what = if first == second {
                    "twice with the same value"
                } else {
                    "twice with different values"
                };
                // Whole `key: value` lines: for a chart render, tracing finds the values key of each.
                out.push(
                    Finding::new(&Self::META, format!("`{ROLE_ARN_ANNOTATION}` is set {what}: `{first}` and `{second}`; only the last one is kept"))
                        .at(Location::new(file, second_span))
                        .related(Location::new(file, first_span).with_message("first set here")),
                );
            }
        }
    }
}

/// The `key: value` text of a duplicate key's line (block mappings), and its value.
fn entry_line(text: &str, key: Span) -> (Span, String) {
    let start = key.end.offset.min(text.len());
    let rest = text.get(start..).unwrap_or_default();
    let line = rest.split('\n').next().unwrap_or_default().trim_end();
    // A flow mapping (`{a: 1, a: 2}`): only up to the next separator.
    let line = line.split([',', '}']).next().unwrap_or_default().trim_end();
    let end = Pos {
        offset: start.saturating_add(line.len()),
        line: key.end.line,
        column: key.end.column.saturating_add(line.chars().count()),
    };
    let value = line.trim_start_matches([':', ' ']).trim();
    let value = value.trim_matches(['"', '\'']).to_string();
    (
        Span {
            start: key.start,
            end,
        },
        value,
    )
}
