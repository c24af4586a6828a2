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
