use crate::declare_rule;

use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::pairing::TrustPair;
use crate::facts::{PolicyInput, ServiceAccount, Workspace};
use crate::model::policy::PolicyDocument;
use crate::model::trust::{self, evaluate_web_identity, MissReason, Verdict, WebIdentityRequest};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// The role's trust policy does not let the service account that carries the role assume it.
    ///
    /// ## What it checks
    /// When a ServiceAccount annotated with `eks.amazonaws.com/role-arn: …:role/R` and a trust
    /// policy of role `R` are both in the input (an ACK/Crossplane Role CR, a file named `R.json`,
    /// `R.trust.json` or `R-trust-policy.json`, or a `roles:` entry in `.irsa.yaml`), the trust is
    /// evaluated with IAM's real semantics for `system:serviceaccount:<namespace>:<name>`, the SA's
    /// audience (`eks.amazonaws.com/audience`, else `sts.amazonaws.com`) and the trust's own OIDC
    /// provider. For charts, the namespace and name are the ones the chart really renders.
    ///
    /// ## Why it matters
    /// This is the most reported IRSA failure: a typo, a renamed release, a fullname helper, a
    /// namespace from values or `namespaceOverride` makes the token's `sub` differ from the trust,
    /// and every AWS call fails with `AccessDenied: Not authorized to perform
    /// sts:AssumeRoleWithWebIdentity` — visible only in CloudTrail.
    ///
    /// ## Example
    /// The SA is `ci/edp-kaniko`, but the trust says:
    /// ```json
    /// "StringEquals": {"oidc.eks.eu-central-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:edp:edp-kaniko"}
    /// ```
    /// Fixed: `"system:serviceaccount:ci:edp-kaniko"` (or deploy the SA to `edp`).
    pub struct TrustSubMismatch => ("IRSA016", "trust-sub-mismatch", Severity::Error);
}

impl Rule for TrustSubMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for pair in ws.trust_pairs() {
            if let Some(finding) = check_pair(&pair) {
                out.push(finding);
            }
        }
    }
}

/// The namespace an SA really lands in, and a note on where it came from.
fn effective_namespace(sa: &ServiceAccount) -> (String, Option<String>) {
    match (&sa.object.namespace, &sa.object.chart) {
        (Some(ns), _) => (ns.clone(), None),
        (None, Some(ctx)) => (
            ctx.namespace.clone(),
            Some(format!("the chart renders it without a namespace, so it lands in the release namespace `{}` (-n)", ctx.namespace)),
        ),
        (None, None) => (
            "default".into(),
            Some("the manifest sets no namespace; `default` is assumed (as `kubectl apply` without -n)".into()),
        ),
    }
}

fn check_pair(pair: &TrustPair) -> Option<Finding> {
    let (sa, role, policy, doc) = (pair.sa, pair.role, pair.policy, pair.doc);
    let mut issuers: Vec<(String, String, String)> = trust::web_identity_statements(doc)
        .flat_map(|s| s.principal.iter().flat_map(|p| p.federated()))
        .filter_map(|f| trust::oidc_issuer_of(&f.value))
        .collect();
    issuers.dedup();
    if issuers.is_empty() {
        return None;
    }
    let (namespace, ns_note) = effective_namespace(sa);
    let name = sa.object.name.clone();
    let audience = sa.audience();
    let mut denial = None;
    for (partition, account, issuer) in &issuers {
        let req = WebIdentityRequest {
            issuer,
            account: None,
            partition: None,
            namespace: &namespace,
            service_account: &name,
            audience: &audience,
        };
        match evaluate_web_identity(doc, &req) {
            Verdict::Allow { .. } => return None,
            Verdict::Deny(d) => {
                denial = denial.or(Some((
                    (partition.clone(), account.clone(), issuer.clone()),
                    d,
                )))
            }
        }
    }
    let ((provider_partition, provider_account, issuer), denial) = denial?;
    // The statement names the role's own account: a provider elsewhere never matches (IRSA025).
    // A role whose account (or partition) is known only at apply time keeps the provider's.
    let partition = if pair.partition.is_empty() {
        &provider_partition
    } else {
        &pair.partition
    };
    let account = if pair.account == crate::facts::UNKNOWN_ACCOUNT {
        &provider_account
    } else {
        &pair.account
    };
    let subject = trust::subject(&namespace, &name);
    // A role read from a plan or template is named by its address there too.
    let defined_as = policy
        .object()
        .filter(|o| o.kind != "Role" && o.name != role)
        .map(|o| format!(" (`{}`)", o.name))
        .unwrap_or_default();
    let mut message = format!(
        "role `{role}`{defined_as} does not trust service account `{namespace}/{name}`: {denial}"
    );
    // An operator-created account known only as a pattern (Crossplane's `<package>-*`).
    let pattern = name.contains('*');
    if pattern {
        message.push_str(&format!("; `{name}` stands for a name known only when the operator creates the account: the trust must match it with StringLike"));
    }
    if let Some(cause) = chart_cause(sa, &denial) {
        message.push_str(&format!("; {cause}"));
    } else if let Some(note) = ns_note {
        message.push_str(&format!("; {note}"));
    }
    let primary = match denial.closest().map(|m| &m.reason) {
        Some(MissReason::Condition { span, .. }) => Location::new(&policy.file, *span),
        _ => Location::new(&policy.file, doc.span),
    };
    let mut corrected =
        trust::corrected_statement(&issuer, account, partition, &namespace, &name, &audience);
    if let Some(condition) = corrected["Condition"].as_object_mut().filter(|_| pattern) {
        if let Some(equals) = condition.remove("StringEquals") {
            condition.insert("StringLike".into(), equals);
        }
    }
    let sa_location = sa
        .role_arn
        .as_ref()
        .map_or_else(
            || sa.object.location(sa.object.name_span()),
            |e| sa.object.location(e.key.span.to(e.value.span)),
        )
        .with_message(format!("`{namespace}/{name}` carries role `{role}` here"));
    // Offered only when the evaluator allows the SA once it is applied (another condition,
    // such as `aud`, may refuse it too).
    let allows = |fixed: &PolicyDocument| {
        let req = WebIdentityRequest {
            issuer: &issuer,
            account: None,
            partition: None,
            namespace: &namespace,
            service_account: &name,
            audience: &audience,
        };
        evaluate_web_identity(fixed, &req).is_allow()
    };
    let fix = sub_fix(policy, doc, &denial, &subject, &allows).filter(|_| !pattern);
    let finding = Finding::new(&TrustSubMismatch::META, message);
    let finding = match fix {
        Some(fx) => finding.fix(fx),
        None => finding,
    };
    Some(
        finding
            .at(primary.with_message(format!("expected `{subject}`")))
            .related(sa_location)
            .object(sa.object.object_ref())
            .help(format!(
                "set the `{issuer}:sub` condition to `{subject}`; a correct statement is:\n{}",
                serde_json::to_string_pretty(&corrected).unwrap_or_default()
            )),
    )
}

/// Name the chart mechanism behind a mismatch, where it can be known.
fn chart_cause(sa: &ServiceAccount, denial: &trust::Denial) -> Option<String> {
    let ctx = sa.object.chart.as_ref()?;
    let Some(MissReason::Condition { values, .. }) = denial.closest().map(|m| &m.reason) else {
        return None;
    };
    let (trusted_ns, trusted_name) = values.iter().find_map(|v| trust::parse_subject(v))?;
    let mut causes = Vec::new();
    if trusted_name != sa.object.name && sa.object.name.contains(&ctx.release_name) {
        let changes = match &ctx.declared_by {
            Some(release) => format!("renaming the release (`{release}`) or setting the chart's service-account name changes it"),
            None => "--release-name changes it".to_string(),
        };
        causes.push(format!(
            "the chart derives the SA name `{}` from the release name `{}` (fullname helper); {changes}",
            sa.object.name, ctx.release_name
        ));
    } else if trusted_name != sa.object.name {
        causes.push(format!("the chart renders SA name `{}`, not `{trusted_name}` (check the serviceAccount name value)", sa.object.name));
    }
    let rendered_ns = sa.object.namespace.as_deref().unwrap_or(&ctx.namespace);
    if rendered_ns != trusted_ns {
        causes.push(if rendered_ns == ctx.namespace {
            match &ctx.declared_by {
                Some(release) => format!("the SA lands in the namespace of release `{release}`, `{rendered_ns}`, but the trust names `{trusted_ns}`"),
                None => format!("the SA lands in the release namespace `{rendered_ns}` (-n), but the trust names `{trusted_ns}`"),
            }
        } else {
            format!(
                "the chart sets namespace `{rendered_ns}` from its values (namespaceOverride or similar), not from the release namespace `{}`",
                ctx.namespace
            )
        });
    }
    (!causes.is_empty()).then(|| causes.join("; "))
}

/// Replace the refusing `:sub` value when it is the only one: the trust then names this SA.
fn sub_fix(
    policy: &PolicyInput,
    doc: &PolicyDocument,
    denial: &trust::Denial,
    subject: &str,
    allows: &dyn Fn(&PolicyDocument) -> bool,
) -> Option<crate::diagnostics::finding::Fix> {
    let miss = denial.closest()?;
    let MissReason::Condition { key, .. } = &miss.reason else {
        return None;
    };
    if !key.to_ascii_lowercase().ends_with(":sub") {
        return None;
    }
    let statement = doc.statements.get(miss.statement)?;
    let mut conditions = statement
        .conditions
        .iter()
        .filter(|c| c.key.eq_ignore_ascii_case(key));
    let condition = conditions.next()?;
    if conditions.next().is_some() || condition.values.len() != 1 {
        return None;
    }
    let mut fixed = doc.clone();
    let target = fixed.statements.get_mut(miss.statement)?;
    for c in target
        .conditions
        .iter_mut()
        .filter(|c| c.key.eq_ignore_ascii_case(key))
    {
        if let Some(v) = c.values.first_mut() {
            v.value = subject.to_string();
        }
    }
    if !allows(&fixed) {
        return None;
    }
    let replacement =
        crate::diagnostics::fix::replace_scalar(&policy.file, condition.values[0].span, subject)?;
    Some(crate::diagnostics::fix::fix(
        format!("trust `{subject}`"),
        vec![replacement],
    ))
}
