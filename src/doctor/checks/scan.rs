//! IRSA113 (dangling subject) and IRSA114 (wildcard subject) over every role that trusts this
//! cluster's OIDC provider (ListRoles).

use std::collections::BTreeSet;

use super::Ctx;
use crate::diagnostics::finding::{Finding, Location, ObjectRef};
use crate::doctor::iam::RoleInfo;
use crate::doctor::rules_pod::{TrustDangling, TrustWildcard};
use crate::model::policy::parse_policy;
use crate::model::trust::{oidc_issuer_of, parse_subject, web_identity_statements};

pub fn check(ctx: &mut Ctx<'_>, roles: &[RoleInfo]) {
    let Some(issuer) = ctx.issuer.clone() else {
        return;
    };
    let namespaces: Option<BTreeSet<String>> = ctx
        .snap
        .namespaces
        .as_ref()
        .map(|l| l.iter().filter_map(|n| n.metadata.name.clone()).collect());
    let sas: Option<BTreeSet<(String, String)>> = ctx.snap.service_accounts.as_ref().map(|l| {
        l.iter()
            .map(|s| {
                (
                    s.metadata.namespace.clone().unwrap_or_default(),
                    s.metadata.name.clone().unwrap_or_default(),
                )
            })
            .collect()
    });
    let scope = ctx.snap.namespace.clone();
    let sub_key = format!("{issuer}:sub");
    for role in roles {
        let Some(document) = &role.trust else {
            continue;
        };
        if !document.contains(&format!("oidc-provider/{issuer}")) {
            continue;
        }
        let Some(view) = ctx.views.trust(&role.name, document) else {
            continue;
        };
        let file = view.file.clone();
        let Ok(doc) = parse_policy(&view.root) else {
            continue;
        };
        let object = ObjectRef::new("Role", None, &role.name);
        let mut found = Vec::new();
        for st in web_identity_statements(&doc) {
            let ours = st.principal.as_ref().is_some_and(|p| {
                p.federated()
                    .iter()
                    .any(|f| oidc_issuer_of(&f.value).is_some_and(|(_, _, i)| i == issuer))
            });
            if !ours {
                continue;
            }
            let subs: Vec<_> = st
                .conditions
                .iter()
                .filter(|c| c.key.eq_ignore_ascii_case(&sub_key) && !c.operator.base.is_negated())
                .collect();
            if subs.is_empty() {
                found.push(
                    Finding::new(&TrustWildcard::META, format!(
                        "role `{}` trusts this cluster's provider with no `sub` condition in statement {}: every ServiceAccount of the cluster can assume it",
                        role.name, st.index
                    ))
                    .at(Location::new(&file, st.span))
                    .object(object.clone())
                    .help(format!("add `\"StringEquals\": {{\"{sub_key}\": \"system:serviceaccount:<namespace>:<name>\"}}`")),
                );
                continue;
            }
            for c in subs {
                let like = c.operator.base.is_wildcard_capable();
                for v in &c.values {
                    if like && v.value.contains(['*', '?']) {
                        found.push(
                            Finding::new(&TrustWildcard::META, format!(
                                "role `{}` trusts `{}` ({}): any ServiceAccount that matches can assume it",
                                role.name, v.value, c.operator.raw
                            ))
                            .at(Location::new(&file, v.span))
                            .object(object.clone())
                            .help("list the exact `system:serviceaccount:<namespace>:<name>` subjects with StringEquals"),
                        );
                        continue;
                    }
                    let Some((ns, name)) = parse_subject(&v.value) else {
                        continue;
                    };
                    if scope.as_deref().is_some_and(|s| s != ns) {
                        continue;
                    }
                    let what = if namespaces.as_ref().is_some_and(|n| !n.contains(ns)) {
                        format!("namespace `{ns}` does not exist")
                    } else if namespaces.is_some()
                        && sas
                            .as_ref()
                            .is_some_and(|s| !s.contains(&(ns.to_string(), name.to_string())))
                    {
                        format!("ServiceAccount `{ns}/{name}` does not exist")
                    } else {
                        continue;
                    };
                    found.push(
                        Finding::new(&TrustDangling::META, format!(
                            "role `{}` trusts `{}`, but {what}: whoever can create it gets the role",
                            role.name, v.value
                        ))
                        .at(Location::new(&file, v.span))
                        .object(object.clone())
                        .help("remove the subject from the trust (or delete the unused role)"),
                    );
                }
            }
        }
        ctx.findings.extend(found);
    }
}
