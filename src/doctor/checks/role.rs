//! IRSA104 (role not found) and IRSA100 for roles IAM would not show.

use std::collections::BTreeSet;

use super::{Ctx, Verdict};
use crate::diagnostics::finding::Finding;
use crate::doctor::fault::Fault;
use crate::doctor::iam::IamError;
use crate::doctor::rules::RoleNotFound;
use crate::facts::ROLE_ARN_ANNOTATION;

/// The distinct role names to fetch (GetRole once each).
pub fn wanted(ctx: &Ctx<'_>) -> BTreeSet<String> {
    ctx.sas
        .iter()
        .filter_map(|s| s.role.as_ref().map(|r| r.name.clone()))
        .collect()
}

pub fn check(ctx: &mut Ctx<'_>) {
    let mut reported = BTreeSet::new();
    for i in 0..ctx.sas.len() {
        let Some(role) = ctx.sas[i].role.clone() else {
            continue;
        };
        match ctx.roles.get(&role.name) {
            Some(Ok(_)) => {}
            Some(Err(IamError::NotFound(_))) => {
                let sa = &ctx.sas[i];
                let object = sa.object();
                let msg = format!(
                    "ServiceAccount {}/{} names role `{}` in account {}, which does not exist (NoSuchEntity)",
                    sa.namespace, sa.name, role.name, role.account
                );
                let loc = sa
                    .view(&mut ctx.views)
                    .entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION);
                ctx.sas[i].worsen(Verdict::NotFound);
                ctx.push(
                    Finding::new(&RoleNotFound::META, msg)
                        .at(loc)
                        .object(object)
                        .help("create the role (with a trust for this ServiceAccount) or fix the annotation to name an existing role"),
                );
            }
            Some(Err(e)) => {
                ctx.sas[i].worsen(Verdict::CouldNotVerify);
                if reported.insert(role.name.clone()) {
                    ctx.faults.push(Fault::new(
                        "Role",
                        None,
                        &role.name,
                        "iam:GetRole",
                        e.reason(),
                    ));
                }
            }
            None => {
                // IAM was not asked (no client): never report OK for it.
                ctx.sas[i].worsen(Verdict::CouldNotVerify);
            }
        }
    }
}
