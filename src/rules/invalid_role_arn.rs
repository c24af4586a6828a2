use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::arn_fields::arn_fields;
use crate::rules::Rule;

declare_rule! {
    /// A role (or policy, provider, Roles Anywhere) ARN is malformed.
    ///
    /// ## What it checks
    /// - the `eks.amazonaws.com/role-arn` annotation of every ServiceAccount and eksctl's
    ///   `attachRoleARN` must be `arn:<partition>:iam::<12-digit account>:role/<path/>name`;
    /// - eksctl `attachPolicyARNs` and permissions boundaries must be IAM policy ARNs, Pod
    ///   Identity `roleARN`s role ARNs, Roles Anywhere trust anchors and profiles their own ARNs;
    /// - `Principal.Federated` OIDC provider ARNs of trust policies.
    ///
    /// The message names the exact problem: a missing or extra colon, an account that is not 12
    /// digits, an unknown partition, a region in an IAM ARN, a wrong resource type.
    ///
    /// A value set at deploy time is not invalid: wholly a placeholder (`${ROLE_ARN}`,
    /// `{{ .Values.roleArn }}`, `IAM_ROLE_ARN`), it is the note IRSA053; partly one
    /// (`arn:aws:iam::${ACCOUNT_ID}:role/app`), its known parts are checked here and the rest is
    /// IRSA053's. `arn:aws:iam::123:role/app` is no placeholder: a 3-digit account is an error.
    ///
    /// ## Why it matters
    /// The webhook copies the annotation into `AWS_ROLE_ARN` without checking it; the SDK then
    /// fails with "ValidationError: ... failed to satisfy constraint" or falls back to the node
    /// role, far from the typo that caused it. eksctl fails mid-way on a bad policy ARN.
    ///
    /// ## Example
    /// ```yaml
    /// annotations:
    ///   eks.amazonaws.com/role-arn: arn:aws:iam:111122223333:role/kaniko
    /// ```
    /// Fixed: `eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/kaniko`.
    pub struct InvalidRoleArn => ("IRSA001", "invalid-role-arn", Severity::Error);
}

impl Rule for InvalidRoleArn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for field in arn_fields(ws) {
            let key = &field.key;
            if field.value.is_empty() && field.service_account.is_some() {
                out.push(
                    field
                        .finding(
                            &Self::META,
                            format!("`{key}` is empty: pods of this service account get no role"),
                        )
                        .severity(Severity::Warning)
                        .help("set the role ARN, or remove the annotation"),
                );
            } else if let Err(e) = field.parse() {
                out.push(
                    field
                        .finding(&Self::META, format!("`{key}`: {e}"))
                        .help(HELP),
                );
            }
        }
    }
}

const HELP: &str = "the form is arn:aws:iam::<12-digit account>:role/<path/>name (policy/..., oidc-provider/<issuer> for those)";
