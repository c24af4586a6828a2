//! The Helm release fact: one shape for every way a repository declares a release.
//!
//! Terraform `helm_release`, a Flux `HelmRelease`, an Argo CD `Application` with a Helm source and
//! a helmfile `releases:` entry all say the same things: which chart, which release name and
//! namespace, and which values. A front-end lowers its object into a [`HelmRelease`] and hands it to
//! `frontends::release::resolve`, which turns it into the ordinary facts (service accounts,
//! workloads, charts with their values for tracing):
//!
//! - a chart in the tree ([`ChartSource::Local`]) is rendered with the user's helm, with the
//!   release's name, namespace and values; findings on rendered objects trace back to the value's
//!   span in the user's file (the Terraform heredoc, the Argo values string, the helmfile values
//!   file), never to the temporary file helm was given;
//! - a chart from a repository or OCI ([`ChartSource::Remote`]) is computed from its chart pack
//!   (`rules/charts/*.yaml`): the ServiceAccount the chart will create, synthesized as a Node whose
//!   scalars point at the values that decided them.
//!
//! Every value carries a [`Place`]: the file and span in the user's tree that decided it, and
//! [`Decided`] says how (written, a front-end's default, or derived like Flux's
//! `<targetNamespace>-<name>`), so findings can say why a name is what it is.
//!
//! Front-ends fill in what they know and nothing else: an unknown value is `None` (the resolver
//! then uses helm's own default), never a guess. Spans are byte offsets into `Place::file`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::finding::{Location, ObjectRef};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, Span};

/// A place in a user's file.
#[derive(Debug, Clone)]
pub struct Place {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

impl Place {
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Self {
        Place {
            file: file.clone(),
            span,
        }
    }

    pub fn location(&self) -> Location {
        Location::new(&self.file, self.span)
    }
}

/// How a release setting got its value.
#[derive(Debug, Clone, PartialEq)]
pub enum Decided {
    /// Written in the release object (`name:`, `releaseName:`, `namespace:` ...).
    Written,
    /// Not written: the front-end's default, e.g. "the helm provider's `default` namespace".
    Default(String),
    /// Computed from other settings, e.g. "Flux: `<targetNamespace>-<name>`".
    Derived(String),
}

/// A release name or namespace: its value, where it was decided, and how.
#[derive(Debug, Clone)]
pub struct Setting {
    pub value: String,
    /// `None` when nothing in the user's files decided it (a default).
    pub place: Option<Place>,
    pub decided: Decided,
}

impl Setting {
    pub fn written(value: impl Into<String>, place: Place) -> Self {
        Setting {
            value: value.into(),
            place: Some(place),
            decided: Decided::Written,
        }
    }

    pub fn default(value: impl Into<String>, why: impl Into<String>) -> Self {
        Setting {
            value: value.into(),
            place: None,
            decided: Decided::Default(why.into()),
        }
    }

    /// A short explanation for messages: "written", or the default/derivation.
    pub fn how(&self) -> String {
        match &self.decided {
            Decided::Written => "as written".into(),
            Decided::Default(why) | Decided::Derived(why) => why.clone(),
        }
    }
}

/// Which chart a release installs.
#[derive(Debug, Clone)]
pub enum ChartSource {
    /// A chart directory inside the linted tree.
    Local { dir: PathBuf, display: String },
    /// A chart from a repository or an OCI registry, not in the tree.
    Remote {
        /// Repository URL, `oci://…`, or a repository alias; as written.
        repo: Option<String>,
        /// The chart name (`cluster-autoscaler`), without any `repo/` prefix.
        name: String,
        version: Option<String>,
        /// Where the chart is named.
        place: Option<Place>,
    },
}

/// One values source: a YAML tree whose spans point into `file` (a values file, or the values
/// embedded in a release object: a heredoc, a string, an inline mapping).
#[derive(Debug, Clone)]
pub struct ValuesLayer {
    pub file: Arc<SourceFile>,
    pub root: Node,
}

/// One `set`-style override: `serviceAccount.annotations.eks\.amazonaws\.com/role-arn = value`.
#[derive(Debug, Clone)]
pub struct SetValue {
    /// Key path segments, unescaped (`["serviceAccount", "annotations", "eks.amazonaws.com/role-arn"]`).
    pub path: Vec<String>,
    pub file: Arc<SourceFile>,
    /// The span of the key (`name = "…"`, `--set` name), for findings about the key itself.
    pub key_span: Span,
    /// The value, with its span in `file`. A plain scalar is typed as helm's `--set` types it
    /// (`true` is a boolean); a quoted one is a string (`--set-string`, Terraform `type = "string"`).
    pub value: Node,
}

impl SetValue {
    /// Split a helm `--set` key on unescaped dots (`a.b\.c` → `["a", "b.c"]`).
    pub fn split_key(key: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut chars = key.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let (Some(next), Some(s)) = (chars.next(), out.last_mut()) {
                        s.push(next);
                    }
                }
                '.' => out.push(String::new()),
                _ => {
                    if let Some(s) = out.last_mut() {
                        s.push(c)
                    }
                }
            }
        }
        out
    }
}

/// The object that declares a release, for related locations and object refs.
#[derive(Debug, Clone)]
pub struct ReleaseOrigin {
    pub place: Place,
    /// E.g. `helm_release.autoscaler`, `HelmRelease flux-system/external-dns`, `helmfile release cert-manager`.
    pub object: ObjectRef,
    /// The front-end, for messages: `terraform`, `flux`, `argocd`, `helmfile`.
    pub frontend: &'static str,
}

/// A Helm release as any front-end declares it (see the module docs).
#[derive(Debug, Clone)]
pub struct HelmRelease {
    pub origin: ReleaseOrigin,
    pub release_name: Setting,
    pub namespace: Setting,
    pub chart: ChartSource,
    /// Values layers in increasing precedence (the chart's own values.yaml is not one of them).
    pub values: Vec<ValuesLayer>,
    /// Overrides above every layer, in order.
    pub set: Vec<SetValue>,
    /// Values wholly set at deploy time (`values: ${user_values_yaml}`): resolved without them.
    pub unknown_values: Vec<Place>,
}

impl HelmRelease {
    /// The object that declares the release, for messages: `helm_release.x`, `HelmRelease y`.
    pub fn declared_by(&self) -> String {
        let o = &self.origin.object;
        if o.name.starts_with(&o.kind) {
            o.name.clone()
        } else {
            format!("{} {}", o.kind, o.name)
        }
    }

    /// The chart name: a remote chart's name, or a local chart's directory name.
    pub fn chart_name(&self) -> String {
        match &self.chart {
            ChartSource::Remote { name, .. } => name.clone(),
            ChartSource::Local { dir, .. } => dir
                .file_name()
                .map_or_else(|| "chart".into(), |n| n.to_string_lossy().to_string()),
        }
    }
}

/// Service accounts that something in the run creates but the run cannot list: a release whose
/// chart was not rendered and has no chart pack, or whose values are set at deploy time. Checks
/// that need every account of a namespace do not report there (IRSA020 or IRSA053 says why).
#[derive(Debug, Clone)]
pub struct UnlistedAccounts {
    /// The namespace they land in; `None` when that is not known either.
    pub namespace: Option<String>,
    /// What creates them, for messages: `release `argocd` (chart `argo-cd`)`.
    pub creator: String,
}

/// A directory of the tree that a GitOps object applies into a namespace: a Flux
/// `Kustomization` with `targetNamespace`, an Argo CD `Application` whose source is a directory
/// or kustomization (`destination.namespace`, `kustomize.namespace`).
#[derive(Debug, Clone)]
pub struct NamespaceTarget {
    /// The directory (canonical): a kustomize unit, or a directory of manifests.
    pub dir: PathBuf,
    /// Manifests in subdirectories too (Flux always; Argo CD with `directory.recurse`).
    pub recurse: bool,
    pub namespace: Setting,
    /// Every namespaced object is moved (Flux `targetNamespace`, Argo CD `kustomize.namespace`);
    /// otherwise only objects that name no namespace (Argo CD `destination.namespace`).
    pub force: bool,
    /// Argo CD `kustomize.namePrefix`/`nameSuffix`: every object of the unit is renamed.
    pub name_affixes: Option<NameAffixes>,
    pub origin: ReleaseOrigin,
}

/// A prefix and suffix added to the names of a unit's objects, and the line that set them.
#[derive(Debug, Clone)]
pub struct NameAffixes {
    pub prefix: String,
    pub suffix: String,
    pub place: Place,
}

#[cfg(test)]
mod tests {
    use super::SetValue;

    #[test]
    fn set_keys_split_on_unescaped_dots() {
        assert_eq!(
            SetValue::split_key(r"serviceAccount.annotations.eks\.amazonaws\.com/role-arn"),
            vec![
                "serviceAccount",
                "annotations",
                "eks.amazonaws.com/role-arn"
            ]
        );
        assert_eq!(SetValue::split_key("a"), vec!["a"]);
    }
}
