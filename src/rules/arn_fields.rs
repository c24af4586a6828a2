//! Every value the ARN rules read, with the kind of ARN it must be and where a finding goes:
//! IRSA001 (`invalid_role_arn`) reports the invalid ones, IRSA053 (`deploy_time_placeholder`)
//! the ones set at deploy time, so one value is never reported by both.

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::RuleMeta;
use crate::facts::{ExpectedArn, SaOrigin, ServiceAccount, Workspace};
use crate::model::arn::{
    parse_oidc_provider_arn, parse_role_arn, parse_rolesanywhere_arn, parse_templated, Arn,
    ArnError, RolesAnywhereResource, TemplatedArn,
};
use crate::rules::util::policy_finding;

/// One ARN-holding value and how to report on it.
pub struct ArnField<'a> {
    /// The key or field, for messages (`eks.amazonaws.com/role-arn`, `Principal.Federated`).
    pub key: String,
    pub value: &'a str,
    pub expected: ExpectedArn,
    /// The service account that carries it, for role annotations.
    pub service_account: Option<&'a ServiceAccount>,
    at: Box<dyn Fn(&'static RuleMeta, String) -> Finding + 'a>,
}

impl ArnField<'_> {
    /// A finding of `meta` at this value.
    pub fn finding(&self, meta: &'static RuleMeta, message: String) -> Finding {
        (self.at)(meta, message)
    }

    /// The value parsed as the ARN it must be, placeholders kept symbolic.
    pub fn parse(&self) -> Result<TemplatedArn, ArnError> {
        parse_templated(self.value, |s| parse_expected(s, self.expected))
    }
}

/// Role annotations and `attachRoleARN`s, other ARN values, and trust policies' OIDC providers.
pub fn arn_fields(ws: &Workspace) -> Vec<ArnField<'_>> {
    let mut out = Vec::new();
    for sa in &ws.service_accounts {
        let Some(entry) = &sa.role_arn else { continue };
        let key = match sa.origin {
            SaOrigin::Manifest => "eks.amazonaws.com/role-arn",
            SaOrigin::Eksctl => "attachRoleARN",
        };
        let span = entry.value.span;
        out.push(ArnField {
            key: key.into(),
            value: entry.value.as_str().unwrap_or("").trim(),
            expected: ExpectedArn::Role,
            service_account: Some(sa),
            at: Box::new(move |meta, msg| {
                Finding::new(meta, msg)
                    .at(sa.object.location(span))
                    .object(sa.object.object_ref())
            }),
        });
    }
    for a in &ws.arn_values {
        out.push(ArnField {
            key: a.purpose.to_string(),
            value: a.node.as_str().unwrap_or("").trim(),
            expected: a.expected,
            service_account: None,
            at: Box::new(move |meta, msg| {
                let f = Finding::new(meta, msg).at(Location::new(&a.file, a.node.span));
                match &a.object {
                    Some(o) => f.object(o.clone()),
                    None => f,
                }
            }),
        });
    }
    // Only trusts of EKS (or providers the run pairs with a service account): a GitHub or
    // CircleCI provider's ARN is not this tool's to judge.
    for t in ws.eks_trusts() {
        let p = t.policy;
        // A CloudFormation variable left symbolic (`${AWS::AccountId}`) is unknown here, not a
        // placeholder someone forgot.
        let from_template = p
            .object()
            .is_some_and(|o| o.kind == crate::frontends::cloudformation::ROLE_KIND);
        let principals = t.statements().filter_map(|s| s.principal.as_ref());
        for v in principals.flat_map(|pr| pr.federated()) {
            if !v.value.contains("oidc-provider") || (from_template && v.value.contains("${")) {
                continue;
            }
            out.push(ArnField {
                key: "Principal.Federated".into(),
                value: v.value.trim(),
                expected: ExpectedArn::OidcProvider,
                service_account: None,
                at: Box::new(move |meta, msg| policy_finding(meta, p, v.span, msg)),
            });
        }
    }
    out
}

/// Parse `value` as the kind of ARN its field needs.
fn parse_expected(value: &str, expected: ExpectedArn) -> Result<Arn, ArnError> {
    match expected {
        ExpectedArn::Role => parse_role_arn(value),
        ExpectedArn::OidcProvider => parse_oidc_provider_arn(value),
        ExpectedArn::TrustAnchor => {
            parse_rolesanywhere_arn(value, RolesAnywhereResource::TrustAnchor)
        }
        ExpectedArn::Profile => parse_rolesanywhere_arn(value, RolesAnywhereResource::Profile),
        ExpectedArn::Policy => {
            let arn = Arn::parse(value)?;
            if arn.service != "iam" {
                return Err(ArnError::WrongService {
                    arn: value.into(),
                    expected: "an IAM policy",
                    found: arn.service,
                });
            }
            if arn.resource_type() != "policy" {
                return Err(ArnError::WrongResourceType {
                    arn: value.into(),
                    expected: "policy",
                    found: arn.resource_type().into(),
                });
            }
            Ok(arn)
        }
    }
}
