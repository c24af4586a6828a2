//! IRSA101 (no OIDC provider for the issuer in a role's account) and IRSA102 (audience missing).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::{Ctx, RoleRef, Verdict};
use crate::diagnostics::finding::{Finding, ObjectRef};
use crate::doctor::fault::Fault;
use crate::doctor::iam::{IamError, ProviderInfo};
use crate::doctor::rules::{OidcAudienceMissing, OidcProviderMissing};
use crate::facts::{AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION};

pub type Providers = BTreeMap<String, Result<ProviderInfo, IamError>>;

/// `arn:<partition>:iam::<account>:oidc-provider/<issuer>` for each SA's role account.
fn provider_arn(ctx: &Ctx<'_>, i: usize) -> Option<String> {
    let issuer = ctx.issuer.as_ref()?;
    let role = ctx.sas[i].role.as_ref()?;
    Some(arn_for(role, issuer))
}

/// The provider ARN of `issuer` (without `https://`) in the account of `role`.
pub fn arn_for(role: &RoleRef, issuer: &str) -> String {
    format!(
        "arn:{}:iam::{}:oidc-provider/{issuer}",
        role.partition, role.account
    )
}

pub fn wanted(ctx: &Ctx<'_>) -> BTreeSet<String> {
    (0..ctx.sas.len())
        .filter_map(|i| provider_arn(ctx, i))
        .collect()
}

/// `listed`: the caller's providers, fetched only when one was missing (for a hint).
pub fn check(
    ctx: &mut Ctx<'_>,
    providers: &Providers,
    listed: Option<&Result<Vec<String>, IamError>>,
) {
    let mut missing: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut no_audience: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    let mut faulted = BTreeSet::new();
    for i in 0..ctx.sas.len() {
        if ctx.sas[i].role.is_none() {
            continue;
        }
        let Some(arn) = provider_arn(ctx, i) else {
            // No issuer: the snapshot already has a fault saying why.
            ctx.sas[i].worsen(Verdict::CouldNotVerify);
            continue;
        };
        match providers.get(&arn) {
            Some(Ok(p)) if p.client_ids.contains(&ctx.sas[i].audience) => {}
            Some(Ok(_)) => no_audience
                .entry((arn, ctx.sas[i].audience.clone()))
                .or_default()
                .push(i),
            Some(Err(IamError::NotFound(_))) => missing.entry(arn).or_default().push(i),
            Some(Err(e)) => {
                ctx.sas[i].worsen(Verdict::CouldNotVerify);
                if faulted.insert(arn.clone()) {
                    ctx.faults.push(Fault::new(
                        "OpenIDConnectProvider",
                        None,
                        &arn,
                        "iam:GetOpenIDConnectProvider",
                        e.reason(),
                    ));
                }
            }
            None => ctx.sas[i].worsen(Verdict::CouldNotVerify),
        }
    }
    for (arn, idx) in missing {
        report_missing(ctx, &arn, &idx, listed);
    }
    for ((arn, audience), idx) in no_audience {
        report_audience(ctx, providers, &arn, &audience, &idx);
    }
}

fn report_missing(
    ctx: &mut Ctx<'_>,
    arn: &str,
    idx: &[usize],
    listed: Option<&Result<Vec<String>, IamError>>,
) {
    let issuer = ctx.issuer.clone().unwrap_or_default();
    let account = ctx.sas[idx[0]]
        .role
        .as_ref()
        .map(|r| r.account.clone())
        .unwrap_or_default();
    let names: Vec<String> = idx
        .iter()
        .map(|&i| format!("{}/{}", ctx.sas[i].namespace, ctx.sas[i].name))
        .collect();
    let mut msg = format!(
        "no IAM OIDC provider for this cluster's issuer `https://{issuer}` in account {account}, so STS refuses the tokens of {}",
        names.join(", ")
    );
    if let Some(Ok(list)) = listed {
        let others: Vec<&str> = list
            .iter()
            .filter_map(|a| a.split_once(":oidc-provider/").map(|x| x.1))
            .collect();
        if !others.is_empty() {
            msg.push_str(&format!(
                "; the caller's account has providers for: {} (a recreated cluster?)",
                others.join(", ")
            ));
        }
    }
    let mut finding = Finding::new(&OidcProviderMissing::META, msg)
        .object(ObjectRef::new("OpenIDConnectProvider", None, arn))
        .help(format!("create it: `aws iam create-open-id-connect-provider --url https://{issuer} --client-id-list sts.amazonaws.com` in account {account} (or `eksctl utils associate-iam-oidc-provider --approve`)"));
    for (n, &i) in idx.iter().enumerate() {
        ctx.sas[i].worsen(Verdict::Denied);
        let sa = &ctx.sas[i];
        let loc = sa
            .view(&mut ctx.views)
            .entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION);
        finding = if n == 0 {
            finding.at(loc)
        } else if n < 5 {
            finding.related(loc.with_message("also uses a role in this account"))
        } else {
            finding
        };
    }
    ctx.push(finding);
}

fn report_audience(
    ctx: &mut Ctx<'_>,
    providers: &Providers,
    arn: &str,
    audience: &str,
    idx: &[usize],
) {
    let client_ids = match providers.get(arn) {
        Some(Ok(p)) => p.client_ids.clone(),
        _ => return,
    };
    let display = format!(
        "iam/oidc-provider/{}.json",
        arn.rsplit(':').next().unwrap_or(arn).replace('/', "_")
    );
    let loc = ctx
        .views
        .iam(display, &json!({"Arn": arn, "ClientIDList": client_ids}))
        .loc(&["ClientIDList"]);
    let names: Vec<String> = idx
        .iter()
        .map(|&i| format!("{}/{}", ctx.sas[i].namespace, ctx.sas[i].name))
        .collect();
    let mut finding = Finding::new(
        &OidcAudienceMissing::META,
        format!("the OIDC provider's client IDs {client_ids:?} lack the audience `{audience}` that {} use", names.join(", ")),
    )
    .at(loc.with_message(format!("`{audience}` is not here")))
    .object(ObjectRef::new("OpenIDConnectProvider", None, arn))
    .help(format!("aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {arn} --client-id {audience}"));
    for &i in idx.iter().take(5) {
        ctx.sas[i].worsen(Verdict::Denied);
        let sa = &ctx.sas[i];
        let view = sa.view(&mut ctx.views);
        let loc = if view
            .node(&["metadata", "annotations", AUDIENCE_ANNOTATION])
            .is_some()
        {
            view.entry_loc(&["metadata", "annotations"], AUDIENCE_ANNOTATION)
        } else {
            view.entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION)
        };
        finding =
            finding.related(loc.with_message(format!("tokens for this SA carry aud `{audience}`")));
    }
    for &i in idx.iter().skip(5) {
        ctx.sas[i].worsen(Verdict::Denied);
    }
    ctx.push(finding);
}
