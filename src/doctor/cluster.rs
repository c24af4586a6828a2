//! The Kubernetes side: connect from a kubeconfig and take a read-only, paged snapshot.

use std::time::Duration;

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::{DaemonSet, ReplicaSet};
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use kube::api::{Api, ListParams, ObjectList, PartialObjectMeta};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde::de::DeserializeOwned;

use super::fault::Fault;

/// Items per list page.
const PAGE: u32 = 250;
/// A guard against a server that never stops handing out continue tokens.
const MAX_PAGES: usize = 10_000;

/// What doctor read from the cluster. `None` means the list failed (a fault says why).
#[derive(Default)]
pub struct Snapshot {
    pub issuer: Option<String>,
    pub namespaces: Option<Vec<Namespace>>,
    pub service_accounts: Option<Vec<ServiceAccount>>,
    pub pods: Option<Vec<Pod>>,
    /// Only their metadata: a pod's ReplicaSet names its Deployment in its owner references.
    pub replica_sets: Option<Vec<PartialObjectMeta<ReplicaSet>>>,
    pub daemon_sets: Option<Vec<DaemonSet>>,
    pub webhooks: Option<Vec<MutatingWebhookConfiguration>>,
    pub faults: Vec<Fault>,
    /// True when the API server answered at least one request.
    pub reachable: bool,
    /// Only this namespace was read.
    pub namespace: Option<String>,
}

/// Parse kubectl-style durations: `30s`, `1m`, `500ms`, `2h`, or plain seconds. `0` means none.
pub fn parse_timeout(s: &str) -> Result<Option<Duration>, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid --request-timeout `{s}`; use e.g. 30s, 1m or 500ms"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(format!(
                "invalid --request-timeout unit in `{s}`; use ms, s, m or h"
            ))
        }
    };
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

/// A client from `--kubeconfig`, else `KUBECONFIG`/`~/.kube/config`, else the in-cluster config.
pub async fn connect(
    kubeconfig: Option<&std::path::Path>,
    context: Option<&str>,
    timeout: Option<Duration>,
) -> Result<Client, String> {
    let kubeconfig = read_kubeconfig(kubeconfig)?;
    connect_to(kubeconfig, context.map(str::to_string), timeout).await
}

/// The kubeconfig doctor would use: `--kubeconfig`, else `KUBECONFIG`/`~/.kube/config`; `None`
/// when there is none (then the in-cluster config is used).
pub fn read_kubeconfig(path: Option<&std::path::Path>) -> Result<Option<Kubeconfig>, String> {
    Ok(match path {
        Some(path) => Some(
            Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read kubeconfig {}: {e}; pass an existing file with --kubeconfig or set KUBECONFIG", path.display()))?,
        ),
        None => Kubeconfig::read().ok(),
    })
}

/// A client for one context of `kubeconfig` (its current context when `None`), or in-cluster.
pub async fn connect_to(
    kubeconfig: Option<Kubeconfig>,
    context: Option<String>,
    timeout: Option<Duration>,
) -> Result<Client, String> {
    let opts = KubeConfigOptions {
        context,
        ..Default::default()
    };
    let mut config = match kubeconfig {
        Some(kc) => Config::from_custom_kubeconfig(kc, &opts)
            .await
            .map_err(|e| format!("cannot use the kubeconfig: {e}; check --context (`kubectl config get-contexts` lists them)"))?,
        None => Config::incluster().map_err(|e| {
            if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
                format!("cannot use the in-cluster config (KUBERNETES_SERVICE_HOST is set): {e}; is the ServiceAccount token mounted (automountServiceAccountToken)?")
            } else {
                "no kubeconfig found (set --kubeconfig or KUBECONFIG) and not running in a cluster"
                    .to_string()
            }
        })?,
    };
    config.connect_timeout = timeout;
    config.read_timeout = timeout;
    config.write_timeout = timeout;
    Client::try_from(config).map_err(|e| format!("cannot build a Kubernetes client: {e}"))
}

/// Told what the snapshot reads as it arrives, so that lookups elsewhere (IAM) can start while
/// the rest is still being read.
pub trait Prefetch: Sync {
    /// The issuer is known (the server's, or `--issuer`), before any list.
    fn issuer(&self, issuer: &str);
    /// One page of the ServiceAccount list; the list may still fail on a later page.
    fn service_accounts(&self, issuer: Option<&str>, page: &[ServiceAccount]);
}

/// No prefetching.
pub struct NoPrefetch;

impl Prefetch for NoPrefetch {
    fn issuer(&self, _: &str) {}
    fn service_accounts(&self, _: Option<&str>, _: &[ServiceAccount]) {}
}

/// Read everything doctor needs. Each failure becomes a fault; nothing here panics.
pub async fn snapshot(
    client: &Client,
    namespace: Option<&str>,
    issuer: Option<&str>,
    prefetch: &dyn Prefetch,
) -> Snapshot {
    let mut snap = Snapshot {
        namespace: namespace.map(str::to_string),
        ..Default::default()
    };
    // The issuer first: it also tells whether the server is reachable and the token accepted.
    match fetch_issuer(client).await {
        Ok(found) => {
            snap.reachable = true;
            snap.issuer = Some(issuer.map_or(found, str::to_string));
        }
        Err(e) => {
            if e.fatal() {
                snap.faults
                    .push(e.into_fault("Cluster", None, "*", "reach the API server"));
                return snap;
            }
            snap.reachable = e.answered();
            match issuer {
                Some(i) => snap.issuer = Some(i.to_string()),
                None => snap.faults.push(e.into_fault(
                    "Cluster",
                    None,
                    "issuer",
                    "get /.well-known/openid-configuration (or pass --issuer)",
                )),
            }
        }
    }
    let known = snap.issuer.clone();
    if let Some(i) = &known {
        prefetch.issuer(i);
    }
    let on_sas = |page: &[ServiceAccount]| prefetch.service_accounts(known.as_deref(), page);
    let ns = namespace;
    let replica_sets: Api<ReplicaSet> = scoped(client, ns);
    let (namespaces, sas, pods, rss, dss, hooks) = futures::join!(
        list::<Namespace>(Api::all(client.clone()), "namespaces", ignore),
        list::<ServiceAccount>(scoped(client, ns), "serviceaccounts", on_sas),
        list::<Pod>(scoped(client, ns), "pods", ignore),
        pages("list replicasets", ignore, |lp| {
            let api = &replica_sets;
            async move { api.list_metadata(&lp).await }
        }),
        list::<DaemonSet>(scoped(client, ns), "daemonsets", ignore),
        list::<MutatingWebhookConfiguration>(
            Api::all(client.clone()),
            "mutatingwebhookconfigurations",
            ignore
        ),
    );
    snap.namespaces = keep(namespaces, &mut snap, "Namespace", None);
    snap.service_accounts = keep(sas, &mut snap, "ServiceAccount", ns);
    snap.pods = keep(pods, &mut snap, "Pod", ns);
    snap.replica_sets = keep(rss, &mut snap, "ReplicaSet", ns);
    snap.daemon_sets = keep(dss, &mut snap, "DaemonSet", ns);
    snap.webhooks = keep(hooks, &mut snap, "MutatingWebhookConfiguration", None);
    snap
}

fn keep<T>(
    result: Result<Vec<T>, (KubeError, String)>,
    snap: &mut Snapshot,
    kind: &str,
    ns: Option<&str>,
) -> Option<Vec<T>> {
    match result {
        Ok(items) => {
            snap.reachable = true;
            Some(items)
        }
        Err((e, verb)) => {
            snap.reachable |= e.answered();
            snap.faults.push(e.into_fault(kind, ns, "*", &verb));
            None
        }
    }
}

/// A failed Kubernetes request, classified.
pub struct KubeError {
    pub code: Option<u16>,
    pub message: String,
}

impl KubeError {
    fn from_kube(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(status) => KubeError {
                code: Some(status.code),
                message: status.message.clone(),
            },
            other => KubeError {
                code: None,
                message: other.to_string(),
            },
        }
    }

    /// The server did not answer at all, or rejected the credentials: nothing else will work.
    fn fatal(&self) -> bool {
        matches!(self.code, None | Some(401))
    }

    fn answered(&self) -> bool {
        self.code.is_some_and(|c| c != 401)
    }

    fn reason(&self) -> String {
        match self.code {
            Some(401) => format!(
                "the API server rejected the kubeconfig credentials (401 Unauthorized; an expired token?): {}",
                self.message
            ),
            Some(403) => format!("forbidden by RBAC (403): {}", self.message),
            Some(410) => format!(
                "the list expired while paging (410 Gone: the continue token is too old; the cluster changed or the list was slow), run doctor again: {}",
                self.message
            ),
            Some(404) => format!(
                "the API is not served (404: a missing API group or CRD): {}",
                self.message
            ),
            Some(c) if c >= 500 => format!("the API server failed ({c}): {}", self.message),
            Some(c) => format!("the API server answered {c}: {}", self.message),
            None => format!(
                "the API server could not be reached or the connection broke (timeout, connection reset): {}",
                self.message
            ),
        }
    }

    fn into_fault(self, kind: &str, ns: Option<&str>, name: &str, permission: &str) -> Fault {
        let scope = match ns {
            Some(n) => format!(" in namespace {n}"),
            None => String::new(),
        };
        Fault::new(
            kind,
            ns,
            name,
            format!("{permission}{scope}"),
            self.reason(),
        )
    }
}

pub async fn fetch_issuer(client: &Client) -> Result<String, KubeError> {
    let req = http::Request::get("/.well-known/openid-configuration")
        .body(Vec::new())
        .map_err(|e| KubeError {
            code: None,
            message: e.to_string(),
        })?;
    let text = client
        .request_text(req)
        .await
        .map_err(KubeError::from_kube)?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| KubeError {
        code: Some(200),
        message: format!("the discovery document is not JSON: {e}"),
    })?;
    doc.get("issuer")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| KubeError {
            code: Some(200),
            message: "the discovery document has no `issuer`".into(),
        })
}

fn ignore<K>(_: &[K]) {}

/// List every page of a resource; a failure on any page fails the whole list (no partial data).
/// `on_page` sees each page as it arrives.
async fn list<K>(
    api: Api<K>,
    plural: &str,
    on_page: impl Fn(&[K]),
) -> Result<Vec<K>, (KubeError, String)>
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    pages(&format!("list {plural}"), on_page, |lp| {
        let api = &api;
        async move { api.list(&lp).await }
    })
    .await
}

/// Every page `fetch` gives, following continue tokens.
async fn pages<T, Fut>(
    verb: &str,
    on_page: impl Fn(&[T]),
    fetch: impl Fn(ListParams) -> Fut,
) -> Result<Vec<T>, (KubeError, String)>
where
    T: Clone,
    Fut: std::future::Future<Output = kube::Result<ObjectList<T>>>,
{
    let verb = verb.to_string();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for n in 1..=MAX_PAGES {
        let mut lp = ListParams::default().limit(PAGE);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = fetch(lp).await.map_err(|e| {
            let mut e = KubeError::from_kube(e);
            if n > 1 {
                // A later page failed: say so, and that the first pages were not used.
                e.message = format!(
                    "{} (page {n}, after {} items; the partial list was discarded)",
                    e.message,
                    out.len()
                );
            }
            (e, verb.clone())
        })?;
        on_page(&page.items);
        out.extend(page.items);
        match page.metadata.continue_ {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(out),
        }
    }
    Err((
        KubeError {
            code: None,
            message: format!("more than {MAX_PAGES} pages; gave up"),
        },
        verb,
    ))
}

/// One namespace, or all of them.
fn scoped<K>(client: &Client, ns: Option<&str>) -> Api<K>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>,
{
    match ns {
        Some(n) => Api::namespaced(client.clone(), n),
        None => Api::all(client.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("30s"), Ok(Some(Duration::from_secs(30))));
        assert_eq!(parse_timeout("2m"), Ok(Some(Duration::from_secs(120))));
        assert_eq!(parse_timeout("500ms"), Ok(Some(Duration::from_millis(500))));
        assert_eq!(parse_timeout("7"), Ok(Some(Duration::from_secs(7))));
        assert_eq!(parse_timeout("0"), Ok(None));
        assert!(parse_timeout("soon").is_err());
        assert!(parse_timeout("5d").is_err());
    }
}
