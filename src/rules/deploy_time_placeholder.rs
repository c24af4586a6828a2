//! IRSA053 (declared in `diagnostics::input::gitops`): values set at deploy time, once each.

use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::DeployTimePlaceholder;
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::arn::TemplatedArn;
use crate::rules::arn_fields::{arn_fields, ArnField};
use crate::rules::Rule;

impl Rule for DeployTimePlaceholder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for field in arn_fields(ws) {
            // An invalid known part is IRSA001's; a known value is nobody's here.
            let Ok(arn) = field.parse() else { continue };
            let Some(placeholder) = arn.placeholder() else {
                continue;
            };
            let message = message(&field, &arn, &placeholder.text);
            out.push(field.finding(&Self::META, message).help(
                "nothing to fix: lint the rendered output (or give the value in the tree, e.g. Flux `postBuild.substitute`) to have it checked",
            ));
        }
    }
}

fn message(field: &ArnField, arn: &TemplatedArn, placeholder: &str) -> String {
    let (key, value) = (&field.key, field.value);
    let owner = field
        .service_account
        .map(|sa| format!(" of service account `{}`", sa.object.name))
        .unwrap_or_default();
    match arn {
        TemplatedArn::Partly(_) => {
            let parts = arn.deploy_parts();
            let verb = if parts.len() > 1 { "are" } else { "is" };
            format!(
                "`{key}` `{value}`{owner}: its {} {verb} set at deploy time (`{placeholder}`) and not checked; its known parts were",
                parts.join(" and ")
            )
        }
        _ => format!("`{key}` `{value}`{owner} is set at deploy time: it was not checked"),
    }
}
