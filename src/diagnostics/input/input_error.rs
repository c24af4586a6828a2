use crate::declare_rule;
use crate::diagnostics::finding::Severity;

declare_rule! {
    /// A file could not be read or parsed, so nothing in it was checked.
    ///
    /// ## What it checks
    /// Every input is read as UTF-8 text and parsed as YAML or JSON. Files that are unreadable,
    /// binary, not UTF-8, over the size limit, syntactically broken, nested absurdly deep, or that
    /// expand YAML aliases without bound (an alias bomb) are reported here with the exact position.
    /// Symlinks that loop or point outside the tree are not followed and are reported too.
    ///
    /// ## Why it matters
    /// A file that cannot be parsed cannot be checked: a CI gate that skipped it silently would
    /// report "clean" for a role trust it never read. The other files are still linted.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    /// 	eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/x   # a tab in indentation
    /// ```
    /// Fixed: indent with spaces.
    pub struct InputError => ("IRSA000", "input-error", Severity::Error);
}
