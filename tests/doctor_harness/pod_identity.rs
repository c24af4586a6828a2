//! The Pod Identity world for doctor tests: moto with EKS cluster `prod` and IAM behind the
//! logging proxy, the fake EKS Pod Identity API in front of moto, and real-shaped objects
//! (injected pods, the EKS Pod Identity Agent DaemonSet and its pods).

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use super::{arn, run, Iam, Run};
use crate::support::fake_eks::FakeEks;
use crate::support::moto::create_cluster;
use crate::support::objects::{self, deployment_chain, service_account};
use crate::support::{kubectl_irsa, FakeApiServer, FakeCluster, MOTO_ACCOUNT};

pub const CLUSTER: &str = "prod";

pub fn cluster_arn() -> String {
    format!("arn:aws:eks:us-east-1:{MOTO_ACCOUNT}:cluster/{CLUSTER}")
}

/// moto with cluster `prod`, the IAM proxy, and the fake EKS API in front of moto.
pub struct World {
    pub iam: Iam,
    pub eks: FakeEks,
    pub issuer: String,
}

impl World {
    pub fn start() -> World {
        let iam = Iam::start();
        let issuer = iam.rt.block_on(create_cluster(iam.moto.url(), CLUSTER));
        let eks = FakeEks::start(iam.moto.url());
        World { iam, eks, issuer }
    }

    /// A role whose trust is EKS's scoped Pod Identity statement for `ns/sa` on this cluster.
    pub fn role(&self, name: &str, ns: &str, sa: &str) {
        self.iam.role(name, &trust(ns, sa));
    }

    pub fn associate(&self, ns: &str, sa: &str, role: &str) -> String {
        self.eks.associate(CLUSTER, ns, sa, &arn(role))
    }

    pub fn cluster(&self) -> FakeCluster {
        FakeCluster::new().issuer(&self.issuer)
    }

    pub fn doctor(&self, server: &FakeApiServer, extra: &[&str]) -> Run {
        self.doctor_with(server, &server.kubeconfig(), &["--cluster", CLUSTER], extra)
    }

    pub fn doctor_with(
        &self,
        server: &FakeApiServer,
        kc: &crate::support::KubeconfigFile,
        cluster: &[&str],
        extra: &[&str],
    ) -> Run {
        let _ = server;
        let home = tempfile::tempdir().expect("home");
        let mut cmd = kubectl_irsa(home.path());
        cmd.arg("doctor")
            .arg("--kubeconfig")
            .arg(kc.path())
            .args(["--request-timeout", "5s", "--no-role-scan"])
            .args(cluster)
            .args(extra);
        if !extra.contains(&"--format") {
            cmd.args(["--format", "json"]);
        }
        self.iam.proxy.aws().apply(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_EKS", self.eks.url());
        run(cmd)
    }
}

pub fn trust(ns: &str, sa: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "aws:SourceAccount": MOTO_ACCOUNT,
                "aws:RequestTag/eks-cluster-name": CLUSTER,
                "aws:RequestTag/kubernetes-namespace": ns,
                "aws:RequestTag/kubernetes-service-account": sa
            },
            "ArnEquals": {"aws:SourceArn": cluster_arn()}
        }
    }]})
}

pub fn patch<T: serde::Serialize + serde::de::DeserializeOwned>(obj: T, patch: Value) -> T {
    let mut v = serde_json::to_value(&obj).expect("json");
    merge(&mut v, &patch);
    serde_json::from_value(v).expect("patched")
}

pub fn merge(a: &mut Value, b: &Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b.clone(),
    }
}

/// A pod as EKS injects it for Pod Identity, on `node`.
pub fn injected(pod: Pod, node: &str) -> Pod {
    let c = &pod.spec.as_ref().unwrap().containers[0];
    let mut container = serde_json::to_value(c).unwrap();
    container["env"] = json!([
        {"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://169.254.170.23/v1/credentials"},
        {"name": "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "value": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"}
    ]);
    container["volumeMounts"] = json!([{"name": "eks-pod-identity-token", "mountPath": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", "readOnly": true}]);
    patch(
        pod,
        json!({"spec": {"nodeName": node, "containers": [container],
        "volumes": [{"name": "eks-pod-identity-token", "projected": {"sources": [{"serviceAccountToken": {"audience": "pods.eks.amazonaws.com", "expirationSeconds": 86400, "path": "eks-pod-identity-token"}}]}}]}}),
    )
}

pub fn on_node(pod: Pod, node: &str) -> Pod {
    patch(pod, json!({"spec": {"nodeName": node}}))
}

/// The add-on's DaemonSet and one agent pod per node (`ready` or not).
pub fn agent(cluster: FakeCluster, nodes: &[(&str, bool)]) -> FakeCluster {
    let labels = json!({"app.kubernetes.io/name": "eks-pod-identity-agent", "app.kubernetes.io/instance": "eks-pod-identity-agent"});
    let ds: DaemonSet = serde_json::from_value(json!({
        "metadata": {"name": "eks-pod-identity-agent", "namespace": "kube-system", "uid": "ds-agent"},
        "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels},
            "spec": {"hostNetwork": true, "containers": [{"name": "eks-pod-identity-agent", "image": "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/eks-pod-identity-agent:v0.1.29"}]}}},
        "status": {"currentNumberScheduled": nodes.len(), "desiredNumberScheduled": nodes.len(), "numberMisscheduled": 0, "numberReady": nodes.iter().filter(|n| n.1).count()}
    })).unwrap();
    let mut c = cluster
        .daemon_set(ds)
        .service_account(service_account("kube-system", "eks-pod-identity-agent"));
    for (i, (node, ready)) in nodes.iter().enumerate() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": format!("eks-pod-identity-agent-{i}"), "namespace": "kube-system", "labels": labels, "uid": format!("agent-{i}")},
            "spec": {"nodeName": node, "hostNetwork": true, "serviceAccountName": "eks-pod-identity-agent", "containers": [{"name": "eks-pod-identity-agent", "image": "x"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if *ready { "True" } else { "False" }}]}
        })).unwrap();
        c = c.pod(pod);
    }
    c
}

/// Three associations (two share a role), paged two at a time; every pod injected; the agent ready.
pub fn healthy(w: &World) -> FakeCluster {
    healthy_trusting(w, "web")
}

/// As `healthy`, with role `web-app` trusting namespace `web_ns` for `app`.
pub fn healthy_trusting(w: &World, web_ns: &str) -> FakeCluster {
    w.role("web-app", web_ns, "app");
    w.iam.role("shared", &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-name": CLUSTER}}}]}));
    w.associate("web", "app", "web-app");
    w.associate("jobs", "worker", "shared");
    w.associate("jobs", "cron", "shared");
    w.eks.page_size(2);
    let (d, rs, pod) = deployment_chain("web", "app", "app", None);
    agent(
        w.cluster()
            .service_account(service_account("web", "app"))
            .service_account(service_account("jobs", "worker"))
            .service_account(service_account("jobs", "cron"))
            .deployment(d)
            .replica_set(rs)
            .pod(injected(pod, "node-1"))
            .pod(injected(
                objects::unmutated_pod("jobs", "worker-1", "worker"),
                "node-2",
            )),
        &[("node-1", true), ("node-2", true)],
    )
}
