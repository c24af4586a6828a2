//! Parity with IAM Access Analyzer `validate-policy`: every basic policy check that applies to a
//! role trust policy, and the rule that covers it offline (or why none can). Rendered into
//! docs/rules.md; a test checks that every rule named here exists.

/// One Access Analyzer check.
pub struct Check {
    /// Finding type and title, as in the IAM User Guide.
    pub check: &'static str,
    pub issue_code: &'static str,
    /// Rule codes that cover it; empty when it is not checked.
    pub rules: &'static [&'static str],
    pub note: &'static str,
}

const fn c(
    check: &'static str,
    issue_code: &'static str,
    rules: &'static [&'static str],
    note: &'static str,
) -> Check {
    Check {
        check,
        issue_code,
        rules,
        note,
    }
}

/// Source: IAM User Guide, "Access Analyzer policy check reference"
/// (access-analyzer-reference-policy-checks), checks that apply to `AWS::IAM::AssumeRolePolicyDocument`.
pub const CHECKS: &[Check] = &[
    c("Error – JSON syntax error", "JSON_SYNTAX_ERROR", &["IRSA000"], "file, line and column"),
    c("Error – Data type mismatch", "DATA_TYPE_MISMATCH", &["IRSA019"], ""),
    c("Error – Invalid effect", "INVALID_EFFECT", &["IRSA019"], ""),
    c("Error – Missing effect", "MISSING_EFFECT", &["IRSA019"], ""),
    c("Error – Missing statement", "MISSING_STATEMENT", &["IRSA019"], ""),
    c("Error – Invalid version", "INVALID_VERSION", &["IRSA026"], ""),
    c("General Warning – Missing version", "MISSING_VERSION", &["IRSA026"], "a note"),
    c("Error – Invalid condition operator", "INVALID_CONDITION_OPERATOR", &["IRSA019"], ""),
    c("Error – Null with if exists", "NULL_WITH_IF_EXISTS", &["IRSA026"], ""),
    c("Error – Duplicate keys with different case", "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", &["IRSA026"], "exact duplicates: IRSA010"),
    c("Error – Invalid principal format", "INVALID_PRINCIPAL_FORMAT", &["IRSA019"], ""),
    c("Error – Invalid principal key", "INVALID_PRINCIPAL_KEY", &["IRSA026"], ""),
    c("Error – Missing principal", "MISSING_PRINCIPAL", &["IRSA026"], ""),
    c("Error – Missing action", "MISSING_ACTION", &["IRSA026"], ""),
    c("Error – Invalid action", "INVALID_ACTION", &["IRSA008"], "misspelt `sts:` actions, with the closest one (warning; an error when the role then cannot be assumed)"),
    c("Error – Unsupported action in policy", "UNSUPPORTED_ACTION_IN_POLICY", &["IRSA008"], "actions other than the six a trust policy can grant (warning)"),
    c("Error – Mismatched action for principal", "MISMATCHED_ACTION_FOR_PRINCIPAL", &["IRSA008"], "every principal type against every `sts:` action, wildcards and `NotAction`"),
    c("Error – Missing action for roles anywhere trust policy", "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", &["IRSA008"], "and the Pod Identity equivalent"),
    c("Error – Missing action for condition key", "MISSING_ACTION_FOR_CONDITION_KEY", &["IRSA026"], "`aws:RequestTag/*`, `aws:TagKeys`, `sts:SourceIdentity`"),
    c("Error – Role trust policy syntax error notprincipal", "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", &["IRSA026"], ""),
    c("Security Warning – Allow with NotPrincipal", "ALLOW_WITH_NOT_PRINCIPAL", &["IRSA026"], "an error in a trust policy"),
    c("Error – Role trust policy syntax error resource", "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", &["IRSA026"], ""),
    c("Error – Role trust policy unsupported wildcard in principal", "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", &["IRSA008"], "`\"*\"` and `{\"AWS\": \"*\"}` (a warning when conditions narrow it)"),
    c("Error – Unsupported wildcard in principal", "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", &["IRSA026"], ""),
    c("Suggestion – Wildcard in service name", "WILDCARD_IN_SERVICE_NAME", &["IRSA026"], "an error: IAM rejects it"),
    c("Error – Invalid service principal format", "INVALID_SERVICE_PRINCIPAL_FORMAT", &["IRSA026"], ""),
    c("Error – Invalid federated principal syntax in role trust policy", "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", &["IRSA026", "IRSA001"], "IRSA001 parses `oidc-provider` ARNs"),
    c("Error – Invalid ARN account / prefix / resource / partition / Region, Missing ARN field", "INVALID_ARN_ACCOUNT …", &["IRSA001", "IRSA026"], "IRSA001: role and `oidc-provider` ARNs; IRSA026: `Principal.AWS` values"),
    c("Error – Unique Sids required / General Warning – Unique Sids recommended", "UNIQUE_SIDS_RECOMMENDED", &["IRSA026"], "a warning"),
    c("Error – Unsupported Sid", "UNSUPPORTED_SID", &["IRSA026"], ""),
    c("General Warning – Wildcard without like operator", "WILDCARD_WITHOUT_LIKE_OPERATOR", &["IRSA002"], "with a `--fix` to `StringLike`"),
    c("General Warning – Policy size exceeds role trust policy quota", "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", &["IRSA011"], ""),
    c("Security Warning – ForAllValues with single valued key", "FORALLVALUES_WITH_SINGLE_VALUED_KEY", &["IRSA009"], "`:sub` and `:aud`"),
    c("Suggestion – Confirm audience claim type", "CONFIRM_AUDIENCE_CLAIM_TYPE", &["IRSA009"], "the EKS token's `aud` is single-valued"),
    c("Security Warning – Missing condition key for oidc principal", "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", &["IRSA003"], "and broad `sub` patterns: IRSA004"),
    c("General Warning – Specific github repo and branch recommended", "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", &["IRSA004"], "the EKS analogue: a wildcard `sub` that any service account matches"),
    c("Security Warning – Missing github repo condition key", "MISSING_GITHUB_REPO_CONDITION_KEY", &[], "GitHub Actions OIDC, not IRSA: not checked"),
    c("Error – Invalid condition key format", "INVALID_CONDITION_KEY_FORMAT", &["IRSA006", "IRSA007"], "issuer keys: a provider other than the principal's, `https://` in the key"),
    c("Error – Invalid global condition key / Invalid service condition key / Unsupported global condition key", "INVALID_GLOBAL_CONDITION_KEY …", &[], "needs AWS's catalogue of condition keys per service, which is not shipped; identity-provider keys are checked by IRSA006"),
    c("General Warning – Deprecated global condition key", "DEPRECATED_GLOBAL_CONDITION_KEY", &[], "needs the catalogue of condition keys"),
    c("Error – Unsupported condition key for service principal", "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", &[], "needs the catalogue of condition keys per service"),
    c("Suggestion – Irrelevant condition key in policy", "IRRELEVANT_CONDITION_KEY_IN_POLICY", &[], "needs the catalogue of condition keys"),
    c("Suggestion – Recommended condition key for service principal", "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", &[], "needs the catalogue of condition keys"),
    c("Security Warning – Restrict access to service principal", "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", &[], "confused-deputy hardening for service principals (not IRSA); not checked: most AWS-managed service trusts would be reported"),
    c("Error – Invalid condition data type / Invalid condition multiple Boolean / General Warning – Type mismatch (Boolean, date, IP range, number, string)", "TYPE_MISMATCH …", &[], "IRSA trusts use string keys; not checked for other key types"),
    c("Error – Missing brace / quote in variable, Unsupported space in variable, Empty variable, Variable unsupported in element / version, Invalid variable for operator", "MISSING_BRACE_IN_VARIABLE …", &[], "policy variables: not checked"),
    c("Security Warning – Missing paired condition keys", "MISSING_PAIRED_CONDITION_KEYS", &[], "applies to key pairs such as `aws:SourceVpc`; none is used in IRSA trusts"),
    c("Suggestion – Empty array / object (action, condition, principal, resource), Empty Sid value", "EMPTY_ARRAY_ACTION …", &["IRSA026", "IRSA019"], "an empty `Action` or `Principal` is reported as missing"),
    c("Suggestion – Redundant action / statement / principal in role trust policy", "REDUNDANT_STATEMENT …", &[], "no effect on who can assume the role; not checked"),
    c("Error – Federated principal not supported", "FEDERATED_PRINCIPAL_NOT_SUPPORTED", &[], "does not apply: trust policies support federated principals"),
];

/// The section of docs/rules.md.
pub fn markdown() -> String {
    let mut out = String::from(
        "\n## Parity with IAM Access Analyzer\n\n\
         Every check of Access Analyzer `validate-policy` (IAM User Guide, \
         [Access Analyzer policy check reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)) \
         that applies to a role trust policy, and the rule that checks it offline.\n\n\
         | Access Analyzer check | issue code | rule | note |\n|---|---|---|---|\n",
    );
    for ch in CHECKS {
        let rules = if ch.rules.is_empty() {
            "—".to_string()
        } else {
            ch.rules
                .iter()
                .map(|r| format!("[{r}](#{})", r.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {} | `{}` | {rules} | {} |\n",
            ch.check, ch.issue_code, ch.note
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_named_rule_exists() {
        let codes: Vec<&str> = crate::rules::registry::builtin_rules()
            .iter()
            .map(|r| r.meta().code)
            .collect();
        for ch in super::CHECKS {
            for r in ch.rules {
                assert!(codes.contains(r), "{}: no rule {r}", ch.issue_code);
            }
            assert!(
                !ch.rules.is_empty() || !ch.note.is_empty(),
                "{}: say why it is not checked",
                ch.issue_code
            );
        }
    }
}
