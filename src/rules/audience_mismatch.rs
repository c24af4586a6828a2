use crate::declare_rule;
use std::collections::BTreeSet;

use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{Workspace, AUDIENCE_ANNOTATION, DEFAULT_AUDIENCE};
use crate::model::glob::glob_match;
use crate::model::policy::{BaseOp, Condition};
use crate::rules::util::{
    is_claim, oidc_federated, oidc_statements, policy_finding, policy_related,
};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// The trust's `:aud` condition is wrong, swapped with `:sub`, or missing.
    ///
    /// ## What it checks
    /// For OIDC web identity statements of EKS trust policies:
    /// - no `<issuer>:aud` condition at all (a hygiene note);
    /// - an `:aud` value that is neither `sts.amazonaws.com` nor the `eks.amazonaws.com/audience`
    ///   of a service account in the files read, e.g. `sts.amazon.com` (error);
    /// - `:aud` holding `system:serviceaccount:...`, or `:sub` holding an audience (error).
    ///
    /// ## Why it matters
    /// The pod-identity webhook requests tokens for `sts.amazonaws.com` unless the service account
    /// says otherwise. A wrong audience fails every `AssumeRoleWithWebIdentity` with "Incorrect
    /// token audience" or "Not authorized", and swapped keys fail both conditions. A trust
    /// without an `:aud` condition is not open to other audiences: STS accepts only tokens whose
    /// audience is in the IAM OIDC provider's client-ID list. Stating it in the trust documents
    /// the intent and keeps the role closed if the provider's list grows.
    ///
    /// ## Example
    /// ```json
    /// "StringEquals": {
    ///   "oidc.eks.us-east-1.amazonaws.com/id/EX:aud": "sts.amazon.com",
    ///   "oidc.eks.us-east-1.amazonaws.com/id/EX:sub": "system:serviceaccount:app:api"
    /// }
    /// ```
    /// Fixed: `"oidc.eks.us-east-1.amazonaws.com/id/EX:aud": "sts.amazonaws.com"`.
    pub struct AudienceMismatch => ("IRSA005", "audience-mismatch", Severity::Error);
}

impl Rule for AudienceMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let audiences = known_audiences(ws);
        let listed = audiences
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for t in ws.eks_trusts() {
            let p = t.policy;
            for s in oidc_statements(&t) {
                let positive = |c: &&Condition| !c.operator.base.is_negated();
                let auds: Vec<&Condition> = s
                    .conditions
                    .iter()
                    .filter(|c| is_claim(c, "aud"))
                    .filter(positive)
                    .collect();
                if auds.is_empty() && !s.conditions.iter().any(|c| is_claim(c, "aud")) {
                    let span = s
                        .conditions
                        .iter()
                        .find(|c| is_claim(c, "sub"))
                        .map(|c| c.key_span)
                        .or_else(|| oidc_federated(s).first().map(|v| v.span))
                        .unwrap_or(s.span);
                    out.push(
                        policy_finding(&Self::META, p, span, "this OIDC trust statement has no `:aud` condition: STS still checks the token's audience against the OIDC provider's client IDs, but the trust does not say which one it expects")
                            .severity(Severity::Note)
                            .help(format!("add \"<issuer>:aud\": \"{DEFAULT_AUDIENCE}\" next to the `:sub` condition"))
                            .fix_opt(add_aud_fix(p, s)),
                    );
                }
                for c in &auds {
                    for v in &c.values {
                        let val = v.value.as_str();
                        let ok = audiences.iter().any(|a| matches(c, val, a));
                        if ok {
                            continue;
                        }
                        let msg = if val.starts_with("system:serviceaccount:") {
                            format!("`:aud` holds the subject `{val}`: the `:aud` and `:sub` values are swapped")
                        } else {
                            format!("audience `{val}` is not what IRSA tokens carry ({listed}): every AssumeRoleWithWebIdentity fails")
                        };
                        out.push(
                            policy_finding(&Self::META, p, v.span, msg)
                                .related(policy_related(p, c.key_span, "the audience condition"))
                                .help(format!("use `{DEFAULT_AUDIENCE}`, or the service account's `{AUDIENCE_ANNOTATION}`")),
                        );
                    }
                }
                for c in s.conditions.iter().filter(|c| is_claim(c, "sub")) {
                    for v in c
                        .values
                        .iter()
                        .filter(|v| audiences.iter().any(|a| v.value == *a))
                    {
                        out.push(
                            policy_finding(&Self::META, p, v.span, format!("`:sub` holds the audience `{}`: the `:aud` and `:sub` values are swapped", v.value))
                                .related(policy_related(p, c.key_span, "the subject condition"))
                                .help("`:sub` takes `system:serviceaccount:<namespace>:<name>`, `:aud` the audience"),
                        );
                    }
                }
            }
        }
    }
}

/// `sts.amazonaws.com` and every non-empty SA audience annotation.
fn known_audiences(ws: &Workspace) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = ws.service_accounts.iter().map(|sa| sa.audience()).collect();
    set.insert(DEFAULT_AUDIENCE.to_string());
    set
}

fn matches(c: &Condition, value: &str, audience: &str) -> bool {
    match c.operator.base {
        BaseOp::StringLike => glob_match(value, audience),
        BaseOp::StringEqualsIgnoreCase => value.eq_ignore_ascii_case(audience),
        _ => value == audience,
    }
}

/// In a JSON policy whose `StringEquals` tests `:sub` on one line, add the `:aud` entry after it.
fn add_aud_fix(
    p: &crate::facts::PolicyInput,
    s: &crate::model::policy::Statement,
) -> Option<crate::diagnostics::finding::Fix> {
    if !p.file.file_name().ends_with(".json") {
        return None;
    }
    let sub = s
        .conditions
        .iter()
        .find(|c| is_claim(c, "sub") && c.operator.raw == "StringEquals" && c.values.len() == 1)?;
    let issuer = sub.key.strip_suffix(":sub")?;
    let line_start = p.file.text[..sub.key_span.start.offset]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent = &p.file.text[line_start..sub.key_span.start.offset];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let key = serde_json::to_string(&format!("{issuer}:aud")).ok()?;
    let text = format!(",\n{indent}{key}: \"{DEFAULT_AUDIENCE}\"");
    let insert = crate::diagnostics::fix::insert_at(&p.file, sub.values_span, text);
    Some(crate::diagnostics::fix::fix(
        format!("add `{issuer}:aud` = `{DEFAULT_AUDIENCE}`"),
        vec![insert],
    ))
}
