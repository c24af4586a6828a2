//! The policies well-known add-ons document for their pod role (`data/addon_policies.yaml`): a
//! statement within one of their statements is what the add-on's project asks for.

use std::sync::OnceLock;

use crate::model::glob::glob_match_ignore_case;
use crate::model::policy::{parse_policy, Condition, Spanned, Statement};
use crate::syntax::yaml;

const DATA: &str = include_str!("../data/addon_policies.yaml");

pub struct Addon {
    pub name: String,
    /// `owner/repo path` of the documented policy.
    pub source: String,
    pub statements: Vec<Statement>,
}

pub fn addons() -> &'static [Addon] {
    static ADDONS: OnceLock<Vec<Addon>> = OnceLock::new();
    ADDONS.get_or_init(|| {
        let stream = yaml::parse(DATA);
        let root = stream.documents.first().map(|d| &d.root);
        root.and_then(|r| r.as_seq())
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                Some(Addon {
                    name: item.str_at(&["addon"])?.to_string(),
                    source: item.str_at(&["source"])?.to_string(),
                    statements: parse_policy(item).ok()?.statements,
                })
            })
            .collect()
    })
}

/// Some add-on documents `action` in a statement at least as broad as `s` (its resources cover
/// those of `s`, and `s` carries each of its conditions, with no other values).
pub fn is_documented(s: &Statement, action: &str) -> bool {
    addons()
        .iter()
        .flat_map(|a| &a.statements)
        .any(|d| d.allows_action(action) && covers_resources(d, s) && conditions_within(d, s))
}

fn covers_resources(doc: &Statement, s: &Statement) -> bool {
    !s.resources.is_empty()
        && s.resources.iter().all(|r| {
            doc.resources
                .iter()
                .any(|d| glob_match_ignore_case(&any_partition(&d.value), &any_partition(&r.value)))
        })
}

/// `arn:aws-cn:…`, `arn:aws-us-gov:…` are compared as `arn:aws:…`.
fn any_partition(arn: &str) -> String {
    match arn.strip_prefix("arn:").and_then(|r| r.split_once(':')) {
        Some((_, rest)) => format!("arn:aws:{rest}"),
        None => arn.to_string(),
    }
}

fn conditions_within(doc: &Statement, s: &Statement) -> bool {
    doc.conditions
        .iter()
        .all(|d| s.conditions.iter().any(|c| same_test(d, c)))
}

fn same_test(doc: &Condition, c: &Condition) -> bool {
    doc.operator == c.operator
        && doc.key.eq_ignore_ascii_case(&c.key)
        && c.values
            .iter()
            .all(|v| doc.values.iter().any(|d| d.value == v.value))
}

/// The add-on whose documented policy a statement with these broad actions stands for: among the
/// add-ons that use the actions' services, the one that documents most of `policy_actions`, or
/// the only one.
pub fn addon_for<'a>(broad: &[&Spanned<String>], policy_actions: &[&str]) -> Option<&'a Addon> {
    let services: Vec<&str> = broad.iter().filter_map(|a| service(&a.value)).collect();
    let candidates: Vec<&Addon> = addons()
        .iter()
        .filter(|a| actions(a).any(|x| services.iter().any(|s| service(x) == Some(s))))
        .collect();
    let known = |a: &Addon| {
        policy_actions
            .iter()
            .filter(|p| actions(a).any(|x| x.eq_ignore_ascii_case(p)))
            .count()
    };
    let best = candidates.iter().copied().max_by_key(|a| known(a));
    match best {
        Some(a) if known(a) > 0 => Some(a),
        _ if candidates.len() == 1 => candidates.first().copied(),
        _ => None,
    }
}

/// What the add-on documents for the services of `broad`, for a help text.
pub fn documented_shape(addon: &Addon, broad: &[&Spanned<String>]) -> String {
    let mut services: Vec<&str> = broad.iter().filter_map(|a| service(&a.value)).collect();
    services.sort_unstable();
    services.dedup();
    let in_services = |x: &&str| services.iter().any(|s| service(x) == Some(s));
    let mut named: Vec<&str> = actions(addon).filter(in_services).collect();
    let mut seen = std::collections::HashSet::new();
    named.retain(|x| seen.insert(x.to_ascii_lowercase()));
    // Writes first: they are what a broad statement is compared with.
    named.sort_by_key(|x| !super::statement::is_write(x));
    let mut keys: Vec<&str> = addon
        .statements
        .iter()
        .filter(|s| s.actions.iter().any(|a| in_services(&a.value.as_str())))
        .flat_map(|s| s.conditions.iter().map(|c| c.key.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let scoped = if keys.is_empty() {
        String::new()
    } else {
        format!(", its writes scoped by {}", code_list(&keys, 3))
    };
    format!(
        "the {} policy as documented ({}) names {} {} actions ({}){scoped}; start from it",
        addon.name,
        addon.source,
        named.len(),
        services.join("/"),
        code_list(&named, 3)
    )
}

fn actions(a: &Addon) -> impl Iterator<Item = &str> {
    a.statements
        .iter()
        .flat_map(|s| s.actions.iter().map(|x| x.value.as_str()))
}

fn service(action: &str) -> Option<&str> {
    action.split_once(':').map(|(s, _)| s).filter(|s| *s != "*")
}

/// `` `a`, `b`, `c` and 4 more ``.
pub fn code_list(items: &[&str], first: usize) -> String {
    let shown: Vec<String> = items.iter().take(first).map(|i| format!("`{i}`")).collect();
    match items.len().saturating_sub(first) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_policy_is_read() {
        let names: Vec<&str> = addons().iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), 5, "{names:?}");
        assert!(addons().iter().all(|a| !a.statements.is_empty()));
    }
}
