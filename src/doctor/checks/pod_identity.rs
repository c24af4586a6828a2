//! Pod Identity associations against IAM and the cluster: IRSA116 (trust), IRSA121 (role not
//! found), IRSA117 (dangling namespace or service account), IRSA120 (an SA with both mechanisms).

use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::{Ctx, Verdict};
use crate::diagnostics::finding::{Finding, Location, ObjectRef};
use crate::doctor::eks::Association;
use crate::doctor::eks_target::parse_cluster_arn;
use crate::doctor::fault::Fault;
use crate::doctor::iam::IamError;
use crate::doctor::rules_eks::{
    LivePodIdentityAndIrsa, LivePodIdentityTrustDenies, PodIdentityDangling,
    PodIdentityRoleNotFound,
};
use crate::doctor::view::View;
use crate::facts::ROLE_ARN_ANNOTATION;
use crate::model::arn::{parse_role_arn, ArnKind};
use crate::model::policy::parse_policy;
use crate::model::trust::{
    corrected_pod_identity_statement, evaluate_pod_identity, is_decidable, Denial, MissReason,
    PodIdentityRequest, Verdict as TrustVerdict,
};

/// The associations doctor read (empty when none, or when they could not be read).
pub fn associations<'c>(ctx: &'c Ctx<'_>) -> &'c [Association] {
    ctx.eks
        .as_ref()
        .and_then(|e| e.associations.as_deref())
        .unwrap_or_default()
}

/// `(role name, account)` of an association's `roleArn`.
fn role_of(a: &Association) -> Option<(String, String)> {
    let arn = parse_role_arn(a.role_arn.as_deref()?).ok()?;
    match arn.kind {
        ArnKind::Role { name, .. } => Some((name, arn.account)),
        _ => None,
    }
}

/// The roles of the associations, for GetRole (shared with the IRSA roles).
pub fn role_names(ctx: &Ctx<'_>) -> BTreeSet<String> {
    associations(ctx)
        .iter()
        .filter_map(role_of)
        .map(|r| r.0)
        .collect()
}

/// The association as a JSON view, so findings can point at its fields.
pub fn association_view<'v>(ctx: &'v mut Ctx<'_>, a: &Association) -> &'v View {
    let value = serde_json::to_value(a).unwrap_or_default();
    ctx.views.iam(
        format!(
            "eks/{}/pod-identity-association/{}.json",
            a.cluster_name, a.association_id
        ),
        &json!({ "association": value }),
    )
}

/// Record `v` for an association (worst wins).
fn mark(ctx: &mut Ctx<'_>, a: &Association, v: Verdict) {
    if let Some(eks) = ctx.eks.as_mut() {
        let e = eks
            .verdicts
            .entry(a.association_id.clone())
            .or_insert(Verdict::Ok);
        *e = (*e).max(v);
    }
}

/// The Pod Identity part of the summary: association → role → verdict (empty without any).
pub fn summary_table(ctx: &Ctx<'_>) -> String {
    let Some(eks) = &ctx.eks else {
        return String::new();
    };
    let Some(list) = &eks.associations else {
        return "(Pod Identity associations could not be listed: nothing was verified for them; see IRSA100)\n".into();
    };
    if list.is_empty() {
        return String::new();
    }
    let mut rows: Vec<(Verdict, String, String)> = list
        .iter()
        .map(|a| {
            let v = eks
                .verdicts
                .get(&a.association_id)
                .copied()
                .unwrap_or(Verdict::Ok);
            let role = role_of(a).map_or_else(
                || a.role_arn.clone().unwrap_or_default(),
                |(n, acct)| format!("{n} ({acct})"),
            );
            (v, format!("{}/{}", a.namespace, a.service_account), role)
        })
        .collect();
    rows.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let w0 = rows
        .iter()
        .map(|r| r.1.len())
        .chain(["POD IDENTITY (SA)".len()])
        .max()
        .unwrap_or(0);
    let w1 = rows
        .iter()
        .map(|r| r.2.len())
        .chain(["ROLE".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("\n{:<w0$}  {:<w1$}  VERDICT\n", "POD IDENTITY (SA)", "ROLE");
    let hidden = rows.len().saturating_sub(40);
    for (v, sa, role) in rows.iter().take(40) {
        out.push_str(&format!("{sa:<w0$}  {role:<w1$}  {}\n", v.as_str()));
    }
    if hidden > 0 {
        out.push_str(&format!("... and {hidden} more\n"));
    }
    out
}

fn label(a: &Association) -> String {
    format!(
        "{}/{} (`{}`)",
        a.namespace, a.service_account, a.association_id
    )
}

pub fn check(ctx: &mut Ctx<'_>) {
    let list: Vec<Association> = associations(ctx).to_vec();
    if list.is_empty() {
        return;
    }
    let mut faulted = BTreeSet::new();
    for a in &list {
        roles(ctx, a, &mut faulted);
        dangling(ctx, a);
        both(ctx, a);
    }
}

fn roles(ctx: &mut Ctx<'_>, a: &Association, faulted: &mut BTreeSet<String>) {
    let Some((name, account)) = role_of(a) else {
        return;
    };
    let document = match ctx.roles.get(&name).cloned() {
        Some(Ok(info)) => info.trust.clone(),
        Some(Err(IamError::NotFound(_))) => {
            mark(ctx, a, Verdict::NotFound);
            let loc = association_view(ctx, a).loc(&["association", "roleArn"]);
            ctx.push(
                Finding::new(&PodIdentityRoleNotFound::META, format!("the Pod Identity association {} names role `{name}` in account {account}, which does not exist (NoSuchEntity)", label(a)))
                    .at(loc)
                    .object(ObjectRef::new("ServiceAccount", Some(&a.namespace), &a.service_account))
                    .help(format!("create the role with a trust for `pods.eks.amazonaws.com`, or `aws eks update-pod-identity-association --cluster-name {} --association-id {} --role-arn …`", a.cluster_name, a.association_id)),
            );
            return;
        }
        Some(Err(e)) => {
            mark(ctx, a, Verdict::CouldNotVerify);
            if faulted.insert(name.clone()) {
                ctx.faults
                    .push(Fault::new("Role", None, &name, "iam:GetRole", e.reason()));
            }
            return;
        }
        None => {
            mark(ctx, a, Verdict::CouldNotVerify);
            return;
        }
    };
    let Some(document) = document else {
        mark(ctx, a, Verdict::CouldNotVerify);
        ctx.faults.push(Fault::new(
            "Role",
            None,
            &name,
            "iam:GetRole",
            "GetRole returned no trust policy document",
        ));
        return;
    };
    let Some(view) = ctx.views.trust(&name, &document) else {
        mark(ctx, a, Verdict::CouldNotVerify);
        ctx.faults.push(Fault::new(
            "Role",
            None,
            &name,
            "iam:GetRole",
            "the trust policy document is not JSON",
        ));
        return;
    };
    let file = view.file.clone();
    let doc = match parse_policy(&view.root) {
        Ok(d) => d,
        Err(e) => {
            if faulted.insert(name.clone()) {
                ctx.faults.push(Fault::new(
                    "Role",
                    None,
                    &name,
                    "iam:GetRole",
                    format!("the trust policy could not be read: {}", e.message),
                ));
            }
            return;
        }
    };
    let cluster = ctx.eks.as_ref().and_then(|e| e.cluster.clone());
    let cluster_arn = cluster.as_ref().and_then(|c| c.arn.clone());
    let cluster_account = cluster_arn
        .as_deref()
        .and_then(parse_cluster_arn)
        .map(|(_, _, acct)| acct);
    let req = PodIdentityRequest {
        cluster_name: Some(&a.cluster_name),
        cluster_arn: cluster_arn.as_deref(),
        account: Some(cluster_account.as_deref().unwrap_or(&account)),
        namespace: Some(&a.namespace),
        service_account: Some(&a.service_account),
        session_tags: !a.disable_session_tags,
    };
    let denial = match evaluate_pod_identity(&doc, &req) {
        TrustVerdict::Allow { .. } => return,
        TrustVerdict::Deny(d) if is_decidable(&d) => d,
        TrustVerdict::Deny(_) => {
            mark(ctx, a, Verdict::CouldNotVerify);
            return;
        }
    };
    mark(ctx, a, Verdict::Denied);
    let statement_span = |n: usize| doc.statements.iter().find(|s| s.index == n).map(|s| s.span);
    let span = match &denial {
        Denial::ExplicitDeny { statement } => statement_span(*statement),
        Denial::NoStatementAllows { .. } => denial.closest().and_then(|m| match &m.reason {
            MissReason::Condition { span, .. } => Some(*span),
            _ => statement_span(m.statement),
        }),
    }
    .unwrap_or(doc.span);
    let corrected = corrected_pod_identity_statement(&req);
    let related = association_view(ctx, a)
        .loc(&["association", "roleArn"])
        .with_message(format!(
            "association {} names role `{name}`",
            a.association_id
        ));
    ctx.push(
        Finding::new(&LivePodIdentityTrustDenies::META, format!("role `{name}` does not let EKS Pod Identity assume it for the association {}: {denial}", label(a)))
            .at(Location::new(&file, span).with_message(format!("refuses {}/{}", a.namespace, a.service_account)))
            .related(related)
            .object(ObjectRef::new("ServiceAccount", Some(&a.namespace), &a.service_account))
            .help(format!("add or fix the statement; a correct statement is:\n{}", serde_json::to_string_pretty(&corrected).unwrap_or_default())),
    );
}

/// IRSA117: the namespace or the SA is gone (only where the snapshot covers the namespace).
fn dangling(ctx: &mut Ctx<'_>, a: &Association) {
    let snap = ctx.snap;
    if snap.namespace.as_deref().is_some_and(|n| n != a.namespace) {
        return;
    }
    let ns_exists = snap.namespaces.as_ref().map(|l| {
        l.iter()
            .any(|n| n.metadata.name.as_deref() == Some(&a.namespace))
    });
    let sa_exists = snap.service_accounts.as_ref().map(|l| {
        l.iter().any(|s| {
            s.metadata.namespace.as_deref() == Some(&a.namespace)
                && s.metadata.name.as_deref() == Some(&a.service_account)
        })
    });
    let what = match (ns_exists, sa_exists) {
        (Some(false), _) => format!("namespace `{}` does not exist", a.namespace),
        (_, Some(false)) => format!(
            "service account `{}/{}` does not exist",
            a.namespace, a.service_account
        ),
        // Exists, or could not be listed (a fault says so).
        _ => return,
    };
    let field = if ns_exists == Some(false) {
        "namespace"
    } else {
        "serviceAccount"
    };
    let loc = association_view(ctx, a).loc(&["association", field]);
    ctx.push(
        Finding::new(&PodIdentityDangling::META, format!("the Pod Identity association {} is dangling: {what}; whoever creates it later gets role `{}`", label(a), a.role_arn.as_deref().unwrap_or("?")))
            .at(loc)
            .object(ObjectRef::new("PodIdentityAssociation", Some(&a.namespace), &a.association_id))
            .help(format!("delete it (`aws eks delete-pod-identity-association --cluster-name {} --association-id {}`) or create the service account it is for", a.cluster_name, a.association_id)),
    );
}

/// IRSA120: the SA also carries `eks.amazonaws.com/role-arn`.
fn both(ctx: &mut Ctx<'_>, a: &Association) {
    let index: HashMap<(&str, &str), usize> = ctx
        .sas
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.namespace.as_str(), s.name.as_str()), i))
        .collect();
    let Some(&i) = index.get(&(a.namespace.as_str(), a.service_account.as_str())) else {
        return;
    };
    let irsa = ctx.sas[i].arn.clone();
    if irsa.trim().is_empty() {
        return;
    }
    let object = ctx.sas[i].object();
    let loc = ctx.sas[i]
        .view(&mut ctx.views)
        .entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION);
    let related = association_view(ctx, a)
        .loc(&["association", "roleArn"])
        .with_message("the Pod Identity role");
    let (mut pod_identity, mut irsa_only, mut both_sets) = (0, 0, 0);
    for pod in crate::doctor::checks::pod_identity_pods::pods_of(
        ctx.snap,
        &a.namespace,
        &a.service_account,
    ) {
        let env = |n: &str| {
            pod.spec
                .iter()
                .flat_map(|s| &s.containers)
                .any(|c| c.env.iter().flatten().any(|e| e.name == n))
        };
        match (
            env("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            env("AWS_WEB_IDENTITY_TOKEN_FILE"),
        ) {
            (true, true) => both_sets += 1,
            (true, false) => pod_identity += 1,
            (false, true) => irsa_only += 1,
            _ => {}
        }
    }
    ctx.push(
        Finding::new(&LivePodIdentityAndIrsa::META, format!("service account {}/{} carries the IRSA role `{irsa}` and has the Pod Identity association `{}` (role `{}`); of its pods, {pod_identity} use the Pod Identity role, {irsa_only} the IRSA role (started before the association), and {both_sets} carry both sets of variables and use the IRSA role (web identity comes before container credentials in the SDKs' default chain)", a.namespace, a.service_account, a.association_id, a.role_arn.as_deref().unwrap_or("?")))
            .at(loc.with_message("the IRSA role"))
            .related(related)
            .object(object)
            .help("keep one mechanism: remove the annotation to move to Pod Identity (then restart the pods), or delete the association; `kubectl irsa explain IRSA067` cites the AWS documentation"),
    );
}
