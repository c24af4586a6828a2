//! `kubectl irsa doctor` with EKS and Pod Identity, end to end: the real binary, the fake API
//! server, moto (IAM, and EKS CreateCluster/DescribeCluster) and the fake EKS Pod Identity API in
//! front of it (`AWS_ENDPOINT_URL_EKS`). Each check has a failing and a passing case.

mod doctor_harness;
mod support;

use doctor_harness::pod_identity::{
    agent, cluster_arn, healthy, healthy_trusting, injected, on_node, patch, World, CLUSTER,
};
use doctor_harness::{arn, run};
use serde_json::json;
use support::objects::{annotated_service_account, deployment_chain, service_account};
use support::{kubectl_irsa, KubeconfigOptions};

#[test]
fn healthy_pod_identity_is_clean_paged_and_read_only() {
    let w = World::start();
    let server = healthy(&w).start();
    let run = w.doctor(&server, &[]);
    run.assert_clean();
    assert_eq!(w.eks.count("DescribeCluster"), 1);
    assert_eq!(
        w.eks.count("ListPodIdentityAssociations"),
        2,
        "{:?}",
        w.eks.calls()
    );
    assert_eq!(w.eks.count("DescribePodIdentityAssociation"), 3);
    // GetRole once per distinct role.
    assert_eq!(w.iam.count("GetRole"), 2);
    w.eks.assert_read_only();
    w.iam.proxy.assert_read_only();
    server.assert_only_gets();
}

#[test]
fn the_cluster_name_comes_from_the_kubeconfig() {
    let w = World::start();
    let server = healthy(&w).start();
    let kc = server.kubeconfig_with(&KubeconfigOptions {
        context: cluster_arn(),
        ..Default::default()
    });
    let run = w.doctor_with(&server, &kc, &[], &[]);
    run.assert_clean();
    assert_eq!(w.eks.count("DescribeCluster"), 1);
    // Without a name (a plain context, no --cluster) EKS is not asked at all.
    let run = w.doctor_with(&server, &server.kubeconfig(), &[], &[]);
    assert_eq!(w.eks.count("DescribeCluster"), 1);
    // ... and since the pods use Pod Identity, that is a could-not-verify, not an OK.
    let f = run.one("IRSA100");
    assert!(f["message"].as_str().unwrap().contains("--cluster"), "{f}");
}

#[test]
fn issuer_that_differs_from_eks_is_reported() {
    let w = World::start();
    let server = healthy(&w).issuer(support::DEFAULT_ISSUER).start();
    let run = w.doctor(&server, &[]);
    let f = run.one("IRSA115");
    assert!(f["message"].as_str().unwrap().contains(&w.issuer), "{f}");
    assert_eq!(f["location"]["path"], "eks/cluster/prod.json");
}

#[test]
fn trust_for_another_namespace_denies_the_association() {
    let w = World::start();
    let server = healthy_trusting(&w, "api").start();
    let run = w.doctor(&server, &[]);
    // The human summary has a Pod Identity table with the verdict.
    let human = w.doctor(&server, &["--format", "human"]);
    let row = human
        .stdout
        .lines()
        .find(|l| l.starts_with("web/app "))
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("web-app (123456789012)") && row.ends_with("DENIED"),
        "{}",
        human.stdout
    );
    let f = run.one("IRSA116");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("aws:RequestTag/kubernetes-namespace") && msg.contains("web/app"),
        "{msg}"
    );
    assert_eq!(f["location"]["path"], "iam/role/web-app.trust.json");
    assert!(f["related"][0]["path"]
        .as_str()
        .unwrap()
        .starts_with("eks/prod/pod-identity-association/"));
    let help = f["help"].as_str().unwrap();
    assert!(
        help.contains("\"web\"") && help.contains("aws:SourceAccount"),
        "{f}"
    );
    assert!(run.with("IRSA100").is_empty(), "{:#?}", run.findings);
}

#[test]
fn a_missing_role_is_not_found() {
    let w = World::start();
    let cluster = healthy(&w);
    w.associate("web", "app2", "deleted-role");
    let server = cluster
        .service_account(service_account("web", "app2"))
        .start();
    let run = w.doctor(&server, &[]);
    let f = run.one("IRSA121");
    assert!(
        f["message"].as_str().unwrap().contains("deleted-role"),
        "{f}"
    );
    assert!(run.with("IRSA116").is_empty());
}

#[test]
fn an_association_without_its_service_account_dangles() {
    let w = World::start();
    let cluster = healthy(&w);
    w.role("gone", "old", "gone");
    w.associate("old", "gone", "gone");
    w.associate("web", "renamed", "web-app");
    let server = cluster.start();
    let run = w.doctor(&server, &[]);
    let found = run.with("IRSA117");
    assert_eq!(found.len(), 2, "{:#?}", run.findings);
    let text: Vec<&str> = found
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        text.iter()
            .any(|m| m.contains("namespace `old` does not exist")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|m| m.contains("`web/renamed` does not exist")),
        "{text:?}"
    );
}

#[test]
fn a_pod_started_before_its_association_names_its_deployment() {
    let w = World::start();
    w.role("web-app", "web", "app");
    let id = w.associate("web", "app", "web-app");
    let (d, rs, pod) = deployment_chain("web", "app", "app", None);
    // The pod is older than the association.
    let pod = on_node(
        patch(
            pod,
            json!({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}}),
        ),
        "node-1",
    );
    w.eks.edit(&id, |a| a.created_at = 1_735_689_600.0);
    let server = agent(
        w.cluster()
            .service_account(service_account("web", "app"))
            .deployment(d)
            .replica_set(rs)
            .pod(pod),
        &[("node-1", true)],
    )
    .start();
    let run = w.doctor(&server, &[]);
    let f = run.one("IRSA118");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("started before the association"), "{msg}");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("kubectl rollout restart deployment app -n web"),
        "{f}"
    );
}

#[test]
fn the_agent_must_exist_and_be_ready_where_the_pods_run() {
    let w = World::start();
    w.role("web-app", "web", "app");
    w.associate("web", "app", "web-app");
    let base = || {
        let (d, rs, pod) = deployment_chain("web", "app", "app", None);
        w.cluster()
            .service_account(service_account("web", "app"))
            .deployment(d)
            .replica_set(rs)
            .pod(injected(pod, "node-1"))
    };
    let run = w.doctor(&base().start(), &[]);
    assert!(run.one("IRSA119")["message"]
        .as_str()
        .unwrap()
        .contains("no `eks-pod-identity-agent` DaemonSet"));
    let run = w.doctor(
        &agent(base(), &[("node-1", false), ("node-2", true)]).start(),
        &[],
    );
    let f = run.one("IRSA119");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("node-1 (web/app-5d8f7c6b9-x2x7q)"),
        "{f}"
    );
    let run = w.doctor(&agent(base(), &[("node-1", true)]).start(), &[]);
    run.assert_clean();
}

#[test]
fn a_service_account_with_both_mechanisms_is_reported() {
    let w = World::start();
    let cluster = healthy(&w);
    let c = w.iam.moto.iam_client();
    w.iam.rt.block_on(support::moto::create_oidc_provider(
        &c,
        &w.issuer,
        &["sts.amazonaws.com"],
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    ));
    w.iam.role(
        "web-irsa",
        &support::moto::irsa_trust_policy(&w.issuer, "web", "app"),
    );
    let server = cluster
        .service_account(annotated_service_account("web", "app", &arn("web-irsa")))
        .start();
    let run = w.doctor(&server, &[]);
    let f = run.one("IRSA120");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("web-irsa") && msg.contains("1 use the Pod Identity role"),
        "{msg}"
    );
    assert_eq!(f["location"]["path"], "cluster/web/serviceaccount/app.yaml");
}

#[test]
fn eks_faults_are_could_not_verify() {
    let w = World::start();
    let server = healthy(&w).start();
    // Throttled twice, then answered: the SDK's retries make it clean.
    w.eks.fail(
        "ListPodIdentityAssociations",
        429,
        "ThrottlingException",
        Some(2),
    );
    w.doctor(&server, &[]).assert_clean();
    // Denied: could not verify, naming the permission.
    w.eks.fail(
        "ListPodIdentityAssociations",
        403,
        "AccessDeniedException",
        None,
    );
    let run = w.doctor(&server, &[]);
    let f = run.one("IRSA100");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("eks:ListPodIdentityAssociations"),
        "{f}"
    );
    assert!(
        f["message"].as_str().unwrap().contains("access denied"),
        "{f}"
    );
    // One association that cannot be described: the whole list is unverified, never partial.
    w.eks.clear_faults();
    w.eks.fail(
        "DescribePodIdentityAssociation",
        403,
        "AccessDeniedException",
        Some(1),
    );
    let run = w.doctor(&server, &[]);
    let f = run.one("IRSA100");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("eks:DescribePodIdentityAssociation"),
        "{f}"
    );
    assert!(run.stdout.contains("\"IRSA100\""));
    // Not an EKS cluster (EKS does not know the name).
    let run = w.doctor_with(
        &server,
        &server.kubeconfig(),
        &["--cluster", "self-managed"],
        &[],
    );
    let messages: Vec<&str> = run
        .with("IRSA100")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("eks:DescribeCluster") && m.contains("not an EKS cluster")),
        "{messages:?}"
    );
    w.eks.assert_read_only();
}

#[test]
fn no_eks_api_is_could_not_verify() {
    let w = World::start();
    let server = healthy(&w).start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let kc = server.kubeconfig();
    let mut cmd = kubectl_irsa(home.path());
    cmd.arg("doctor").arg("--kubeconfig").arg(kc.path()).args([
        "--request-timeout",
        "5s",
        "--format",
        "json",
        "--no-role-scan",
        "--cluster",
        CLUSTER,
    ]);
    w.iam.proxy.aws().apply(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_EKS", format!("http://{closed}"));
    let run = run(cmd);
    let messages: Vec<&str> = run
        .with("IRSA100")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("eks:DescribeCluster") && m.contains("could not be reached")),
        "{messages:?}\n{}",
        run.stderr
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("eks:ListPodIdentityAssociations")),
        "{messages:?}"
    );
    assert_ne!(run.code, 0);
}
