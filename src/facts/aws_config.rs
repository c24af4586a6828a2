//! AWS shared-config facts: `credential_process` lines (IAM Roles Anywhere).

/// One `credential_process = aws_signing_helper …` line and the section around it.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialProcess {
    pub profile: String,
    /// Byte range of the `credential_process` line within the config text, from its key (not
    /// its indentation) to the end of the line.
    pub line: std::ops::Range<usize>,
    /// The `region = …` value of the section, if any, and its range.
    pub region: Option<(String, std::ops::Range<usize>)>,
    /// `--profile-arn`, `--role-arn`, `--trust-anchor-arn` values and their ranges.
    pub args: Vec<(String, String, std::ops::Range<usize>)>,
    /// Whether the helper is `aws_signing_helper` (IAM Roles Anywhere).
    pub signing_helper: bool,
}

pub const ARN_FLAGS: [&str; 3] = ["--profile-arn", "--role-arn", "--trust-anchor-arn"];
