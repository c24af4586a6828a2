use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{Workspace, ROLE_ARN_ANNOTATION};
use crate::rules::Rule;

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
                let value_at = |span: crate::syntax::yaml::Span| {
                    let line_end = file.text[span.end.offset..]
                        .find('\n')
                        .map_or(file.text.len(), |i| span.end.offset + i);
                    file.text[span.end.offset..line_end]
                        .trim_start_matches([':', ' '])
                        .trim()
                        .to_string()
                };
                let (first, second) = (value_at(dup.first), value_at(dup.second));
                let what = if first == second {
                    "twice with the same value"
                } else {
                    "twice with different values"
                };
                out.push(
                    Finding::new(&Self::META, format!("`{ROLE_ARN_ANNOTATION}` is set {what}: `{first}` and `{second}`; only the last one is kept"))
                        .at(Location::new(file, dup.second))
                        .related(Location::new(file, dup.first).with_message("first set here")),
                );
            }
        }
    }
}
