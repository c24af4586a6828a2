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
    /// A file that is binary, not UTF-8 or broken and shows no sign of being an input of this
    /// tool (Kubernetes `apiVersion` and `kind`; IAM `Statement`, `AssumeRole`, a role ARN; a
    /// Terraform plan or state; a CloudFormation template) is not an error but the note IRSA056
    /// file-not-read, and so is an excerpt; a template is the note IRSA052.
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
