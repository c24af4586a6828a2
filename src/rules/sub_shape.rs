use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{PolicyInput, Workspace, DEFAULT_AUDIENCE};
use crate::model::glob::has_wildcard;
use crate::model::placeholder::{filled, Filled};
use crate::model::policy::{BaseOp, Condition, Spanned};
use crate::model::trust::scope::is_other_issuer;
use crate::rules::util::{claim_key, is_claim, oidc_statements, policy_finding, policy_related};
use crate::rules::{Rule, Scope};
use crate::syntax::yaml::Span;

const PREFIX: &str = "system:serviceaccount:";

declare_rule! {
    /// A `:sub` value that is not `system:serviceaccount:<namespace>:<name>` never matches an IRSA token.
    ///
    /// ## What it checks
    /// Values of `<issuer>:sub` conditions (`StringEquals`, `StringEqualsIgnoreCase`,
    /// `StringLike`) in EKS trust policies, wherever the trust comes from (a JSON file, an
    /// ACK/Crossplane Role, CloudFormation, Terraform, the terraform-aws-modules IAM modules'
    /// `namespace_service_accounts`). The subject of an IRSA token is always
    /// `system:serviceaccount:<namespace>:<name>`, so a value without that prefix, without a
    /// name after the namespace, with an empty field or a third field, or with characters no
    /// namespace or service account name can hold (upper case, `_`, `/`, spaces) never matches.
    /// A `StringLike` pattern is judged on its literal parts: `system:serviceaccount:ns:*` and
    /// `system:serviceaccount:*:name` have the shape, `system:serviceaccount:default` does not.
    /// Values set at deploy time (`${…}`, symbolic Terraform values) are not judged; a `:sub`
    /// holding the audience is IRSA005, a wildcard under `StringEquals` IRSA002.
    ///
    /// ## Why it matters
    /// STS compares the token's `sub` claim with the value; when no service account can carry
    /// that subject, every `AssumeRoleWithWebIdentity` is refused with AccessDenied and the pods
    /// run without the role. The terraform-aws-modules IAM modules build the subject as
    /// `system:serviceaccount:` + each `namespace_service_accounts` entry, so an entry must be
    /// `<namespace>:<name>`.
    ///
    /// ## Example
    /// ```hcl
    /// oidc_providers = {
    ///   main = {
    ///     provider_arn               = module.eks.oidc_provider_arn
    ///     namespace_service_accounts = ["default"]   # makes system:serviceaccount:default
    ///   }
    /// }
    /// ```
    /// Fixed: `namespace_service_accounts = ["default:my-app"]`; in a JSON trust,
    /// `"system:serviceaccount:default:my-app"`.
    pub struct SubShape => ("IRSA027", "sub-not-service-account", Severity::Error);
}

impl Rule for SubShape {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Workspace: a trust of an unrecognised provider is checked when a service account of the
    /// run, in any file, uses the role (`Workspace::eks_trusts`).
    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let audiences: Vec<String> = ws.service_accounts.iter().map(|sa| sa.audience()).collect();
        let is_audience = |v: &str| v == DEFAULT_AUDIENCE || audiences.iter().any(|a| a == v);
        for t in ws.eks_trusts() {
            let p = t.policy;
            let subs = oidc_statements(&t)
                .flat_map(|s| &s.conditions)
                .filter(|c| is_claim(c, "sub"))
                .filter(|c| claim_key(&c.key).is_some_and(|(i, _)| !is_other_issuer(i)));
            for c in subs {
                let Some(like) = judged_operator(c) else {
                    continue;
                };
                for v in c.values.iter().filter(|v| !is_audience(&v.value)) {
                    if let Some(why) = judge(c, v, like) {
                        out.push(finding(p, c, v, &why));
                    }
                }
            }
        }
    }
}

/// `Some(is StringLike)` for the positive string operators this rule reads.
fn judged_operator(c: &Condition) -> Option<bool> {
    match c.operator.base {
        BaseOp::StringLike => Some(true),
        BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase => Some(false),
        _ => None,
    }
}

/// Why a known value can never match, or None (it can, or it is not known, or another rule says it).
fn judge(c: &Condition, v: &Spanned<String>, like: bool) -> Option<String> {
    if filled(&v.value) != Filled::Known || v.value.contains("${") {
        return None;
    }
    if !like && has_wildcard(&v.value) {
        return None;
    }
    let value = if c.operator.base == BaseOp::StringEqualsIgnoreCase {
        v.value.to_ascii_lowercase()
    } else {
        v.value.clone()
    };
    never_matches(&value, like)
}

fn finding(p: &PolicyInput, c: &Condition, v: &Spanned<String>, why: &str) -> Finding {
    let mut message = format!(
        "`:sub` value `{}` never matches an IRSA token: {why}; the subject is `{PREFIX}<namespace>:<name>`",
        v.value
    );
    if let Some(origin) = built_from(p, c, v) {
        message.push_str(&format!(" ({origin})"));
    }
    let help = if v.value.starts_with(PREFIX) && !written_as_is(p, v) {
        "write the entry as `<namespace>:<name>` (the module prepends `system:serviceaccount:`)"
    } else {
        "use `system:serviceaccount:<namespace>:<name>` (under StringLike, `*` may stand for the namespace or the name)"
    };
    policy_finding(&SubShape::META, p, v.span, message)
        .related(policy_related(p, c.key_span, "the subject condition"))
        .help(help)
}

/// The value as written at its span, when it is a short one-line text.
fn written(p: &PolicyInput, span: Span) -> Option<&str> {
    let text = p.file.text.get(span.start.offset..span.end.offset)?.trim();
    let text = text.trim_matches(|c| c == '"' || c == '\'');
    (!text.contains('\n') && text.len() <= 80).then_some(text)
}

fn written_as_is(p: &PolicyInput, v: &Spanned<String>) -> bool {
    written(p, v.span).is_none_or(|w| w == v.value)
}

/// For a value a front-end built (a Terraform module's `namespace_service_accounts` entry), what
/// it was built from: the text written and the input that holds it.
fn built_from(p: &PolicyInput, c: &Condition, v: &Spanned<String>) -> Option<String> {
    let text = written(p, v.span).filter(|w| *w != v.value)?;
    let input = [v.span, c.key_span]
        .into_iter()
        .find_map(|s| input_name(p, s));
    Some(match input {
        Some(name) => format!("built from `{text}` of `{name}`"),
        None => format!("built from `{text}`"),
    })
}

/// `name = <span>` in HCL: the attribute that holds the text at `span`.
fn input_name(p: &PolicyInput, span: Span) -> Option<&str> {
    let before = p.file.text.get(..span.start.offset)?.trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    let name = &before[start..];
    (!name.is_empty()).then_some(name)
}

/// Why no IRSA subject can equal (or, when `like`, match) `value`.
fn never_matches(value: &str, like: bool) -> Option<String> {
    if value.is_empty() {
        return Some("it is empty".into());
    }
    let wild = |s: &str| like && has_wildcard(s);
    let Some(rest) = value.strip_prefix(PREFIX) else {
        let literal = value.split(['*', '?']).next().unwrap_or_default();
        let can_reach_prefix = wild(value) && PREFIX.starts_with(literal);
        return (!can_reach_prefix).then(|| format!("it does not start with `{PREFIX}`"));
    };
    if let Some(bad) = rest
        .chars()
        .find(|ch| !is_name_char(*ch) && (!like || !matches!(ch, '*' | '?')))
    {
        return Some(format!(
            "`{bad}` is in no namespace or service account name (lowercase letters, digits, `-` and `.`)"
        ));
    }
    let colons = rest.matches(':').count();
    if colons > 1 {
        return Some("it has a third field after the namespace and the name".into());
    }
    if wild(rest) {
        return None;
    }
    match rest.split_once(':') {
        None => Some(format!("it has no `:<name>` after the namespace `{rest}`")),
        Some(("", _)) => Some("the namespace is empty".into()),
        Some((_, "")) => Some("the service account name is empty".into()),
        Some((ns, _)) if ns.contains('.') => Some(format!("namespace `{ns}` cannot hold `.`")),
        Some(_) => None,
    }
}

/// Characters of a namespace (DNS label) or service account name (DNS subdomain), and the `:`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | ':')
}

#[cfg(test)]
mod tests {
    use super::never_matches;

    #[test]
    fn subjects_and_patterns_with_the_shape_pass() {
        for (v, like) in [
            ("system:serviceaccount:default:app", false),
            (
                "system:serviceaccount:kube-system:aws-load-balancer-controller",
                false,
            ),
            ("system:serviceaccount:ns:*", true),
            ("system:serviceaccount:*:name", true),
            ("system:serviceaccount:*", true),
            ("system:serviceaccount:team-?:api", true),
            ("*", true),
            ("system:*", true),
            ("*dns*", true),
        ] {
            assert_eq!(never_matches(v, like), None, "{v}");
        }
    }

    #[test]
    fn values_without_the_shape_never_match() {
        for (v, like) in [
            ("system:serviceaccount:default", false),
            ("system:serviceaccount:default", true),
            ("default:app", false),
            ("serviceaccount:default:app", true),
            ("system:serviceaccount::app", false),
            ("system:serviceaccount:app:", false),
            ("system:serviceaccount:a:b:c", false),
            ("system:serviceaccount:a:b:*", true),
            ("system:serviceaccount:App:api", false),
            ("system:serviceaccount:app:my_sa", false),
            ("system:serviceaccount:a.b:api", false),
            ("", false),
            ("default:*", true),
        ] {
            assert!(never_matches(v, like).is_some(), "{v}");
        }
    }
}
