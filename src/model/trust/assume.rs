//! Which STS action assumes a role as which principal.
//!
//! STS matches each request against the statements whose principal type fits the API called:
//! `AssumeRole` for `AWS` and `Service` principals, `AssumeRoleWithWebIdentity` for federated
//! OIDC (and Cognito, Google, Amazon, Facebook) principals, `AssumeRoleWithSAML` for SAML
//! providers. The session actions only add to an assumption; they never assume by themselves.

use crate::model::glob::glob_match_ignore_case;
use crate::model::policy::PrincipalType;

pub const ASSUME_ROLE: &str = "sts:AssumeRole";
pub const SAML_ACTION: &str = "sts:AssumeRoleWithSAML";
pub const TAG_SESSION: &str = "sts:TagSession";
pub const SET_SOURCE_IDENTITY: &str = "sts:SetSourceIdentity";
pub const SET_CONTEXT: &str = "sts:SetContext";

/// Every action a role trust policy can grant.
pub const TRUST_ACTIONS: &[&str] = &[
    ASSUME_ROLE,
    super::WEB_IDENTITY_ACTION,
    SAML_ACTION,
    TAG_SESSION,
    SET_SOURCE_IDENTITY,
    SET_CONTEXT,
];

/// Actions that go with an assumption but cannot assume the role on their own.
pub const SESSION_ACTIONS: &[&str] = &[TAG_SESSION, SET_SOURCE_IDENTITY, SET_CONTEXT];

/// What a principal value is, as far as assuming a role goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalClass {
    /// `Principal.AWS`: an account, role, user or session.
    Aws,
    /// `Principal.Service`.
    Service,
    /// `Principal.Federated`: an IAM OIDC provider or a well-known web identity provider.
    WebIdentity,
    /// `Principal.Federated`: an IAM SAML provider.
    Saml,
    /// `Principal.CanonicalUser`: an S3 canonical user, which IAM rejects in trust policies.
    CanonicalUser,
    /// `*` values and unknown principal types.
    Other,
}

impl PrincipalClass {
    pub fn of(kind: &PrincipalType, value: &str) -> PrincipalClass {
        let v = value.trim();
        if v == "*" {
            return PrincipalClass::Other;
        }
        match kind {
            PrincipalType::Aws => PrincipalClass::Aws,
            PrincipalType::Service => PrincipalClass::Service,
            PrincipalType::Federated if v.contains(":saml-provider/") => PrincipalClass::Saml,
            PrincipalType::Federated => PrincipalClass::WebIdentity,
            PrincipalType::CanonicalUser => PrincipalClass::CanonicalUser,
            PrincipalType::Other(_) => PrincipalClass::Other,
        }
    }

    /// The action STS matches for this principal, if it can assume a role at all.
    pub fn assume_action(self) -> Option<&'static str> {
        match self {
            PrincipalClass::Aws | PrincipalClass::Service => Some(ASSUME_ROLE),
            PrincipalClass::WebIdentity => Some(super::WEB_IDENTITY_ACTION),
            PrincipalClass::Saml => Some(SAML_ACTION),
            PrincipalClass::CanonicalUser | PrincipalClass::Other => None,
        }
    }

    /// `Principal.Federated` (an OIDC provider), for messages.
    pub fn describe(self) -> &'static str {
        match self {
            PrincipalClass::Aws => "`Principal.AWS`",
            PrincipalClass::Service => "`Principal.Service`",
            PrincipalClass::WebIdentity => "`Principal.Federated` (a web identity/OIDC provider)",
            PrincipalClass::Saml => "`Principal.Federated` (a SAML provider)",
            PrincipalClass::CanonicalUser => "`Principal.CanonicalUser`",
            PrincipalClass::Other => "the principal",
        }
    }
}

/// The assume action that uses this principal class, for an assume action (`None` for others).
pub fn class_for_action(action: &str) -> Option<PrincipalClass> {
    [
        (ASSUME_ROLE, PrincipalClass::Aws),
        (super::WEB_IDENTITY_ACTION, PrincipalClass::WebIdentity),
        (SAML_ACTION, PrincipalClass::Saml),
    ]
    .into_iter()
    .find(|(a, _)| a.eq_ignore_ascii_case(action))
    .map(|(_, c)| c)
}

/// The trust actions an `Action` entry (possibly with `*`/`?`) stands for.
pub fn trust_actions_matching(pattern: &str) -> Vec<&'static str> {
    TRUST_ACTIONS
        .iter()
        .copied()
        .filter(|a| glob_match_ignore_case(pattern, a))
        .collect()
}

/// The trust action closest to a misspelt one (edit distance ≤ 3), for `did you mean`.
pub fn closest_trust_action(action: &str) -> Option<&'static str> {
    let a = action.to_ascii_lowercase();
    TRUST_ACTIONS
        .iter()
        .copied()
        .map(|t| (edit_distance(&a, &t.to_ascii_lowercase()), t))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, t)| t)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_principal_type_has_its_action() {
        let cases = [
            (
                PrincipalType::Aws,
                "arn:aws:iam::111122223333:root",
                Some(ASSUME_ROLE),
            ),
            (
                PrincipalType::Service,
                "ec2.amazonaws.com",
                Some(ASSUME_ROLE),
            ),
            (
                PrincipalType::Federated,
                "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A",
                Some(super::super::WEB_IDENTITY_ACTION),
            ),
            (
                PrincipalType::Federated,
                "cognito-identity.amazonaws.com",
                Some(super::super::WEB_IDENTITY_ACTION),
            ),
            (
                PrincipalType::Federated,
                "arn:aws:iam::111122223333:saml-provider/Okta",
                Some(SAML_ACTION),
            ),
            (
                PrincipalType::CanonicalUser,
                "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
                None,
            ),
            (PrincipalType::Aws, "*", None),
        ];
        for (kind, value, want) in cases {
            assert_eq!(
                PrincipalClass::of(&kind, value).assume_action(),
                want,
                "{value}"
            );
        }
    }

    #[test]
    fn wildcards_and_typos() {
        assert_eq!(trust_actions_matching("sts:*").len(), TRUST_ACTIONS.len());
        assert_eq!(trust_actions_matching("sts:Assume*").len(), 3);
        assert_eq!(trust_actions_matching("STS:assumerole"), vec![ASSUME_ROLE]);
        assert!(trust_actions_matching("s3:*").is_empty());
        assert_eq!(
            closest_trust_action("sts:AssumeRoleWithWebIdentiy"),
            Some(super::super::WEB_IDENTITY_ACTION)
        );
        assert_eq!(closest_trust_action("s3:GetObject"), None);
        assert_eq!(
            class_for_action("STS:AssumeRoleWithSAML"),
            Some(PrincipalClass::Saml)
        );
    }
}
