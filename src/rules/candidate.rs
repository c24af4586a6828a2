//! Workload findings that hold only if the workload's service account carries a role.
//!
//! The account may be in a file not read yet, so such a finding waits as a small [`Candidate`]
//! (no message text, the file shared) until it can be settled: at once when the account is in the
//! workload's own file, else when every file is read.

use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location, ObjectRef};
use crate::facts::{ServiceAccount, Workload, Workspace};
use crate::rules::util::{sa_has_role, sa_related};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

/// Builds the finding of a settled candidate (the rule supplies message and help).
pub type BuildFinding = fn(&Candidate) -> Finding;

pub struct Candidate {
    pub build: BuildFinding,
    /// The workload's file; after its unit, the text-less copy.
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// The workload; the service account is in its namespace (`default` when unset).
    pub object: ObjectRef,
    pub sa_name: Box<str>,
    /// What the rule needs for its message (a container and variable, a securityContext key).
    pub detail: Box<str>,
}

impl Candidate {
    pub fn new(build: BuildFinding, w: &Workload, span: Span, detail: impl Into<Box<str>>) -> Self {
        Candidate {
            build,
            file: w.object.file.clone(),
            span,
            object: w.object.object_ref(),
            sa_name: w.service_account().0.into(),
            detail: detail.into(),
        }
    }

    fn settle(&self, sa: Option<&ServiceAccount>) -> Option<Finding> {
        let sa = sa.filter(|sa| sa_has_role(sa))?;
        Some(
            (self.build)(self)
                .at(Location::new(&self.file, self.span))
                .related(sa_related(sa, "the service account's role"))
                .object(self.object.clone()),
        )
    }

    /// The account the whole run picks: the one in the workload's file, else the first read.
    fn account<'a>(&self, ws: &'a Workspace) -> Option<&'a ServiceAccount> {
        let namespace = self.object.namespace.as_deref().unwrap_or("default");
        ws.service_account_named(namespace, &self.sa_name, &self.file.display)
    }
}

/// Settle the candidates whose service account is in the workload's own file (no later file can
/// change the answer); the others are returned to wait.
pub fn settle_in_file(
    ws: &Workspace,
    candidates: Vec<Candidate>,
    out: &mut Vec<Finding>,
) -> Vec<Candidate> {
    let mut waiting = Vec::new();
    for c in candidates {
        match c
            .account(ws)
            .filter(|sa| sa.object.file.display == c.file.display)
        {
            Some(sa) => out.extend(c.settle(Some(sa))),
            None => waiting.push(c),
        }
    }
    waiting
}

/// Settle every waiting candidate against all the service accounts read.
pub fn settle_all(ws: &Workspace, candidates: Vec<Candidate>) -> Vec<Finding> {
    candidates
        .iter()
        .filter_map(|c| c.settle(c.account(ws)))
        .collect()
}
