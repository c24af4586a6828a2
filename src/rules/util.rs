//! Small helpers shared by the rules.

use crate::input::yaml::{Entry, Node};
use crate::workspace::{SaOrigin, ServiceAccount, Workload, Workspace};

/// The service account a workload runs as, when the workspace defines it.
pub fn workload_sa<'a>(ws: &'a Workspace, w: &Workload) -> Option<&'a ServiceAccount> {
    let namespace = w.object.effective_namespace("default");
    let (name, _) = w.service_account();
    ws.service_accounts
        .iter()
        .find(|sa| sa.object.name == name && sa.object.effective_namespace("default") == namespace)
}

/// Whether an SA gets a role: a non-empty role annotation, or an eksctl SA (eksctl makes one).
pub fn sa_has_role(sa: &ServiceAccount) -> bool {
    sa.role_arn_value().is_some_and(|v| !v.trim().is_empty()) || sa.origin == SaOrigin::Eksctl
}

/// The workload's SA when that SA carries a role.
pub fn workload_role_sa<'a>(ws: &'a Workspace, w: &Workload) -> Option<&'a ServiceAccount> {
    workload_sa(ws, w).filter(|sa| sa_has_role(sa))
}

/// The SA's role annotation (or `attachRoleARN`) entry, else its name, as a related location.
pub fn sa_related(sa: &ServiceAccount, message: &str) -> crate::report::finding::Location {
    let span = sa
        .role_arn
        .as_ref()
        .map_or_else(|| sa.object.name_span(), |e| e.key.span.to(e.value.span));
    sa.object.location(span).with_message(message)
}

/// Entries of a mapping (empty when the node is not one).
pub fn entries(node: Option<&Node>) -> &[Entry] {
    node.and_then(Node::as_map).unwrap_or_default()
}

/// Items of a sequence (empty when the node is not one).
pub fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or_default()
}
