//! Value formats a pack can assert. Minimal ARN checks until `model::arn` is merged.

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    RoleArn,
    Region,
    Duration,
    Regex,
    RolesAnywhereProfile,
    RolesAnywhereTrustAnchor,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "role-arn" => Format::RoleArn,
            "region" => Format::Region,
            "duration" => Format::Duration,
            "regex" => Format::Regex,
            "rolesanywhere-profile-arn" => Format::RolesAnywhereProfile,
            "rolesanywhere-trust-anchor-arn" => Format::RolesAnywhereTrustAnchor,
            _ => return None,
        })
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("built-in regex"))
}

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// A placeholder left in a value (`<AWS_ACCOUNT_ID>`, `${ACCOUNT}`, `{{ .x }}`, bare `AWS_ACCOUNT_ID`).
pub fn placeholder(value: &str) -> Option<&'static str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &RE,
        r"(<[^>]*>|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|\{[^}]*\}|ACCOUNT_?ID|ROLE_NAME|X{4,}|x{12})",
    );
    r.is_match(value).then_some("a placeholder is left in it")
}

/// Why `value` is not a valid `format`, or `None` when it is.
pub fn check(format: Format, value: &str, pattern: Option<&Regex>) -> Option<String> {
    let value = value.trim();
    match format {
        Format::RoleArn => role_arn(value),
        Format::Region => region(value),
        Format::Duration => duration(value),
        Format::Regex => pattern
            .filter(|p| !p.is_match(value))
            .map(|p| format!("does not match `{}`", p.as_str())),
        Format::RolesAnywhereProfile => rolesanywhere(value, "profile"),
        Format::RolesAnywhereTrustAnchor => rolesanywhere(value, "trust-anchor"),
    }
}

fn role_arn(value: &str) -> Option<String> {
    if let Some(p) = placeholder(value) {
        return Some(p.into());
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Some("expected `arn:<partition>:iam::<account>:role/<name>`".into());
    }
    if !PARTITIONS.contains(&parts[1]) {
        return Some(format!("unknown partition `{}`", parts[1]));
    }
    if parts[2] != "iam" {
        return Some(format!("service is `{}`, not `iam`", parts[2]));
    }
    if !parts[3].is_empty() {
        return Some("IAM ARNs have no region (`iam::`)".into());
    }
    if let Some(e) = account(parts[4]) {
        return Some(e);
    }
    static NAME: OnceLock<Regex> = OnceLock::new();
    let name = re(&NAME, r"^role/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64}$");
    if !name.is_match(parts[5]) {
        return Some(format!("`{}` is not `role/<name>`", parts[5]));
    }
    None
}

fn account(a: &str) -> Option<String> {
    (a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("account `{a}` is not 12 digits"))
}

/// A region name such as `eu-central-1` or `us-gov-west-1`.
pub fn is_region(value: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"^(us|eu|ap|sa|ca|me|af|il|mx|cn|eusc)(-gov|-iso|-isob|-isoe|-isof)?-(north|south|east|west|central)(east|west)?-[1-9][0-9]?$",
    )
    .is_match(value)
}

fn region(value: &str) -> Option<String> {
    if is_region(value) {
        return None;
    }
    if account(value).is_none() {
        return Some("it is an account ID, not a region (AWS_REGION=$AWS_ACCOUNT_ID?)".into());
    }
    if let Some(p) = placeholder(value) {
        return Some(p.into());
    }
    Some("not an AWS region such as `eu-central-1`".into())
}

fn duration(value: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let ok = value == "0" || re(&RE, r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$").is_match(value);
    (!ok).then(|| "not a Go duration such as `30m` or `1h`".into())
}

fn rolesanywhere(value: &str, kind: &str) -> Option<String> {
    if let Some(p) = placeholder(value) {
        return Some(p.into());
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "rolesanywhere" {
        return Some(format!(
            "expected `arn:<partition>:rolesanywhere:<region>:<account>:{kind}/<id>`"
        ));
    }
    if !PARTITIONS.contains(&parts[1]) {
        return Some(format!("unknown partition `{}`", parts[1]));
    }
    if !is_region(parts[3]) {
        return Some(format!("`{}` is not a region", parts[3]));
    }
    if let Some(e) = account(parts[4]) {
        return Some(e);
    }
    static ID: OnceLock<Regex> = OnceLock::new();
    let id = re(
        &ID,
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    );
    match parts[5].split_once('/') {
        Some((k, i)) if k == kind && id.is_match(i) => None,
        _ => Some(format!("`{}` is not `{kind}/<uuid>`", parts[5])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let ok = "arn:aws:iam::111122223333:role/x";
        assert_eq!(check(Format::RoleArn, ok, None), None);
        for bad in [
            "arn:aws:iam::<AWS_ACCOUNT_ID>:role/x",
            "arn:aws:iam::AWS_ACCOUNT_ID:role/x",
            "arn:aws:iam:111122223333:role/x",
            "arn:aws:iam::1234:role/x",
        ] {
            assert!(check(Format::RoleArn, bad, None).is_some(), "{bad}");
        }
        assert_eq!(check(Format::Region, "us-gov-west-1", None), None);
        assert!(check(Format::Region, "111122223333", None).is_some());
        assert!(check(Format::Region, "$AWS_ACCOUNT_ID", None).is_some());
        assert_eq!(check(Format::Duration, "1h30m", None), None);
        assert!(check(Format::Duration, "5 hours", None).is_some());
        let p = "arn:aws:rolesanywhere:us-east-1:111122223333:profile/0f6e3d1a-1111-4222-8333-944455556666";
        assert_eq!(check(Format::RolesAnywhereProfile, p, None), None);
        assert!(check(Format::RolesAnywhereTrustAnchor, p, None).is_some());
    }
}
