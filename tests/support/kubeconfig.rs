//! Generated kubeconfig files pointing at the fake API server.
//!
//! `KUBECONFIG` is process-wide, so in-process tests should build clients
//! with [`KubeconfigFile::client`] (which reads this file explicitly); pass
//! [`KubeconfigFile::env`] to a spawned binary instead.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};
use tempfile::TempDir;

use super::fake_apiserver::{EXPIRED_TOKEN, VALID_TOKEN};

/// Which bearer token the kubeconfig's user carries.
#[derive(Clone, Debug, Default)]
pub enum Token {
    /// The token the fake server accepts.
    #[default]
    Valid,
    /// A token the fake server rejects with a 401 Status.
    Expired,
    /// Any other token (the fake server rejects it too).
    Custom(String),
}

#[derive(Clone, Debug)]
pub struct KubeconfigOptions {
    /// Context name, also used for the cluster and user entries.
    pub context: String,
    /// The context's default namespace.
    pub namespace: Option<String>,
    pub token: Token,
}

impl Default for KubeconfigOptions {
    fn default() -> Self {
        KubeconfigOptions {
            context: "fake".into(),
            namespace: None,
            token: Token::Valid,
        }
    }
}

impl KubeconfigOptions {
    pub fn expired() -> Self {
        KubeconfigOptions {
            token: Token::Expired,
            ..Default::default()
        }
    }
}

/// A kubeconfig written into its own temp dir (removed on drop).
pub struct KubeconfigFile {
    _dir: TempDir,
    path: PathBuf,
    context: String,
    yaml: String,
}

impl KubeconfigFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn context(&self) -> &str {
        &self.context
    }
    pub fn yaml(&self) -> &str {
        &self.yaml
    }
    /// `[("KUBECONFIG", path)]` for a spawned binary.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("KUBECONFIG".into(), self.path.display().to_string())]
    }
    /// A `kube::Client` from this file and its context, via
    /// `Kubeconfig::read_from` + `Config::from_custom_kubeconfig`.
    /// Call inside a tokio runtime.
    pub async fn client(&self) -> kube::Client {
        let kc = Kubeconfig::read_from(&self.path).expect("read generated kubeconfig");
        let opts = KubeConfigOptions {
            context: Some(self.context.clone()),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kc, &opts)
            .await
            .expect("kube config from generated kubeconfig");
        kube::Client::try_from(config).expect("build kube client")
    }
}

/// Write a kubeconfig for `server_url` with the valid token and context `fake`.
pub fn write_kubeconfig(server_url: &str) -> KubeconfigFile {
    write_kubeconfig_with(server_url, &KubeconfigOptions::default())
}

pub fn write_kubeconfig_with(server_url: &str, opts: &KubeconfigOptions) -> KubeconfigFile {
    let token = match &opts.token {
        Token::Valid => VALID_TOKEN.to_string(),
        Token::Expired => EXPIRED_TOKEN.to_string(),
        Token::Custom(t) => t.clone(),
    };
    let ctx = &opts.context;
    let ns_line = opts
        .namespace
        .as_ref()
        .map(|ns| format!("\n    namespace: {ns}"))
        .unwrap_or_default();
    let yaml = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {ctx}
  cluster:
    server: {server_url}
users:
- name: {ctx}
  user:
    token: {token}
contexts:
- name: {ctx}
  context:
    cluster: {ctx}
    user: {ctx}{ns_line}
current-context: {ctx}
preferences: {{}}
"
    );
    let dir = tempfile::Builder::new()
        .prefix("kubeconfig")
        .tempdir()
        .expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, &yaml).expect("write kubeconfig");
    KubeconfigFile {
        _dir: dir,
        path,
        context: ctx.clone(),
        yaml,
    }
}

/// One cluster of a fleet kubeconfig: a context name, its server and its token.
#[derive(Clone, Debug)]
pub struct FleetEntry {
    pub context: String,
    pub server: String,
    pub token: Token,
    /// The name of the context's cluster entry (`cluster-<i>` when `None`). Entries that name
    /// the same cluster share one cluster entry (the first one's server), as
    /// `aws eks update-kubeconfig --alias` writes them: the cluster named by its ARN.
    pub cluster: Option<String>,
}

impl FleetEntry {
    pub fn new(context: &str, server: &str) -> Self {
        FleetEntry {
            context: context.to_string(),
            server: server.to_string(),
            token: Token::Valid,
            cluster: None,
        }
    }

    pub fn cluster(mut self, name: &str) -> Self {
        self.cluster = Some(name.to_string());
        self
    }

    pub fn token(mut self, token: Token) -> Self {
        self.token = token;
        self
    }
}

/// A server URL where nothing listens (a port bound, then released): connection refused.
pub fn unreachable_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// One kubeconfig with a cluster, user and context per entry; the first is the current context.
/// Context names are written as YAML strings, so ARN-style names (`arn:aws:eks:…`) work.
pub fn write_fleet_kubeconfig(entries: &[FleetEntry]) -> KubeconfigFile {
    assert!(!entries.is_empty(), "a fleet kubeconfig needs a cluster");
    let q = |s: &str| serde_json::to_string(s).expect("quote");
    let (mut clusters, mut users, mut contexts) = (String::new(), String::new(), String::new());
    let mut written = std::collections::HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let token = match &e.token {
            Token::Valid => VALID_TOKEN.to_string(),
            Token::Expired => EXPIRED_TOKEN.to_string(),
            Token::Custom(t) => t.clone(),
        };
        let (name, server, user) = (q(&e.context), q(&e.server), q(&format!("user-{i}")));
        let cluster = q(&e.cluster.clone().unwrap_or_else(|| format!("cluster-{i}")));
        if written.insert(cluster.clone()) {
            clusters.push_str(&format!(
                "- name: {cluster}\n  cluster:\n    server: {server}\n"
            ));
        }
        users.push_str(&format!(
            "- name: {user}\n  user:\n    token: {}\n",
            q(&token)
        ));
        contexts.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {cluster}\n    user: {user}\n"
        ));
    }
    let current = &entries[0].context;
    let yaml = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n{clusters}users:\n{users}contexts:\n{contexts}current-context: {}\npreferences: {{}}\n",
        q(current)
    );
    let dir = tempfile::Builder::new()
        .prefix("kubeconfig")
        .tempdir()
        .expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, &yaml).expect("write kubeconfig");
    KubeconfigFile {
        _dir: dir,
        path,
        context: current.clone(),
        yaml,
    }
}
