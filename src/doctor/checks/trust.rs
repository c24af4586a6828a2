//! IRSA105: the live role's trust, evaluated for the live ServiceAccount and this cluster's issuer.

use super::{Ctx, Verdict};
use crate::doctor::fault::Fault;
use crate::doctor::rules::TrustDenies;
use crate::model::policy::parse_policy;
use crate::model::trust::{self, evaluate_web_identity, Denial, MissReason, WebIdentityRequest};
use crate::report::finding::{Finding, Location};
use crate::workspace::ROLE_ARN_ANNOTATION;

pub fn check(ctx: &mut Ctx<'_>) {
    let Some(issuer) = ctx.issuer.clone() else {
        for sa in ctx.sas.iter_mut().filter(|s| s.role.is_some()) {
            sa.worsen(Verdict::CouldNotVerify);
        }
        return;
    };
    let mut bad_docs = std::collections::BTreeSet::new();
    for i in 0..ctx.sas.len() {
        let Some(role) = ctx.sas[i].role.clone() else {
            continue;
        };
        let Some(Ok(info)) = ctx.roles.get(&role.name) else {
            continue;
        };
        let Some(document) = info.trust.clone() else {
            ctx.sas[i].worsen(Verdict::CouldNotVerify);
            if bad_docs.insert(role.name.clone()) {
                ctx.faults.push(Fault::new(
                    "Role",
                    None,
                    &role.name,
                    "iam:GetRole",
                    "GetRole returned no trust policy document",
                ));
            }
            continue;
        };
        let parsed = ctx
            .views
            .trust(&role.name, &document)
            .map(|v| (v.file.clone(), parse_policy(&v.root)));
        let (file, doc) = match parsed {
            Some((file, Ok(doc))) => (file, doc),
            Some((_, Err(e))) => {
                ctx.sas[i].worsen(Verdict::CouldNotVerify);
                if bad_docs.insert(role.name.clone()) {
                    ctx.faults.push(Fault::new(
                        "Role",
                        None,
                        &role.name,
                        "iam:GetRole",
                        format!("the trust policy could not be read: {}", e.message),
                    ));
                }
                continue;
            }
            None => {
                ctx.sas[i].worsen(Verdict::CouldNotVerify);
                if bad_docs.insert(role.name.clone()) {
                    ctx.faults.push(Fault::new(
                        "Role",
                        None,
                        &role.name,
                        "iam:GetRole",
                        "the trust policy document is not JSON",
                    ));
                }
                continue;
            }
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
        let denial = match evaluate_web_identity(&doc, &req) {
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
