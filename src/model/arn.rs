//! Amazon Resource Names: parsing, precise errors, placeholders and regions.

use std::fmt;

mod error;
mod region;
mod stand_in;
mod templated;

pub use super::placeholder::{
    find_placeholder, is_policy_variable, whole_placeholder, Placeholder,
};
pub use error::ArnError;
pub use region::{is_region_shaped, is_valid_region, region_partition, REGIONS};
pub use stand_in::{
    display_role, has_deploy_time_part, is_stand_in_role_name, stand_in_address,
    stand_in_role_name, UNKNOWN_ACCOUNT,
};
pub use templated::{parse_templated, Field, PartlyArn, TemplatedArn};

/// What an ARN names, for the kinds this tool cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnKind {
    /// `role/<path/>name`; `path` is IAM's form: `/` or `/a/b/`.
    Role {
        path: String,
        name: String,
    },
    /// `oidc-provider/<host/path>` (no scheme).
    OidcProvider {
        issuer: String,
    },
    RolesAnywhereTrustAnchor {
        id: String,
    },
    RolesAnywhereProfile {
        id: String,
    },
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
    pub kind: ArnKind,
}

/// Which Roles Anywhere resource an ARN must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolesAnywhereResource {
    TrustAnchor,
    Profile,
}

impl RolesAnywhereResource {
    pub fn resource_type(self) -> &'static str {
        match self {
            RolesAnywhereResource::TrustAnchor => "trust-anchor",
            RolesAnywhereResource::Profile => "profile",
        }
    }
}

/// Known partitions: `aws`, `aws-cn`, `aws-us-gov`, `aws-eusc` and every `aws-iso*`.
pub fn is_known_partition(p: &str) -> bool {
    matches!(p, "aws" | "aws-cn" | "aws-us-gov" | "aws-eusc")
        || p.strip_prefix("aws-iso")
            .is_some_and(|rest| rest.is_empty() || is_iso_suffix(rest))
}

fn is_iso_suffix(rest: &str) -> bool {
    rest.strip_prefix('-')
        .is_some_and(|s| s.len() == 1 && s.chars().all(|c| c.is_ascii_lowercase()))
}

/// Is this an AWS account ID (exactly 12 ASCII digits)?
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl Arn {
    /// Parse any ARN; IAM roles, OIDC providers and Roles Anywhere resources are fully validated.
    pub fn parse(s: &str) -> Result<Arn, ArnError> {
        let arn = || s.to_string();
        if s.is_empty() {
            return Err(ArnError::Empty);
        }
        if let Some(placeholder) = find_placeholder(s).or_else(|| templated::field_word(s)) {
            return Err(ArnError::Placeholder {
                arn: arn(),
                placeholder,
            });
        }
        if s.chars().any(char::is_whitespace) {
            return Err(ArnError::Whitespace { arn: arn() });
        }
        if !s.starts_with("arn:") {
            return Err(ArnError::NotAnArn { arn: arn() });
        }
        let fields: Vec<&str> = s.splitn(6, ':').collect();
        let [_, partition, service, region, account, resource] = fields[..] else {
            return Err(ArnError::MissingColon {
                arn: arn(),
                found: fields.len(),
            });
        };
        if !is_known_partition(partition) {
            return Err(ArnError::UnknownPartition {
                arn: arn(),
                partition: partition.into(),
            });
        }
        match service {
            "iam" | "sts" => {
                if !region.is_empty() {
                    return Err(ArnError::RegionNotEmpty {
                        arn: arn(),
                        region: region.into(),
                    });
                }
                check_account(s, account, resource)?;
            }
            "rolesanywhere" => {
                if region.is_empty() {
                    return Err(ArnError::RegionMissing {
                        arn: arn(),
                        service: service.into(),
                    });
                }
                if !is_region_shaped(region) {
                    return Err(ArnError::InvalidRegion {
                        arn: arn(),
                        region: region.into(),
                    });
                }
                check_account(s, account, resource)?;
            }
            _ => {
                if !account.is_empty() && !is_account_id(account) && account != "aws" {
                    return Err(ArnError::BadAccount {
                        arn: arn(),
                        account: account.into(),
                    });
                }
            }
        }
        let kind = classify(s, service, resource)?;
        Ok(Arn {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
            kind,
        })
    }

    /// The `<type>` of a `<type>/<id>` resource (`role`, `oidc-provider`, ...).
    pub fn resource_type(&self) -> &str {
        self.resource.split(['/', ':']).next().unwrap_or("")
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

fn check_account(s: &str, account: &str, resource: &str) -> Result<(), ArnError> {
    if account.is_empty() && resource.split(':').next().is_some_and(is_account_id) {
        return Err(ArnError::ExtraColon {
            arn: s.into(),
            detail: "the account sits one field too far right (`::` before it should be `:`)"
                .into(),
        });
    }
    let managed_policy = account == "aws" && resource.starts_with("policy/");
    if !is_account_id(account) && !managed_policy {
        return Err(ArnError::BadAccount {
            arn: s.into(),
            account: account.into(),
        });
    }
    Ok(())
}

fn classify(s: &str, service: &str, resource: &str) -> Result<ArnKind, ArnError> {
    let arn = || s.to_string();
    match service {
        "iam" => {
            if let Some(rest) = resource.strip_prefix("role/") {
                return parse_role_resource(s, resource, rest);
            }
            if let Some(issuer) = resource.strip_prefix("oidc-provider/") {
                return parse_issuer(s, issuer);
            }
            if resource == "role" || resource == "oidc-provider" {
                return Err(ArnError::EmptyName {
                    arn: arn(),
                    what: "resource name",
                });
            }
            Ok(ArnKind::Other)
        }
        "rolesanywhere" => {
            let (ty, id) = resource.split_once('/').unwrap_or((resource, ""));
            let make: fn(String) -> ArnKind = match ty {
                "trust-anchor" => |id| ArnKind::RolesAnywhereTrustAnchor { id },
                "profile" => |id| ArnKind::RolesAnywhereProfile { id },
                _ => return Ok(ArnKind::Other),
            };
            if id.is_empty() {
                return Err(ArnError::EmptyName {
                    arn: arn(),
                    what: "Roles Anywhere ID",
                });
            }
            if !is_uuid(id) {
                return Err(ArnError::BadId {
                    arn: arn(),
                    id: id.into(),
                });
            }
            Ok(make(id.into()))
        }
        _ => Ok(ArnKind::Other),
    }
}

fn parse_role_resource(s: &str, resource: &str, rest: &str) -> Result<ArnKind, ArnError> {
    let arn = || s.to_string();
    if rest.contains(':') {
        return Err(ArnError::ExtraColon {
            arn: arn(),
            detail: "role names and paths cannot contain `:`".into(),
        });
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let (name, dirs) = segments.split_last().unwrap_or((&"", &[]));
    if dirs.iter().any(|d| d.is_empty()) {
        return Err(ArnError::EmptyPathSegment {
            arn: arn(),
            resource: resource.into(),
        });
    }
    if name.is_empty() {
        return Err(ArnError::EmptyName {
            arn: arn(),
            what: "role name",
        });
    }
    let bad = |reason: String| ArnError::InvalidRoleName {
        arn: arn(),
        name: (*name).into(),
        reason,
    };
    let count = name.chars().count();
    // A stand-in for a name known only at deploy time is not the name: not held to its limit.
    if count > 64 && !is_stand_in_role_name(name) {
        return Err(bad(format!("is {count} characters long; the limit is 64")));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c)))
    {
        return Err(bad(format!(
            "contains `{c}`; role names allow only letters, digits and `+=,.@_-`"
        )));
    }
    if let Some(c) = dirs
        .iter()
        .flat_map(|d| d.chars())
        .find(|c| !('!'..='~').contains(c))
    {
        return Err(bad(format!(
            "has a path containing `{c}`, which IAM paths do not allow"
        )));
    }
    let path = if dirs.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", dirs.join("/"))
    };
    Ok(ArnKind::Role {
        path,
        name: (*name).into(),
    })
}

fn parse_issuer(s: &str, issuer: &str) -> Result<ArnKind, ArnError> {
    let bad = |reason: &str| ArnError::BadIssuer {
        arn: s.into(),
        reason: reason.into(),
    };
    if issuer.is_empty() {
        return Err(ArnError::EmptyName {
            arn: s.into(),
            what: "OIDC provider URL",
        });
    }
    if issuer.contains("://") {
        return Err(bad(
            "URL must not include the scheme (`https://`): IAM stores it as host/path",
        ));
    }
    if issuer.ends_with('/') || issuer.contains("//") {
        return Err(bad("URL has an empty path segment or a trailing `/`"));
    }
    if issuer.contains(':') {
        return Err(bad(
            "URL contains `:`; IAM provider ARNs hold only host/path",
        ));
    }
    Ok(ArnKind::OidcProvider {
        issuer: issuer.into(),
    })
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn expect_iam(s: &str, arn: &Arn, expected: &'static str) -> Result<(), ArnError> {
    if arn.service != "iam" {
        return Err(ArnError::WrongService {
            arn: s.into(),
            expected,
            found: arn.service.clone(),
        });
    }
    Ok(())
}

/// Parse an IAM role ARN: `arn:<partition>:iam::<account>:role/<path/>name`.
pub fn parse_role_arn(s: &str) -> Result<Arn, ArnError> {
    let arn = Arn::parse(s)?;
    expect_iam(s, &arn, "an IAM role")?;
    match arn.kind {
        ArnKind::Role { .. } => Ok(arn),
        _ => Err(ArnError::WrongResourceType {
            arn: s.into(),
            expected: "role",
            found: arn.resource_type().into(),
        }),
    }
}

/// Parse an IAM OIDC provider ARN: `arn:<partition>:iam::<account>:oidc-provider/<host/path>`.
pub fn parse_oidc_provider_arn(s: &str) -> Result<Arn, ArnError> {
    let arn = Arn::parse(s)?;
    expect_iam(s, &arn, "an IAM OIDC provider")?;
    match arn.kind {
        ArnKind::OidcProvider { .. } => Ok(arn),
        _ => Err(ArnError::WrongResourceType {
            arn: s.into(),
            expected: "oidc-provider",
            found: arn.resource_type().into(),
        }),
    }
}

/// Parse a Roles Anywhere trust anchor or profile ARN.
pub fn parse_rolesanywhere_arn(s: &str, expected: RolesAnywhereResource) -> Result<Arn, ArnError> {
    let arn = Arn::parse(s)?;
    if arn.service != "rolesanywhere" {
        return Err(ArnError::WrongService {
            arn: s.into(),
            expected: "a Roles Anywhere",
            found: arn.service.clone(),
        });
    }
    let ok = matches!(
        (&arn.kind, expected),
        (
            ArnKind::RolesAnywhereTrustAnchor { .. },
            RolesAnywhereResource::TrustAnchor
        ) | (
            ArnKind::RolesAnywhereProfile { .. },
            RolesAnywhereResource::Profile
        )
    );
    if !ok {
        return Err(ArnError::WrongResourceType {
            arn: s.into(),
            expected: expected.resource_type(),
            found: arn.resource_type().into(),
        });
    }
    Ok(arn)
}

#[cfg(test)]
mod tests;
