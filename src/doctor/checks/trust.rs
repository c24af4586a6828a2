//! IRSA105: the live role's trust, evaluated for the live ServiceAccount and this cluster's issuer.

use super::{Ctx, Verdict};
use crate::doctor::fault::Fault;
use crate::doctor::rules::TrustDenies;
use std::collections::HashMap;

use crate::diagnostics::finding::{Finding, Location};
use crate::facts::ROLE_ARN_ANNOTATION;
use crate::model::policy::{parse_policy, PolicyDocument};
use crate::model::trust::{self, evaluate_web_identity, Denial, MissReason, WebIdentityRequest};

pub fn check(ctx: &mut Ctx<'_>) {
    let Some(issuer) = ctx.issuer.clone() else {
        for sa in ctx.sas.iter_mut().filter(|s| s.role.is_some()) {
            sa.worsen(Verdict::CouldNotVerify);
        }
        return;
    };
    let docs = parse_trust_once(ctx);
    for i in 0..ctx.sas.len() {
        let Some(role) = ctx.sas[i].role.clone() else {
            continue;
        };
        let (file, doc) = match docs.get(&role.name) {
            Some(Some((file, doc))) => (file.clone(), doc),
            // The role could not be read (a fault is already recorded for it).
            Some(None) => {
                ctx.sas[i].worsen(Verdict::CouldNotVerify);
                continue;
            }
            None => continue,
        };
        let sa = &ctx.sas[i];
        let req = WebIdentityRequest {
            issuer: &issuer,
            account: Some(&role.account),
            partition: Some(&role.partition),
            namespace: &sa.namespace,
            service_account: &sa.name,
            audience: &sa.audience,
        };
        let denial = match evaluate_web_identity(doc, &req) {
            trust::Verdict::Allow { .. } => continue,
            trust::Verdict::Deny(d) => d,
        };
        let statement_span =
            |n: usize| doc.statements.iter().find(|s| s.index == n).map(|s| s.span);
        let span = match &denial {
            Denial::ExplicitDeny { statement } => statement_span(*statement),
            Denial::NoStatementAllows { .. } => denial.closest().and_then(|m| match &m.reason {
                MissReason::Condition { span, .. } => Some(*span),
                _ => statement_span(m.statement),
            }),
        }
        .unwrap_or(doc.span);
        let subject = req.subject();
        let corrected = trust::corrected_statement(
            &issuer,
            &role.account,
            &role.partition,
            &sa.namespace,
            &sa.name,
            &sa.audience,
        );
        let msg = format!(
            "role `{}` does not let ServiceAccount {}/{} assume it: {denial}",
            role.name, sa.namespace, sa.name
        );
        let object = sa.object();
        let sa_loc = sa
            .view(&mut ctx.views)
            .entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION)
            .with_message(format!(
                "`{}/{}` carries role `{}` here",
                ctx.sas[i].namespace, ctx.sas[i].name, role.name
            ));
        ctx.sas[i].worsen(Verdict::Denied);
        ctx.push(
            Finding::new(&TrustDenies::META, msg)
                .at(Location::new(&file, span).with_message(format!("refuses `{subject}` (aud `{}`)", ctx.sas[i].audience)))
                .related(sa_loc)
                .object(object)
                .help(format!(
                    "add or fix the statement so that it allows `{subject}` from this cluster's provider; a correct statement is:\n{}",
                    serde_json::to_string_pretty(&corrected).unwrap_or_default()
                )),
        );
    }
}

type ParsedTrust = Option<(
    std::sync::Arc<crate::syntax::source::SourceFile>,
    PolicyDocument,
)>;

/// Each distinct role's trust policy, parsed once (None, with one fault, when it cannot be read).
fn parse_trust_once(ctx: &mut Ctx<'_>) -> HashMap<String, ParsedTrust> {
    let mut out: HashMap<String, ParsedTrust> = HashMap::new();
    let names: Vec<String> = ctx
        .sas
        .iter()
        .filter_map(|s| s.role.as_ref().map(|r| r.name.clone()))
        .collect();
    for name in names {
        if out.contains_key(&name) {
            continue;
        }
        let Some(Ok(info)) = ctx.roles.get(&name) else {
            continue;
        };
        let parsed = match info.trust.clone() {
            None => Err("GetRole returned no trust policy document".to_string()),
            Some(document) => match ctx
                .views
                .trust(&name, &document)
                .map(|v| (v.file.clone(), parse_policy(&v.root)))
            {
                Some((file, Ok(doc))) => Ok((file, doc)),
                Some((_, Err(e))) => {
                    Err(format!("the trust policy could not be read: {}", e.message))
                }
                None => Err("the trust policy document is not JSON".to_string()),
            },
        };
        let entry = match parsed {
            Ok(pair) => Some(pair),
            Err(message) => {
                ctx.faults
                    .push(Fault::new("Role", None, &name, "iam:GetRole", message));
                None
            }
        };
        out.insert(name, entry);
    }
    out
}
