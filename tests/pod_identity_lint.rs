//! Pod Identity associations as lint facts, across files: the association in one file (eksctl,
//! ACK, or the ACK shape other formats lower to), the role's trust in another (`<role>.json`).

use std::process::Command;

use serde_json::Value;

fn lint(files: &[(&str, &str)]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir.path())
        .args(["lint", ".", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["findings"].as_array().unwrap().clone()
}

fn with<'a>(findings: &'a [Value], code: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["code"] == code).collect()
}

const EKSCTL: &str = "apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: eu-west-1
iam:
  podIdentityAssociations:
    - namespace: web
      serviceAccountName: app
      roleARN: arn:aws:iam::111122223333:role/web-app
addons:
  - name: vpc-cni
    podIdentityAssociations:
      - namespace: kube-system
        serviceAccountName: aws-node
        roleARN: arn:aws:iam::111122223333:role/cni
";

fn trust(condition: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
  "Principal": {{"Service": "pods.eks.amazonaws.com"}},
  "Action": ["sts:AssumeRole", "sts:TagSession"],
  "Condition": {condition}}}]}}"#
    )
}

#[test]
fn eksctl_association_against_a_role_file_with_source_arn() {
    let good = trust(
        r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:eks:eu-west-1:111122223333:cluster/prod"},
            "StringEquals": {"aws:RequestTag/eks-cluster-name": "prod"}}"#,
    );
    let f = lint(&[("cluster.yaml", EKSCTL), ("web-app.json", &good)]);
    assert!(with(&f, "IRSA065").is_empty(), "{f:#?}");
    let bad = good.replace("cluster/prod", "cluster/staging");
    let f = lint(&[("cluster.yaml", EKSCTL), ("web-app.json", &bad)]);
    let hit = with(&f, "IRSA065");
    assert_eq!(hit.len(), 1, "{f:#?}");
    assert_eq!(hit[0]["location"]["path"], "web-app.json");
    assert_eq!(hit[0]["location"]["line"], 4);
    // The related location is the association's cluster name, in the eksctl file.
    let related: Vec<(&str, u64)> = hit[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert!(related.contains(&("cluster.yaml", 4)), "{related:?}");
    assert!(related.contains(&("cluster.yaml", 10)), "{related:?}");
}

#[test]
fn an_irsa_trust_never_matches_pod_identity() {
    let irsa = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
  "Action": "sts:AssumeRoleWithWebIdentity"}]}"#;
    let f = lint(&[("cluster.yaml", EKSCTL), ("cni.json", irsa)]);
    let hit = with(&f, "IRSA065");
    assert_eq!(hit.len(), 1, "{f:#?}");
    let msg = hit[0]["message"].as_str().unwrap();
    assert!(msg.contains("pods.eks.amazonaws.com"), "{msg}");
    assert!(msg.contains("kube-system/aws-node"), "{msg}");
}

#[test]
fn disabled_session_tags_fail_tag_conditions() {
    let ack = "apiVersion: eks.services.k8s.aws/v1alpha1
kind: PodIdentityAssociation
metadata:
  name: web-app
spec:
  clusterName: prod
  namespace: web
  serviceAccount: app
  roleARN: arn:aws:iam::111122223333:role/web-app
  disableSessionTags: true
";
    let t = trust(r#"{"StringEquals": {"aws:RequestTag/kubernetes-namespace": "web"}}"#);
    let f = lint(&[("assoc.yaml", ack), ("web-app.json", &t)]);
    assert_eq!(with(&f, "IRSA065").len(), 1, "{f:#?}");
    let f = lint(&[
        ("assoc.yaml", &ack.replace("true", "false")),
        ("web-app.json", &t),
    ]);
    assert!(with(&f, "IRSA065").is_empty(), "{f:#?}");
}

#[test]
fn unknowable_conditions_are_not_reported() {
    // An ACK association has no region: the cluster ARN cannot be known offline.
    let ack = "apiVersion: eks.services.k8s.aws/v1alpha1
kind: PodIdentityAssociation
metadata: {name: a}
spec: {clusterName: prod, namespace: web, serviceAccount: app, roleARN: 'arn:aws:iam::111122223333:role/web-app'}
";
    let t = trust(
        r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:eks:eu-west-1:111122223333:cluster/other"}}"#,
    );
    let f = lint(&[("assoc.yaml", ack), ("web-app.json", &t)]);
    assert!(with(&f, "IRSA065").is_empty(), "{f:#?}");
}

#[test]
fn addon_associations_create_their_service_account() {
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other, namespace: web}\n";
    let f = lint(&[("cluster.yaml", EKSCTL), ("sa.yaml", sa)]);
    let missing = with(&f, "IRSA066");
    assert_eq!(missing.len(), 1, "{f:#?}");
    assert!(missing[0]["message"].as_str().unwrap().contains("web/app"));
}

#[test]
fn a_chart_service_account_lands_in_the_release_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("app");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/web-app-irsa\n",
    )
    .unwrap();
    let assoc = "apiVersion: eks.services.k8s.aws/v1alpha1
kind: PodIdentityAssociation
metadata: {name: a}
spec: {clusterName: prod, namespace: web, serviceAccount: app, roleARN: 'arn:aws:iam::111122223333:role/web-app'}
";
    std::fs::write(dir.path().join("assoc.yaml"), assoc).unwrap();
    let helm = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin");
    let path = format!(
        "{}:{}",
        helm.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir.path())
        .env("PATH", path)
        .args(["lint", "app", "assoc.yaml", "-n", "web", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = json["findings"].as_array().unwrap().clone();
    // The rendered SA is web/app (release namespace): created, and it carries both mechanisms.
    assert!(with(&f, "IRSA066").is_empty(), "{f:#?}");
    assert_eq!(with(&f, "IRSA067").len(), 1, "{f:#?}");
}
