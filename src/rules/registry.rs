//! The one list of built-in rules.

use crate::rules::{
    audience_mismatch, broad_permissions, broad_sub_wildcard, duplicate_policy_key,
    duplicate_role_annotation, for_any_value_claim, https_condition_key, invalid_policy_document,
    invalid_role_arn, legacy_iam_annotation, missing_sub_condition, provider_account_mismatch,
    provider_key_mismatch, roles_anywhere_config, sa_annotation_value, same_key_anded,
    static_credentials, token_unreadable, trust_policy_grammar, trust_policy_size,
    trust_sub_mismatch, wildcard_string_equals, wrong_principal_action, Rule,
};

/// Every built-in offline rule, in code order.
pub fn builtin_rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(crate::diagnostics::input::InputError),
        Box::new(invalid_role_arn::InvalidRoleArn),
        Box::new(wildcard_string_equals::WildcardInStringEquals),
        Box::new(missing_sub_condition::MissingSubCondition),
        Box::new(broad_sub_wildcard::BroadSubWildcard),
        Box::new(audience_mismatch::AudienceMismatch),
        Box::new(provider_key_mismatch::ProviderKeyMismatch),
        Box::new(https_condition_key::HttpsInConditionKey),
        Box::new(wrong_principal_action::WrongPrincipalAction),
        Box::new(for_any_value_claim::ForAnyValueOnClaim),
        Box::new(duplicate_policy_key::DuplicatePolicyKey),
        Box::new(trust_policy_size::TrustPolicySize),
        Box::new(sa_annotation_value::SaAnnotationValue),
        Box::new(static_credentials::StaticCredentialsWithIrsa),
        Box::new(token_unreadable::TokenUnreadableNonRoot),
        Box::new(legacy_iam_annotation::LegacyIamAnnotation),
        Box::new(crate::diagnostics::input::ConfigError),
        Box::new(trust_sub_mismatch::TrustSubMismatch),
        Box::new(invalid_policy_document::InvalidPolicyDocument),
        Box::new(crate::diagnostics::input::ChartNotRendered),
        Box::new(same_key_anded::SameKeyAnded),
        Box::new(roles_anywhere_config::RolesAnywhereConfig),
        Box::new(duplicate_role_annotation::DuplicateRoleAnnotation),
        Box::new(broad_permissions::BroadPermissions),
        Box::new(crate::rules::packs::RulePackError),
        Box::new(provider_account_mismatch::ProviderAccountMismatch),
        Box::new(trust_policy_grammar::TrustPolicyGrammar),
        Box::new(crate::diagnostics::input::TerraformNotChecked),
        Box::new(crate::diagnostics::input::KustomizeNotBuilt),
        Box::new(crate::diagnostics::input::KustomizationError),
        Box::new(crate::diagnostics::input::TemplateNotLinted),
        Box::new(crate::diagnostics::input::DeployTimePlaceholder),
        Box::new(crate::rules::values_key_typo::ValuesKeyTypo),
        Box::new(crate::rules::role_arn_ignored_key::RoleArnIgnoredKey),
        Box::new(crate::rules::role_arn_annotation_key::RoleArnAnnotationKey),
    ]
}
