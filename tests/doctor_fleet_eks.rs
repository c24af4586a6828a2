//! `doctor` across a fleet of EKS clusters (issue 15): EKS is asked once per cluster, however
//! many contexts point at it (`aws eks update-kubeconfig --alias` writes a second context for the
//! same cluster), and a role used by IRSA in one cluster and by Pod Identity in others is fetched
//! once. The counts come from the fake EKS server's and the IAM proxy's request logs.

mod doctor_harness;
mod support;

use doctor_harness::pod_identity::{cluster_arn, World, CLUSTER};
use doctor_harness::{arn, run};
use serde_json::json;
use support::moto::{create_cluster, create_oidc_provider};
use support::objects::{annotated_service_account, deployment_chain, service_account};
use support::{kubectl_irsa, write_fleet_kubeconfig, FleetEntry, MOTO_ACCOUNT};

const STAGING: &str = "staging";

fn staging_arn() -> String {
    format!("arn:aws:eks:us-east-1:{MOTO_ACCOUNT}:cluster/{STAGING}")
}

#[test]
fn eks_is_asked_once_per_cluster_and_iam_once_per_role() {
    let w = World::start();
    // moto gives every cluster of the account the same issuer, so there is one provider.
    let staging_issuer = w.iam.rt.block_on(create_cluster(w.iam.moto.url(), STAGING));
    let c = w.iam.moto.iam_client();
    w.iam.rt.block_on(create_oidc_provider(
        &c,
        &staging_issuer,
        &["sts.amazonaws.com"],
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    ));
    let host = staging_issuer.trim_start_matches("https://");
    // `shared`: Pod Identity in both clusters, and IRSA for staging's `ci/builder`.
    w.iam.role(
        "shared",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
             "Action": ["sts:AssumeRole", "sts:TagSession"],
             "Condition": {"StringEquals": {"aws:SourceAccount": MOTO_ACCOUNT}}},
            {"Effect": "Allow",
             "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{host}")},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {
                 format!("{host}:sub"): "system:serviceaccount:ci:builder",
                 format!("{host}:aud"): "sts.amazonaws.com"}}}
        ]}),
    );
    w.role("prod-only", "jobs", "worker");
    w.associate("web", "app", "shared");
    w.associate("jobs", "worker", "prod-only");
    w.eks.associate(STAGING, "web", "app", &arn("shared"));

    let (d, rs, pod) = deployment_chain("web", "app", "app", None);
    let prod = w
        .cluster()
        .service_account(service_account("web", "app"))
        .service_account(service_account("jobs", "worker"))
        .deployment(d)
        .replica_set(rs)
        .pod(pod)
        .start();
    let (d, rs, pod) = deployment_chain("ci", "builder", "builder", Some(&arn("shared")));
    let staging = w
        .cluster()
        .issuer(&staging_issuer)
        .service_account(service_account("web", "app"))
        .service_account(annotated_service_account("ci", "builder", &arn("shared")))
        .deployment(d)
        .replica_set(rs)
        .pod(pod)
        .start();
    // Two contexts for prod (its ARN, and an alias whose cluster entry is the ARN), one for staging.
    let kc = write_fleet_kubeconfig(&[
        FleetEntry::new(&cluster_arn(), &prod.url()).cluster(&cluster_arn()),
        FleetEntry::new("prod-admin", &prod.url()).cluster(&cluster_arn()),
        FleetEntry::new(STAGING, &staging.url()).cluster(&staging_arn()),
    ]);

    let home = tempfile::tempdir().expect("home");
    let mut cmd = kubectl_irsa(home.path());
    cmd.arg("doctor").arg("--kubeconfig").arg(kc.path()).args([
        "--all-contexts",
        "--format",
        "json",
        "--request-timeout",
        "5s",
    ]);
    w.iam.proxy.aws().apply(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_EKS", w.eks.url());
    let result = run(cmd);

    assert!(
        result.with("IRSA100").is_empty(),
        "everything was verified: {:#?}\n{}",
        result.findings,
        result.stderr
    );
    let calls = w.eks.calls();
    let paths = |op: &str| {
        let mut p: Vec<String> = calls
            .iter()
            .filter(|c| c.operation == op)
            .map(|c| c.path.clone())
            .collect();
        p.sort();
        p
    };
    assert_eq!(
        paths("DescribeCluster"),
        [
            format!("/clusters/{CLUSTER}"),
            format!("/clusters/{STAGING}")
        ],
        "{calls:#?}"
    );
    assert_eq!(
        paths("ListPodIdentityAssociations"),
        [
            format!("/clusters/{CLUSTER}/pod-identity-associations"),
            format!("/clusters/{STAGING}/pod-identity-associations"),
        ],
        "{calls:#?}"
    );
    assert_eq!(w.eks.count("DescribePodIdentityAssociation"), 3);
    let mut roles: Vec<String> = w
        .iam
        .proxy
        .calls()
        .iter()
        .filter(|c| c.action == "GetRole")
        .filter_map(|c| c.params.get("RoleName").cloned())
        .collect();
    roles.sort();
    assert_eq!(roles, ["prod-only", "shared"]);
    assert_eq!(w.iam.count("GetOpenIDConnectProvider"), 1);
    w.eks.assert_read_only();
    w.iam.proxy.assert_read_only();
    prod.assert_only_gets();
    staging.assert_only_gets();
    // Every context got the associations (none runs the agent): the second prod context from
    // the answer the first one asked for.
    let mut agentless: Vec<&str> = result
        .with("IRSA119")
        .iter()
        .filter_map(|f| f["context"].as_str())
        .collect();
    agentless.sort();
    assert_eq!(
        agentless,
        [cluster_arn().as_str(), "prod-admin", STAGING],
        "{:#?}",
        result.findings
    );
}
