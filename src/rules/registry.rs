//! The one list of built-in rules.

use crate::rules::{input_error, trust_sub_mismatch, Rule, RuleInfo};

/// Every built-in offline rule, in code order.
pub fn builtin_rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(input_error::InputError),
        Box::new(input_error::ConfigError),
        Box::new(trust_sub_mismatch::TrustSubMismatch),
        Box::new(crate::helm::ChartNotRendered),
        Box::new(crate::packs::RulePackError),
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

/// Every rule, plus the rules of the built-in and `--rules DIR` packs (source = the pack file).
pub fn all_rule_infos_with(rule_dirs: &[std::path::PathBuf]) -> Vec<RuleInfo> {
    let mut infos = all_rule_infos();
    infos.extend(crate::packs::pack_rule_infos(rule_dirs));
    infos.sort_by(|a, b| a.code.cmp(&b.code));
    infos
}
