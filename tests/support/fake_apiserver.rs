//! A fake Kubernetes API server at the HTTP level.
//!
//! It listens on `127.0.0.1:<random port>` and runs on its own background
//! tokio runtime, so synchronous tests, `#[tokio::test]`s and tests that spawn
//! the real binary can all use it. Seed it with [`FakeCluster`], start it with
//! [`FakeCluster::start`], then talk to it through [`FakeApiServer::client`]
//! or a kubeconfig from [`FakeApiServer::kubeconfig`].
//!
//! ```ignore
//! let server = FakeCluster::new()
//!     .issuer("https://oidc.eks.us-east-1.amazonaws.com/id/ABC")
//!     .service_account(objects::annotated_service_account("edp", "app", ARN))
//!     .pod(objects::mutated_pod("edp", "app-1", "app", ARN))
//!     .webhook(objects::pod_identity_webhook())
//!     .start();
//! server.fail("/api/v1/pods", 403);
//! // ... run the code under test ...
//! server.assert_only_gets();
//! ```
//!
//! Routing, paging and Status bodies live in `fake_routes.rs`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};
use serde::Serialize;
use serde_json::Value;

pub use super::fake_faults::{Fault, FaultAction};
use super::fake_routes::{self, ResourceKind, KINDS};
use super::kubeconfig::{self, KubeconfigFile, KubeconfigOptions};
use super::objects;

/// The bearer token the fake server accepts (and generated kubeconfigs carry).
pub const VALID_TOKEN: &str = "fake-valid-token";
/// A token the fake server answers with 401 Unauthorized.
pub const EXPIRED_TOKEN: &str = "fake-expired-token";
/// Default OIDC issuer.
pub const DEFAULT_ISSUER: &str =
    "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/// One request as the fake server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Raw query string (still percent-encoded), if any.
    pub query: Option<String>,
    /// The bearer token sent, if any.
    pub bearer: Option<String>,
}

impl RecordedRequest {
    /// `path?query` or `path`.
    pub fn uri(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

pub(crate) struct State {
    pub issuer: String,
    pub token: String,
    pub git_version: String,
    /// kind index in [`KINDS`] → (namespace, name) → object JSON.
    pub objects: BTreeMap<usize, BTreeMap<(String, String), Value>>,
    pub resource_version: u64,
    pub faults: Vec<Fault>,
    pub page_size_cap: Option<usize>,
    pub log: Vec<RecordedRequest>,
    /// OpenReports objects written by server-side apply (`fake_writes.rs`).
    pub reports: BTreeMap<super::fake_writes::ReportKey, Value>,
}

impl State {
    fn insert_value(&mut self, kind_idx: usize, mut value: Value) {
        let kind: &ResourceKind = &KINDS[kind_idx];
        self.resource_version += 1;
        let meta = value
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            .expect("object has metadata");
        let name = meta
            .get("name")
            .and_then(Value::as_str)
            .expect("metadata.name")
            .to_string();
        let ns = meta
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        assert_eq!(
            kind.namespaced,
            !ns.is_empty(),
            "{}: namespace set iff namespaced",
            kind.plural
        );
        meta.entry("resourceVersion")
            .or_insert(self.resource_version.to_string().into());
        meta.entry("uid")
            .or_insert(objects::uid_for(kind.kind, &ns, &name).into());
        meta.entry("creationTimestamp")
            .or_insert("2024-01-01T00:00:00Z".into());
        if !ns.is_empty() {
            self.ensure_namespace(&ns);
        }
        self.objects
            .entry(kind_idx)
            .or_default()
            .insert((ns, name), value);
    }

    fn ensure_namespace(&mut self, ns: &str) {
        let idx = kind_index(Namespace::API_VERSION, Namespace::URL_PATH_SEGMENT);
        let exists = self
            .objects
            .get(&idx)
            .is_some_and(|m| m.contains_key(&(String::new(), ns.to_string())));
        if !exists {
            let v = serde_json::to_value(objects::namespace(ns)).unwrap();
            self.insert_value(idx, v);
        }
    }
}

fn kind_index(api_version: &str, plural: &str) -> usize {
    KINDS
        .iter()
        .position(|k| k.api_version == api_version && k.plural == plural)
        .unwrap_or_else(|| panic!("fake apiserver does not serve {api_version} {plural}"))
}

fn to_entry<K>(obj: K) -> (usize, Value)
where
    K: Resource + Metadata<Ty = ObjectMeta> + Serialize,
{
    let idx = kind_index(K::API_VERSION, K::URL_PATH_SEGMENT);
    (
        idx,
        serde_json::to_value(obj).expect("serialise k8s object"),
    )
}

/// Builder for the fake cluster's initial state.
pub struct FakeCluster {
    state: State,
}

impl Default for FakeCluster {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeCluster {
    pub fn new() -> Self {
        FakeCluster {
            state: State {
                issuer: DEFAULT_ISSUER.to_string(),
                token: VALID_TOKEN.to_string(),
                git_version: "v1.31.4-eks-2d5f260".to_string(),
                objects: BTreeMap::new(),
                resource_version: 1000,
                faults: Vec::new(),
                page_size_cap: None,
                log: Vec::new(),
                reports: BTreeMap::new(),
            },
        }
    }

    /// The OIDC issuer served at `/.well-known/openid-configuration`.
    pub fn issuer(mut self, url: &str) -> Self {
        self.state.issuer = url.to_string();
        self
    }
    /// `gitVersion` served at `/version` (e.g. `v1.31.4-eks-2d5f260`).
    pub fn version(mut self, git_version: &str) -> Self {
        self.state.git_version = git_version.to_string();
        self
    }
    /// Add an (empty) namespace. Namespaced objects add theirs automatically.
    pub fn namespace(mut self, name: &str) -> Self {
        self.state.ensure_namespace(name);
        self
    }
    /// Add any object kind the server serves (see `fake_routes::KINDS`).
    pub fn object<K>(mut self, obj: K) -> Self
    where
        K: Resource + Metadata<Ty = ObjectMeta> + Serialize,
    {
        let (idx, v) = to_entry(obj);
        self.state.insert_value(idx, v);
        self
    }
    pub fn service_account(self, sa: ServiceAccount) -> Self {
        self.object(sa)
    }
    pub fn pod(self, pod: Pod) -> Self {
        self.object(pod)
    }
    pub fn deployment(self, d: Deployment) -> Self {
        self.object(d)
    }
    pub fn replica_set(self, rs: ReplicaSet) -> Self {
        self.object(rs)
    }
    pub fn stateful_set(self, s: StatefulSet) -> Self {
        self.object(s)
    }
    pub fn daemon_set(self, d: DaemonSet) -> Self {
        self.object(d)
    }
    pub fn webhook(self, w: MutatingWebhookConfiguration) -> Self {
        self.object(w)
    }
    /// Add a Deployment → ReplicaSet → Pod chain (see [`objects::deployment_chain`]).
    pub fn deployment_chain(self, chain: (Deployment, ReplicaSet, Pod)) -> Self {
        self.object(chain.0).object(chain.1).object(chain.2)
    }
    /// Add a fault from the start (see [`FakeApiServer::fail`]).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.state.faults.push(fault);
        self
    }
    /// Cap every list page at `n` items (see [`FakeApiServer::set_page_size_cap`]).
    pub fn page_size_cap(mut self, n: usize) -> Self {
        self.state.page_size_cap = Some(n);
        self
    }

    /// Bind `127.0.0.1:0` and serve on a background runtime.
    pub fn start(self) -> FakeApiServer {
        let shared = Arc::new(Mutex::new(self.state));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fake-apiserver")
            .enable_all()
            .build()
            .expect("build fake apiserver runtime");
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let app = axum::Router::new()
            .fallback(fake_routes::handle)
            .with_state(shared.clone());
        {
            let _guard = runtime.enter();
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            runtime.spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
        }
        FakeApiServer {
            addr,
            shared,
            runtime: Some(runtime),
        }
    }
}

/// A running fake API server. Stops when dropped.
pub struct FakeApiServer {
    addr: SocketAddr,
    shared: Arc<Mutex<State>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl FakeApiServer {
    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    pub fn issuer(&self) -> String {
        self.state().issuer.clone()
    }

    /// Write a kubeconfig (valid token, context `fake`) for this server.
    pub fn kubeconfig(&self) -> KubeconfigFile {
        kubeconfig::write_kubeconfig(&self.url())
    }
    pub fn kubeconfig_with(&self, opts: &KubeconfigOptions) -> KubeconfigFile {
        kubeconfig::write_kubeconfig_with(&self.url(), opts)
    }
    /// A `kube::Client` for this server (call inside a tokio runtime).
    pub async fn client(&self) -> kube::Client {
        self.kubeconfig().client().await
    }

    /// Add or replace an object while the server runs.
    pub fn insert<K>(&self, obj: K)
    where
        K: Resource + Metadata<Ty = ObjectMeta> + Serialize,
    {
        let (idx, v) = to_entry(obj);
        self.state().insert_value(idx, v);
    }

    /// Add a fault.
    pub fn inject(&self, fault: Fault) {
        self.state().faults.push(fault);
    }
    /// Answer `status` (401, 403, 404, 409, 410, 429, 500, 503, ...) with a
    /// proper Status body for every request under `path_prefix`.
    pub fn fail(&self, path_prefix: &str, status: u16) {
        self.inject(Fault::new(path_prefix, FaultAction::Status(status)));
    }
    /// Like [`fail`](Self::fail), for the next `times` matching requests only.
    pub fn fail_times(&self, path_prefix: &str, status: u16, times: usize) {
        self.inject(Fault::new(path_prefix, FaultAction::Status(status)).times(times));
    }
    /// Like [`fail`](Self::fail), but only for later pages of a list (requests
    /// with a `continue` token): the list ends early. 410 answers Kubernetes'
    /// "continue parameter is too old" Status.
    pub fn fail_later_pages(&self, path_prefix: &str, status: u16) {
        self.inject(Fault::new(path_prefix, FaultAction::Status(status)).later_pages());
    }
    /// Drop the connection in the middle of every response under `path_prefix`.
    pub fn reset(&self, path_prefix: &str) {
        self.inject(Fault::new(path_prefix, FaultAction::Reset));
    }
    /// Like [`reset`](Self::reset), only for later pages of a list.
    pub fn reset_later_pages(&self, path_prefix: &str) {
        self.inject(Fault::new(path_prefix, FaultAction::Reset).later_pages());
    }
    /// Delay every response under `path_prefix`.
    pub fn delay(&self, path_prefix: &str, delay: Duration) {
        self.inject(Fault::new(path_prefix, FaultAction::Delay(delay)));
    }
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }
    /// Cap list pages at `n` items even when the client asks for more (or
    /// sends no `limit`), forcing `continue` paging. `None` removes the cap.
    pub fn set_page_size_cap(&self, n: Option<usize>) {
        self.state().page_size_cap = n;
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().log.clone()
    }
    /// `METHOD path?query` for every request so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.uri()))
            .collect()
    }
    pub fn clear_requests(&self) {
        self.state().log.clear();
    }
    /// The OpenReports objects applied so far, by (plural, namespace, name).
    pub fn applied_reports(&self) -> BTreeMap<super::fake_writes::ReportKey, Value> {
        self.state().reports.clone()
    }
    /// Panics unless every request so far was a GET, or a server-side apply of an OpenReports
    /// report (the one write `doctor --apply-reports` makes).
    pub fn assert_only_gets_and_report_applies(&self) {
        let bad: Vec<String> = self
            .requests()
            .iter()
            .filter(|r| {
                r.method != "GET"
                    && !(r.method == "PATCH" && super::fake_writes::report_path(&r.path).is_some())
            })
            .map(|r| format!("{} {}", r.method, r.uri()))
            .collect();
        assert!(bad.is_empty(), "writes other than report applies: {bad:#?}");
    }
    /// Panics unless every request so far was a GET.
    pub fn assert_only_gets(&self) {
        let bad: Vec<String> = self
            .request_lines()
            .into_iter()
            .filter(|l| !l.starts_with("GET "))
            .collect();
        assert!(
            bad.is_empty(),
            "non-GET requests reached the fake apiserver: {bad:#?}"
        );
    }
}
