//! How trust policies are paired with service accounts: a role CR (ACK, Crossplane), a file named
//! after the role, or `.irsa.yaml` `roles:`. Each pairing must produce the cross-check.

use std::path::Path;
use std::process::Command;

const SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ack-s3-controller\n  namespace: ack-system\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/ack-s3-controller\n";

const TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {
    "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789:sub": "system:serviceaccount:ack-system:ack-s3-controler",
    "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789:aud": "sts.amazonaws.com"}}}]}"#;

fn codes(dir: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir)
        .args(["lint", ".", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn setup(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sa.yaml"), SA).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn unpaired_trust_is_not_cross_checked() {
    let dir = setup(&[("iam/controller-trust.json", TRUST)]);
    assert!(!codes(dir.path()).contains(&"IRSA016".to_string()));
}

#[test]
fn by_file_name() {
    for name in [
        "ack-s3-controller.json",
        "ack-s3-controller.trust.json",
        "ack-s3-controller-trust-policy.json",
    ] {
        let dir = setup(&[(name, TRUST)]);
        assert!(codes(dir.path()).contains(&"IRSA016".to_string()), "{name}");
    }
}

#[test]
fn by_irsa_yaml_roles_map() {
    let dir = setup(&[
        ("iam/controller-trust.json", TRUST),
        (".irsa.yaml", "version: 1\nroles:\n  arn:aws:iam::111122223333:role/ack-s3-controller: iam/controller-trust.json\n"),
    ]);
    assert!(codes(dir.path()).contains(&"IRSA016".to_string()));
}

#[test]
fn by_ack_role_cr() {
    let indented: String = TRUST.lines().map(|l| format!("    {l}\n")).collect();
    let cr = format!(
        "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: s3-controller-role\n  namespace: ack-system\nspec:\n  name: ack-s3-controller\n  assumeRolePolicyDocument: |\n{indented}"
    );
    let dir = setup(&[("role.yaml", &cr)]);
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir.path())
        .args(["lint", ".", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "IRSA016")
        .expect("cross-check");
    // The span points into the CR's embedded JSON, at the refusing `:sub` key (line 13 of role.yaml).
    assert_eq!(f["location"]["path"], "role.yaml");
    assert_eq!(f["location"]["line"], 13);
}

#[test]
fn by_crossplane_external_name() {
    let cr = format!(
        "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: ack-s3\n  annotations:\n    crossplane.io/external-name: ack-s3-controller\nspec:\n  forProvider:\n    assumeRolePolicy: '{}'\n",
        TRUST.replace('\n', " ")
    );
    let dir = setup(&[("role.yaml", &cr)]);
    assert!(codes(dir.path()).contains(&"IRSA016".to_string()));
}

#[test]
fn eksctl_service_accounts_are_cross_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cluster.yaml"),
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: us-west-2}\niam:\n  withOIDC: true\n  serviceAccounts:\n    - metadata: {name: ack-s3-controller, namespace: ack-system}\n      attachRoleARN: arn:aws:iam::111122223333:role/ack-s3-controller\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("ack-s3-controller.json"), TRUST).unwrap();
    assert!(codes(dir.path()).contains(&"IRSA016".to_string()));
}

/// Every pairing path checks the provider's account against the role's (IRSA025), and only that.
#[test]
fn every_pairing_path_checks_the_provider_account() {
    // `sub` is right; the provider is in 111122223332, the role in 111122223333.
    let foreign = TRUST
        .replace("ack-s3-controler", "ack-s3-controller")
        .replace("111122223333:oidc", "111122223332:oidc");
    let own = TRUST.replace("ack-s3-controler", "ack-s3-controller");
    for (trust, want) in [(&foreign, true), (&own, false)] {
        let indented: String = trust.lines().map(|l| format!("    {l}\n")).collect();
        let ack = format!("apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: r\nspec:\n  name: ack-s3-controller\n  assumeRolePolicyDocument: |\n{indented}");
        let crossplane = format!("apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: r\n  annotations:\n    crossplane.io/external-name: ack-s3-controller\nspec:\n  forProvider:\n    assumeRolePolicy: '{}'\n", trust.replace('\n', " "));
        let irsa_yaml = "version: 1\nroles:\n  ack-s3-controller: iam/controller-trust.json\n";
        let paths: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("file name", vec![("ack-s3-controller.json", trust)]),
            (
                "irsa.yaml",
                vec![
                    ("iam/controller-trust.json", trust),
                    (".irsa.yaml", irsa_yaml),
                ],
            ),
            ("ack", vec![("role.yaml", &ack)]),
            ("crossplane", vec![("role.yaml", &crossplane)]),
        ];
        for (how, files) in paths {
            let dir = setup(&files);
            let codes = codes(dir.path());
            assert_eq!(
                codes.contains(&"IRSA025".to_string()),
                want,
                "{how}: {codes:?}"
            );
            assert!(!codes.contains(&"IRSA016".to_string()), "{how}: {codes:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("cluster.yaml"),
            "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: us-west-2}\niam:\n  withOIDC: true\n  serviceAccounts:\n    - metadata: {name: ack-s3-controller, namespace: ack-system}\n      attachRoleARN: arn:aws:iam::111122223333:role/ack-s3-controller\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("ack-s3-controller.json"), trust).unwrap();
        assert_eq!(
            codes(dir.path()).contains(&"IRSA025".to_string()),
            want,
            "eksctl"
        );
    }
}
