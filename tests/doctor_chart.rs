//! `charts/kubectl-irsa-doctor` (issue 15, part 5): rendered by the real helm, linted by our own
//! `lint`, and its ClusterRole compared with the requests doctor really makes (the fake API
//! server's log): every request allowed, every rule used, nothing more.

mod doctor_harness;
mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use doctor_harness::{arn, doctor, Iam};
use serde_json::Value;
use support::objects::{self, annotated_service_account, deployment_chain};
use support::FakeCluster;

const ROLE: &str = "arn:aws:iam::111122223333:role/irsa-doctor";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chart() -> String {
    root()
        .join("charts/kubectl-irsa-doctor")
        .display()
        .to_string()
}

fn helm() -> PathBuf {
    let local = root().join(".tools/bin/helm");
    assert!(
        local.exists(),
        "helm 3 is not installed: run scripts/install-test-tools.sh"
    );
    local
}

fn helm_env(cmd: &mut Command, home: &std::path::Path) {
    cmd.env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env_remove("HELM_BIN");
}

/// `helm template` of the chart; the documents as JSON.
fn render(set: &[&str]) -> (String, Vec<Value>) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(helm());
    cmd.args(["template", "doctor", &chart(), "-n", "irsa"]);
    for s in set {
        cmd.args(["--set", s]);
    }
    helm_env(&mut cmd, home.path());
    let out = cmd.output().expect("run helm");
    assert!(
        out.status.success(),
        "helm template: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let docs = kubectl_irsa::syntax::yaml::parse(&text)
        .documents
        .into_iter()
        .map(|d| d.root.to_json())
        .filter(|v| v.is_object())
        .collect();
    (text, docs)
}

fn kind<'d>(docs: &'d [Value], kind: &str) -> &'d Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {docs:#?}"))
}

/// Our own lint on the rendered stream, and on the chart itself (rendered by lint with helm).
fn lint_clean(rendered: &str, set: &[&str]) {
    let home = tempfile::tempdir().unwrap();
    let run_lint = |args: Vec<String>, stdin: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"));
        cmd.arg("lint").args(&args).args(["--format", "json"]);
        helm_env(&mut cmd, home.path());
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run lint");
        {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).expect("lint json");
        assert_eq!(json["findings"], Value::Array(vec![]), "lint {args:?}");
        assert_eq!(out.status.code(), Some(0), "lint {args:?}");
    };
    run_lint(vec!["-".into()], Some(rendered));
    let mut args = vec![
        chart(),
        "--helm".into(),
        helm().display().to_string(),
        "-n".into(),
        "irsa".into(),
        "--release-name".into(),
        "doctor".into(),
    ];
    for s in set {
        args.extend(["--set".to_string(), s.to_string()]);
    }
    run_lint(args, None);
}

#[test]
fn irsa_render_passes_lint_and_runs_doctor_as_json_in_cluster() {
    let set = [format!("aws.roleArn={ROLE}")];
    let set: Vec<&str> = set.iter().map(String::as_str).collect();
    let (text, docs) = render(&set);
    lint_clean(&text, &set);
    let sa = kind(&docs, "ServiceAccount");
    assert_eq!(
        sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        ROLE
    );
    let job = &kind(&docs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    assert_eq!(job["serviceAccountName"], sa["metadata"]["name"]);
    assert_eq!(job["automountServiceAccountToken"], true);
    let c = &job["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(args[0], "doctor");
    assert!(
        args.windows(2).any(|w| w == ["--format", "json"]),
        "{args:?}"
    );
    // In-cluster config: no kubeconfig is passed or mounted.
    assert!(!args.iter().any(|a| a.contains("kubeconfig")), "{args:?}");
    assert!(c.get("volumeMounts").is_none());
    let binding = kind(&docs, "ClusterRoleBinding");
    assert_eq!(binding["subjects"][0]["name"], sa["metadata"]["name"]);
    assert_eq!(binding["subjects"][0]["namespace"], "irsa");
}

#[test]
fn pod_identity_render_passes_lint_and_has_no_irsa_annotation() {
    let set = [
        "aws.podIdentity.enabled=true".to_string(),
        "aws.podIdentity.createAssociation=true".to_string(),
        "aws.podIdentity.clusterName=prod".to_string(),
        format!("aws.podIdentity.roleArn={ROLE}"),
    ];
    let set: Vec<&str> = set.iter().map(String::as_str).collect();
    let (text, docs) = render(&set);
    lint_clean(&text, &set);
    let sa = kind(&docs, "ServiceAccount");
    assert!(sa["metadata"].get("annotations").is_none(), "{sa}");
    let pia = kind(&docs, "PodIdentityAssociation");
    assert_eq!(pia["spec"]["serviceAccount"], sa["metadata"]["name"]);
    assert_eq!(pia["spec"]["namespace"], "irsa");
    assert_eq!(pia["spec"]["roleARN"], ROLE);
}

#[test]
fn both_mechanisms_at_once_is_refused_at_render() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(helm());
    cmd.args(["template", "doctor", &chart()])
        .args(["--set", &format!("aws.roleArn={ROLE}")])
        .args(["--set", "aws.podIdentity.enabled=true"]);
    helm_env(&mut cmd, home.path());
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not both"));
}

/// (apiGroup, resource, verb) or ("nonResourceURL", path, verb) of one GET.
fn rbac_of(path: &str, query: Option<&str>) -> (String, String, String) {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", _version, rest @ ..] => (String::new(), rest),
        ["apis", group, _version, rest @ ..] => (group.to_string(), rest),
        _ => return ("nonResourceURL".into(), path.into(), "get".into()),
    };
    let rest = match rest {
        ["namespaces", _ns, tail @ ..] if !tail.is_empty() => tail,
        other => other,
    };
    let watch = query.is_some_and(|q| q.contains("watch=true") || q.contains("watch=1"));
    let verb = match (rest.len(), watch) {
        (_, true) => "watch",
        (1, false) => "list",
        _ => "get",
    };
    (group, rest[0].to_string(), verb.to_string())
}

fn granted(role: &Value) -> BTreeSet<(String, String, String)> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    let mut out = BTreeSet::new();
    for rule in role["rules"].as_array().expect("rules") {
        for verb in strings(&rule["verbs"]) {
            for url in strings(&rule["nonResourceURLs"]) {
                out.insert(("nonResourceURL".into(), url, verb.clone()));
            }
            for group in strings(&rule["apiGroups"]) {
                for res in strings(&rule["resources"]) {
                    out.insert((group.clone(), res, verb.clone()));
                }
            }
        }
    }
    out
}

/// The RBAC rules (group, resource, verb) that a run's requests need.
fn requested(server: &support::FakeApiServer) -> BTreeSet<(String, String, String)> {
    server
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(r.method, "GET", "{r:?}");
            rbac_of(&r.path, r.query.as_deref())
        })
        .collect()
}

/// Pod Identity in use: the agent's DaemonSet and pods are read too, with the same ClusterRole.
#[test]
fn cluster_role_covers_a_pod_identity_cluster() {
    let (_, docs) = render(&[]);
    let role = granted(kind(&docs, "ClusterRole"));
    let w = doctor_harness::pod_identity::World::start();
    let server = doctor_harness::pod_identity::healthy(&w).start();
    let run = w.doctor(&server, &[]);
    run.assert_clean();
    let used = requested(&server);
    assert!(
        used.is_subset(&role),
        "not granted by the chart's ClusterRole: {:?}",
        used.difference(&role).collect::<Vec<_>>()
    );
}

#[test]
fn cluster_role_grants_exactly_what_doctor_requests() {
    let (_, docs) = render(&[]);
    let role = kind(&docs, "ClusterRole");
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .deployment_chain(deployment_chain("edp", "app", "app", Some(&arn("app"))))
        .daemon_set(objects::daemon_set("kube-system", "agent", "default"))
        .webhook(objects::pod_identity_webhook())
        .page_size_cap(1)
        .start();
    let run = doctor(&server, &iam, &[]);
    run.assert_clean();
    let used = requested(&server);
    assert_eq!(
        used,
        granted(role),
        "the chart's ClusterRole must be exactly what doctor requests"
    );
}

/// In the CronJob there is no kubeconfig: doctor takes kube's in-cluster path (the
/// `KUBERNETES_SERVICE_HOST`/`PORT` variables and the mounted ServiceAccount files). Outside a pod
/// those files are missing, and the error must say which path was taken.
#[test]
fn without_a_kubeconfig_doctor_uses_the_in_cluster_config() {
    if std::path::Path::new("/var/run/secrets/kubernetes.io/serviceaccount").exists() {
        eprintln!("running inside a pod: the in-cluster files exist, nothing to check here");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = support::kubectl_irsa(home.path())
        .args(["doctor", "--format", "json"])
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", "6443")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("in-cluster config (KUBERNETES_SERVICE_HOST is set)"),
        "{stderr}"
    );
    assert!(stderr.contains("automountServiceAccountToken"), "{stderr}");
}

/// `reports.apply`: doctor gets `--apply-reports`, and a second ClusterRole grants only create
/// and patch on the OpenReports resources; with both roles, exactly what doctor requests.
#[test]
fn reports_apply_adds_only_create_and_patch_on_openreports() {
    let (_, plain) = render(&[]);
    assert_eq!(
        plain.iter().filter(|d| d["kind"] == "ClusterRole").count(),
        1
    );
    let (text, docs) = render(&["reports.apply=true"]);
    lint_clean(&text, &["reports.apply=true"]);
    let job = &kind(&docs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let args = job["containers"][0]["args"].as_array().unwrap();
    assert!(args.iter().any(|a| a == "--apply-reports"), "{args:?}");
    let roles: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "ClusterRole").collect();
    assert_eq!(roles.len(), 2);
    let reports_role = *roles
        .iter()
        .find(|r| {
            r["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("-reports"))
        })
        .expect("the reports ClusterRole");
    let writes = granted(reports_role);
    let want: BTreeSet<(String, String, String)> = [
        ("reports", "create"),
        ("reports", "patch"),
        ("clusterreports", "create"),
        ("clusterreports", "patch"),
    ]
    .iter()
    .map(|(r, v)| ("openreports.io".to_string(), r.to_string(), v.to_string()))
    .collect();
    assert_eq!(writes, want);
    let binding = docs
        .iter()
        .filter(|d| d["kind"] == "ClusterRoleBinding")
        .find(|b| b["roleRef"]["name"] == reports_role["metadata"]["name"])
        .expect("a binding of the reports role");
    assert_eq!(binding["subjects"][0]["namespace"], "irsa");

    // What doctor --apply-reports really requests is covered by the two roles.
    let all: BTreeSet<_> = roles.iter().flat_map(|r| granted(r)).collect();
    let iam = Iam::start().with_provider();
    iam.irsa_role("app", "edp", "app");
    let server = FakeCluster::new()
        .service_account(annotated_service_account("edp", "app", &arn("app")))
        .deployment_chain(deployment_chain("edp", "app", "app", Some(&arn("app"))))
        .webhook(objects::pod_identity_webhook())
        .start();
    let run = doctor(&server, &iam, &["--apply-reports"]);
    run.assert_clean();
    let mut used = BTreeSet::new();
    for r in server.requests() {
        if r.method == "PATCH" {
            let (group, resource, _) = rbac_of(&r.path, None);
            // A server-side apply is `patch`, and `create` when the object is new.
            used.insert((group.clone(), resource.clone(), "patch".to_string()));
            used.insert((group, resource, "create".to_string()));
        } else {
            assert_eq!(r.method, "GET", "{r:?}");
            used.insert(rbac_of(&r.path, r.query.as_deref()));
        }
    }
    assert!(used.is_superset(&want), "{used:?}");
    assert!(
        used.is_subset(&all),
        "not granted: {:?}",
        used.difference(&all).collect::<Vec<_>>()
    );
}
