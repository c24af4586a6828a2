//! Whether a directory evaluated on its own is a reusable module rather than a root module: a
//! root configures its providers or its state backend, or has tfvars beside it; a module leaves
//! providers to its callers (Terraform's own guidance). A reusable module's variable defaults are
//! what callers get when they set nothing, not what is deployed.

use std::path::Path;

use hcl_edit::structure::Body;

use super::module::{files_named, is_tfvars_file};
use super::value::FileId;

/// No `provider` block, no `terraform { backend | cloud }`, no tfvars file in `dir`.
pub fn is_reusable_module(dir: &Path, bodies: &[(FileId, Body)]) -> bool {
    let configures_root =
        bodies
            .iter()
            .flat_map(|(_, b)| b.blocks())
            .any(|b| match b.ident.as_str() {
                "provider" => true,
                "terraform" => b
                    .body
                    .blocks()
                    .any(|inner| matches!(inner.ident.as_str(), "backend" | "cloud")),
                _ => false,
            });
    !configures_root && files_named(dir, is_tfvars_file).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reusable(text: &str) -> bool {
        let body = crate::syntax::hcl::parse(text).unwrap();
        is_reusable_module(Path::new("/nonexistent/kubectl-irsa-module"), &[(0, body)])
    }

    #[test]
    fn a_root_configures_providers_or_state() {
        assert!(reusable(
            "variable \"x\" {}\nterraform {\n  required_providers {}\n}\n"
        ));
        assert!(!reusable(
            "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n"
        ));
        assert!(!reusable("terraform {\n  backend \"s3\" {}\n}\n"));
        assert!(!reusable("terraform {\n  cloud {}\n}\n"));
    }
}
