//! One unit of a lint run: a file, or one chart's render. Its file rules run while its text and
//! tree are in memory; afterwards only what workspace rules read is kept, so a run's memory
//! follows its service accounts, trust policies and findings, not the size of every file.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostics::finding::Finding;
use crate::facts::{
    Object, PodIdentityAssociation, PolicyInput, ServiceAccount, Workspace, AUDIENCE_ANNOTATION,
};
use crate::lint::suppress::Suppressions;
use crate::rules::candidate::{settle_in_file, Candidate};
use crate::rules::Rule;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind};

/// What a unit keeps once its file rules ran.
pub enum Keep {
    /// Everything: chart renders, which value tracing reads back, and standard input (their
    /// texts exist nowhere else).
    Everything,
    /// Service accounts and trust policies (slimmed), values files, and the texts of trust
    /// policies; other files keep their name and a fingerprint, to be read back if needed.
    WhatWorkspaceRulesRead,
}

pub struct UnitOutcome {
    /// Findings of the file rules.
    pub findings: Vec<Finding>,
    /// Findings waiting on a service account in another file.
    pub candidates: Vec<Candidate>,
    pub suppressions: Suppressions,
    /// What workspace rules, rule packs and value tracing read later.
    pub retained: Workspace,
}

/// Units with more service accounts, policies and objects than this run their rules in
/// parallel (a Terraform root module or a chart with hundreds of roles); a file's unit does not.
const PARALLEL_RULES_AT: usize = 256;

/// Run `rules` (file rules) over one unit.
pub fn lint_unit(ws: Workspace, rules: &[&dyn Rule], keep: Keep) -> UnitOutcome {
    let run = |rule: &&dyn Rule| {
        let mut findings = Vec::new();
        let mut candidates = Vec::new();
        rule.check(&ws, &mut findings);
        rule.candidates(&ws, &mut candidates);
        (findings, candidates)
    };
    let size = ws.service_accounts.len() + ws.policies.len() + ws.objects.len();
    let per_rule: Vec<_> = if size >= PARALLEL_RULES_AT {
        use rayon::prelude::*;
        rules.par_iter().map(run).collect()
    } else {
        rules.iter().map(run).collect()
    };
    // In rule order, as if run one after the other.
    let (mut findings, mut candidates) = (Vec::new(), Vec::new());
    for (mut f, mut c) in per_rule {
        findings.append(&mut f);
        candidates.append(&mut c);
    }
    let mut candidates = settle_in_file(&ws, candidates, &mut findings);
    let suppressions = Suppressions::collect(&ws);
    let retained = match keep {
        Keep::Everything => ws,
        Keep::WhatWorkspaceRulesRead => slim(ws, &mut candidates),
    };
    UnitOutcome {
        findings,
        candidates,
        suppressions,
        retained,
    }
}

/// Display paths that findings point into (primary, related and fix locations).
pub fn pointed_files<'a>(findings: impl Iterator<Item = &'a Finding>) -> HashSet<&'a str> {
    let mut out = HashSet::new();
    for f in findings {
        let fixes = f
            .fix
            .iter()
            .flat_map(|x| x.replacements.iter().map(|r| &r.location));
        for loc in f.location.iter().chain(&f.related).chain(fixes) {
            out.insert(loc.path.as_str());
        }
    }
    out
}

fn slim(ws: Workspace, candidates: &mut [Candidate]) -> Workspace {
    // Trust policies, and the permission policies of named roles (IRSA024 keeps those of the
    // roles pods assume, which may be decided by another file).
    let (trust, permissions): (Vec<PolicyInput>, Vec<PolicyInput>) = ws
        .policies
        .into_iter()
        .filter(|p| p.is_trust() || p.role_name.is_some())
        .partition(|p| p.is_trust());
    // Workspace rules point into trust policies and build fixes from their text. Other files
    // that findings point into are read back at the end (`LintResult::read_back_texts`).
    let pinned: HashSet<&str> = trust.iter().map(|p| p.file.display.as_str()).collect();
    let files: HashMap<String, Arc<SourceFile>> = ws
        .files
        .iter()
        .map(|f| {
            let kept = if pinned.contains(f.display.as_str()) {
                f.clone()
            } else {
                Arc::new(f.without_text())
            };
            (f.display.clone(), kept)
        })
        .collect();
    let remap = |file: &Arc<SourceFile>| files.get(&file.display).cloned().unwrap_or(file.clone());
    for c in candidates.iter_mut() {
        c.file = remap(&c.file);
    }
    let service_accounts = ws
        .service_accounts
        .into_iter()
        .map(|sa| ServiceAccount {
            object: Object {
                file: remap(&sa.object.file),
                node: slim_sa_node(&sa.object),
                ..sa.object
            },
            ..sa
        })
        .collect();
    let associations = ws
        .pod_identity_associations
        .into_iter()
        .map(|a| PodIdentityAssociation {
            file: remap(&a.file),
            ..a
        })
        .collect();
    let policies = trust
        .into_iter()
        .chain(permissions.into_iter().map(|p| PolicyInput {
            file: remap(&p.file),
            ..p
        }))
        .map(|p| PolicyInput {
            // Workspace rules read the parsed document; the raw tree only for its span.
            node: Node {
                kind: NodeKind::Map(Vec::new()),
                span: p.node.span,
            },
            ..p
        })
        .collect();
    let mut files: Vec<Arc<SourceFile>> = files.into_values().collect();
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let mut out = Workspace::default();
    out.files = files;
    out.service_accounts = service_accounts;
    out.policies = policies;
    out.charts = ws.charts;
    out.pod_identity_associations = associations;
    out.unlisted_accounts = ws.unlisted_accounts;
    out
}

/// A service account's node as workspace rules read it: its name's span and its audience.
fn slim_sa_node(sa: &Object) -> Node {
    if sa.annotation(AUDIENCE_ANNOTATION).is_some() {
        sa.node.keep_paths(&[
            &["metadata", "name"],
            &["metadata", "annotations", AUDIENCE_ANNOTATION],
        ])
    } else {
        // An empty mapping at the name: `Object::name_span` falls back to the node's span.
        Node {
            kind: NodeKind::Map(Vec::new()),
            span: sa.name_span(),
        }
    }
}
