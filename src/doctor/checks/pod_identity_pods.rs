//! Pods of associated service accounts: IRSA118 (not injected with Pod Identity credentials)
//! and IRSA119 (the EKS Pod Identity Agent missing, or not ready on their nodes).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use super::pod_identity::{association_view, associations};
use super::pods::{ReplicaSets, SKIP_CONTAINERS};
use super::Ctx;
use crate::diagnostics::finding::{Finding, ObjectRef};
use crate::doctor::cluster::Snapshot;
use crate::doctor::eks::Association;
use crate::doctor::pod_identity::{
    AGENT_NAME, AGENT_NAMESPACE, CREDENTIALS_URI_ENV, TOKEN_FILE_ENV, TOKEN_VOLUME,
};
use crate::doctor::rules_eks::{PodIdentityAgentNotReady, PodIdentityNotInjected};

/// Running (not finished) pods of `ns/sa`.
pub fn pods_of<'s>(snap: &'s Snapshot, ns: &'s str, sa: &'s str) -> impl Iterator<Item = &'s Pod> {
    snap.pods.iter().flatten().filter(move |p| {
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
        let name = p.spec.as_ref().and_then(|s| {
            s.service_account_name
                .as_deref()
                .or(s.service_account.as_deref())
        });
        p.metadata.namespace.as_deref() == Some(ns)
            && name.unwrap_or("default") == sa
            && !matches!(phase, Some("Succeeded" | "Failed"))
    })
}

pub fn check(ctx: &mut Ctx<'_>) {
    let list: Vec<Association> = associations(ctx).to_vec();
    // Nodes where pods of associated SAs run → those pods, for the agent check.
    let mut nodes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &list {
        let pods: Vec<&Pod> = pods_of(ctx.snap, &a.namespace, &a.service_account).collect();
        for pod in pods {
            let name = pod.metadata.name.clone().unwrap_or_default();
            if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
                nodes
                    .entry(node)
                    .or_default()
                    .push(format!("{}/{name}", a.namespace));
            }
            injected(ctx, a, pod);
        }
    }
    agent(ctx, &nodes);
}

/// IRSA118 for one pod.
fn injected(ctx: &mut Ctx<'_>, a: &Association, pod: &Pod) {
    let Some(spec) = &pod.spec else { return };
    let ns = a.namespace.as_str();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let skip: BTreeSet<&str> = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|m| m.get(SKIP_CONTAINERS))
        .map(|v| v.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let has = |c: &k8s_openapi::api::core::v1::Container, n: &str| {
        c.env.iter().flatten().any(|e| e.name == n)
    };
    let missing: Vec<(usize, &str)> = spec
        .containers
        .iter()
        .enumerate()
        .filter(|(_, c)| !skip.contains(c.name.as_str()))
        .filter(|(_, c)| !has(c, CREDENTIALS_URI_ENV) || !has(c, TOKEN_FILE_ENV))
        .map(|(i, c)| (i, c.name.as_str()))
        .collect();
    let volume = spec
        .volumes
        .iter()
        .flatten()
        .any(|v| v.name == TOKEN_VOLUME);
    if missing.is_empty() && volume {
        return;
    }
    let what = if missing.is_empty() {
        format!("it has no `{TOKEN_VOLUME}` volume")
    } else {
        let names: Vec<&str> = missing.iter().map(|m| m.1).collect();
        format!("containers {names:?} lack {CREDENTIALS_URI_ENV}/{TOKEN_FILE_ENV}")
    };
    let created = pod
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.as_second());
    let before = match (created, a.created_at) {
        (Some(p), Some(assoc)) if p < assoc => {
            "; it started before the association was created, and EKS injects pods only at creation"
        }
        _ => "",
    };
    let owner = ReplicaSets::new(ctx.snap).owner_to_restart(pod);
    let restart = match &owner {
        Some((kind, oname)) => format!(
            "restart it: `kubectl rollout restart {} {oname} -n {ns}`",
            kind.to_lowercase()
        ),
        None => format!("delete and recreate pod {ns}/{name} (it has no controller)"),
    };
    let index = missing.first().map_or(0, |m| m.0).to_string();
    let loc =
        ctx.views
            .object("Pod", Some(ns), &name, pod)
            .loc(&["spec", "containers", &index, "name"]);
    let related = association_view(ctx, a)
        .loc(&["association", "serviceAccount"])
        .with_message("the association, for this service account");
    ctx.push(
        Finding::new(&PodIdentityNotInjected::META, format!("pod {ns}/{name} uses service account `{}`, which has the Pod Identity association `{}`, but was not injected: {what}{before}", a.service_account, a.association_id))
            .at(loc)
            .related(related)
            .object(ObjectRef::new("Pod", Some(ns), &name))
            .help(format!("{restart}; new pods get the Pod Identity variables and token volume")),
    );
}

fn ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// IRSA119: the agent DaemonSet, and a ready agent pod on each node in `nodes`.
fn agent(ctx: &mut Ctx<'_>, nodes: &BTreeMap<String, Vec<String>>) {
    let Some(state) = ctx.eks.as_ref() else {
        return;
    };
    let Some(agent) = &state.agent else { return };
    let cluster = state.target.name.clone();
    let object = ObjectRef::new("DaemonSet", Some(AGENT_NAMESPACE), AGENT_NAME);
    let Some(ds) = agent.daemon_set.clone() else {
        let pods: usize = nodes.values().map(Vec::len).sum();
        ctx.push(
            Finding::new(&PodIdentityAgentNotReady::META, format!("cluster `{cluster}` has Pod Identity associations but no `{AGENT_NAME}` DaemonSet in {AGENT_NAMESPACE}: the {pods} pods of associated service accounts cannot get Pod Identity credentials"))
                .object(object)
                .help(format!("install the add-on: `aws eks create-addon --cluster-name {cluster} --addon-name {AGENT_NAME}`")),
        );
        return;
    };
    let ready_nodes: BTreeSet<String> = agent
        .pods
        .iter()
        .filter(|p| ready(p))
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        .collect();
    let lacking: Vec<(&String, &Vec<String>)> = nodes
        .iter()
        .filter(|(n, _)| !ready_nodes.contains(*n))
        .collect();
    if lacking.is_empty() {
        return;
    }
    let shown: Vec<String> = lacking
        .iter()
        .take(5)
        .map(|(n, pods)| format!("{n} ({})", pods.join(", ")))
        .collect();
    let more = lacking.len().saturating_sub(5);
    let tail = if more > 0 {
        format!(" and {more} more nodes")
    } else {
        String::new()
    };
    let loc = ctx
        .views
        .object("DaemonSet", Some(AGENT_NAMESPACE), AGENT_NAME, &ds)
        .loc(&["metadata", "name"]);
    ctx.push(
        Finding::new(&PodIdentityAgentNotReady::META, format!("no ready `{AGENT_NAME}` pod on the nodes where pods of associated service accounts run: {}{tail}", shown.join("; ")))
            .at(loc)
            .object(object)
            .help(format!("check the agent's pods: `kubectl -n {AGENT_NAMESPACE} get pods -l app.kubernetes.io/name={AGENT_NAME} -o wide` (a node selector, taints without tolerations, or a crash loop)")),
    );
}
