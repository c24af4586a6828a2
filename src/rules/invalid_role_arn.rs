use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::ExpectedArn;
use crate::facts::{SaOrigin, Workspace};
use crate::model::arn::{
    parse_oidc_provider_arn, parse_role_arn, parse_rolesanywhere_arn, Arn, ArnError,
    RolesAnywhereResource,
};
use crate::rules::util::policy_finding;
use crate::rules::Rule;

declare_rule! {
    /// A role (or policy, provider, Roles Anywhere) ARN is malformed or still a placeholder.
    ///
    /// ## What it checks
    /// - the `eks.amazonaws.com/role-arn` annotation of every ServiceAccount and eksctl's
    ///   `attachRoleARN` must be `arn:<partition>:iam::<12-digit account>:role/<path/>name`;
    /// - eksctl `attachPolicyARNs` and permissions boundaries must be IAM policy ARNs, Pod
    ///   Identity `roleARN`s role ARNs, Roles Anywhere trust anchors and profiles their own ARNs;
    /// - `Principal.Federated` OIDC provider ARNs of trust policies.
    ///
    /// The message names the exact problem: a placeholder left in (`<AWS_ACCOUNT_ID>`,
    /// `${ACCOUNT_ID}`, `{{ .Values.x }}`), a missing or extra colon, an account that is not 12
    /// digits, an unknown partition, a region in an IAM ARN, a wrong resource type.
    ///
    /// ## Why it matters
    /// The webhook copies the annotation into `AWS_ROLE_ARN` without checking it; the SDK then
    /// fails with "ValidationError: ... failed to satisfy constraint" or falls back to the node
    /// role, far from the typo that caused it. eksctl fails mid-way on a bad policy ARN.
    ///
    /// ## Example
    /// ```yaml
    /// annotations:
    ///   eks.amazonaws.com/role-arn: arn:aws:iam::<AWS_ACCOUNT_ID>:role/kaniko
    /// ```
    /// Fixed: `eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/kaniko`.
    pub struct InvalidRoleArn => ("IRSA001", "invalid-role-arn", Severity::Error);
}

impl Rule for InvalidRoleArn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for sa in &ws.service_accounts {
            let Some(entry) = &sa.role_arn else { continue };
            let key = match sa.origin {
                SaOrigin::Manifest => "eks.amazonaws.com/role-arn",
                SaOrigin::Eksctl => "attachRoleARN",
            };
            let value = entry.value.as_str().unwrap_or("").trim();
            let finding = |msg: String| {
                Finding::new(&Self::META, msg)
                    .at(sa.object.location(entry.value.span))
                    .object(sa.object.object_ref())
            };
            if value.is_empty() {
                out.push(
                    finding(format!(
                        "`{key}` is empty: pods of this service account get no role"
                    ))
                    .severity(Severity::Warning)
                    .help("set the role ARN, or remove the annotation"),
                );
            } else if let Err(e) = parse_role_arn(value) {
                out.push(finding(format!("`{key}`: {e}")).help(help(&e)));
            }
        }
        for a in &ws.arn_values {
            let value = a.node.as_str().unwrap_or("").trim();
            if let Err(e) = check_expected(value, a.expected) {
                let mut f = Finding::new(&Self::META, format!("`{}`: {e}", a.purpose))
                    .at(Location::new(&a.file, a.node.span))
                    .help(help(&e));
                if let Some(o) = &a.object {
                    f = f.object(o.clone());
                }
                out.push(f);
            }
        }
        for t in ws.eks_trusts() {
            let p = t.policy;
            let principals = t.statements().filter_map(|s| s.principal.as_ref());
            for v in principals.flat_map(|pr| pr.federated()) {
                if !v.value.contains("oidc-provider") {
                    continue;
                }
                // A CloudFormation variable left symbolic (`${AWS::AccountId}`) is unknown here,
                // not a placeholder someone forgot.
                let from_template = p
                    .object()
                    .is_some_and(|o| o.kind == crate::frontends::cloudformation::ROLE_KIND);
                if from_template && v.value.contains("${") {
                    continue;
                }
                if let Err(e) = parse_oidc_provider_arn(v.value.trim()) {
                    out.push(
                        policy_finding(
                            &Self::META,
                            p,
                            v.span,
                            format!("`Principal.Federated`: {e}"),
                        )
                        .help(help(&e)),
                    );
                }
            }
        }
    }
}

/// Parse `value` as the kind of ARN its field needs.
fn check_expected(value: &str, expected: ExpectedArn) -> Result<(), ArnError> {
    match expected {
        ExpectedArn::Role => parse_role_arn(value).map(drop),
        ExpectedArn::OidcProvider => parse_oidc_provider_arn(value).map(drop),
        ExpectedArn::TrustAnchor => {
            parse_rolesanywhere_arn(value, RolesAnywhereResource::TrustAnchor).map(drop)
        }
        ExpectedArn::Profile => {
            parse_rolesanywhere_arn(value, RolesAnywhereResource::Profile).map(drop)
        }
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
            Ok(())
        }
    }
}

fn help(e: &ArnError) -> &'static str {
    match e {
        ArnError::Placeholder { .. } => {
            "substitute the real value (check the Helm values, Terraform output or envsubst step)"
        }
        _ => "the form is arn:aws:iam::<12-digit account>:role/<path/>name (policy/..., oidc-provider/<issuer> for those)",
    }
}
