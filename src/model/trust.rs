//! The trust-evaluation engine: would IAM let this identity assume the role?
//!
//! Real IAM semantics for trust policies: a statement applies when its Effect, principal, action
//! and all conditions match; an explicit Deny wins over any Allow.

use crate::model::arn::{
    parse_oidc_provider_arn, parse_templated, ArnKind, Field, TemplatedArn, UNKNOWN_ACCOUNT,
};
use crate::model::policy::{Effect, PolicyDocument, Principal, PrincipalType, Statement};
use crate::syntax::yaml::Span;

pub mod assume;
mod cond;
mod explain;
mod pod_identity;
pub mod scope;

use cond::{eval_condition, CondResult, Context};
pub use cond::{is_identity_provider_key, value_matches};
pub use pod_identity::{
    corrected_pod_identity_statement, evaluate_pod_identity, is_decidable, PodIdentityRequest,
    SESSION_TAGS,
};

pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";
pub const POD_IDENTITY_SERVICE: &str = "pods.eks.amazonaws.com";
pub const POD_IDENTITY_ACTIONS: &[&str] = &["sts:AssumeRole", "sts:TagSession"];
pub const ROLES_ANYWHERE_SERVICE: &str = "rolesanywhere.amazonaws.com";
pub const ROLES_ANYWHERE_ACTIONS: &[&str] =
    &["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";

/// A pod's web identity token, as IRSA presents it to STS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebIdentityRequest<'a> {
    /// Issuer as host/path, without `https://`.
    pub issuer: &'a str,
    /// Account of the OIDC provider; `None` accepts any.
    pub account: Option<&'a str>,
    /// `None` accepts any partition.
    pub partition: Option<&'a str>,
    pub namespace: &'a str,
    pub service_account: &'a str,
    pub audience: &'a str,
}

impl WebIdentityRequest<'_> {
    pub fn subject(&self) -> String {
        subject(self.namespace, self.service_account)
    }

    /// The provider ARN a matching `Principal.Federated` must name (`<account>` when unknown).
    pub fn provider_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:oidc-provider/{}",
            self.partition.unwrap_or("aws"),
            self.account.unwrap_or("<account>"),
            normalize_issuer(self.issuer)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Allow { statement: usize },
    Deny(Denial),
}

impl Verdict {
    pub fn is_allow(&self) -> bool {
        matches!(self, Verdict::Allow { .. })
    }

    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Verdict::Deny(d) => Some(d),
            Verdict::Allow { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Denial {
    ExplicitDeny {
        statement: usize,
    },
    /// Misses are ordered closest first.
    NoStatementAllows {
        misses: Vec<StatementMiss>,
    },
}

impl Denial {
    /// The statement that came nearest to allowing the request.
    pub fn closest(&self) -> Option<&StatementMiss> {
        match self {
            Denial::NoStatementAllows { misses } => misses.first(),
            Denial::ExplicitDeny { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatementMiss {
    pub statement: usize,
    pub reason: MissReason,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MissReason {
    /// A Deny statement (it can never allow).
    Effect,
    Principal {
        expected: String,
        found: Vec<String>,
    },
    Action {
        action: String,
    },
    Condition {
        operator: String,
        key: String,
        values: Vec<String>,
        /// The request's value; `None` when the key is missing or unknowable.
        actual: Option<String>,
        /// The condition key in the policy.
        span: Span,
        /// False when the key cannot be known offline (`aws:SourceArn`, ...).
        known: bool,
    },
}

impl MissReason {
    fn rank(&self) -> u8 {
        match self {
            MissReason::Condition { .. } => 3,
            MissReason::Action { .. } => 2,
            MissReason::Principal { .. } => 1,
            MissReason::Effect => 0,
        }
    }
}

enum Want<'a> {
    Federated(&'a WebIdentityRequest<'a>),
    Service(&'a str),
}

/// Would IAM allow `sts:AssumeRoleWithWebIdentity` for this token?
pub fn evaluate_web_identity(doc: &PolicyDocument, req: &WebIdentityRequest) -> Verdict {
    let issuer = normalize_issuer(req.issuer);
    let ctx = Context::default()
        .with(&format!("{issuer}:sub"), &req.subject())
        .with(&format!("{issuer}:aud"), req.audience);
    evaluate(doc, &Want::Federated(req), WEB_IDENTITY_ACTION, &ctx)
}

/// Would IAM let the service principal perform every one of `actions`?
pub fn evaluate_service(doc: &PolicyDocument, service: &str, actions: &[&str]) -> Verdict {
    evaluate_service_with_context(doc, service, actions, &[])
}

/// As `evaluate_service`, with known context keys (e.g. `aws:SourceArn`).
pub fn evaluate_service_with_context(
    doc: &PolicyDocument,
    service: &str,
    actions: &[&str],
    context: &[(&str, &str)],
) -> Verdict {
    let ctx = context
        .iter()
        .fold(Context::default(), |c, (k, v)| c.with(k, v));
    evaluate_actions(doc, service, actions, &ctx)
}

/// Every one of `actions` for the service principal, under one request context.
fn evaluate_actions(
    doc: &PolicyDocument,
    service: &str,
    actions: &[&str],
    ctx: &Context,
) -> Verdict {
    let mut first = None;
    for action in actions {
        match evaluate(doc, &Want::Service(service), action, ctx) {
            Verdict::Allow { statement } => {
                first.get_or_insert(statement);
            }
            deny => return deny,
        }
    }
    match first {
        Some(statement) => Verdict::Allow { statement },
        None => Verdict::Deny(Denial::NoStatementAllows { misses: Vec::new() }),
    }
}

fn evaluate(doc: &PolicyDocument, want: &Want, action: &str, ctx: &Context) -> Verdict {
    let mut allow = None;
    let mut misses: Vec<(u8, usize, StatementMiss)> = Vec::new();
    for stmt in &doc.statements {
        let miss = |reason| StatementMiss {
            statement: stmt.index,
            reason,
        };
        let deny = stmt.effect.value == Effect::Deny;
        if let Err((expected, found)) = principal_matches(stmt, want) {
            if !deny {
                misses.push((1, 0, miss(MissReason::Principal { expected, found })));
            } else {
                misses.push((0, 0, miss(MissReason::Effect)));
            }
            continue;
        }
        if !stmt.matches_action(action) {
            let reason = if deny {
                MissReason::Effect
            } else {
                MissReason::Action {
                    action: action.into(),
                }
            };
            misses.push((reason.rank(), 0, miss(reason)));
            continue;
        }
        let failed = failed_conditions(stmt, ctx);
        match (deny, failed.first()) {
            (true, None) => {
                return Verdict::Deny(Denial::ExplicitDeny {
                    statement: stmt.index,
                })
            }
            (true, Some(_)) => misses.push((0, 0, miss(MissReason::Effect))),
            (false, None) => {
                allow.get_or_insert(stmt.index);
            }
            (false, Some(first)) => misses.push((3, failed.len(), miss(first.clone()))),
        }
    }
    if let Some(statement) = allow {
        return Verdict::Allow { statement };
    }
    misses.sort_by_key(|(rank, failed, m)| (std::cmp::Reverse(*rank), *failed, m.statement));
    Verdict::Deny(Denial::NoStatementAllows {
        misses: misses.into_iter().map(|(_, _, m)| m).collect(),
    })
}

/// Failing conditions, knowable keys first.
fn failed_conditions(stmt: &Statement, ctx: &Context) -> Vec<MissReason> {
    let mut out: Vec<MissReason> = stmt
        .conditions
        .iter()
        .filter_map(|c| match eval_condition(c, ctx) {
            CondResult::Pass => None,
            CondResult::Fail { actual, known } => Some(MissReason::Condition {
                operator: c.operator.raw.clone(),
                key: c.key.clone(),
                values: c.values.iter().map(|v| v.value.clone()).collect(),
                actual,
                span: c.key_span,
                known,
            }),
        })
        .collect();
    out.sort_by_key(|r| !matches!(r, MissReason::Condition { known: true, .. }));
    out
}

fn principal_matches(stmt: &Statement, want: &Want) -> Result<(), (String, Vec<String>)> {
    let expected = match want {
        Want::Federated(req) => req.provider_arn(),
        Want::Service(s) => s.to_string(),
    };
    let ok = match (&stmt.principal, &stmt.not_principal) {
        (Some(p), _) => names(p, want),
        (None, Some(np)) => !names(np, want),
        (None, None) => false,
    };
    if ok {
        return Ok(());
    }
    let found = stmt
        .principal
        .iter()
        .chain(&stmt.not_principal)
        .flat_map(describe_principal)
        .collect();
    Err((expected, found))
}

fn describe_principal(p: &Principal) -> Vec<String> {
    if p.entries().is_empty() {
        return vec!["*".into()];
    }
    p.entries()
        .iter()
        .flat_map(|e| {
            let kind = match &e.kind {
                PrincipalType::Aws => "AWS",
                PrincipalType::Federated => "Federated",
                PrincipalType::Service => "Service",
                PrincipalType::CanonicalUser => "CanonicalUser",
                PrincipalType::Other(o) => o.as_str(),
            };
            e.values.iter().map(move |v| format!("{kind}: {}", v.value))
        })
        .collect()
}

/// Does the principal element name the wanted identity?
fn names(p: &Principal, want: &Want) -> bool {
    if p.is_wildcard() {
        return true;
    }
    match want {
        Want::Federated(req) => p.federated().iter().any(|v| {
            v.value == "*"
                || oidc_issuer_of(&v.value).is_some_and(|(part, acct, issuer)| {
                    issuer == normalize_issuer(req.issuer)
                        && req.account.is_none_or(|a| a == acct)
                        && req.partition.is_none_or(|want| want == part)
                })
        }),
        Want::Service(s) => p
            .services()
            .iter()
            .any(|v| v.value == "*" || v.value.eq_ignore_ascii_case(s)),
    }
}

/// Allow statements whose action can be `sts:AssumeRoleWithWebIdentity`.
pub fn web_identity_statements(doc: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    doc.statements
        .iter()
        .filter(|s| s.allows_action(WEB_IDENTITY_ACTION))
}

/// `(partition, account, issuer)` of an OIDC provider ARN. Parts set at deploy time stay as
/// written in the issuer; an account set at deploy time is `UNKNOWN_ACCOUNT`, a partition empty.
pub fn oidc_issuer_of(federated: &str) -> Option<(String, String, String)> {
    match parse_templated(federated.trim(), parse_oidc_provider_arn).ok()? {
        TemplatedArn::Known(arn) => match arn.kind {
            ArnKind::OidcProvider { issuer } => Some((arn.partition, arn.account, issuer)),
            _ => None,
        },
        TemplatedArn::Partly(p) => {
            let resource = match &p.resource {
                Field::Known(r) | Field::Deploy(r) => r,
            };
            let issuer = resource.strip_prefix("oidc-provider/")?;
            let partition = p.partition.known().unwrap_or_default();
            let account = p.account.known().unwrap_or(UNKNOWN_ACCOUNT);
            Some((partition.into(), account.into(), issuer.into()))
        }
        TemplatedArn::Wholly(_) => None,
    }
}

/// An issuer URL as IAM keys it: no `https://`, no trailing `/`.
pub fn normalize_issuer(issuer: &str) -> &str {
    let s = issuer.trim();
    let s = s.strip_prefix("https://").unwrap_or(s);
    s.trim_end_matches('/')
}

pub fn subject(namespace: &str, service_account: &str) -> String {
    format!("system:serviceaccount:{namespace}:{service_account}")
}

/// `system:serviceaccount:NS:SA` → `(NS, SA)`.
pub fn parse_subject(s: &str) -> Option<(&str, &str)> {
    let (ns, sa) = s.strip_prefix("system:serviceaccount:")?.split_once(':')?;
    (!ns.is_empty() && !sa.is_empty() && !sa.contains(':')).then_some((ns, sa))
}

/// A correct IRSA trust statement for one service account.
pub fn corrected_statement(
    issuer: &str,
    account: &str,
    partition: &str,
    namespace: &str,
    service_account: &str,
    audience: &str,
) -> serde_json::Value {
    let issuer = normalize_issuer(issuer);
    serde_json::json!({
        "Effect": "Allow",
        "Principal": {
            "Federated": format!("arn:{partition}:iam::{account}:oidc-provider/{issuer}")
        },
        "Action": WEB_IDENTITY_ACTION,
        "Condition": {
            "StringEquals": {
                format!("{issuer}:sub"): subject(namespace, service_account),
                format!("{issuer}:aud"): audience,
            }
        }
    })
}

#[cfg(test)]
mod tests;
