//! Small helpers shared by the rules.

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::RuleMeta;
use crate::facts::trust_scope::EksTrust;
use crate::facts::{PolicyInput, SaOrigin, ServiceAccount, Workspace};
use crate::model::policy::{Condition, PolicyDocument, Spanned, Statement};
use crate::syntax::yaml::{Entry, Node, Span};

/// Whether an SA gets a role: a non-empty role annotation, or an eksctl SA (eksctl makes one).
pub fn sa_has_role(sa: &ServiceAccount) -> bool {
    sa.role_arn_value().is_some_and(|v| !v.trim().is_empty()) || sa.origin == SaOrigin::Eksctl
}

/// The SA's role annotation (or `attachRoleARN`) entry, else its name, as a related location.
pub fn sa_related(sa: &ServiceAccount, message: &str) -> Location {
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

/// Every parsed trust policy of the workspace, EKS or not (for the grammar rules: IAM refuses a
/// malformed document whatever it trusts). The trust rules read `Workspace::eks_trusts`.
pub fn trust_policies(ws: &Workspace) -> impl Iterator<Item = (&PolicyInput, &PolicyDocument)> {
    ws.policies
        .iter()
        .filter(|p| p.is_trust())
        .filter_map(|p| p.document().map(|d| (p, d)))
}

/// A finding at `span` of a policy, naming its role or custom resource.
pub fn policy_finding(
    meta: &RuleMeta,
    p: &PolicyInput,
    span: Span,
    message: impl Into<String>,
) -> Finding {
    let f = Finding::new(meta, message).at_span(&p.file, span);
    match p.object() {
        Some(o) => f.object(o),
        None => f,
    }
}

/// A related location inside a policy's file.
pub fn policy_related(p: &PolicyInput, span: Span, message: &str) -> Location {
    Location::new(&p.file, span).with_message(message)
}

/// `Principal.Federated` values that name an IAM OIDC provider.
pub fn oidc_federated(s: &Statement) -> Vec<&Spanned<String>> {
    s.principal.as_ref().map_or_else(Vec::new, |p| {
        p.federated()
            .into_iter()
            .filter(|v| v.value.contains(":oidc-provider/"))
            .collect()
    })
}

/// The checked Allow statements of an EKS trust for `sts:AssumeRoleWithWebIdentity` from an
/// OIDC provider.
pub fn oidc_statements<'a>(t: &'a EksTrust<'a>) -> impl Iterator<Item = &'a Statement> + 'a {
    t.statements().filter(|s| {
        s.allows_action(crate::model::trust::WEB_IDENTITY_ACTION) && !oidc_federated(s).is_empty()
    })
}

/// `<issuer>:<claim>` → `(issuer, claim)` for identity-provider keys (the prefix has `.` or `/`).
pub fn claim_key(key: &str) -> Option<(&str, &str)> {
    let (prefix, claim) = key.rsplit_once(':')?;
    // `${Issuer}:sub`: a CloudFormation variable left symbolic stands for the issuer.
    let symbolic = prefix.starts_with("${") && prefix.ends_with('}');
    (prefix.contains(['.', '/']) || symbolic).then_some((prefix, claim))
}

/// Is this condition on the OIDC claim `claim` (`sub`, `aud`)?
pub fn is_claim(c: &Condition, claim: &str) -> bool {
    claim_key(&c.key).is_some_and(|(_, k)| k.eq_ignore_ascii_case(claim))
}

/// A role trust policy rather than a resource policy (see `model::trust::scope::is_role_trust`).
pub fn is_role_trust(doc: &PolicyDocument) -> bool {
    crate::model::trust::scope::is_role_trust(doc)
}
