//! IRSA103: the role ARN annotation of each live ServiceAccount parses as an IAM role ARN.

use super::{Ctx, RoleRef, Verdict};
use crate::diagnostics::finding::Finding;
use crate::doctor::rules::RoleArnInvalid;
use crate::facts::ROLE_ARN_ANNOTATION;
use crate::model::arn::{parse_role_arn, Arn, ArnKind};

/// The role that a role ARN annotation names, as `check` reads it; `None` when it is invalid.
pub fn role_ref(annotation: &str) -> Option<RoleRef> {
    parse_role_arn(annotation.trim()).ok().and_then(role_of)
}

fn role_of(arn: Arn) -> Option<RoleRef> {
    match arn.kind {
        ArnKind::Role { name, .. } => Some(RoleRef {
            name,
            account: arn.account,
            partition: arn.partition,
        }),
        _ => None,
    }
}

pub fn check(ctx: &mut Ctx<'_>) {
    for i in 0..ctx.sas.len() {
        let sa = &ctx.sas[i];
        match parse_role_arn(sa.arn.trim()) {
            Ok(arn) => ctx.sas[i].role = role_of(arn),
            Err(e) => {
                let object = sa.object();
                let loc = sa
                    .view(&mut ctx.views)
                    .entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION);
                let finding = Finding::new(&RoleArnInvalid::META, format!(
                    "ServiceAccount {}/{}: {e}", sa.namespace, sa.name
                ))
                .at(loc)
                .object(object)
                .help("the value must be `arn:<partition>:iam::<12-digit account>:role/<path/>name`; fix the annotation, then restart the pods that use this ServiceAccount");
                ctx.sas[i].worsen(Verdict::InvalidArn);
                ctx.push(finding);
            }
        }
    }
}
