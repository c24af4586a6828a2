use crate::declare_rule;
use crate::diagnostics::finding::Severity;

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
