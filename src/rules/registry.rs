//! The one list of built-in rules.

use crate::rules::{
    duplicate_policy_key, input_error, legacy_iam_annotation, sa_annotation_value,
    static_credentials, token_unreadable, trust_policy_size, Rule, RuleInfo,
};

/// Every built-in offline rule, in code order.
pub fn builtin_rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(input_error::InputError),
        Box::new(duplicate_policy_key::DuplicatePolicyKey),
        Box::new(trust_policy_size::TrustPolicySize),
        Box::new(sa_annotation_value::SaAnnotationValue),
        Box::new(static_credentials::StaticCredentialsWithIrsa),
        Box::new(token_unreadable::TokenUnreadableNonRoot),
        Box::new(legacy_iam_annotation::LegacyIamAnnotation),
        Box::new(input_error::ConfigError),
    ]
}

/// Metadata for every rule (offline and live), for `rules`, `explain` and SARIF.
pub fn all_rule_infos() -> Vec<RuleInfo> {
    let mut infos: Vec<RuleInfo> = builtin_rules()
        .iter()
        .map(|r| RuleInfo::from_meta(r.meta(), "built-in"))
        .collect();
    infos.sort_by(|a, b| a.code.cmp(&b.code));
    infos
}
