//! Shared set-up for the doctor end-to-end tests: moto behind the logging proxy, the fake API
//! server, and a runner for the real binary with `--format json`.
#![allow(dead_code)]

pub mod pod_identity;

use serde_json::{json, Value};

use crate::support::moto::{create_oidc_provider, create_role, irsa_trust_policy};
use crate::support::{kubectl_irsa, FakeApiServer, IamProxy, Moto, MOTO_ACCOUNT};

pub const ISSUER: &str = crate::support::DEFAULT_ISSUER;

pub fn arn(role: &str) -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:role/{role}")
}

pub fn host() -> &'static str {
    ISSUER.trim_start_matches("https://")
}

/// moto, a proxy in front of it (what the binary talks to), and a direct client for set-up.
pub struct Iam {
    pub moto: Moto,
    pub proxy: IamProxy,
    pub rt: tokio::runtime::Runtime,
}

impl Iam {
    pub fn start() -> Iam {
        let moto = Moto::start();
        let proxy = moto.proxy();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Iam { moto, proxy, rt }
    }

    /// The cluster's provider with `sts.amazonaws.com`.
    pub fn with_provider(self) -> Iam {
        self.provider(&["sts.amazonaws.com"]);
        self
    }

    pub fn provider(&self, client_ids: &[&str]) {
        let c = self.moto.iam_client();
        self.rt.block_on(create_oidc_provider(
            &c,
            ISSUER,
            client_ids,
            "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
        ));
    }

    /// A role that trusts `system:serviceaccount:<ns>:<sa>` of this cluster.
    pub fn irsa_role(&self, name: &str, ns: &str, sa: &str) {
        self.role(name, &irsa_trust_policy(ISSUER, ns, sa));
    }

    pub fn role(&self, name: &str, trust: &Value) {
        let c = self.moto.iam_client();
        self.rt.block_on(create_role(&c, name, trust));
    }

    pub fn count(&self, action: &str) -> usize {
        self.proxy.actions().iter().filter(|a| *a == action).count()
    }
}

/// A trust with one statement of this cluster's provider and these `sub` conditions.
pub fn trust_with(operator: &str, subs: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{}", host())},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {operator: {format!("{}:sub", host()): subs}}
    }]})
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub findings: Vec<Value>,
}

impl Run {
    pub fn codes(&self) -> Vec<String> {
        let mut c: Vec<String> = self
            .findings
            .iter()
            .filter_map(|f| f["code"].as_str().map(str::to_string))
            .collect();
        c.sort();
        c
    }

    pub fn with(&self, code: &str) -> Vec<&Value> {
        self.findings.iter().filter(|f| f["code"] == code).collect()
    }

    /// The only finding with `code`.
    pub fn one(&self, code: &str) -> &Value {
        let found = self.with(code);
        assert_eq!(
            found.len(),
            1,
            "expected one {code}, got {:#?}\nstderr: {}",
            self.findings,
            self.stderr
        );
        found[0]
    }

    pub fn assert_clean(&self) {
        assert!(
            self.findings.is_empty(),
            "expected no findings, got {:#?}\nstderr: {}",
            self.findings,
            self.stderr
        );
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
    }
}

/// Run `kubectl-irsa doctor --format json` against the fake server and the IAM proxy.
pub fn doctor(server: &FakeApiServer, iam: &Iam, extra: &[&str]) -> Run {
    let home = tempfile::tempdir().expect("home");
    let kc = server.kubeconfig();
    let mut cmd = kubectl_irsa(home.path());
    cmd.arg("doctor")
        .arg("--kubeconfig")
        .arg(kc.path())
        .args(["--request-timeout", "5s"])
        .args(extra);
    if !extra.contains(&"--format") {
        cmd.args(["--format", "json"]);
    }
    iam.proxy.aws().apply(&mut cmd);
    run(cmd)
}

pub fn run(mut cmd: std::process::Command) -> Run {
    let out = cmd.output().expect("run kubectl-irsa");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Run {
        code: out.status.code().unwrap_or(-1),
        findings: parse_findings(&stdout),
        stdout,
        stderr,
    }
}

/// `{"findings": [...]}` (the JSON renderer) or one finding per line.
fn parse_findings(stdout: &str) -> Vec<Value> {
    if let Ok(doc) = serde_json::from_str::<Value>(stdout) {
        if let Some(items) = doc.get("findings").and_then(Value::as_array) {
            return items.clone();
        }
    }
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}
