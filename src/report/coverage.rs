//! The coverage summary of a lint run: what was read, which pairs were checked, and what was not
//! checked, grouped by reason. Human output ends with it; JSON and SARIF carry it as data.
//!
//! "Could not check" notes (a chart not rendered, a template, a value set at deploy time …) are
//! rolled into it instead of being printed one finding each; `--verbose` lists every item.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diagnostics::finding::{Finding, Severity};

/// How many names of a group are kept (and printed) without `--verbose`.
pub const NAMES_SHOWN: usize = 5;

/// The codes whose notes say that something was not checked, and what each group is called.
const UNCHECKED: &[(&str, &str)] = &[
    ("IRSA000", "inputs not read"),
    ("IRSA020", "charts not rendered (values checked statically)"),
    ("IRSA030", "Terraform values not known offline"),
    ("IRSA050", "kustomizations not built (walked statically)"),
    (
        "IRSA051",
        "kustomization resources generated at deploy time",
    ),
    ("IRSA052", "template files not linted"),
    ("IRSA053", "values set at deploy time"),
    ("IRSA054", "sources outside the linted tree"),
    ("IRSA055", "generators or templates not expanded"),
    (
        "IRSA056",
        "files not read (not parseable, not IAM or Kubernetes)",
    ),
    (
        "IRSA057",
        "Pulumi programs and CDK apps not run (lint their export or synth output)",
    ),
    ("IRSA058", "operator service accounts not known in full"),
];

/// What a group of "not checked" items is called, when `f` is one.
pub fn unchecked_group(f: &Finding) -> Option<&'static str> {
    if f.severity != Severity::Note {
        return None;
    }
    UNCHECKED
        .iter()
        .find(|(code, _)| *code == f.code)
        .map(|(_, what)| *what)
}

/// A role checked against a service account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CheckedPair {
    pub role: String,
    /// `namespace/name`.
    pub service_account: String,
    /// `irsa` or `pod-identity`.
    pub via: &'static str,
}

/// Items not checked for one reason.
#[derive(Debug, Clone, Serialize)]
pub struct NotChecked {
    pub code: String,
    pub what: &'static str,
    pub count: usize,
    /// The first names (every name with `--verbose`).
    pub items: Vec<String>,
}

/// The findings of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub code: String,
    pub name: String,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

/// The coverage of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub files: usize,
    pub service_accounts: usize,
    pub trust_policies: usize,
    pub pod_identity_associations: usize,
    /// Every pair checked (capped like `items` without `--verbose`), and their number.
    pub checked_pairs: usize,
    pub checked: Vec<CheckedPair>,
    /// Service accounts a role of the run trusts by name that the run does not create (the
    /// trust-side check, IRSA028, cannot see what they use), and their number.
    #[serde(skip_serializing_if = "is_zero")]
    pub trusted_outside_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_outside: Vec<CheckedPair>,
    pub not_checked: Vec<NotChecked>,
    pub by_rule: Vec<RuleCount>,
    #[serde(skip)]
    pub verbose: bool,
    /// Every pair, uncapped, with its provider (the graph of `markdown` and `dot`).
    #[serde(skip)]
    pub graph: Vec<super::graph::GraphPair>,
}

impl Coverage {
    /// Take the "not checked" notes out of `findings` into groups (with `--verbose` they stay
    /// findings too, each with its place), and count the findings by rule.
    pub fn absorb(&mut self, findings: &mut Vec<Finding>) {
        let mut groups: BTreeMap<&str, NotChecked> = BTreeMap::new();
        let verbose = self.verbose;
        findings.retain(|f| {
            let Some(what) = unchecked_group(f) else {
                return true;
            };
            let group = groups.entry(what).or_insert_with(|| NotChecked {
                code: f.code.clone(),
                what,
                count: 0,
                items: Vec::new(),
            });
            group.count += 1;
            if verbose || group.items.len() < NAMES_SHOWN {
                group.items.push(item_name(f));
            }
            verbose
        });
        let mut ordered: Vec<NotChecked> = groups.into_values().collect();
        ordered.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
        self.not_checked = ordered;
        self.by_rule = count_by_rule(findings);
    }

    /// Record the pairs checked (sorted, de-duplicated), keeping the first few without `verbose`.
    pub fn set_checked(&mut self, mut pairs: Vec<CheckedPair>) {
        pairs.sort();
        pairs.dedup();
        self.checked_pairs = pairs.len();
        if !self.verbose {
            pairs.truncate(NAMES_SHOWN);
        }
        self.checked = pairs;
    }

    /// Record the trusted accounts the run does not create, like the checked pairs.
    pub fn set_trusted_outside(&mut self, mut pairs: Vec<CheckedPair>) {
        pairs.sort();
        pairs.dedup();
        self.trusted_outside_count = pairs.len();
        if !self.verbose {
            pairs.truncate(NAMES_SHOWN);
        }
        self.trusted_outside = pairs;
    }

    /// The block printed at the end of human output.
    pub fn human_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Read {}: {}, {}, {}.",
            plural(self.files, "file"),
            plural(self.service_accounts, "service account"),
            plural(self.trust_policies, "trust policy"),
            plural(self.pod_identity_associations, "Pod Identity association"),
        );
        if self.checked_pairs == 0 {
            let _ = writeln!(s, "Checked no role against a service account: no role in the run is carried by a service account in the run.");
        } else {
            let shown: Vec<String> = self.checked.iter().map(pair_label).collect();
            let _ = writeln!(
                s,
                "Checked {}: {}",
                plural(self.checked_pairs, "role/service-account pair"),
                with_more(&shown, self.checked_pairs)
            );
        }
        if self.trusted_outside_count > 0 {
            let shown: Vec<String> = self.trusted_outside.iter().map(pair_label).collect();
            let _ = writeln!(
                s,
                "Trusted by a role of the run but created outside it (what they use is not known): {}: {}",
                plural(self.trusted_outside_count, "service account"),
                with_more(&shown, self.trusted_outside_count)
            );
        }
        if !self.not_checked.is_empty() {
            let _ = writeln!(s, "Not checked:");
            for g in &self.not_checked {
                let _ = writeln!(
                    s,
                    "  {} {} ({}): {}",
                    g.count,
                    g.what,
                    g.code,
                    with_more(&g.items, g.count)
                );
            }
            if !self.verbose && self.not_checked.iter().any(|g| g.count > g.items.len()) {
                let _ = writeln!(s, "  (--verbose lists every item)");
            }
        }
        if !self.by_rule.is_empty() {
            let counts: Vec<String> = self.by_rule.iter().map(rule_label).collect();
            let _ = writeln!(s, "By rule: {}", counts.join(", "));
        }
        s
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `1 file`, `2 files`, `3 trust policies`.
fn plural(n: usize, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("{n} {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {word}s"),
    }
}

fn pair_label(p: &CheckedPair) -> String {
    let via = if p.via == "pod-identity" {
        " (Pod Identity)"
    } else {
        ""
    };
    format!("{} ↔ {}{via}", p.role, p.service_account)
}

fn rule_label(r: &RuleCount) -> String {
    let parts: Vec<String> = [
        (r.errors, "error"),
        (r.warnings, "warning"),
        (r.notes, "note"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}{}", if *n == 1 { "" } else { "s" }))
    .collect();
    format!("{} {}", r.code, parts.join(" + "))
}

/// `a, b, c, … and 4 more`.
fn with_more(shown: &[String], total: usize) -> String {
    let mut s = shown.join(", ");
    if total > shown.len() {
        let _ = write!(s, ", … and {} more", total - shown.len());
    }
    s
}

/// How an unchecked item is named: its object (else the first name its message quotes), and
/// its place.
fn item_name(f: &Finding) -> String {
    let quoted = f.message.split('`').nth(1).filter(|q| !q.is_empty());
    let name = f.object.as_ref().map(|o| o.name.as_str()).or(quoted);
    match (name, &f.location) {
        (Some(n), Some(l)) => format!("{n} ({}:{})", l.path, l.line),
        (Some(n), None) => n.to_string(),
        (None, Some(l)) => format!("{}:{}", l.path, l.line),
        (None, None) => f.message.clone(),
    }
}

/// Findings per rule, in code order.
pub fn count_by_rule(findings: &[Finding]) -> Vec<RuleCount> {
    let mut by: BTreeMap<&str, RuleCount> = BTreeMap::new();
    for f in findings {
        let c = by.entry(&f.code).or_insert_with(|| RuleCount {
            code: f.code.clone(),
            name: f.name.clone(),
            errors: 0,
            warnings: 0,
            notes: 0,
        });
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Note => c.notes += 1,
        }
    }
    by.into_values().collect()
}
