use crate::report::finding::{Finding, Severity};
use crate::rules::{Rule, RuleMeta};
use crate::workspace::Workspace;

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

impl Rule for InputError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported by the input layer, not by a pass over the workspace.
    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

declare_rule! {
    /// `.irsa.yaml` (or a rule file) does not match its schema.
    ///
    /// ## What it checks
    /// The project configuration is validated against the JSON Schema shipped with the tool
    /// (`schemas/irsa-config.schema.json`); each violation points at the offending key.
    ///
    /// ## Why it matters
    /// A misspelt rule code or severity would otherwise be ignored, and the gate would not do
    /// what the file says.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   IRSA004: warn      # not a severity
    /// ```
    /// Fixed: `IRSA004: warning` (or `off`, `note`, `error`).
    pub struct ConfigError => ("IRSA017", "config-error", Severity::Error);
}

impl Rule for ConfigError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}
