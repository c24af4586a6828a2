//! Pulumi stack exports (`pulumi stack export`) and previews (`pulumi preview --json`),
//! recognised by shape (see `resources`). Roles' trusts, ServiceAccounts, Pod Identity
//! associations and Helm releases are lowered with spans into the JSON, so every rule applies;
//! nothing else of the file is read, secrets never (`redact`). Programs (`Pulumi.yaml`) and CDK
//! apps (`cdk.json`) are not run: `program` notes them (IRSA057).

mod helm;
mod lower;
pub mod program;
mod redact;
pub mod resources;

use std::sync::Arc;

pub use redact::{looks_like_pulumi, redacted};

use crate::facts::Classified;
use crate::frontends::Problem;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;
use resources::Shape;

/// Lower a stack export or preview in `root`; `false` when `root` is neither.
pub fn classify(
    file: &Arc<SourceFile>,
    root: &Node,
    out: &mut Classified,
    problems: &mut Vec<Problem>,
) -> bool {
    let resources = match resources::shape(root) {
        None => return false,
        Some(Shape::UnknownVersion(version)) => {
            problems.push(Problem::new(
                format!(
                    "Pulumi stack export with deployment version {}: only versions {}–{} are read; nothing in this file was checked",
                    match (version.as_str(), version.scalar().is_some_and(|s| s.plain)) {
                        (Some(v), true) => format!("`{v}`"),
                        (Some(v), false) => format!("\"{v}\" (a string, not a number)"),
                        (None, _) => "(not a number)".to_string(),
                    },
                    resources::VERSIONS.start(),
                    resources::VERSIONS.end(),
                ),
                version.span.start,
            ));
            return true;
        }
        Some(Shape::Read(resources)) => resources,
    };
    let role_arns = lower::lower_roles(file, &resources, out);
    for r in &resources {
        match r.kind {
            lower::SERVICE_ACCOUNT => lower::lower_service_account(file, r, &role_arns, out),
            lower::POD_IDENTITY => lower::lower_pod_identity(file, r, &role_arns, out),
            k if helm::is_helm(k) => out.releases.extend(helm::lower(file, r, &resources)),
            _ => {}
        }
    }
    true
}
