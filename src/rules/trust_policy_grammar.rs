use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{PolicyInput, Workspace};
use crate::model::glob::glob_match_ignore_case;
use crate::model::policy::{BaseOp, Effect, PolicyDocument, PrincipalType, Statement};
use crate::model::trust::assume::{SET_SOURCE_IDENTITY, TAG_SESSION};
use crate::rules::util::{is_role_trust, policy_finding, trust_policies};
use crate::rules::Rule;

declare_rule! {
    /// A role trust policy uses an element or value that IAM rejects in trust policies.
    ///
    /// ## What it checks
    /// The role-trust-policy grammar that IAM Access Analyzer checks (`validate-policy` with
    /// `--policy-type RESOURCE_POLICY --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument`):
    /// - `NotPrincipal` (Access Analyzer `ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL`);
    /// - `Resource` or `NotResource` (`ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE`);
    /// - an Allow statement without `Principal` (`MISSING_PRINCIPAL`) or without `Action`/`NotAction`
    ///   (`MISSING_ACTION`);
    /// - a `Principal.AWS` value that is neither a 12-digit account ID nor a well-formed ARN
    ///   (`INVALID_ARN_ACCOUNT`, `INVALID_ARN_PREFIX`, `MISSING_ARN_FIELD`…);
    /// - a wildcard inside a `Principal.AWS` ARN, `Principal.Service` or `Principal.Federated`
    ///   value (`UNSUPPORTED_WILDCARD_IN_PRINCIPAL`);
    /// - a `Service` value that is not `<name>.amazonaws.com` (`INVALID_SERVICE_PRINCIPAL_FORMAT`);
    /// - a `Federated` value that is neither an `oidc-provider`/`saml-provider` ARN nor a domain
    ///   name (`INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY`);
    /// - conditions on `aws:RequestTag/…`/`aws:TagKeys` without `sts:TagSession`, or on
    ///   `sts:SourceIdentity` without `sts:SetSourceIdentity` (`MISSING_ACTION_FOR_CONDITION_KEY`);
    /// - a principal type other than `AWS`, `Federated`, `Service`, `CanonicalUser`
    ///   (`INVALID_PRINCIPAL_KEY`), `NullIfExists` (`NULL_WITH_IF_EXISTS`), two condition keys of
    ///   one block that differ only in case (`DUPLICATE_KEYS_WITH_DIFFERENT_CASE`);
    /// - an unknown `Version` (`INVALID_VERSION`; a missing one is a note, `MISSING_VERSION`), a
    ///   `Sid` with other than letters and digits (`UNSUPPORTED_SID`), a `Sid` used twice
    ///   (warning, `UNIQUE_SIDS_RECOMMENDED`).
    ///
    /// ## Why it matters
    /// `CreateRole`/`UpdateAssumeRolePolicy` fail with `MalformedPolicyDocument` on these, so
    /// Terraform, CloudFormation, ACK or Crossplane keep failing to apply the role; a condition on
    /// session tags without `sts:TagSession` makes every tagged request fail with AccessDenied.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EX"},
    ///  "Action": "sts:AssumeRoleWithWebIdentity", "Resource": "*"}
    /// ```
    /// Fixed: remove `"Resource"`: a trust policy applies to the role it is attached to.
    pub struct TrustPolicyGrammar => ("IRSA026", "trust-policy-grammar", Severity::Error);
}

impl Rule for TrustPolicyGrammar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for (p, doc) in trust_policies(ws).filter(|(_, d)| is_role_trust(d)) {
            check_document(p, doc, out);
            for s in &doc.statements {
                check_statement(p, s, out);
            }
        }
    }
}

/// `Version` and `Sid`s (Access Analyzer `INVALID_VERSION`, `MISSING_VERSION`,
/// `UNIQUE_SIDS_RECOMMENDED`, `UNSUPPORTED_SID`).
fn check_document(p: &PolicyInput, doc: &PolicyDocument, out: &mut Vec<Finding>) {
    let meta = &TrustPolicyGrammar::META;
    match &doc.version {
        Some(v) if v.value != "2012-10-17" && v.value != "2008-10-17" => out.push(
            policy_finding(meta, p, v.span, format!("`Version` `{}` is not a policy language version: IAM rejects the policy", v.value))
                .help("use `\"Version\": \"2012-10-17\"`"),
        ),
        None => out.push(
            policy_finding(meta, p, doc.statement_key_span.unwrap_or(doc.span), "the policy has no `Version`: IAM reads it as `2008-10-17`, where policy variables are plain text")
                .severity(Severity::Note)
                .help("add `\"Version\": \"2012-10-17\"`"),
        ),
        _ => {}
    }
    let mut seen: Vec<&str> = Vec::new();
    for sid in doc.statements.iter().filter_map(|s| s.sid.as_ref()) {
        if !sid.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            out.push(policy_finding(
                meta,
                p,
                sid.span,
                format!(
                    "`Sid` `{}`: only letters and digits are allowed, IAM rejects the policy",
                    sid.value
                ),
            ));
        }
        if seen.contains(&sid.value.as_str()) {
            out.push(
                policy_finding(
                    meta,
                    p,
                    sid.span,
                    format!("`Sid` `{}` is used by two statements", sid.value),
                )
                .severity(Severity::Warning),
            );
        }
        seen.push(&sid.value);
    }
}

fn check_statement(p: &PolicyInput, s: &Statement, out: &mut Vec<Finding>) {
    let meta = &TrustPolicyGrammar::META;
    for e in s.principal.iter().flat_map(|p| p.entries()) {
        if let PrincipalType::Other(k) = &e.kind {
            out.push(policy_finding(meta, p, e.key_span, format!("`{k}` is not a principal type (`AWS`, `Federated`, `Service`): IAM rejects the policy")));
        }
    }
    for (i, c) in s.conditions.iter().enumerate() {
        if c.operator.base == BaseOp::Null && c.operator.if_exists {
            out.push(
                policy_finding(
                    meta,
                    p,
                    c.operator_span,
                    "`NullIfExists` is not an operator: IAM rejects the policy",
                )
                .help("use `Null`"),
            );
        }
        let twin = s.conditions[..i].iter().find(|d| {
            d.operator.raw == c.operator.raw && d.key != c.key && d.key.eq_ignore_ascii_case(&c.key)
        });
        if let Some(d) = twin {
            out.push(policy_finding(
                meta,
                p,
                c.key_span,
                format!(
                    "`{}` and `{}` differ only in case in one `{}` block: IAM rejects the policy",
                    d.key, c.key, c.operator.raw
                ),
            ));
        }
    }
    if let Some(np) = &s.not_principal {
        out.push(
            policy_finding(
                meta,
                p,
                np.key_span,
                "role trust policies do not support `NotPrincipal`: IAM rejects the policy",
            )
            .help("name the principals that may assume the role under `Principal`"),
        );
    }
    if let Some(r) = s.resources.first().or(s.not_resources.first()) {
        out.push(
            policy_finding(meta, p, r.span, "role trust policies take no `Resource`/`NotResource`: they apply to the role they are attached to, and IAM rejects the policy")
                .help("remove the `Resource` element"),
        );
    }
    if s.effect.value == Effect::Allow && !s.has_principal() {
        out.push(
            policy_finding(meta, p, s.span, "an Allow statement of a role trust policy has no `Principal`: IAM rejects the policy")
                .help("add `Principal` (for IRSA: `{\"Federated\": \"arn:aws:iam::<account>:oidc-provider/<issuer>\"}`)"),
        );
    }
    if s.actions.is_empty() && s.not_actions.is_empty() {
        out.push(
            policy_finding(meta, p, s.span, "the statement has no `Action` or `NotAction`: IAM rejects the policy")
                .help("add `\"Action\": \"sts:AssumeRoleWithWebIdentity\"` (or the action for its principal)"),
        );
    }
    for e in s.principal.iter().flat_map(|p| p.entries()) {
        for v in &e.values {
            if let Some(message) = bad_principal_value(&e.kind, &v.value) {
                out.push(policy_finding(meta, p, v.span, message));
            }
        }
    }
    for c in &s.conditions {
        let key = c.key.to_ascii_lowercase();
        let needed = if key.starts_with("aws:requesttag/") || key == "aws:tagkeys" {
            TAG_SESSION
        } else if key == "sts:sourceidentity" {
            SET_SOURCE_IDENTITY
        } else {
            continue;
        };
        if s.effect.value == Effect::Allow && !s.matches_action(needed) {
            out.push(
                policy_finding(meta, p, c.key_span, format!("a condition on `{}` needs `{needed}` in the statement's actions: requests that set it are denied", c.key))
                    .help(format!("add `{needed}` to `Action`")),
            );
        }
    }
}

/// Why a principal value is malformed for a trust policy, if it is.
fn bad_principal_value(kind: &PrincipalType, value: &str) -> Option<String> {
    let v = value.trim();
    if v == "*" {
        return None; // the wildcard principal is IRSA008's
    }
    if crate::model::arn::has_deploy_time_part(v) {
        return None; // known only at deploy time (`${AWS::AccountId}`, an intrinsic)
    }
    let wildcard = v.contains(['*', '?']);
    match kind {
        PrincipalType::Aws if wildcard => Some(format!(
            "`{v}`: wildcards are not supported inside a `Principal.AWS` value: IAM rejects the policy (use a condition such as `aws:PrincipalArn` with `ArnLike`)"
        )),
        PrincipalType::Aws if v.starts_with("arn:") => crate::model::arn::Arn::parse(v)
            .err()
            .map(|e| format!("`Principal.AWS` `{v}`: {e}: IAM rejects the policy")),
        PrincipalType::Aws if !(is_account_id(v) || is_unique_id(v)) => {
            Some(format!("`Principal.AWS` `{v}` is neither a 12-digit account ID nor an ARN: IAM rejects the policy"))
        }
        PrincipalType::Service if wildcard => Some(format!(
            "`{v}`: wildcards are not supported in `Principal.Service`: IAM rejects the policy"
        )),
        PrincipalType::Service
            if !(glob_match_ignore_case("*.amazonaws.com", v)
                || glob_match_ignore_case("*.amazonaws.com.cn", v)
                || glob_match_ignore_case("*.amazon.com", v)) =>
        {
            Some(format!(
                "`{v}` is not a service principal (`<service>.amazonaws.com`): IAM rejects the policy"
            ))
        }
        PrincipalType::Federated if wildcard => Some(format!(
            "`{v}`: wildcards are not supported in `Principal.Federated`: IAM rejects the policy"
        )),
        PrincipalType::Federated if v.starts_with("arn:") => {
            let provider = v.contains(":oidc-provider/") || v.contains(":saml-provider/");
            (!provider).then(|| format!("`{v}` is neither an `oidc-provider` nor a `saml-provider` ARN: IAM rejects it as a federated principal"))
        }
        PrincipalType::Federated if !is_domain(v) => Some(format!(
            "`{v}` is not a valid federated principal: use the IAM OIDC provider's ARN (`arn:aws:iam::<account>:oidc-provider/<issuer>`), a SAML provider ARN, or a domain such as `cognito-identity.amazonaws.com`"
        )),
        _ => None,
    }
}

/// A host name such as `accounts.google.com`.
fn is_domain(v: &str) -> bool {
    v.contains('.')
        && v.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_account_id(v: &str) -> bool {
    v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM unique ID (`AROA…`, `AIDA…`), which IAM shows in place of a deleted principal.
fn is_unique_id(v: &str) -> bool {
    v.len() >= 16
        && (v.starts_with("AROA") || v.starts_with("AIDA"))
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
