//! Rules raised while reading Kustomize and GitOps inputs (`frontends::kustomize`,
//! `frontends::gitops`, `frontends::template`).

use crate::declare_rule;
use crate::diagnostics::finding::Severity;

declare_rule! {
    /// A kustomization could not be built, so its chain was walked statically.
    ///
    /// ## What it checks
    /// Every deployable kustomization (a directory with `kustomization.yaml`, `.yml` or
    /// `Kustomization` that no other kustomization in the tree uses as a resource) is built with
    /// `kustomize build` (`--kustomize PATH`, else `kustomize` on PATH, else `kubectl kustomize`),
    /// with `--enable-helm` when it has `helmCharts:` and helm is available, within
    /// `--render-timeout`. When the build fails (a remote base offline, a missing file, no
    /// binary, a timeout), this note quotes the error and lint applies the chain itself:
    /// `resources`, `namespace`, `namePrefix`/`nameSuffix`, `commonAnnotations`, strategic-merge
    /// and JSON6902 patches. The note names what was not applied.
    ///
    /// ## Why it matters
    /// The namespace and name a role must trust are decided by the overlay. Linting the base as
    /// written would check the wrong service account; a unit not built must say so.
    ///
    /// ## Example
    /// `kustomization overlays/prod was not built: accumulating resources: ... github.com/acme/base: no such host`
    ///
    /// Fixed: vendor the remote base, or lint where kustomize can fetch it.
    pub struct KustomizeNotBuilt => ("IRSA050", "kustomize-not-built", Severity::Note);
}

declare_rule! {
    /// A kustomization is broken: a cycle, a missing resource, a patch that matches nothing.
    ///
    /// ## What it checks
    /// While walking a kustomization chain: a kustomization that includes itself (A includes B
    /// includes A), a resource or patch path that does not exist or leaves the linted tree, a
    /// patch whose target (kind and name) is no resource of the kustomization, invalid YAML.
    ///
    /// ## Why it matters
    /// `kustomize build` (and Flux, and Argo CD) refuse such a kustomization: nothing of it is
    /// deployed, or a patch meant to set the role ARN silently does not apply.
    ///
    /// ## Example
    /// ```yaml
    /// patches:
    ///   - path: sa-patch.yaml   # patches ServiceAccount `cart`, but the base defines `carts`
    /// ```
    pub struct KustomizationError => ("IRSA051", "kustomization-error", Severity::Warning);
}

declare_rule! {
    /// A value is a placeholder set at deploy time (Flux substitution, envsubst, a template).
    ///
    /// ## What it checks
    /// A service account's `eks.amazonaws.com/role-arn` that is still `${VAR}` after the Flux
    /// `postBuild.substitute` values (and `substituteFrom` ConfigMaps) found in the tree were
    /// applied. It is reported as a note, not as an invalid ARN, and its trust is not checked.
    /// Also a release's values that are wholly a placeholder (an Argo CD `helm.values: |
    /// ${user_values_yaml}` that Terraform's `templatefile()` fills in, a Flux `spec.values`):
    /// the release is linted without them, and its service accounts are not all known.
    ///
    /// ## Why it matters
    /// The value is only known when Flux (or a pipeline's envsubst) applies the manifest, so lint
    /// cannot cross-check it; the note says the check did not happen.
    ///
    /// ## Example
    /// `eks.amazonaws.com/role-arn: ${CARTS_IAM_ROLE}` with no `CARTS_IAM_ROLE` in any
    /// Flux Kustomization's `postBuild.substitute`.
    pub struct DeployTimePlaceholder => ("IRSA053", "deploy-time-placeholder", Severity::Note);
}

declare_rule! {
    /// A template file was recognised and not linted as a manifest.
    ///
    /// ## What it checks
    /// Files that are templates rather than what is applied: Helm/Go templates (`{{ .Values.x }}`)
    /// outside a chart, envsubst and Flux `${VAR}` templates (a `${VAR}` in an object's metadata
    /// or a role ARN), Terraform `templatefile` inputs (`*.yaml.tpl`, `*.yaml.tftpl`), Jinja or
    /// Ansible templates (`{% … %}`, `*.yaml.j2`). Each is reported once, as this note, instead of
    /// as invalid YAML (IRSA000) or an invalid role ARN (IRSA001). A file that is the input of
    /// something else in the run (a kustomization's resource, a chart's template) is linted
    /// through that, not reported here. Broken YAML without template syntax is still IRSA000.
    ///
    /// ## Why it matters
    /// Such files are never applied as written; failing CI on them hides the real findings.
    ///
    /// ## Example
    /// `role.yaml.tpl` with `eks.amazonaws.com/role-arn: ${role_arn}`, rendered by Terraform.
    pub struct TemplateNotLinted => ("IRSA052", "template-not-linted", Severity::Note);
}
