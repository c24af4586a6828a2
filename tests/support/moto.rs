//! A moto IAM server for tests, and a real `aws_sdk_iam::Client` for it.
//!
//! [`Moto::start`] runs `moto_server -H 127.0.0.1 -p <free port>` from
//! `.tools/venv/bin/moto_server` (installed by `scripts/install-test-tools.sh`;
//! the `MOTO_SERVER` env var overrides the path) and kills it on drop. Each
//! `Moto` is its own process, so parallel tests are isolated; [`Moto::reset`]
//! clears state within one.
//!
//! [`AwsEnv`] holds what a client needs to reach an endpoint (moto itself or
//! an [`IamProxy`](super::iam_proxy::IamProxy) in front of it): an SDK client
//! and the env vars for a spawned binary.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls;
use serde_json::{json, Value};
use tempfile::TempDir;

use super::iam_proxy::IamProxy;

/// moto's default account id.
pub const MOTO_ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// Endpoint + dummy credentials + empty AWS config files, for SDK clients
/// in-process and for spawned binaries.
#[derive(Clone)]
pub struct AwsEnv {
    endpoint: String,
    dir: Arc<TempDir>,
}

impl AwsEnv {
    pub fn new(endpoint: &str) -> AwsEnv {
        let dir = tempfile::Builder::new()
            .prefix("aws-env")
            .tempdir()
            .expect("temp dir");
        std::fs::write(dir.path().join("config"), "").unwrap();
        std::fs::write(dir.path().join("credentials"), "").unwrap();
        AwsEnv {
            endpoint: endpoint.to_string(),
            dir: Arc::new(dir),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The env vars a spawned binary needs to reach this endpoint and nothing else.
    pub fn vars(&self) -> Vec<(String, String)> {
        let file = |n: &str| self.dir.path().join(n).display().to_string();
        [
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", REGION.into()),
            ("AWS_DEFAULT_REGION", REGION.into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_CONFIG_FILE", file("config")),
            ("AWS_SHARED_CREDENTIALS_FILE", file("credentials")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Set [`vars`](Self::vars) on `cmd` and remove ambient AWS settings
    /// that could send it elsewhere.
    pub fn apply(&self, cmd: &mut Command) {
        for k in [
            "AWS_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ] {
            cmd.env_remove(k);
        }
        cmd.envs(self.vars());
    }

    /// SDK config for this endpoint: static dummy credentials, us-east-1,
    /// the rustls+ring HTTP client. Adjust (retries, timeouts) before building.
    pub fn iam_config_builder(&self) -> aws_sdk_iam::config::Builder {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "support-moto",
            ))
            .endpoint_url(&self.endpoint)
            .http_client(http)
    }

    /// A real IAM client for this endpoint (call inside a tokio runtime).
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::from_conf(self.iam_config_builder().build())
    }
}

/// A running `moto_server` process; killed on drop.
pub struct Moto {
    child: Child,
    port: u16,
    aws: AwsEnv,
    _log_dir: TempDir,
}

impl Moto {
    /// The server's process id (for CPU figures in the benchmarks).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Where `moto_server` is: `$MOTO_SERVER`, else `<repo>/.tools/venv/bin/moto_server`.
pub fn moto_server_path() -> PathBuf {
    match std::env::var_os("MOTO_SERVER") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/moto_server"),
    }
}

impl Moto {
    /// Start moto on a free loopback port and wait until it answers.
    /// Panics (never skips) if moto is not installed.
    pub fn start() -> Moto {
        Self::start_with(&moto_server_path())
    }

    /// Like [`start`](Self::start) with an explicit `moto_server` path.
    pub fn start_with(bin: &Path) -> Moto {
        assert!(
            bin.exists(),
            "moto_server not found at {}.\nRun `scripts/install-test-tools.sh` from the repo root \
             (or set MOTO_SERVER to a moto_server binary).",
            bin.display()
        );
        let mut last_err = String::new();
        for _ in 0..3 {
            match Self::try_start(bin) {
                Ok(m) => return m,
                Err(e) => last_err = e,
            }
        }
        panic!("moto_server did not start: {last_err}");
    }

    fn try_start(bin: &Path) -> Result<Moto, String> {
        let port = free_port();
        let log_dir = tempfile::Builder::new().prefix("moto").tempdir().unwrap();
        let log_path = log_dir.path().join("moto.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if raw_http(port, "GET", "/moto-api/data.json").is_ok() {
                break;
            }
            let log_text = || std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("moto_server exited with {status}:\n{}", log_text()));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "moto_server not answering on port {port}:\n{}",
                    log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let aws = AwsEnv::new(&format!("http://127.0.0.1:{port}"));
        Ok(Moto {
            child,
            port,
            aws,
            _log_dir: log_dir,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        self.aws.endpoint()
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    /// Endpoint settings pointing straight at moto.
    pub fn aws(&self) -> &AwsEnv {
        &self.aws
    }
    /// A real IAM client talking straight to moto.
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        self.aws.iam_client()
    }
    /// Env vars for a spawned binary talking straight to moto.
    pub fn env(&self) -> Vec<(String, String)> {
        self.aws.vars()
    }
    /// Clear all moto state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let (code, body) = raw_http(self.port, "POST", "/moto-api/reset").expect("moto reset");
        assert_eq!(code, 200, "moto reset failed: {body}");
    }
    /// Start a logging, fault-injecting proxy in front of this moto.
    pub fn proxy(&self) -> IamProxy {
        IamProxy::start(self.url())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

/// A blocking one-shot HTTP/1.1 request to 127.0.0.1:port; (status, body).
fn raw_http(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    let code = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad HTTP response: {buf:.200}")))?;
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((code, body))
}

// ---- IAM helpers -----------------------------------------------------------

/// `oidc.eks.us-east-1.amazonaws.com/id/ABC` from `https://oidc.eks.../id/ABC`.
pub fn issuer_host_path(issuer: &str) -> &str {
    issuer.trim_start_matches("https://").trim_end_matches('/')
}

/// The IRSA trust policy EKS documents for `system:serviceaccount:ns:sa`.
pub fn irsa_trust_policy(issuer: &str, ns: &str, sa: &str) -> Value {
    let hp = issuer_host_path(issuer);
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{hp}")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{hp}:sub"): format!("system:serviceaccount:{ns}:{sa}"),
                format!("{hp}:aud"): "sts.amazonaws.com",
            }}
        }]
    })
}

/// CreateOpenIDConnectProvider; returns the provider ARN.
pub async fn create_oidc_provider(
    iam: &aws_sdk_iam::Client,
    url: &str,
    client_ids: &[&str],
    thumbprint: &str,
) -> String {
    let mut req = iam
        .create_open_id_connect_provider()
        .url(url)
        .thumbprint_list(thumbprint);
    for id in client_ids {
        req = req.client_id_list(*id);
    }
    let out = req.send().await.expect("CreateOpenIDConnectProvider");
    out.open_id_connect_provider_arn()
        .expect("provider arn")
        .to_string()
}

/// CreateRole with `trust_policy`; returns the created role.
pub async fn create_role(
    iam: &aws_sdk_iam::Client,
    name: &str,
    trust_policy: &Value,
) -> aws_sdk_iam::types::Role {
    let out = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust_policy.to_string())
        .send()
        .await
        .expect("CreateRole");
    out.role().expect("role").clone()
}

/// Parse a policy document whether URL-encoded (GetRole, real AWS) or raw JSON.
pub fn decode_policy_document(doc: &str) -> Value {
    let decoded = if doc.trim_start().starts_with('{') {
        doc.to_string()
    } else {
        percent_encoding::percent_decode_str(doc)
            .decode_utf8()
            .expect("utf-8 policy")
            .into_owned()
    };
    serde_json::from_str(&decoded)
        .unwrap_or_else(|e| panic!("policy document is not JSON ({e}): {decoded}"))
}

// ---- EKS helpers -----------------------------------------------------------

/// CreateCluster on moto (set-up, straight to moto); returns the cluster's OIDC issuer.
pub async fn create_cluster(moto_url: &str, name: &str) -> String {
    let conf = aws_sdk_eks::Config::builder()
        .behavior_version(aws_sdk_eks::config::BehaviorVersion::latest())
        .region(aws_sdk_eks::config::Region::new(REGION))
        .credentials_provider(aws_sdk_eks::config::Credentials::new(
            "testing", "testing", None, None, "fake-eks",
        ))
        .endpoint_url(moto_url)
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .build();
    let eks = aws_sdk_eks::Client::from_conf(conf);
    let out = eks
        .create_cluster()
        .name(name)
        .role_arn(format!("arn:aws:iam::{MOTO_ACCOUNT}:role/eks-cluster"))
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder()
                .subnet_ids("subnet-1")
                .build(),
        )
        .send()
        .await
        .expect("CreateCluster on moto");
    let described = eks
        .describe_cluster()
        .name(name)
        .send()
        .await
        .expect("DescribeCluster");
    let _ = out;
    described
        .cluster()
        .and_then(|c| c.identity())
        .and_then(|i| i.oidc())
        .and_then(|o| o.issuer())
        .expect("moto's cluster has an OIDC issuer")
        .to_string()
}
