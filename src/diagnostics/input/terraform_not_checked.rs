use crate::declare_rule;
use crate::diagnostics::finding::Severity;

declare_rule! {
    /// A Terraform role or object could not be checked offline, and lint says so.
    ///
    /// ## What it checks
    /// Terraform files (`.tf`, `.tofu`, `terraform.tfvars`, `*.auto.tfvars`, and the same in JSON
    /// syntax: `.tf.json`, `*.tfvars.json`) are evaluated statically: literals, templates,
    /// locals, variable defaults, tfvars, `--var`/`--var-file` and Terragrunt `inputs`, the
    /// common functions, `for`, `count`/`for_each` over known collections, local modules
    /// (`./…`), and the terraform-aws-modules IAM and `eks-pod-identity` modules and aws-ia's
    /// `eks-blueprints-addon`, modeled from their source. When a role's trust depends on
    /// something only `terraform apply` knows (a module output, a data source, remote state, a
    /// variable without a value), or a module (or a Terragrunt unit's `source`) is from a source
    /// that is not modeled or not in the tree, the trust is not guessed: this note names the
    /// value that is missing. A provider host that is unknown (`"${module.eks.oidc_provider}:sub"`)
    /// is not a reason: it is checked as "this cluster's provider", and the `sub`/`aud` values
    /// are still checked.
    ///
    /// ## Why it matters
    /// A trust that was not checked is not a clean one. The note tells you where lint's view
    /// ends, so you can give the missing value (`terraform.tfvars`, `--var`, a variable default) or check
    /// that role by hand.
    ///
    /// ## Example
    /// ```hcl
    /// module "irsa" {
    ///   source  = "git::https://example.com/acme/irsa.git"
    ///   # note: module source `git::https://example.com/acme/irsa.git` is not modeled
    /// }
    /// ```
    pub struct TerraformNotChecked => ("IRSA030", "terraform-not-checked", Severity::Note);
}
