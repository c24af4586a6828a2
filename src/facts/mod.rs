//! Layer 4: everything one run read, in the shape the checks need: service accounts, workloads,
//! trust and permission policies, ARN values, charts and AWS configs, each with the locations that
//! findings point at. Front-ends produce these; rules and live checks read them.

mod absorb;
pub mod aws_config;
pub mod chart;
pub mod pairing;
pub mod trust_scope;
pub mod trusted;

/// The account written into ARNs a front-end synthesizes when the account is only known at apply
/// time (a Terraform `aws_iam_role.x.arn`, a provider ARN from a module output); never compared.
pub use crate::model::arn::UNKNOWN_ACCOUNT;
pub mod release;
mod rename;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostics::finding::{Location, ObjectRef};
use crate::model::policy::{PolicyDocument, PolicyError};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Entry, Node, Span};

pub use chart::{ChartInput, RenderContext};

pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
pub const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";
pub const IGNORE_ANNOTATION: &str = "irsa.kubectl.dev/ignore";

/// Everything a front-end extracted from one file (merged into the `Workspace` by lint).
#[derive(Default)]
pub struct Classified {
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<PolicyInput>,
    pub arn_values: Vec<ArnValue>,
    pub objects: Vec<Object>,
    pub duplicate_keys: Vec<crate::syntax::yaml::DuplicateKey>,
    pub aws_configs: Vec<AwsConfigInput>,
    pub pod_identity_associations: Vec<PodIdentityAssociation>,
    /// Chart values found outside charts (an EKS Anywhere `Package` CR's `spec.config`).
    pub charts: Vec<ChartInput>,
    /// Helm releases declared in the file (a plan's or state's `helm_release`), resolved with
    /// the other releases of the run.
    pub releases: Vec<release::HelmRelease>,
}

/// Kinds that have no namespace (they stay where they are when a namespace is applied).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "StorageClass",
    "PersistentVolume",
    "PriorityClass",
    "APIService",
    "Node",
];

impl Classified {
    /// Apply a namespace as a GitOps controller does: to every namespaced object (`force`, as
    /// kustomize's namespace transformer) or to those that name none (`kubectl apply -n`).
    /// Returns the `(namespace, name)` of the service accounts it placed.
    pub fn apply_namespace(&mut self, namespace: &str, force: bool) -> Vec<(String, String)> {
        let place = |o: &mut Object| {
            let namespaced = !CLUSTER_SCOPED.contains(&o.kind.as_str());
            if namespaced && (force || o.namespace.is_none()) {
                o.namespace = Some(namespace.to_string());
                return true;
            }
            false
        };
        let mut placed = Vec::new();
        for sa in &mut self.service_accounts {
            // eksctl creates its service accounts itself, in the namespace it names.
            if sa.origin != SaOrigin::Eksctl && place(&mut sa.object) {
                placed.push((namespace.to_string(), sa.object.name.clone()));
            }
        }
        for w in &mut self.workloads {
            place(&mut w.object);
        }
        for o in &mut self.objects {
            place(o);
        }
        placed
    }
}

/// Where a service account definition came from.
#[derive(Debug, Clone, PartialEq)]
pub enum SaOrigin {
    /// A `kind: ServiceAccount` manifest (plain, or rendered from a chart).
    Manifest,
    /// An entry of an eksctl ClusterConfig `iam.serviceAccounts`.
    Eksctl,
}

/// A Kubernetes object as read, with the file it is in.
#[derive(Debug, Clone)]
pub struct Object {
    pub file: Arc<SourceFile>,
    pub kind: String,
    pub api_version: String,
    /// As written; `None` means the namespace of the release or the `default` namespace.
    pub namespace: Option<String>,
    pub name: String,
    /// The whole document (or list item).
    pub node: Node,
    /// Set when the object came out of a Helm render: the chart context.
    pub chart: Option<Arc<RenderContext>>,
}

impl Object {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef::new(&self.kind, self.namespace.as_deref(), &self.name)
    }

    pub fn location(&self, span: Span) -> Location {
        Location::new(&self.file, span)
    }

    /// The object's `metadata.name` value, or the whole object.
    pub fn name_span(&self) -> Span {
        self.node
            .path(&["metadata", "name"])
            .map_or(self.node.span, |n| n.span)
    }

    pub fn annotations(&self) -> Option<&Node> {
        self.node.path(&["metadata", "annotations"])
    }

    pub fn annotation(&self, key: &str) -> Option<&Entry> {
        self.annotations()?.entry(key)
    }

    /// The namespace a controller would use: as written, else the default.
    pub fn effective_namespace(&self, default: &str) -> String {
        self.namespace
            .clone()
            .unwrap_or_else(|| default.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct ServiceAccount {
    pub object: Object,
    pub origin: SaOrigin,
    /// The `eks.amazonaws.com/role-arn` annotation (or eksctl `attachRoleARN`): key and value.
    pub role_arn: Option<Entry>,
}

impl ServiceAccount {
    pub fn role_arn_value(&self) -> Option<&str> {
        self.role_arn.as_ref().and_then(|e| e.value.as_str())
    }

    /// The audience the webhook puts in this SA's token.
    pub fn audience(&self) -> String {
        self.object
            .annotation(AUDIENCE_ANNOTATION)
            .and_then(|e| e.value.as_str())
            .filter(|a| !a.is_empty())
            .unwrap_or(DEFAULT_AUDIENCE)
            .to_string()
    }
}

/// A workload with a pod template (or a Pod).
#[derive(Debug, Clone)]
pub struct Workload {
    pub object: Object,
    /// The pod spec node.
    pub pod_spec: Node,
    /// The pod template's `metadata.annotations`, if any.
    pub pod_annotations: Option<Node>,
}

impl Workload {
    /// `serviceAccountName` (or the deprecated `serviceAccount`), with its node; `default` when unset.
    pub fn service_account(&self) -> (String, Option<&Node>) {
        let node = self
            .pod_spec
            .get("serviceAccountName")
            .or_else(|| self.pod_spec.get("serviceAccount"))
            .filter(|n| n.as_str().is_some());
        match node {
            Some(n) => (n.as_str().unwrap_or("default").to_string(), Some(n)),
            None => ("default".to_string(), None),
        }
    }

    pub fn containers(&self) -> impl Iterator<Item = &Node> {
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .filter_map(|k| self.pod_spec.get(k).and_then(Node::as_seq))
            .flatten()
    }
}

/// How a policy document was read.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicySource {
    /// A JSON or YAML policy file.
    File,
    /// Inline in a custom resource (ACK or Crossplane IAM Role), or a permission policy CR.
    CustomResource(ObjectRef),
}

/// One IAM policy document (trust or permissions), parsed once.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub file: Arc<SourceFile>,
    pub node: Node,
    pub source: PolicySource,
    /// The role this policy belongs to, when known (CR name, file name, or `.irsa.yaml`).
    pub role_name: Option<String>,
    pub parsed: Result<PolicyDocument, PolicyError>,
}

impl PolicyInput {
    pub fn document(&self) -> Option<&PolicyDocument> {
        self.parsed.as_ref().ok()
    }

    pub fn is_trust(&self) -> bool {
        self.document()
            .is_some_and(crate::model::policy::is_trust_policy)
    }

    pub fn object(&self) -> Option<ObjectRef> {
        match &self.source {
            PolicySource::CustomResource(o) => Some(o.clone()),
            PolicySource::File => self
                .role_name
                .as_ref()
                .map(|r| ObjectRef::new("Role", None, r)),
        }
    }
}

/// What kind of ARN a value must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedArn {
    Role,
    Policy,
    OidcProvider,
    TrustAnchor,
    Profile,
}

/// Other string values that carry ARNs and need checking (eksctl policy ARNs, Roles Anywhere ARNs...).
#[derive(Debug, Clone)]
pub struct ArnValue {
    pub file: Arc<SourceFile>,
    pub node: Node,
    /// What the ARN is for, e.g. `attachPolicyARNs` or `--role-arn`.
    pub purpose: String,
    pub expected: ExpectedArn,
    pub object: Option<ObjectRef>,
}

/// An AWS config text with a `credential_process` (a Secret's key, or a literal file).
#[derive(Debug, Clone)]
pub struct AwsConfigInput {
    pub file: Arc<SourceFile>,
    pub processes: Vec<aws_config::CredentialProcess>,
    /// Where each byte range of the config text lands in `file` (None: the whole `fallback` span).
    pub spans: Vec<(std::ops::Range<usize>, Span)>,
    pub fallback: Span,
    pub object: Option<ObjectRef>,
}

impl AwsConfigInput {
    /// The file span of a byte range of the config text.
    pub fn span_of(&self, range: &std::ops::Range<usize>) -> Span {
        self.spans
            .iter()
            .find(|(r, _)| r == range)
            .map_or(self.fallback, |(_, s)| *s)
    }
}

/// Where a Pod Identity association was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssociationOrigin {
    /// eksctl `iam.podIdentityAssociations[]`.
    Eksctl,
    /// eksctl `addons[].podIdentityAssociations[]` (the add-on creates its service account).
    EksctlAddon,
    /// An ACK `PodIdentityAssociation` CR (`eks.services.k8s.aws`), the shape every other
    /// front-end (Terraform, CloudFormation) lowers its associations to.
    Ack,
}

/// An EKS Pod Identity association: cluster, namespace and service account → role.
/// Each field is the node as written (its span points at the user's line).
#[derive(Debug, Clone)]
pub struct PodIdentityAssociation {
    pub file: Arc<SourceFile>,
    pub origin: AssociationOrigin,
    /// The association (the CR's `spec`, or the eksctl list item).
    pub span: Span,
    pub object: ObjectRef,
    pub cluster_name: Option<Node>,
    /// The cluster's region, when the input says (eksctl `metadata.region`).
    pub region: Option<String>,
    pub namespace: Option<Node>,
    pub service_account: Option<Node>,
    /// `None`: eksctl creates the role (with a correct trust).
    pub role_arn: Option<Node>,
    pub disable_session_tags: bool,
    /// eksctl `createServiceAccount: true`, or an add-on: the SA is made with the association.
    pub creates_service_account: bool,
    /// When the cluster name is known only at apply time (`module.eks.cluster_name`): the
    /// Terraform root module whose cluster it is. Such names of different scopes are different
    /// clusters.
    pub cluster_scope: Option<String>,
}

impl PodIdentityAssociation {
    fn text(n: &Option<Node>) -> Option<&str> {
        n.as_ref()
            .and_then(Node::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    pub fn cluster(&self) -> Option<&str> {
        Self::text(&self.cluster_name)
    }

    pub fn namespace_name(&self) -> Option<&str> {
        Self::text(&self.namespace)
    }

    pub fn service_account_name(&self) -> Option<&str> {
        Self::text(&self.service_account)
    }

    pub fn role_arn_value(&self) -> Option<&str> {
        Self::text(&self.role_arn)
    }

    /// The location of a field, else of the whole association.
    pub fn location_of(&self, field: &Option<Node>) -> Location {
        Location::new(&self.file, field.as_ref().map_or(self.span, |n| n.span))
    }
}

#[derive(Default)]
pub struct Workspace {
    pub files: Vec<Arc<SourceFile>>,
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<PolicyInput>,
    pub arn_values: Vec<ArnValue>,
    /// Other objects (everything with apiVersion/kind not listed above), for rule packs.
    pub objects: Vec<Object>,
    /// Charts and values files, for chart rules and rule packs.
    pub charts: Vec<Arc<ChartInput>>,
    /// AWS config texts with a Roles Anywhere `credential_process`.
    pub aws_configs: Vec<AwsConfigInput>,
    /// EKS Pod Identity associations, from every format.
    pub pod_identity_associations: Vec<PodIdentityAssociation>,
    /// Releases and charts whose service accounts the run could not list.
    pub unlisted_accounts: Vec<release::UnlistedAccounts>,
    /// `(namespace, name)` → indexes into `service_accounts`, built on first use.
    sa_index: std::sync::OnceLock<std::collections::HashMap<(String, String), Vec<usize>>>,
    /// Indexes into `policies` of the trusts some service account's role pairs with, built on
    /// first use (every trust rule asks; pairing reads every service account).
    paired_trusts: std::sync::OnceLock<std::collections::HashSet<usize>>,
    /// Duplicate keys found while parsing, per file.
    pub duplicate_keys: BTreeMap<String, Vec<crate::syntax::yaml::DuplicateKey>>,
}

impl Workspace {
    /// The service account `namespace/name` (unset namespaces count as `default`); when several
    /// inputs define it, the one in `prefer_file` wins.
    pub fn service_account_named(
        &self,
        namespace: &str,
        name: &str,
        prefer_file: &str,
    ) -> Option<&ServiceAccount> {
        let index = self.sa_index.get_or_init(|| {
            let mut index: std::collections::HashMap<(String, String), Vec<usize>> =
                Default::default();
            for (i, sa) in self.service_accounts.iter().enumerate() {
                let key = (
                    sa.object.effective_namespace("default"),
                    sa.object.name.clone(),
                );
                index.entry(key).or_default().push(i);
            }
            index
        });
        let found = index.get(&(namespace.to_string(), name.to_string()))?;
        let pick = found
            .iter()
            .find(|&&i| self.service_accounts[i].object.file.display == prefer_file)
            .or(found.first())?;
        self.service_accounts.get(*pick)
    }

    /// Every Kubernetes object read: service accounts, workloads, then the rest.
    pub fn all_objects(&self) -> impl Iterator<Item = &Object> {
        self.service_accounts
            .iter()
            .map(|s| &s.object)
            .chain(self.workloads.iter().map(|w| &w.object))
            .chain(self.objects.iter())
    }

    /// Add what another unit of the run left behind.
    pub fn merge(&mut self, other: Workspace) {
        self.files.extend(other.files);
        self.service_accounts.extend(other.service_accounts);
        self.workloads.extend(other.workloads);
        self.policies.extend(other.policies);
        self.arn_values.extend(other.arn_values);
        self.objects.extend(other.objects);
        self.charts.extend(other.charts);
        self.aws_configs.extend(other.aws_configs);
        self.pod_identity_associations
            .extend(other.pod_identity_associations);
        self.unlisted_accounts.extend(other.unlisted_accounts);
        for (file, dups) in other.duplicate_keys {
            self.duplicate_keys.entry(file).or_default().extend(dups);
        }
        self.sa_index = Default::default();
        self.paired_trusts = Default::default();
    }

    pub fn file(&self, display: &str) -> Option<&Arc<SourceFile>> {
        self.files.iter().find(|f| f.display == display)
    }
}
