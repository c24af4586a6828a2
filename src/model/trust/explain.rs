//! Human explanations of why a trust policy denies a request.

use std::fmt;

use super::{is_identity_provider_key, Denial, MissReason, StatementMiss};

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::ExplicitDeny { statement } => write!(
                f,
                "statement {statement} explicitly denies it (an explicit Deny overrides any Allow)"
            ),
            Denial::NoStatementAllows { .. } => match self.closest() {
                Some(miss) => miss.fmt(f),
                None => f.write_str("no statement in the policy allows it"),
            },
        }
    }
}

fn quoted_list(values: &[String]) -> String {
    let q: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match q.len() {
        0 => "(no values)".into(),
        1 => q[0].clone(),
        _ => format!("one of {}", q.join(", ")),
    }
}

impl fmt::Display for StatementMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.statement;
        match &self.reason {
            MissReason::Effect => {
                write!(f, "statement {n} is a Deny statement and cannot allow it")
            }
            MissReason::Principal { expected, found } if found.is_empty() => {
                write!(f, "statement {n} has no Principal; it needs `{expected}`")
            }
            MissReason::Principal { expected, found } => write!(
                f,
                "statement {n} trusts {}, not `{expected}`",
                found
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            MissReason::Action { action } => {
                write!(f, "statement {n} does not allow the action `{action}`")
            }
            MissReason::Condition {
                operator,
                key,
                values,
                actual,
                known,
                ..
            } => {
                write!(
                    f,
                    "statement {n} requires `{key}` {operator} {}",
                    quoted_list(values)
                )?;
                let token = is_identity_provider_key(key);
                let claim = key.rsplit_once(':').map_or(key.as_str(), |(_, c)| c);
                match (actual, known) {
                    (Some(a), _) if token => write!(f, ", but the token's {claim} is `{a}`"),
                    (Some(a), _) => write!(f, ", but the request's `{key}` is `{a}`"),
                    (None, false) => write!(f, ", and `{key}` cannot be known offline"),
                    (None, true) if key.contains("://") => write!(
                        f,
                        ", but no request has that key: condition keys never include the URL scheme (use `host/path:{claim}`)"
                    ),
                    (None, true) => write!(
                        f,
                        ", but the request has no `{key}` key (a different issuer, or a claim the token lacks)"
                    ),
                }
            }
        }
    }
}
