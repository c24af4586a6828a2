//! Helper constructors for real-shaped Kubernetes objects (k8s-openapi types)
//! to seed the fake API server with: IRSA-annotated ServiceAccounts, pods as
//! the EKS pod identity webhook leaves them (mutated) or not (unmutated),
//! controller owner chains and the pod identity webhook configuration.
//!
//! Objects are built from JSON literals and deserialised into the typed
//! structs, so a typo in a field name fails loudly at construction time.

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::{Metadata, Resource};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The annotation IRSA reads on a ServiceAccount.
pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// Where the pod identity webhook mounts the projected token.
pub const TOKEN_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
/// `AWS_WEB_IDENTITY_TOKEN_FILE` as the webhook sets it.
pub const TOKEN_FILE: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
/// Name of the projected volume the webhook adds.
pub const TOKEN_VOLUME: &str = "aws-iam-token";

fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("support::objects: JSON does not match the k8s type")
}

/// A deterministic, UUID-shaped uid derived from kind/namespace/name.
pub fn uid_for(kind: &str, namespace: &str, name: &str) -> String {
    // FNV-1a, twice with different seeds, to fill 128 bits.
    let hash = |seed: u64| {
        let mut h = seed;
        for b in kind
            .bytes()
            .chain([0])
            .chain(namespace.bytes())
            .chain([0])
            .chain(name.bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        h
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn meta(kind: &str, namespace: Option<&str>, name: &str) -> Value {
    let mut m = json!({
        "name": name,
        "uid": uid_for(kind, namespace.unwrap_or(""), name),
        "creationTimestamp": "2024-01-01T00:00:00Z",
    });
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

/// A Namespace.
pub fn namespace(name: &str) -> Namespace {
    from_json(json!({
        "metadata": meta("Namespace", None, name),
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }))
}

/// A ServiceAccount without the IRSA annotation.
pub fn service_account(ns: &str, name: &str) -> ServiceAccount {
    from_json(json!({ "metadata": meta("ServiceAccount", Some(ns), name) }))
}

/// A ServiceAccount annotated with `eks.amazonaws.com/role-arn: <role_arn>`.
pub fn annotated_service_account(ns: &str, name: &str, role_arn: &str) -> ServiceAccount {
    let mut sa = service_account(ns, name);
    sa.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(ROLE_ARN_ANNOTATION.to_string(), role_arn.to_string());
    sa
}

fn container(env: Value, mounts: Value) -> Value {
    json!({
        "name": "app",
        "image": "public.ecr.aws/docker/library/busybox:1.36",
        "env": env,
        "volumeMounts": mounts,
    })
}

/// A running pod using `sa` that the pod identity webhook did NOT mutate.
pub fn unmutated_pod(ns: &str, name: &str, sa: &str) -> Pod {
    from_json(json!({
        "metadata": meta("Pod", Some(ns), name),
        "spec": {
            "serviceAccountName": sa,
            "containers": [container(json!([]), json!([]))],
        },
        "status": {"phase": "Running"},
    }))
}

/// A running pod using `sa` as the pod identity webhook mutates it:
/// `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and the projected volume
/// `aws-iam-token` (audience `sts.amazonaws.com`) mounted at [`TOKEN_DIR`].
pub fn mutated_pod(ns: &str, name: &str, sa: &str, role_arn: &str) -> Pod {
    let env = json!([
        {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
        {"name": "AWS_DEFAULT_REGION", "value": "us-east-1"},
        {"name": "AWS_REGION", "value": "us-east-1"},
        {"name": "AWS_ROLE_ARN", "value": role_arn},
        {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": TOKEN_FILE},
    ]);
    let mounts = json!([{"name": TOKEN_VOLUME, "mountPath": TOKEN_DIR, "readOnly": true}]);
    from_json(json!({
        "metadata": meta("Pod", Some(ns), name),
        "spec": {
            "serviceAccountName": sa,
            "containers": [container(env, mounts)],
            "volumes": [{
                "name": TOKEN_VOLUME,
                "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {
                    "audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"
                }}]}
            }],
        },
        "status": {"phase": "Running"},
    }))
}

/// An ownerReference (controller=true) pointing at `owner`.
pub fn owner_reference<K>(owner: &K) -> OwnerReference
where
    K: Resource + Metadata<Ty = ObjectMeta>,
{
    let m = owner.metadata();
    OwnerReference {
        api_version: K::API_VERSION.to_string(),
        kind: K::KIND.to_string(),
        name: m.name.clone().unwrap_or_default(),
        uid: m.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Returns `obj` with a controller ownerReference to `owner` added.
pub fn owned_by<T, K>(mut obj: T, owner: &K) -> T
where
    T: Metadata<Ty = ObjectMeta>,
    K: Resource + Metadata<Ty = ObjectMeta>,
{
    obj.metadata_mut()
        .owner_references
        .get_or_insert_with(Vec::new)
        .push(owner_reference(owner));
    obj
}

fn pod_template(app: &str, sa: &str) -> Value {
    json!({
        "metadata": {"labels": {"app": app}},
        "spec": {"serviceAccountName": sa, "containers": [container(json!([]), json!([]))]},
    })
}

fn workload_spec(app: &str, sa: &str) -> Value {
    json!({
        "replicas": 1,
        "selector": {"matchLabels": {"app": app}},
        "template": pod_template(app, sa),
    })
}

fn workload<T: DeserializeOwned>(kind: &str, ns: &str, name: &str, sa: &str) -> T {
    let mut m = meta(kind, Some(ns), name);
    m["labels"] = json!({"app": name});
    let mut spec = workload_spec(name, sa);
    if kind == "DaemonSet" {
        spec.as_object_mut().unwrap().remove("replicas");
    }
    if kind == "StatefulSet" {
        spec["serviceName"] = json!(name);
    }
    from_json(json!({"metadata": m, "spec": spec}))
}

/// A Deployment whose pod template uses `sa`.
pub fn deployment(ns: &str, name: &str, sa: &str) -> Deployment {
    workload("Deployment", ns, name, sa)
}

/// A StatefulSet whose pod template uses `sa`.
pub fn stateful_set(ns: &str, name: &str, sa: &str) -> StatefulSet {
    workload("StatefulSet", ns, name, sa)
}

/// A DaemonSet whose pod template uses `sa`.
pub fn daemon_set(ns: &str, name: &str, sa: &str) -> DaemonSet {
    workload("DaemonSet", ns, name, sa)
}

/// The ReplicaSet `<deployment>-<hash>` owned by `deploy`.
pub fn replica_set_for(deploy: &Deployment, hash: &str) -> ReplicaSet {
    let ns = deploy.metadata.namespace.clone().unwrap_or_default();
    let name = format!(
        "{}-{hash}",
        deploy.metadata.name.as_deref().unwrap_or_default()
    );
    let sa = deploy
        .spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .unwrap_or_else(|| "default".into());
    let app = deploy.metadata.name.clone().unwrap_or_default();
    let mut m = meta("ReplicaSet", Some(&ns), &name);
    m["labels"] = json!({"app": app, "pod-template-hash": hash});
    let rs: ReplicaSet = from_json(json!({"metadata": m, "spec": workload_spec(&app, &sa)}));
    owned_by(rs, deploy)
}

/// A full Deployment → ReplicaSet → Pod chain linked by ownerReferences.
/// With `role_arn` the pod is mutated (IRSA env and volume), without it is not.
pub fn deployment_chain(
    ns: &str,
    name: &str,
    sa: &str,
    role_arn: Option<&str>,
) -> (Deployment, ReplicaSet, Pod) {
    let deploy = deployment(ns, name, sa);
    let rs = replica_set_for(&deploy, "5d8f7c6b9");
    let pod_name = format!("{name}-5d8f7c6b9-x2x7q");
    let pod = match role_arn {
        Some(arn) => mutated_pod(ns, &pod_name, sa, arn),
        None => unmutated_pod(ns, &pod_name, sa),
    };
    let pod = owned_by(pod, &rs);
    (deploy, rs, pod)
}

/// The `pod-identity-webhook` MutatingWebhookConfiguration as EKS installs it.
pub fn pod_identity_webhook() -> MutatingWebhookConfiguration {
    from_json(json!({
        "metadata": meta("MutatingWebhookConfiguration", None, "pod-identity-webhook"),
        "webhooks": [{
            "name": "iam-for-pods.amazonaws.com",
            "admissionReviewVersions": ["v1beta1"],
            "clientConfig": {"url": "https://127.0.0.1:23443/mutate", "caBundle": "Y2E="},
            "failurePolicy": "Ignore",
            "matchPolicy": "Equivalent",
            "namespaceSelector": {},
            "objectSelector": {"matchExpressions": [{
                "key": "eks.amazonaws.com/skip-pod-identity-webhook", "operator": "DoesNotExist"
            }]},
            "reinvocationPolicy": "IfNeeded",
            "rules": [{
                "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                "resources": ["pods"], "scope": "*"
            }],
            "sideEffects": "None",
            "timeoutSeconds": 10
        }]
    }))
}
