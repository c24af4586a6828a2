//! The one place that decides which trust policies, and which of their statements, the trust
//! rules check: EKS trusts (see `model::trust::scope`), plus web identity statements of an
//! unrecognised provider when a service account of the run uses the role (`trust_pairs`).
//! Resource policies (bucket, key, queue, topic, repository) are never trusts here.

use std::collections::HashMap;

use crate::facts::{PolicyInput, Workspace};
use crate::model::policy::{PolicyDocument, Statement};
use crate::model::trust::scope::{is_role_trust, statement_scope, StatementScope};

/// A role trust policy with at least one statement the trust rules check.
pub struct EksTrust<'a> {
    pub policy: &'a PolicyInput,
    pub doc: &'a PolicyDocument,
    /// A service account of the run carries this role.
    pub paired: bool,
}

impl<'a> EksTrust<'a> {
    /// The statements checked: EKS ones, and unrecognised web identity ones of a paired role.
    pub fn statements(&self) -> impl Iterator<Item = &'a Statement> + '_ {
        let doc: &'a PolicyDocument = self.doc;
        doc.statements
            .iter()
            .filter(move |s| is_checked(statement_scope(s), self.paired))
    }
}

fn is_checked(scope: StatementScope, paired: bool) -> bool {
    match scope {
        StatementScope::Eks => true,
        StatementScope::Unrecognised => paired,
        StatementScope::Other => false,
    }
}

impl Workspace {
    /// Every role trust policy the trust rules check, in workspace order.
    pub fn eks_trusts(&self) -> Vec<EksTrust<'_>> {
        let paired = self.paired_trusts.get_or_init(|| {
            let at: HashMap<*const PolicyInput, usize> = (self.policies.iter().enumerate())
                .map(|(i, p)| (p as *const PolicyInput, i))
                .collect();
            (self.trust_pairs().iter())
                .filter_map(|p| at.get(&(p.policy as *const PolicyInput)).copied())
                .collect()
        });
        let mut out = Vec::new();
        for (i, policy) in self.policies.iter().enumerate() {
            if !policy.is_trust() {
                continue;
            }
            let Some(doc) = policy.document().filter(|d| is_role_trust(d)) else {
                continue;
            };
            let trust = EksTrust {
                policy,
                doc,
                paired: paired.contains(&i),
            };
            if trust.statements().next().is_some() {
                out.push(trust);
            }
        }
        out
    }
}
