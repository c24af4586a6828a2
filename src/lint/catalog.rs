//! Every rule of the tool: built-in offline, built-in live, and rule-pack rules, as
//! `kubectl irsa rules`, `explain` and the SARIF rule table list them.

use crate::diagnostics::RuleInfo;

pub fn all_rule_infos() -> Vec<RuleInfo> {
    let mut infos: Vec<RuleInfo> = crate::rules::registry::builtin_rules()
        .iter()
        .map(|r| RuleInfo::from_meta(r.meta(), "built-in"))
        .chain(
            crate::doctor::live_rule_metas()
                .into_iter()
                .map(|m| RuleInfo::from_meta(m, "built-in (live)")),
        )
        .collect();
    infos.sort_by(|a, b| a.code.cmp(&b.code));
    infos
}

/// Every rule, plus the rules of the built-in and `--rules DIR` packs (source = the pack file).
pub fn all_rule_infos_with(rule_dirs: &[std::path::PathBuf]) -> Vec<RuleInfo> {
    all_rule_infos_from(&crate::rules::packs::PackSet::load(rule_dirs))
}

/// Every rule, plus the rules of packs that are already loaded.
pub fn all_rule_infos_from(packs: &crate::rules::packs::PackSet) -> Vec<RuleInfo> {
    let mut infos = all_rule_infos();
    infos.extend(packs.rule_infos());
    infos.sort_by(|a, b| a.code.cmp(&b.code));
    infos
}
