//! Condition evaluation against a request context, with IAM's missing-key rules.

use std::net::IpAddr;

use crate::model::glob::glob_match;
use crate::model::policy::{BaseOp, Condition, SetQualifier};

/// What the request context says about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    Present(String),
    /// Certainly not in the request.
    Absent,
    /// Present or not, it cannot be known offline (`aws:SourceIp`, ...).
    Unknown,
}

/// Known keys (compared case-insensitively); keys of any OIDC issuer not listed are absent.
#[derive(Debug, Default)]
pub(super) struct Context {
    values: Vec<(String, String)>,
    /// Keys certainly not in the request (session tags a request does not carry).
    absent: Vec<String>,
}

impl Context {
    pub(super) fn with(mut self, key: &str, value: &str) -> Self {
        self.values
            .push((key.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub(super) fn without(mut self, key: &str) -> Self {
        self.absent.push(key.to_ascii_lowercase());
        self
    }

    pub(super) fn lookup(&self, key: &str) -> Lookup {
        let lower = key.to_ascii_lowercase();
        if let Some((_, v)) = self.values.iter().find(|(k, _)| *k == lower) {
            return Lookup::Present(v.clone());
        }
        if is_identity_provider_key(key) || self.absent.contains(&lower) {
            Lookup::Absent
        } else {
            Lookup::Unknown
        }
    }
}

/// `<host/path>:claim` (an OIDC or SAML provider key) rather than `aws:...` or `sts:...`.
pub fn is_identity_provider_key(key: &str) -> bool {
    key.rsplit_once(':')
        .is_some_and(|(prefix, _)| prefix.contains(['.', '/']))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CondResult {
    Pass,
    Fail { actual: Option<String>, known: bool },
}

pub(super) fn eval_condition(c: &Condition, ctx: &Context) -> CondResult {
    let op = &c.operator;
    let has_value = |want: &str| c.values.iter().any(|v| v.value.eq_ignore_ascii_case(want));
    let fail = |actual: Option<String>| CondResult::Fail {
        actual,
        known: true,
    };
    match ctx.lookup(&c.key) {
        Lookup::Unknown if op.if_exists => CondResult::Pass,
        Lookup::Unknown => CondResult::Fail {
            actual: None,
            known: false,
        },
        Lookup::Absent => {
            let pass = if op.base == BaseOp::Null {
                has_value("true")
            } else if op.if_exists {
                true
            } else {
                match op.set {
                    Some(SetQualifier::ForAllValues) => true,
                    Some(SetQualifier::ForAnyValue) => false,
                    None => op.base.is_negated(),
                }
            };
            if pass {
                CondResult::Pass
            } else {
                fail(None)
            }
        }
        Lookup::Present(actual) => {
            let pass = if op.base == BaseOp::Null {
                has_value("false")
            } else {
                let positive = op.base.positive();
                let any = c
                    .values
                    .iter()
                    .any(|v| value_matches(&positive, &v.value, &actual));
                any != op.base.is_negated()
            };
            if pass {
                CondResult::Pass
            } else {
                fail(Some(actual))
            }
        }
    }
}

/// Does one policy value match the request's value under a positive operator?
pub fn value_matches(op: &BaseOp, policy: &str, actual: &str) -> bool {
    use std::cmp::Ordering::*;
    let num = || {
        Some((
            policy.trim().parse::<f64>().ok()?,
            actual.trim().parse::<f64>().ok()?,
        ))
    };
    let ord = || match num() {
        Some((p, a)) => a.partial_cmp(&p),
        None => Some(actual.cmp(policy)),
    };
    match op {
        BaseOp::StringEquals | BaseOp::BinaryEquals => policy == actual,
        BaseOp::StringEqualsIgnoreCase => policy.to_lowercase() == actual.to_lowercase(),
        BaseOp::StringLike => glob_match(policy, actual),
        BaseOp::ArnEquals | BaseOp::ArnLike => arn_like(policy, actual),
        BaseOp::Bool => policy.eq_ignore_ascii_case(actual),
        BaseOp::NumericEquals => num().is_some_and(|(p, a)| a == p),
        BaseOp::NumericLessThan => num().is_some_and(|(p, a)| a < p),
        BaseOp::NumericLessThanEquals => num().is_some_and(|(p, a)| a <= p),
        BaseOp::NumericGreaterThan => num().is_some_and(|(p, a)| a > p),
        BaseOp::NumericGreaterThanEquals => num().is_some_and(|(p, a)| a >= p),
        BaseOp::DateEquals => ord() == Some(Equal),
        BaseOp::DateLessThan => ord() == Some(Less),
        BaseOp::DateLessThanEquals => matches!(ord(), Some(Less | Equal)),
        BaseOp::DateGreaterThan => ord() == Some(Greater),
        BaseOp::DateGreaterThanEquals => matches!(ord(), Some(Greater | Equal)),
        BaseOp::IpAddress => ip_in_cidr(policy, actual),
        _ => false,
    }
}

/// `ArnLike`: each of the six colon-separated fields is matched on its own.
fn arn_like(policy: &str, actual: &str) -> bool {
    let p: Vec<&str> = policy.splitn(6, ':').collect();
    let a: Vec<&str> = actual.splitn(6, ':').collect();
    if p.len() == 6 && a.len() == 6 {
        p.iter().zip(&a).all(|(p, a)| glob_match(p, a))
    } else {
        glob_match(policy, actual)
    }
}

fn ip_in_cidr(cidr: &str, actual: &str) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    let (Ok(net), Ok(ip)) = (net.parse::<IpAddr>(), actual.parse::<IpAddr>()) else {
        return false;
    };
    let (net, ip, width) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => (u32::from(n) as u128, u32::from(i) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        _ => return false,
    };
    let bits = bits.unwrap_or(width).min(width);
    let shift = width - bits;
    shift >= 128 || (net >> shift) == (ip >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_operator() {
        assert!(value_matches(&BaseOp::StringEquals, "a", "a"));
        assert!(!value_matches(&BaseOp::StringEquals, "*", "a"));
        assert!(value_matches(&BaseOp::StringEqualsIgnoreCase, "ABC", "abc"));
        assert!(value_matches(&BaseOp::StringLike, "a*", "abc"));
        assert!(value_matches(&BaseOp::NumericLessThan, "10", "3"));
        assert!(!value_matches(&BaseOp::NumericLessThan, "x", "3"));
        assert!(value_matches(&BaseOp::Bool, "True", "true"));
        assert!(value_matches(
            &BaseOp::DateLessThan,
            "2030-01-01T00:00:00Z",
            "2025-01-01T00:00:00Z"
        ));
        assert!(value_matches(&BaseOp::IpAddress, "10.0.0.0/8", "10.1.2.3"));
        assert!(!value_matches(&BaseOp::IpAddress, "10.0.0.0/8", "11.1.2.3"));
        assert!(value_matches(&BaseOp::IpAddress, "0.0.0.0/0", "11.1.2.3"));
        assert!(value_matches(
            &BaseOp::IpAddress,
            "2001:db8::/32",
            "2001:db8::1"
        ));
        assert!(value_matches(
            &BaseOp::ArnLike,
            "arn:aws:iam::*:role/ci-*",
            "arn:aws:iam::123456789012:role/ci-x"
        ));
        assert!(!value_matches(
            &BaseOp::ArnLike,
            "arn:aws:iam::*:role/ci-*",
            "arn:aws:iam::123456789012:user/ci-x"
        ));
    }

    #[test]
    fn provider_keys() {
        assert!(is_identity_provider_key(
            "oidc.eks.us-east-1.amazonaws.com/id/A:sub"
        ));
        assert!(is_identity_provider_key("https://oidc.eks.x/id/A:sub"));
        assert!(!is_identity_provider_key("aws:SourceIp"));
        assert!(!is_identity_provider_key("aws:PrincipalTag/x"));
        assert!(!is_identity_provider_key("nokey"));
    }
}
