//! What doctor reads for EKS and Pod Identity, before the checks run: the cluster (DescribeCluster),
//! its associations, and the EKS Pod Identity Agent (its DaemonSet and pods). Read-only: EKS
//! Describe*/List* and Kubernetes GET. Each failure is a fault (IRSA100), never a silent OK.

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use super::checks::Ctx;
use super::eks::{Association, ClusterInfo, EksError};
use super::eks_target::{self, EksTarget};
use super::fault::Fault;
use super::shared_eks::SharedEks;

pub const AGENT_NAMESPACE: &str = "kube-system";
pub const AGENT_NAME: &str = "eks-pod-identity-agent";
pub const CREDENTIALS_URI_ENV: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const TOKEN_FILE_ENV: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
pub const TOKEN_VOLUME: &str = "eks-pod-identity-token";

pub struct EksState {
    pub target: EksTarget,
    /// `None`: DescribeCluster failed (a fault says why).
    pub cluster: Option<ClusterInfo>,
    /// `None`: the associations could not be read (a fault says why).
    pub associations: Option<Vec<Association>>,
    /// `None`: not read (no associations) or the read failed (a fault says why).
    pub agent: Option<Agent>,
    /// Each association's summary verdict (by association id), worst wins.
    pub verdicts: std::collections::BTreeMap<String, super::checks::Verdict>,
}

pub struct Agent {
    /// `None`: the DaemonSet does not exist.
    pub daemon_set: Option<DaemonSet>,
    pub pods: Vec<Pod>,
}

/// Does anything in the snapshot use Pod Identity (injected pods, the agent's DaemonSet)?
fn uses_pod_identity(ctx: &Ctx<'_>) -> bool {
    let snap = ctx.snap;
    let pods = snap.pods.iter().flatten().any(|p| {
        p.spec.iter().flat_map(|s| &s.containers).any(|c| {
            c.env
                .iter()
                .flatten()
                .any(|e| e.name == CREDENTIALS_URI_ENV)
        })
    });
    let agent = snap
        .daemon_sets
        .iter()
        .flatten()
        .any(|d| d.metadata.name.as_deref() == Some(AGENT_NAME));
    pods || agent
}

/// What `read` needs from the command line.
pub struct EksOptions<'a> {
    /// `--cluster`, else the kubeconfig's EKS cluster.
    pub cluster: Option<&'a str>,
    pub kubeconfig: Option<&'a std::path::Path>,
    pub context: Option<&'a str>,
    /// `--region`: wins over the kubeconfig's region of the cluster.
    pub region: Option<&'a str>,
}

/// Read the cluster and its associations into `ctx.eks`, and use the EKS issuer when the API
/// server's discovery could not be read.
pub async fn read(
    args: &EksOptions<'_>,
    shared: &SharedEks,
    client: &kube::Client,
    ctx: &mut Ctx<'_>,
) {
    let target = eks_target::find(args.cluster, args.kubeconfig, args.context);
    let Some(target) = target else {
        if uses_pod_identity(ctx) {
            ctx.faults.push(Fault::new(
                "PodIdentityAssociation",
                None,
                "*",
                "eks:ListPodIdentityAssociations",
                "the EKS cluster name is unknown: the kubeconfig names no EKS cluster (an `arn:aws:eks:…:cluster/NAME` context, or `--cluster-name` in its exec args); pass --cluster NAME",
            ));
        }
        return;
    };
    let region = args.region.or(target.region.as_deref());
    let eks = shared.client(region).await;
    let name = target.name.clone();
    let where_ = format!(
        "cluster `{name}` (from {}) in {}",
        target.source,
        eks.region.as_deref().unwrap_or("no region")
    );
    let cluster = match shared.describe_cluster(&eks, &name).await {
        Ok(c) => Some(c),
        Err(e) => {
            let hint = match &e {
                EksError::NotFound(_) => format!(
                    "; EKS has no {where_}: not an EKS cluster, or another account or region (--region, --cluster)"
                ),
                EksError::Unreachable(_) => {
                    "; no EKS API answered (a self-managed cluster, or AWS_ENDPOINT_URL_EKS)".into()
                }
                _ => String::new(),
            };
            ctx.faults.push(Fault::new(
                "Cluster",
                None,
                &name,
                "eks:DescribeCluster",
                format!("{}{hint}", e.reason()),
            ));
            None
        }
    };
    if let Some(issuer) = cluster.as_ref().and_then(|c| c.issuer.as_deref()) {
        if ctx.issuer.is_none() {
            ctx.issuer = Some(super::checks::issuer_host(issuer));
        }
    }
    let associations = match shared.associations(&eks, &name).await {
        Ok(list) => Some(list.to_vec()),
        Err((e, permission)) => {
            ctx.faults.push(Fault::new(
                "PodIdentityAssociation",
                None,
                "*",
                permission,
                format!("{} ({where_})", e.reason()),
            ));
            None
        }
    };
    let agent = match &associations {
        Some(list) if !list.is_empty() => read_agent(client, ctx).await,
        _ => None,
    };
    ctx.eks = Some(EksState {
        target,
        cluster,
        associations,
        agent,
        verdicts: Default::default(),
    });
}

/// The agent's DaemonSet (listed by name) and its pods (listed by the DaemonSet's selector).
async fn read_agent(client: &kube::Client, ctx: &mut Ctx<'_>) -> Option<Agent> {
    let dss: Api<DaemonSet> = Api::namespaced(client.clone(), AGENT_NAMESPACE);
    let fault = |verb: &str, e: kube::Error| {
        Fault::new(
            "DaemonSet",
            Some(AGENT_NAMESPACE),
            AGENT_NAME,
            format!("{verb} in namespace {AGENT_NAMESPACE}"),
            format!("the API server answered: {e}"),
        )
    };
    // A list by name, not a GET: doctor's ClusterRole grants `list` only.
    let by_name = ListParams::default().fields(&format!("metadata.name={AGENT_NAME}"));
    let daemon_set = match dss.list(&by_name).await {
        Ok(list) => list.items.into_iter().next(),
        Err(e) => {
            ctx.faults.push(fault("list daemonsets", e));
            return None;
        }
    };
    let Some(ds) = daemon_set else {
        return Some(Agent {
            daemon_set: None,
            pods: Vec::new(),
        });
    };
    let selector = ds
        .spec
        .selector
        .match_labels
        .as_ref()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_else(|| format!("app.kubernetes.io/name={AGENT_NAME}"));
    let pods: Api<Pod> = Api::namespaced(client.clone(), AGENT_NAMESPACE);
    match pods.list(&ListParams::default().labels(&selector)).await {
        Ok(list) => Some(Agent {
            daemon_set: Some(ds),
            pods: list.items,
        }),
        Err(e) => {
            ctx.faults.push(fault("list pods", e));
            None
        }
    }
}
