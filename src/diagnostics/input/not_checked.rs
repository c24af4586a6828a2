//! Notes for what a run could not check, each with its own code so that one can be switched off
//! without losing the others. They are rolled into the coverage summary by the renderers.

use crate::declare_rule;
use crate::diagnostics::finding::Severity;

declare_rule! {
    /// A GitOps or Terraform source points outside the linted tree, so it was not linted.
    ///
    /// ## What it checks
    /// An Argo CD Application or ApplicationSet `source.path`, a Flux `Kustomization` or
    /// `HelmRelease` chart path, or a helmfile chart path that names a directory which is not in
    /// the tree being linted (another repository, a path a pipeline creates). Lint never follows
    /// paths out of the given tree; this note says which source was not read.
    ///
    /// ## Why it matters
    /// The service accounts that source creates were not cross-checked; the coverage summary
    /// lists them so that silence does not look like a pass.
    ///
    /// ## Example
    /// `Argo CD Application workloads: source path helm-guestbook is not a directory of the linted tree`
    ///
    /// Fixed: lint the repository that holds the source too (`kubectl irsa lint . ../apps`).
    pub struct SourceNotInTree => ("IRSA054", "source-not-in-tree", Severity::Note);
}

declare_rule! {
    /// An ApplicationSet generator (or a similar template) could not be expanded offline.
    ///
    /// ## What it checks
    /// ApplicationSet generators that need a cluster or an API to expand (`clusters` with
    /// selectors, `scmProvider`, `pullRequest`, `plugin`, `clusterDecisionResource`), and
    /// ApplicationSet features that are not applied offline (`templatePatch`, Go template
    /// functions that need live data). The Applications it would generate are linted from what
    /// can be known, or not at all; this note says which.
    ///
    /// ## Why it matters
    /// What the controller will generate decides the namespace and the service account a role
    /// must trust; a part that was not expanded was not checked.
    ///
    /// ## Example
    /// `ApplicationSet addons: generator scmProvider is not expanded offline`
    pub struct GeneratorNotExpanded => ("IRSA055", "generator-not-expanded", Severity::Note);
}

declare_rule! {
    /// A file that cannot be parsed and shows no sign of being IAM or Kubernetes was not read.
    ///
    /// ## What it checks
    /// A YAML or JSON file that does not parse and has none of the marks of an input of this
    /// tool (`apiVersion`/`kind`, `Statement`, `AssumeRole`, a role ARN, a Terraform plan or
    /// state, a CloudFormation template), or that is an excerpt (an indented `...` line stands
    /// for what was left out): JSON Lines fixtures,
    /// git-crypt-encrypted files, fragments of documentation, test data of other parsers. Such
    /// a file is listed in the coverage summary instead of failing the run. A broken file that
    /// does show those marks is still IRSA000, an error.
    ///
    /// ## Why it matters
    /// A gate that fails on files never meant for it is switched off; one that says nothing
    /// about them hides what it skipped.
    ///
    /// ## Example
    /// `docs/snippets/volume.yaml`: a fragment of a Pod spec that starts at `- name:`.
    pub struct FileNotRead => ("IRSA056", "file-not-read", Severity::Note);
}

declare_rule! {
    /// A service account that an operator creates could not be known in full, or a runtime
    /// configuration that would make one is not used.
    ///
    /// ## What it checks
    /// Crossplane creates the service account of each `Provider` and `Function` from the
    /// `DeploymentRuntimeConfig` (or deprecated `ControllerConfig`) it references. Lint checks
    /// that account like a written one (its role ARN, the role's trust). This note says when:
    /// - no `serviceAccountTemplate.metadata.name` (or `serviceAccountName`) is set, so the
    ///   account is named after the provider revision (`<provider>-<digest>`), unknown offline:
    ///   the role's trust must match it with `StringLike` (`…:<provider>-*`), which is checked;
    /// - a `DeploymentRuntimeConfig` or `ControllerConfig` that carries a role is referenced by
    ///   no provider of the tree, so its account was not checked.
    ///
    /// ## Why it matters
    /// The role's trust must name the account the operator creates; what could not be known
    /// was not checked, and the coverage summary says so.
    ///
    /// ## Example
    /// `DeploymentRuntimeConfig aws-irsa: no Provider or Function of the tree references it`
    ///
    /// Fixed: reference it (`spec.runtimeConfigRef.name: aws-irsa`) or lint the tree that does.
    pub struct OperatorAccountNotKnown => ("IRSA058", "operator-account-not-known", Severity::Note);
}
