//! Every principal type against every STS action (see `model::trust::assume`).

use crate::diagnostics::finding::{Finding, Severity};
use crate::facts::PolicyInput;
use crate::model::policy::{PolicyDocument, Principal, Spanned, Statement};
use crate::model::trust::assume::{
    class_for_action, closest_trust_action, trust_actions_matching, PrincipalClass, SESSION_ACTIONS,
};
use crate::model::trust::{POD_IDENTITY_SERVICE, ROLES_ANYWHERE_SERVICE};
use crate::rules::util::{policy_finding, policy_related};

use super::WrongPrincipalAction;

/// Principal values of a statement grouped by class, in order. `Principal.AWS` values naming an
/// OIDC provider and the Pod Identity / Roles Anywhere services have their own checks.
fn classes(principal: &Principal) -> Vec<(PrincipalClass, Vec<&Spanned<String>>)> {
    let mut out: Vec<(PrincipalClass, Vec<&Spanned<String>>)> = Vec::new();
    for e in principal.entries() {
        for v in &e.values {
            let class = PrincipalClass::of(&e.kind, &v.value);
            let own_check = (class == PrincipalClass::Aws && v.value.contains(":oidc-provider/"))
                || (class == PrincipalClass::Service
                    && [POD_IDENTITY_SERVICE, ROLES_ANYWHERE_SERVICE]
                        .iter()
                        .any(|s| v.value.eq_ignore_ascii_case(s)));
            if own_check {
                continue;
            }
            match out.iter_mut().find(|(c, _)| *c == class) {
                Some((_, values)) => values.push(v),
                None => out.push((class, vec![v])),
            }
        }
    }
    out
}

/// What the statement's `Action`/`NotAction` grants, for messages.
fn granted(s: &Statement) -> String {
    let quote = |list: &[Spanned<String>]| {
        list.iter()
            .map(|a| format!("`{}`", a.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.actions.is_empty() {
        format!("only {}", quote(&s.actions))
    } else if !s.not_actions.is_empty() {
        format!("everything except {} (`NotAction`)", quote(&s.not_actions))
    } else {
        "no action".into()
    }
}

/// Another Allow statement lets this principal value assume the role.
fn allowed_elsewhere(
    doc: &PolicyDocument,
    s: &Statement,
    class: PrincipalClass,
    value: &str,
    action: &str,
) -> bool {
    doc.statements.iter().any(|t| {
        t.index != s.index
            && t.allows_action(action)
            && t.principal.as_ref().is_some_and(|p| {
                p.is_wildcard()
                    || p.entries().iter().any(|e| {
                        e.values.iter().any(|v| {
                            PrincipalClass::of(&e.kind, &v.value) == class
                                && v.value.eq_ignore_ascii_case(value)
                        })
                    })
            })
    })
}

/// Does the statement name only session actions (it adds to an assumption made elsewhere)?
fn session_only(s: &Statement) -> bool {
    !s.actions.is_empty()
        && s.actions.iter().all(|a| {
            SESSION_ACTIONS
                .iter()
                .any(|x| x.eq_ignore_ascii_case(&a.value))
        })
}

/// Each principal class of the statement must be able to assume the role with its action.
pub(super) fn check(
    p: &PolicyInput,
    doc: &PolicyDocument,
    s: &Statement,
    principal: &Principal,
    out: &mut Vec<Finding>,
) {
    let meta = &WrongPrincipalAction::META;
    let action_span = s.action_span.unwrap_or(s.span);
    for (class, values) in classes(principal) {
        if class == PrincipalClass::CanonicalUser {
            out.push(policy_finding(meta, p, values[0].span, "`Principal.CanonicalUser` identifies an S3 canonical user: IAM rejects it in a role trust policy (MalformedPolicyDocument)")
                .help("name the account or role under `Principal.AWS` instead"));
            continue;
        }
        let Some(required) = class.assume_action() else {
            continue;
        };
        if s.matches_action(required) {
            continue;
        }
        let elsewhere = values
            .iter()
            .all(|v| allowed_elsewhere(doc, s, class, &v.value, required));
        if elsewhere && session_only(s) {
            continue;
        }
        let (severity, tail) = if elsewhere {
            (
                Severity::Warning,
                format!(
                    "this statement is never used for it (another statement allows `{required}`)"
                ),
            )
        } else {
            (
                Severity::Error,
                format!("STS never matches a `{required}` request against it and no other statement allows one, so the role cannot be assumed this way"),
            )
        };
        let who = class.describe();
        let mut finding = policy_finding(
            meta,
            p,
            action_span,
            format!(
                "{who} assumes a role only with `{required}`, but this statement allows {}: {tail}",
                granted(s)
            ),
        )
        .severity(severity)
        .help(format!(
            "allow `\"Action\": \"{required}\"` for this principal{}",
            hint(class)
        ));
        for v in values {
            finding = finding.related(policy_related(p, v.span, "the principal"));
        }
        out.push(finding);
    }
}

fn hint(class: PrincipalClass) -> &'static str {
    match class {
        PrincipalClass::WebIdentity => " (IRSA pods call AssumeRoleWithWebIdentity; add `sts:TagSession` only if sessions are tagged)",
        PrincipalClass::Aws | PrincipalClass::Service => " (`sts:AssumeRoleWithWebIdentity` belongs under `Principal.Federated`)",
        _ => "",
    }
}

/// Assume actions named in the statement that none of its principals can use.
pub(super) fn dead_actions(
    p: &PolicyInput,
    s: &Statement,
    principal: &Principal,
    out: &mut Vec<Finding>,
) {
    if principal.is_wildcard() {
        return;
    }
    let present: Vec<PrincipalClass> = principal
        .entries()
        .iter()
        .flat_map(|e| {
            e.values
                .iter()
                .map(|v| PrincipalClass::of(&e.kind, &v.value))
        })
        .collect();
    for a in &s.actions {
        let Some(class) = class_for_action(&a.value) else {
            continue;
        };
        let used = present
            .iter()
            .any(|c| c.assume_action() == class.assume_action());
        if used || present.iter().all(|c| c.assume_action().is_none()) {
            continue;
        }
        out.push(
            policy_finding(
                &WrongPrincipalAction::META,
                p,
                a.span,
                format!(
                    "`{}` is never used by this statement's principals: STS matches it only against {}",
                    a.value,
                    class.describe()
                ),
            )
            .severity(Severity::Warning)
            .help("remove the action, or move it to a statement with the matching principal"),
        );
    }
}

/// Actions that no trust policy can grant (another service's action, a misspelt `sts:` one).
pub(super) fn unknown_actions(p: &PolicyInput, s: &Statement, out: &mut Vec<Finding>) {
    for a in s.actions.iter().chain(&s.not_actions) {
        if !trust_actions_matching(&a.value).is_empty() {
            continue;
        }
        let sts = a.value.to_ascii_lowercase().starts_with("sts:");
        let message = match closest_trust_action(&a.value).filter(|_| sts) {
            Some(near) => format!(
                "`{}` is not an STS action (did you mean `{near}`?): it matches no request",
                a.value
            ),
            None => format!(
                "`{}` is not an action a role trust policy can grant: it has no effect here",
                a.value
            ),
        };
        out.push(
            policy_finding(&WrongPrincipalAction::META, p, a.span, message)
                .severity(Severity::Warning)
                .help("a trust policy grants sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML, sts:TagSession, sts:SetSourceIdentity or sts:SetContext"),
        );
    }
}
