//! Chart packs kept honest: each vendored chart (testdata/charts-vendored/<chart>/) is rendered by
//! the real helm over a matrix of values, and the ServiceAccount it renders (name, namespace,
//! role-arn annotation, and the Deployment's serviceAccountName) must be what the pack computes.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use kubectl_irsa::diagnostics::finding::ObjectRef;
use kubectl_irsa::facts::release::{
    ChartSource, HelmRelease, Place, ReleaseOrigin, Setting, ValuesLayer,
};
use kubectl_irsa::frontends::release::chartpack::{ChartPacks, Values};
use kubectl_irsa::frontends::release::merge::user_layers;
use kubectl_irsa::frontends::release::synth::{compute, Computed};
use kubectl_irsa::syntax::source::SourceFile;
use kubectl_irsa::syntax::yaml::parse;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn helm() -> PathBuf {
    let local = root().join(".tools/bin/helm");
    assert!(
        local.exists(),
        "helm 3 is not installed: run scripts/install-test-tools.sh (it installs .tools/bin/helm)"
    );
    local
}

const ARN: &str = "arn:aws:iam::111122223333:role/irsa-test";

/// What helm rendered: the ServiceAccounts (name, namespace, role-arn) and the pods' SA names.
fn render(
    chart: &str,
    release: &str,
    namespace: &str,
    values: &str,
) -> (Vec<Computed>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("values.yaml");
    std::fs::write(&file, values).unwrap();
    let out = Command::new(helm())
        .args(["template", release])
        .arg(root().join("testdata/charts-vendored").join(chart))
        .args(["--namespace", namespace, "--values"])
        .arg(&file)
        .env("HELM_CACHE_HOME", dir.path().join("cache"))
        .env("HELM_CONFIG_HOME", dir.path().join("config"))
        .env("HELM_DATA_HOME", dir.path().join("data"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{chart} {release}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stream = parse(&text);
    assert!(stream.error.is_none(), "{chart}: {:?}", stream.error);
    let mut accounts = Vec::new();
    let mut pods = Vec::new();
    for doc in &stream.documents {
        let r = &doc.root;
        match r.str_at(&["kind"]) {
            Some("ServiceAccount") => accounts.push(Computed {
                name: r.str_at(&["metadata", "name"]).unwrap_or_default().into(),
                namespace: r
                    .str_at(&["metadata", "namespace"])
                    .unwrap_or(namespace)
                    .into(),
                created: true,
                role_arn: r
                    .path(&["metadata", "annotations", "eks.amazonaws.com/role-arn"])
                    .and_then(|n| n.as_str())
                    .map(str::to_string),
            }),
            Some("Deployment") => pods.push(
                r.str_at(&["spec", "template", "spec", "serviceAccountName"])
                    .unwrap_or("default")
                    .to_string(),
            ),
            _ => {}
        }
    }
    (accounts, pods)
}

/// What the pack computes for the same release: one entry per ServiceAccount the pack models.
fn computed(chart: &str, release: &str, namespace: &str, values: &str) -> Vec<Computed> {
    let packs = ChartPacks::builtin();
    assert!(packs.diagnostics.is_empty(), "{:?}", packs.diagnostics);
    let pack = packs
        .find(chart)
        .unwrap_or_else(|| panic!("no pack for {chart}"));
    let text = if values.trim().is_empty() {
        "{}"
    } else {
        values
    };
    let file = Arc::new(SourceFile::new("values.yaml", "values.yaml", text));
    let root_node = parse(&file.text).documents.remove(0).root;
    let place = Place::new(&file, root_node.span);
    let rel = HelmRelease {
        origin: ReleaseOrigin {
            place: place.clone(),
            object: ObjectRef::new("Release", None, release),
            frontend: "test",
        },
        release_name: Setting::written(release, place.clone()),
        namespace: Setting::written(namespace, place),
        chart: ChartSource::Remote {
            repo: None,
            name: chart.into(),
            version: None,
            place: None,
        },
        values: vec![ValuesLayer {
            file,
            root: root_node,
        }],
        set: Vec::new(),
        unknown_values: Vec::new(),
    };
    let layers = user_layers(&rel);
    let values = Values {
        layers: &layers,
        pack,
    };
    pack.service_accounts
        .iter()
        .map(|sa| compute(&rel, &values, sa))
        .collect()
}

/// `base` is YAML every case needs; each case adds its own lines (valid YAML when appended).
/// Every ServiceAccount helm renders must be one the pack computes (and the other way round),
/// and a Deployment runs as the pack's first (controller) account.
fn check_matrix(chart: &str, base: &str, cases: &[(&str, &str, &str)]) {
    for (release, namespace, extra) in cases {
        let values = format!("{base}{extra}");
        let (mut accounts, pods) = render(chart, release, namespace, &values);
        let pack = computed(chart, release, namespace, &values);
        let case = format!("{chart} release={release} ns={namespace} values:\n{values}");
        let mut created: Vec<Computed> = pack.iter().filter(|c| c.created).cloned().collect();
        let key = |c: &Computed| (c.namespace.clone(), c.name.clone());
        accounts.sort_by_key(key);
        created.sort_by_key(key);
        assert_eq!(accounts, created, "{case}");
        assert!(!pods.is_empty(), "{case}: no Deployment rendered");
        assert!(
            pods.contains(&pack[0].name),
            "{case}: pods run as {pods:?}, not {}",
            pack[0].name
        );
    }
}

/// The matrix every pack is checked with; `sa` is the chart's ServiceAccount values prefix.
fn standard_cases(chart: &str, sa: &str) -> Vec<(String, String, String)> {
    let ann = format!("{sa}:\n  annotations:\n    eks.amazonaws.com/role-arn: {ARN}\n");
    // 53 characters (helm's limit for release names): `<release>-<name>` passes 63 and is cut.
    let long = format!("{}-long-release", "a".repeat(40));
    vec![
        (chart.to_string(), "kube-system".into(), ann.clone()),
        (format!("my-{chart}"), "kube-system".into(), ann.clone()),
        ("short".into(), "ops".into(), ann.clone()),
        (long, "ops".into(), ann.clone()),
        ("r".into(), "ops".into(), format!("nameOverride: renamed\n{ann}")),
        ("r".into(), "ops".into(), format!("fullnameOverride: fixed-name-\n{ann}")),
        (
            "r".into(),
            "ops".into(),
            format!("{sa}:\n  name: explicit-sa\n  annotations:\n    eks.amazonaws.com/role-arn: {ARN}\n"),
        ),
        ("r".into(), "ops".into(), format!("{sa}:\n  create: false\n  name: existing-sa\n")),
        ("r".into(), "ops".into(), format!("{sa}:\n  create: false\n")),
    ]
}

fn run(chart: &str, base: &str, sa: &str, extra: &[(String, String, String)]) {
    let mut cases = standard_cases(chart, sa);
    cases.extend(extra.iter().cloned());
    let cases: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    check_matrix(chart, base, &cases);
}

/// `sa` nested under `rbac:` needs its own indentation.
fn nest(prefix: &str, yaml: &str) -> String {
    let mut out = format!("{prefix}:\n");
    for line in yaml.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn cluster_autoscaler_pack_matches_the_chart() {
    let chart = "cluster-autoscaler";
    let base = "autoDiscovery:\n  clusterName: demo\n";
    // The chart's SA keys are rbac.serviceAccount.*: build the cases under `rbac:`.
    let cases: Vec<(String, String, String)> = standard_cases(chart, "serviceAccount")
        .into_iter()
        .map(|(r, n, v)| {
            let (top, sa): (Vec<&str>, Vec<&str>) = v
                .lines()
                .partition(|l| l.starts_with("nameOverride") || l.starts_with("fullnameOverride"));
            let mut values: String = top.iter().map(|l| format!("{l}\n")).collect();
            values.push_str(&nest("rbac", &sa.join("\n")));
            (r, n, values)
        })
        .chain([
            ("r".into(), "ops".into(), "cloudProvider: gce\n".into()),
            ("aws-cluster-autoscaler".into(), "ops".into(), String::new()),
            ("r".into(), "ops".into(), "rbac:\n  create: false\n".into()),
        ])
        .collect();
    let cases: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    check_matrix(chart, base, &cases);
}

#[test]
fn external_dns_pack_matches_the_chart() {
    run(
        "external-dns",
        "",
        "serviceAccount",
        &[(
            "r".into(),
            "ops".into(),
            format!("namespaceOverride: dns\nserviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: {ARN}\n"),
        )],
    );
}

#[test]
fn aws_load_balancer_controller_pack_matches_the_chart() {
    run(
        "aws-load-balancer-controller",
        "clusterName: demo\n",
        "serviceAccount",
        &[],
    );
}

#[test]
fn aws_ebs_csi_driver_pack_matches_the_chart() {
    let chart = "aws-ebs-csi-driver";
    let ann = format!("serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: {ARN}\n");
    let cases: Vec<(String, String, String)> = vec![
        ("r".into(), "kube-system".into(), nest("controller", &ann)),
        (
            "aws-ebs-csi-driver".into(),
            "ops".into(),
            format!("nameOverride: x\n{}", nest("controller", &ann)),
        ),
        (
            "r".into(),
            "ops".into(),
            nest("controller", "serviceAccount:\n  name: ebs-sa"),
        ),
        (
            "r".into(),
            "ops".into(),
            nest("controller", "serviceAccount:\n  create: false"),
        ),
        (
            "r".into(),
            "ops".into(),
            nest("node", "serviceAccount:\n  create: false"),
        ),
    ];
    let cases: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    check_matrix(chart, "", &cases);
}

#[test]
fn external_secrets_pack_matches_the_chart() {
    run(
        "external-secrets",
        "",
        "serviceAccount",
        &[
            (
                "r".into(),
                "ops".into(),
                format!("namespaceOverride: secrets\nserviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: {ARN}\n"),
            ),
            ("r".into(), "ops".into(), "webhook:\n  create: false\n".into()),
            ("r".into(), "ops".into(), "certController:\n  serviceAccount:\n    name: cc\n".into()),
        ],
    );
}

#[test]
fn cert_manager_pack_matches_the_chart() {
    run(
        "cert-manager",
        "",
        "serviceAccount",
        &[
            ("r".into(), "ops".into(), format!("namespace: certs\nserviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: {ARN}\n")),
            ("r".into(), "ops".into(), "cainjector:\n  enabled: false\nstartupapicheck:\n  enabled: false\n".into()),
            ("r".into(), "ops".into(), "webhook:\n  serviceAccount:\n    name: wh\n".into()),
        ],
    );
}

#[test]
fn karpenter_pack_matches_the_chart() {
    run(
        "karpenter",
        "settings:\n  clusterName: demo\n",
        "serviceAccount",
        &[],
    );
}

#[test]
fn velero_pack_matches_the_chart() {
    let chart = "velero";
    // The CRD-upgrade hook's account is not modeled (no role); its Job is turned off.
    let base = "upgradeCRDs: false\n";
    let cases: Vec<(String, String, String)> = standard_cases(chart, "server")
        .into_iter()
        .map(|(r, n, v)| {
            let (top, sa): (Vec<&str>, Vec<&str>) = v
                .lines()
                .partition(|l| l.starts_with("nameOverride") || l.starts_with("fullnameOverride"));
            let mut values: String = top.iter().map(|l| format!("{l}\n")).collect();
            values.push_str(&nest("serviceAccount", &sa.join("\n")));
            (r, n, values)
        })
        .collect();
    let cases: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    check_matrix(chart, base, &cases);
}

#[test]
fn keda_pack_matches_the_chart() {
    let irsa =
        format!("podIdentity:\n  aws:\n    irsa:\n      enabled: true\n      roleArn: {ARN}\n");
    let cases: Vec<(String, String, String)> = vec![
        ("keda".into(), "keda".into(), String::new()),
        ("r".into(), "keda".into(), irsa.clone()),
        (
            "r".into(),
            "keda".into(),
            format!("serviceAccount:\n  operator:\n    name: ko\n    annotations:\n      eks.amazonaws.com/role-arn: {ARN}\n"),
        ),
        // roleArn without `enabled` is ignored by the chart.
        ("r".into(), "keda".into(), format!("podIdentity:\n  aws:\n    irsa:\n      roleArn: {ARN}\n")),
        ("r".into(), "keda".into(), "serviceAccount:\n  operator:\n    create: false\n".into()),
        ("r".into(), "keda".into(), "metricsServer:\n  enabled: false\n".into()),
    ];
    let cases: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    check_matrix("keda", "", &cases);
}
