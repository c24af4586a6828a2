//! Value formats a pack can assert (ARNs and regions through `model::arn`).

use std::sync::OnceLock;

use regex::Regex;

use crate::model::arn::{self, parse_templated, RolesAnywhereResource, TemplatedArn};
use crate::model::placeholder::{filled, Filled, Placeholder};

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

/// A value checked against its format.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    Valid,
    /// Why it is not a valid value of its format.
    Invalid(String),
    /// Wholly set at deploy time (a partly templated ARN is checked on its known parts).
    DeployTime(Placeholder),
}

/// `value` checked against `format`, placeholders per `model::placeholder`.
pub fn checked(format: Format, value: &str, pattern: Option<&Regex>) -> Checked {
    let value = value.trim();
    let templated = |parsed: Result<TemplatedArn, arn::ArnError>| match parsed {
        Err(e) => Checked::Invalid(e.to_string()),
        Ok(TemplatedArn::Wholly(p)) => Checked::DeployTime(p),
        Ok(_) => Checked::Valid,
    };
    match (format, filled(value)) {
        (Format::RoleArn, _) => templated(parse_templated(value, arn::parse_role_arn)),
        (Format::RolesAnywhereProfile | Format::RolesAnywhereTrustAnchor, _) => {
            let kind = match format {
                Format::RolesAnywhereProfile => RolesAnywhereResource::Profile,
                _ => RolesAnywhereResource::TrustAnchor,
            };
            templated(parse_templated(value, |s| {
                arn::parse_rolesanywhere_arn(s, kind)
            }))
        }
        (_, Filled::Wholly(p)) => Checked::DeployTime(p),
        _ => check(format, value, pattern).map_or(Checked::Valid, Checked::Invalid),
    }
}

/// Why `value` is not a valid `format`, or `None` when it is.
pub fn check(format: Format, value: &str, pattern: Option<&Regex>) -> Option<String> {
    let value = value.trim();
    match format {
        Format::RoleArn => arn::parse_role_arn(value).err().map(|e| e.to_string()),
        Format::Region => region(value),
        Format::Duration => duration(value),
        Format::Regex => pattern
            .filter(|p| !p.is_match(value))
            .map(|p| format!("does not match `{}`", p.as_str())),
        Format::RolesAnywhereProfile => rolesanywhere(value, RolesAnywhereResource::Profile),
        Format::RolesAnywhereTrustAnchor => {
            rolesanywhere(value, RolesAnywhereResource::TrustAnchor)
        }
    }
}

fn rolesanywhere(value: &str, kind: RolesAnywhereResource) -> Option<String> {
    arn::parse_rolesanywhere_arn(value, kind)
        .err()
        .map(|e| e.to_string())
}

fn region(value: &str) -> Option<String> {
    if arn::is_valid_region(value) {
        return None;
    }
    if arn::is_account_id(value) {
        return Some("it is an account ID, not a region (AWS_REGION=$AWS_ACCOUNT_ID?)".into());
    }
    if let Some(p) = arn::find_placeholder(value) {
        return Some(format!("the placeholder `{}` is left in it", p.text));
    }
    if arn::is_region_shaped(value) {
        return Some("not a known AWS region (a typo, or a region newer than this tool?)".into());
    }
    Some("not an AWS region such as `eu-central-1`".into())
}

fn duration(value: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let ok = value == "0" || re(&RE, r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$").is_match(value);
    (!ok).then(|| "not a Go duration such as `30m` or `1h`".into())
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

    #[test]
    fn placeholders_are_deploy_time_and_known_parts_are_checked() {
        let deploy = |v| matches!(checked(Format::RoleArn, v, None), Checked::DeployTime(_));
        assert!(deploy("${karpenter_irsa}"));
        assert!(deploy("IAM_ROLE_ARN"));
        let partly = "arn:aws:iam::${ACCOUNT_ID}:role/app";
        assert_eq!(checked(Format::RoleArn, partly, None), Checked::Valid);
        let bad = "arn:aws:iam::123:role/${NAME}";
        assert!(matches!(
            checked(Format::RoleArn, bad, None),
            Checked::Invalid(_)
        ));
        assert!(matches!(
            checked(Format::Region, "${AWS_REGION}", None),
            Checked::DeployTime(_)
        ));
        assert!(matches!(
            checked(Format::Region, "us-east-7", None),
            Checked::Invalid(_)
        ));
    }
}
