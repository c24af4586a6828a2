//! ARN errors with messages a user understands.

use super::Placeholder;

/// Why a string is not the ARN it should be. Each variant carries the offending ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    #[error("the ARN is empty")]
    Empty,
    #[error("`{arn}` contains whitespace; ARNs never do (a stray space or newline?)")]
    Whitespace { arn: String },
    #[error("`{arn}` still contains the placeholder `{}`; replace it with the real value", placeholder.text)]
    Placeholder {
        arn: String,
        placeholder: Placeholder,
    },
    #[error("`{arn}` is not an ARN: ARNs start with `arn:`")]
    NotAnArn { arn: String },
    #[error("`{arn}` has {found} colon-separated fields, but an ARN has 6 (`arn:partition:service:region:account:resource`): a colon is missing")]
    MissingColon { arn: String, found: usize },
    #[error("`{arn}` has an extra colon: {detail}")]
    ExtraColon { arn: String, detail: String },
    #[error("`{arn}` has the unknown partition `{partition}` (expected `aws`, `aws-cn`, `aws-us-gov` or `aws-iso*`)")]
    UnknownPartition { arn: String, partition: String },
    #[error("`{arn}` is an ARN of service `{found}`, but {expected} ARN is expected")]
    WrongService {
        arn: String,
        expected: &'static str,
        found: String,
    },
    #[error("IAM ARNs have an empty region field: `arn:aws:iam::123456789012:role/x`, found region `{region}` in `{arn}`")]
    RegionNotEmpty { arn: String, region: String },
    #[error("`{arn}` has an empty region, but {service} ARNs need one (e.g. `us-east-1`)")]
    RegionMissing { arn: String, service: String },
    #[error("`{arn}` has region `{region}`, which is not an AWS region")]
    InvalidRegion { arn: String, region: String },
    #[error(
        "`{arn}` has account `{account}`: AWS account IDs are exactly 12 digits{}",
        account_hint(account)
    )]
    BadAccount { arn: String, account: String },
    #[error("`{arn}` names a `{found}`, but a `{expected}` is expected")]
    WrongResourceType {
        arn: String,
        expected: &'static str,
        found: String,
    },
    #[error("`{arn}` has an empty path segment (`//`) in `{resource}`")]
    EmptyPathSegment { arn: String, resource: String },
    #[error("`{arn}` has an empty {what}")]
    EmptyName { arn: String, what: &'static str },
    #[error("`{arn}`: role name `{name}` {reason}")]
    InvalidRoleName {
        arn: String,
        name: String,
        reason: String,
    },
    #[error("`{arn}`: the OIDC provider {reason}")]
    BadIssuer { arn: String, reason: String },
    #[error("`{arn}`: `{id}` is not a Roles Anywhere ID (a UUID such as `a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`)")]
    BadId { arn: String, id: String },
}

impl ArnError {
    /// The same error about `arn` as written (a stand-in was parsed in its place).
    pub fn with_arn(mut self, written: &str) -> ArnError {
        match &mut self {
            ArnError::Empty => {}
            ArnError::Whitespace { arn }
            | ArnError::Placeholder { arn, .. }
            | ArnError::NotAnArn { arn }
            | ArnError::MissingColon { arn, .. }
            | ArnError::ExtraColon { arn, .. }
            | ArnError::UnknownPartition { arn, .. }
            | ArnError::WrongService { arn, .. }
            | ArnError::RegionNotEmpty { arn, .. }
            | ArnError::RegionMissing { arn, .. }
            | ArnError::InvalidRegion { arn, .. }
            | ArnError::BadAccount { arn, .. }
            | ArnError::WrongResourceType { arn, .. }
            | ArnError::EmptyPathSegment { arn, .. }
            | ArnError::EmptyName { arn, .. }
            | ArnError::InvalidRoleName { arn, .. }
            | ArnError::BadIssuer { arn, .. }
            | ArnError::BadId { arn, .. } => *arn = written.to_string(),
        }
        self
    }
}

fn account_hint(account: &str) -> String {
    if account.is_empty() {
        " (the account field is empty)".into()
    } else if account.chars().all(|c| c.is_ascii_digit()) {
        format!(", found {}", account.len())
    } else {
        String::new()
    }
}
