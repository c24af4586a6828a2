//! Pod checks: IRSA106 not mutated, IRSA107 stale role, IRSA108 static keys, IRSA109 no fsGroup,
//! IRSA110 hostNetwork, IRSA111 missing ServiceAccount.

use std::collections::{BTreeSet, HashMap};

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Container, Pod};
use kube::api::PartialObjectMeta;

use super::Ctx;
use crate::diagnostics::finding::{Finding, ObjectRef};
use crate::doctor::cluster::Snapshot;
use crate::doctor::rules::{PodNotMutated, PodStaleRole};
use crate::doctor::rules_pod::{PodHostNetwork, PodSaMissing, PodStaticKeys, PodTokenUnreadable};
use crate::facts::ROLE_ARN_ANNOTATION;

pub const SKIP_CONTAINERS: &str = "eks.amazonaws.com/skip-containers";
const TOKEN_VOLUME: &str = "aws-iam-token";
const STATIC_KEYS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// What the webhook check needs to know about pods.
#[derive(Default)]
pub struct PodStats {
    /// Pods that use an IRSA ServiceAccount.
    pub irsa_pods: usize,
    /// Of those, pods the webhook mutated.
    pub mutated: usize,
}

/// Every container with its path in the pod view.
fn containers(pod: &Pod) -> Vec<(&'static str, usize, &Container)> {
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| ("initContainers", i, c));
    spec.containers
        .iter()
        .enumerate()
        .map(|(i, c)| ("containers", i, c))
        .chain(init)
        .collect()
}

fn env_value<'c>(c: &'c Container, name: &str) -> Option<(usize, Option<&'c str>)> {
    c.env
        .iter()
        .flatten()
        .enumerate()
        .find(|(_, e)| e.name == name)
        .map(|(i, e)| (i, e.value.as_deref()))
}

pub fn check(ctx: &mut Ctx<'_>) -> PodStats {
    let mut stats = PodStats::default();
    let snap = ctx.snap;
    let Some(pods) = &snap.pods else { return stats };
    let known_sas: Option<BTreeSet<(String, String)>> = snap.service_accounts.as_ref().map(|l| {
        l.iter()
            .map(|s| {
                (
                    s.metadata.namespace.clone().unwrap_or_default(),
                    s.metadata.name.clone().unwrap_or_default(),
                )
            })
            .collect()
    });
    // Indexes, so that matching pods to SAs and owners stays linear at scale.
    let sa_index: HashMap<(String, String), usize> = ctx
        .sas
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.namespace.clone(), s.name.clone()), i))
        .collect();
    let replica_sets = ReplicaSets::new(snap);
    for pod in pods {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let spec = pod.spec.as_ref();
        let sa_name = spec
            .and_then(|s| {
                s.service_account_name
                    .clone()
                    .or_else(|| s.service_account.clone())
            })
            .unwrap_or_else(|| "default".into());
        let object = ObjectRef::new("Pod", Some(&ns), &name);
        if known_sas
            .as_ref()
            .is_some_and(|k| !k.contains(&(ns.clone(), sa_name.clone())))
        {
            let loc = ctx
                .views
                .object("Pod", Some(&ns), &name, pod)
                .loc(&["spec", "serviceAccountName"]);
            ctx.push(
                Finding::new(&PodSaMissing::META, format!("pod {ns}/{name} uses ServiceAccount `{sa_name}`, which does not exist in namespace {ns}"))
                    .at(loc)
                    .object(object.clone())
                    .help(format!("create ServiceAccount {ns}/{sa_name} (with the role annotation it needs), or fix serviceAccountName; whoever creates it decides the pod's role")),
            );
            continue;
        }
        let Some(&sa_idx) = sa_index.get(&(ns.clone(), sa_name.clone())) else {
            continue;
        };
        stats.irsa_pods += 1;
        let want_arn = ctx.sas[sa_idx].arn.trim().to_string();
        let skip: BTreeSet<String> = pod
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(SKIP_CONTAINERS))
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let has_volume =
            spec.is_some_and(|s| s.volumes.iter().flatten().any(|v| v.name == TOKEN_VOLUME));
        let all = containers(pod);
        let checked: Vec<_> = all
            .iter()
            .filter(|(_, _, c)| !skip.contains(&c.name))
            .collect();
        let unmutated: Vec<_> = checked
            .iter()
            .filter(|(_, _, c)| {
                env_value(c, "AWS_ROLE_ARN").is_none()
                    || env_value(c, "AWS_WEB_IDENTITY_TOKEN_FILE").is_none()
            })
            .collect();
        let any_mutated = has_volume
            || all
                .iter()
                .any(|(_, _, c)| env_value(c, "AWS_ROLE_ARN").is_some());
        if any_mutated {
            stats.mutated += 1;
        }
        let owner = replica_sets.owner_to_restart(pod);
        let restart = match &owner {
            Some((kind, oname)) => format!(
                "restart it: `kubectl rollout restart {} {oname} -n {ns}`",
                kind.to_lowercase()
            ),
            None => format!("delete and recreate pod {ns}/{name} (it has no controller)"),
        };
        if !unmutated.is_empty() || (!checked.is_empty() && !has_volume) {
            let (section, ci) = unmutated
                .first()
                .map_or(("containers", 0), |(s, i, _)| (*s, *i));
            let names: Vec<&str> = unmutated.iter().map(|(_, _, c)| c.name.as_str()).collect();
            let what = if names.is_empty() {
                format!("has no `{TOKEN_VOLUME}` volume")
            } else {
                format!("containers {names:?} lack AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE")
            };
            let loc = ctx.views.object("Pod", Some(&ns), &name, pod).loc(&[
                "spec",
                section,
                &ci.to_string(),
                "name",
            ]);
            ctx.push(
                Finding::new(&PodNotMutated::META, format!("pod {ns}/{name} uses IRSA ServiceAccount `{sa_name}` but was not mutated by the pod-identity webhook: {what}"))
                    .at(loc)
                    .object(object.clone())
                    .help(format!("the pod probably started before the ServiceAccount was annotated, or the webhook did not run; {restart}")),
            );
        }
        let mut reported_stale = false;
        for (section, ci, c) in &all {
            let cpath = [*section, &ci.to_string()].map(str::to_string);
            for (ei, env) in c.env.iter().flatten().enumerate() {
                let epath = |leaf: &'static str| {
                    let ei = ei.to_string();
                    vec![
                        cpath[0].clone(),
                        cpath[1].clone(),
                        "env".to_string(),
                        ei,
                        leaf.to_string(),
                    ]
                };
                if env.name == "AWS_ROLE_ARN" && !reported_stale && !skip.contains(&c.name) {
                    let have = env.value.as_deref().unwrap_or("").trim();
                    if have != want_arn {
                        reported_stale = true;
                        let p = epath("value");
                        let loc = pod_loc(ctx, pod, &ns, &name, &p);
                        let sa_loc = ctx.sas[sa_idx]
                            .view(&mut ctx.views)
                            .entry_loc(&["metadata", "annotations"], ROLE_ARN_ANNOTATION);
                        ctx.push(
                            Finding::new(&PodStaleRole::META, format!("pod {ns}/{name} still runs with role `{have}`, but ServiceAccount {ns}/{sa_name} now names `{want_arn}`"))
                                .at(loc.with_message("the role the pod was started with"))
                                .related(sa_loc.with_message("the current annotation"))
                                .object(object.clone())
                                .help(format!("the webhook only mutates new pods; {restart}")),
                        );
                    }
                }
                if STATIC_KEYS.contains(&env.name.as_str()) {
                    let loc = pod_loc(ctx, pod, &ns, &name, &epath("name"));
                    ctx.push(
                        Finding::new(&PodStaticKeys::META, format!("container `{}` of pod {ns}/{name} sets `{}` next to IRSA; static keys win over the role", c.name, env.name))
                            .at(loc)
                            .object(object.clone())
                            .help("remove the static key variables and rely on the role"),
                    );
                }
            }
        }
        token_readable(ctx, pod, &ns, &name, &object);
        if spec.and_then(|s| s.host_network) == Some(true) {
            let loc = ctx
                .views
                .object("Pod", Some(&ns), &name, pod)
                .loc(&["spec", "hostNetwork"]);
            ctx.push(
                Finding::new(&PodHostNetwork::META, format!("pod {ns}/{name} uses IRSA with hostNetwork: true; it can reach the node's instance metadata and credentials"))
                    .at(loc)
                    .object(object.clone())
                    .help("drop hostNetwork, or set the instance metadata hop limit to 1"),
            );
        }
    }
    stats
}

fn pod_loc(
    ctx: &mut Ctx<'_>,
    pod: &Pod,
    ns: &str,
    name: &str,
    path: &[String],
) -> crate::diagnostics::finding::Location {
    let p: Vec<&str> = ["spec"]
        .into_iter()
        .chain(path.iter().map(String::as_str))
        .collect();
    ctx.views.object("Pod", Some(ns), name, pod).loc(&p)
}

/// IRSA109: non-root without fsGroup.
fn token_readable(ctx: &mut Ctx<'_>, pod: &Pod, ns: &str, name: &str, object: &ObjectRef) {
    let Some(spec) = &pod.spec else { return };
    let psc = spec.security_context.as_ref();
    if psc.and_then(|s| s.fs_group).is_some() {
        return;
    }
    let pod_nonroot = psc
        .is_some_and(|s| s.run_as_non_root == Some(true) || s.run_as_user.is_some_and(|u| u > 0));
    let container_nonroot = spec.containers.iter().any(|c| {
        c.security_context.as_ref().is_some_and(|s| {
            s.run_as_non_root == Some(true) || s.run_as_user.is_some_and(|u| u > 0)
        })
    });
    if !(pod_nonroot || container_nonroot) {
        return;
    }
    let loc = ctx
        .views
        .object("Pod", Some(ns), name, pod)
        .loc(&["spec", "securityContext"]);
    ctx.push(
        Finding::new(&PodTokenUnreadable::META, format!("pod {ns}/{name} runs as non-root without securityContext.fsGroup; it may not be able to read the web identity token"))
            .at(loc)
            .object(object.clone())
            .help("set `securityContext.fsGroup` (for example 65534) in the pod template"),
    );
}

/// ReplicaSets by (namespace, name), to find a pod's Deployment.
pub struct ReplicaSets<'a>(HashMap<(&'a str, &'a str), &'a PartialObjectMeta<ReplicaSet>>);

impl<'a> ReplicaSets<'a> {
    pub fn new(snap: &'a Snapshot) -> Self {
        ReplicaSets(
            snap.replica_sets
                .iter()
                .flatten()
                .filter_map(|r| {
                    let m = &r.metadata;
                    Some(((m.namespace.as_deref()?, m.name.as_deref()?), r))
                })
                .collect(),
        )
    }

    /// The Deployment, StatefulSet or DaemonSet (or other controller) that owns a pod.
    pub fn owner_to_restart(&self, pod: &Pod) -> Option<(String, String)> {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let owner = pod
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))?;
        if owner.kind != "ReplicaSet" {
            return Some((owner.kind.clone(), owner.name.clone()));
        }
        let rs = self.0.get(&(ns, owner.name.as_str()));
        controller_of(rs.copied(), &owner.name)
    }
}

fn controller_of(
    rs: Option<&PartialObjectMeta<ReplicaSet>>,
    rs_name: &str,
) -> Option<(String, String)> {
    match rs.and_then(|r| {
        r.metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))
    }) {
        Some(dep) => Some((dep.kind.clone(), dep.name.clone())),
        None => Some(("ReplicaSet".into(), rs_name.to_string())),
    }
}
