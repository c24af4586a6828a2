//! Is a trust statement about EKS workloads (IRSA, Pod Identity, Roles Anywhere)? A GitHub
//! Actions or Terraform Cloud OIDC trust gives `aud` and `sub` other meanings, and a SAML or
//! service trust is none of this tool's business: the trust rules check EKS statements only.

use crate::model::policy::{PolicyDocument, Statement};

use super::{POD_IDENTITY_SERVICE, ROLES_ANYWHERE_SERVICE};

/// What a trust statement is about, as far as the trust rules go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementScope {
    /// An EKS OIDC provider (`oidc.eks.<region>.amazonaws.com/id/…`), a Kubernetes subject
    /// (`system:serviceaccount:…`), `pods.eks.amazonaws.com` or `rolesanywhere.amazonaws.com`.
    Eks,
    /// A web identity trust whose provider is not recognisably EKS nor another known issuer (a
    /// self-hosted cluster's issuer, a host known only at deploy time): an EKS trust when a
    /// service account of the run uses the role.
    Unrecognised,
    /// Anything else: another identity provider (GitHub Actions, GitLab, …), SAML, an AWS
    /// principal, another service.
    Other,
}

/// OIDC issuers of other platforms, whose `aud` and `sub` mean other things (prefixes, lower case).
const OTHER_ISSUERS: &[&str] = &[
    "token.actions.githubusercontent.com",
    "app.terraform.io",
    "gitlab.com",
    "oidc.circleci.com",
    "api.bitbucket.org",
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "graph.facebook.com",
    "www.amazon.com",
    "vstoken.actions.githubusercontent.com",
    "vstoken.dev.azure.com",
    "sts.windows.net",
    "login.microsoftonline.com",
    "oidc.buildkite.com",
    "agent.buildkite.com",
    "token.actions.gitea",
    "oidc.vercel.com",
    "spacelift.io",
];

/// `oidc.eks.<region>.amazonaws.com[.cn]/id/<ID>` (a region or ID may be left symbolic).
pub fn is_eks_issuer(issuer: &str) -> bool {
    let lower = issuer.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("https://").unwrap_or(&lower);
    lower.starts_with("oidc.eks.") && lower.contains(".amazonaws.com") && lower.contains("/id/")
}

/// The issuer of another platform (GitHub Actions, GitLab, Terraform Cloud, Google, Cognito, …).
pub fn is_other_issuer(issuer: &str) -> bool {
    let lower = issuer.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("https://").unwrap_or(&lower);
    OTHER_ISSUERS.iter().any(|o| {
        lower == *o
            || lower
                .strip_prefix(o)
                .is_some_and(|rest| rest.starts_with('/'))
            || lower.ends_with(&format!(".{o}"))
    })
}

/// What the statement is about (see `StatementScope`).
pub fn statement_scope(s: &Statement) -> StatementScope {
    let services = s.principal.iter().flat_map(|p| p.services());
    if services.into_iter().any(|v| is_eks_service(&v.value)) || has_kubernetes_subject(s) {
        return StatementScope::Eks;
    }
    let issuers = issuers(s);
    if issuers.iter().any(|i| is_eks_issuer(i)) {
        return StatementScope::Eks;
    }
    let federated = s.principal.iter().flat_map(|p| p.federated());
    let web_identity = federated
        .into_iter()
        .any(|v| !v.value.contains(":saml-provider/"))
        || s.actions
            .iter()
            .any(|a| a.value.eq_ignore_ascii_case(super::WEB_IDENTITY_ACTION));
    if !web_identity || (!issuers.is_empty() && issuers.iter().all(|i| is_other_issuer(i))) {
        return StatementScope::Other;
    }
    StatementScope::Unrecognised
}

fn is_eks_service(v: &str) -> bool {
    v.eq_ignore_ascii_case(POD_IDENTITY_SERVICE) || v.eq_ignore_ascii_case(ROLES_ANYWHERE_SERVICE)
}

/// A `:sub` condition naming a Kubernetes service account.
fn has_kubernetes_subject(s: &Statement) -> bool {
    s.conditions
        .iter()
        .filter(|c| c.key.to_ascii_lowercase().ends_with(":sub"))
        .flat_map(|c| &c.values)
        .any(|v| v.value.starts_with("system:serviceaccount:"))
}

/// The issuers a statement names: OIDC provider ARNs (or bare Federated hosts) and the
/// `<issuer>:<claim>` prefixes of its condition keys.
fn issuers(s: &Statement) -> Vec<String> {
    let federated = s.principal.iter().flat_map(|p| p.federated());
    let from_federated = federated.filter_map(|v| {
        let value = v.value.trim();
        match value.rsplit_once(":oidc-provider/") {
            Some((_, issuer)) => Some(issuer.to_string()),
            None => (!value.starts_with("arn:") && value.contains('.')).then(|| value.to_string()),
        }
    });
    let aws = s.principal.iter().flat_map(|p| p.aws());
    let from_aws = aws.filter_map(|v| Some(v.value.rsplit_once(":oidc-provider/")?.1.to_string()));
    let from_keys = s.conditions.iter().filter_map(|c| {
        let (prefix, _) = c.key.rsplit_once(':')?;
        prefix.contains(['.', '/']).then(|| prefix.to_string())
    });
    from_federated.chain(from_aws).chain(from_keys).collect()
}

/// A role trust (assume-role) policy rather than a resource policy (a bucket, key, queue or
/// repository policy also names principals): every action it names is an `sts:` action or `*`.
pub fn is_role_trust(doc: &PolicyDocument) -> bool {
    doc.statements
        .iter()
        .flat_map(|s| s.actions.iter().chain(&s.not_actions))
        .all(|a| a.value == "*" || a.value.to_ascii_lowercase().starts_with("sts:"))
}
