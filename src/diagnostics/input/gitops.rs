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
    /// A resource file that is not in the tree is a note (in the coverage summary), not a
    /// warning: it is usually written before the build (a README's `envsubst < claim-tmpl.yaml >
    /// claim.yaml`, a workshop step), and the unit is walked without it.
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
    /// A value is set at deploy time: a placeholder, not an error.
    ///
    /// ## What it checks
    /// Role annotations and eksctl `attachRoleARN`s, the other ARN fields (eksctl policy ARNs,
    /// Pod Identity and Roles Anywhere ARNs), trust policies' `Principal.Federated`, and pack
    /// values (a region) that hold a placeholder, in every format: a manifest, a Helm values
    /// file, a HelmRelease's or helmfile release's values (after Flux `postBuild.substitute`),
    /// an ACK or Crossplane Role, a JSON trust file fed to envsubst, Terraform. Placeholders are
    /// Flux and envsubst `${VAR}` and `${VAR:=default}`, `$VAR`, Helm/Go/cookiecutter `{{ … }}`,
    /// Backstage `${{ values.x }}`, Jinja `{% … %}`, ERB `<%= … %>`, `<AWS_ACCOUNT_ID>`,
    /// `{TENANT_ID}`, and bare words that are a whole value or ARN field (`IAM_ROLE_ARN`,
    /// `ACCOUNT_ID`, `YOUR_ACCOUNT`, `xxxxxxxxxxxx`).
    ///
    /// A value wholly a placeholder is this note and nothing else. A value partly one is checked
    /// on its known parts: `arn:aws:iam::${ACCOUNT_ID}:role/app` still pairs with the role `app`
    /// in the tree and has its trust checked (IRSA016); its account is this note, once. An
    /// invalid known part (`arn:aws:iam::123:role/${NAME}`) is IRSA001.
    /// A release's values that are wholly a placeholder (an Argo CD `helm.values: |
    /// ${user_values_yaml}` that Terraform's `templatefile()` fills in, a Flux `spec.values`) are
    /// this note too: the release is linted without them, and its service accounts are not all
    /// known.
    ///
    /// ## Why it matters
    /// The value is only known when Flux, a pipeline's envsubst or a script fills it in, so lint
    /// cannot check it; the note says which part was not checked, and no gate fails on it.
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
