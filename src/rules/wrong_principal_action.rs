use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{PolicyInput, Workspace};
use crate::model::policy::{Effect, PolicyDocument, PrincipalValue, Statement};
use crate::model::trust::{
    POD_IDENTITY_ACTIONS, POD_IDENTITY_SERVICE, ROLES_ANYWHERE_ACTIONS, ROLES_ANYWHERE_SERVICE,
};
use crate::rules::util::{policy_finding, policy_related};
use crate::rules::{Rule, Scope};

mod matrix;

declare_rule! {
    /// The trust statement's principal and action do not fit together.
    ///
    /// ## What it checks
    /// Allow statements of trust policies, every principal against the action STS matches for it:
    /// `sts:AssumeRole` for `Principal.AWS` and `Principal.Service`,
    /// `sts:AssumeRoleWithWebIdentity` for a `Principal.Federated` OIDC (or Cognito, Google,
    /// Amazon, Facebook) provider, `sts:AssumeRoleWithSAML` for a `Federated` SAML provider.
    /// `Action` lists, wildcards (`sts:*`, `sts:Assume*`) and `NotAction` are expanded. A
    /// principal whose action is missing is an error when no statement of the policy lets it
    /// assume the role (a warning when another statement does); a statement that only adds
    /// `sts:TagSession`, `sts:SetSourceIdentity` or `sts:SetContext` next to a complete one is fine.
    /// Also:
    /// - an assume action that no principal of its statement can use (warning);
    /// - an action that no trust policy can grant, or a misspelt `sts:` action (warning);
    /// - `Principal.CanonicalUser` (S3 only; IAM rejects it in a trust policy);
    /// - an `oidc-provider` ARN under `Principal.AWS` instead of `Principal.Federated`;
    /// - `Principal: "*"` or `Principal.AWS: "*"` (warning when conditions narrow it);
    /// - EKS Pod Identity (`Service: pods.eks.amazonaws.com`) without both `sts:AssumeRole` and
    ///   `sts:TagSession`;
    /// - IAM Roles Anywhere (`Service: rolesanywhere.amazonaws.com`) without `sts:AssumeRole`,
    ///   `sts:TagSession` and `sts:SetSourceIdentity`.
    ///
    /// ## Why it matters
    /// STS matches an `AssumeRoleWithWebIdentity` request only against statements that allow that
    /// action for a `Federated` principal: `"Action": "sts:AssumeRole"` next to an OIDC provider
    /// (the IRSA mistake) means every pod gets `AccessDenied`. The same holds for each pairing of
    /// principal type and API. The Pod Identity agent always tags the session, and Roles Anywhere
    /// always tags it and sets the source identity: without those actions every credential
    /// request fails with AccessDenied. A `*` principal lets any AWS account assume the role.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"}, "Action": "sts:AssumeRole"}
    /// ```
    /// Fixed: `"Action": "sts:AssumeRoleWithWebIdentity"`. For Pod Identity,
    /// `{"Service": "pods.eks.amazonaws.com"}` needs `"Action": ["sts:AssumeRole", "sts:TagSession"]`.
    pub struct WrongPrincipalAction => ("IRSA008", "wrong-principal-action", Severity::Error);
}

impl Rule for WrongPrincipalAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Workspace: a trust of an unrecognised provider is checked when a service account of the
    /// run, in any file, uses the role (`Workspace::eks_trusts`).
    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for t in ws.eks_trusts() {
            let (p, doc) = (t.policy, t.doc);
            for s in t.statements().filter(|s| s.effect.value == Effect::Allow) {
                check_statement(p, doc, s, out);
            }
        }
    }
}

fn check_statement(p: &PolicyInput, doc: &PolicyDocument, s: &Statement, out: &mut Vec<Finding>) {
    let Some(principal) = &s.principal else {
        return;
    };
    let meta = &WrongPrincipalAction::META;
    let action_span = s.action_span.unwrap_or(s.span);
    // Bucket and other resource policies also name principals: only assume-role policies here.
    if crate::rules::util::is_role_trust(doc) {
        let before = out.len();
        matrix::check(p, doc, s, principal, out);
        if out.len() == before {
            matrix::dead_actions(p, s, principal, out);
        }
        matrix::unknown_actions(p, s, out);
    }
    for v in principal
        .aws()
        .into_iter()
        .filter(|v| v.value.contains(":oidc-provider/"))
    {
        out.push(
            policy_finding(meta, p, v.span, "an OIDC provider ARN under `Principal.AWS`: it belongs under `Principal.Federated`")
                .help("write `\"Principal\": {\"Federated\": \"arn:aws:iam::<account>:oidc-provider/<issuer>\"}`"),
        );
    }
    let wildcard = match &principal.value {
        PrincipalValue::Wildcard(span) => Some(*span),
        PrincipalValue::Typed(_) => principal
            .aws()
            .into_iter()
            .find(|v| v.value == "*")
            .map(|v| v.span),
    };
    if let Some(span) = wildcard {
        let (severity, tail) = if s.conditions.is_empty() {
            (
                Severity::Error,
                "any AWS principal in any account can assume the role",
            )
        } else {
            (
                Severity::Warning,
                "any AWS principal that meets the conditions can assume the role",
            )
        };
        out.push(
            policy_finding(meta, p, span, format!("wildcard principal: {tail}"))
                .severity(severity)
                .help(
                    "name the account, role, OIDC provider or service that should assume the role",
                ),
        );
    }
    for (service, required) in [
        (POD_IDENTITY_SERVICE, POD_IDENTITY_ACTIONS),
        (ROLES_ANYWHERE_SERVICE, ROLES_ANYWHERE_ACTIONS),
    ] {
        let Some(v) = principal
            .services()
            .into_iter()
            .find(|v| v.value.eq_ignore_ascii_case(service))
        else {
            continue;
        };
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|a| !s.matches_action(a))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        out.push(
            policy_finding(
                meta,
                p,
                action_span,
                format!(
                    "`{service}` trust lacks {list}: credential requests fail with AccessDenied"
                ),
            )
            .related(policy_related(p, v.span, "the service principal"))
            .help(format!("allow {}", required.join(", "))),
        );
    }
}
