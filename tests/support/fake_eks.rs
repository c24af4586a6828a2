//! EKS for tests: moto serves `CreateCluster`/`DescribeCluster` but has no Pod Identity API, so
//! this HTTP-level fake serves `ListPodIdentityAssociations` (`GET
//! /clusters/{name}/pod-identity-associations`, paged by `maxResults`/`nextToken`) and
//! `DescribePodIdentityAssociation` (`GET …/{associationId}`) with the EKS API reference's JSON
//! shapes, and forwards every other request to moto. Point a binary at it with
//! `AWS_ENDPOINT_URL_EKS`. It logs every call (operation, method, status) so a test can prove
//! doctor only read, and injects REST-JSON errors (`x-amzn-ErrorType` + `{"message"}`) per
//! operation.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

use super::moto::{MOTO_ACCOUNT, REGION};

/// One association as the fake stores it.
#[derive(Clone, Debug)]
pub struct FakeAssociation {
    pub cluster: String,
    pub id: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub disable_session_tags: bool,
    /// Epoch seconds.
    pub created_at: f64,
}

impl FakeAssociation {
    fn arn(&self) -> String {
        format!(
            "arn:aws:eks:{REGION}:{MOTO_ACCOUNT}:podidentityassociation/{}/{}",
            self.cluster, self.id
        )
    }

    fn summary(&self) -> Value {
        json!({"clusterName": self.cluster, "namespace": self.namespace,
            "serviceAccount": self.service_account, "associationArn": self.arn(),
            "associationId": self.id})
    }

    fn full(&self) -> Value {
        json!({"clusterName": self.cluster, "namespace": self.namespace,
            "serviceAccount": self.service_account, "roleArn": self.role_arn,
            "associationArn": self.arn(), "associationId": self.id, "tags": {},
            "createdAt": self.created_at, "modifiedAt": self.created_at,
            "disableSessionTags": self.disable_session_tags})
    }
}

#[derive(Clone, Debug)]
pub struct EksCall {
    pub operation: String,
    pub method: String,
    pub path: String,
    pub status: u16,
}

#[derive(Clone, Debug)]
struct EksFault {
    operation: String,
    status: u16,
    code: String,
    remaining: Option<usize>,
}

#[derive(Default)]
struct FakeState {
    associations: Vec<FakeAssociation>,
    calls: Vec<EksCall>,
    faults: Vec<EksFault>,
    page_size: usize,
}

struct Shared {
    upstream: String,
    client: Client<HttpConnector, Body>,
    state: Mutex<FakeState>,
}

/// A running fake; stops when dropped.
pub struct FakeEks {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FakeEks {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The EKS operation of a REST path.
fn operation(method: &Method, path: &str) -> String {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["clusters"]) => "ListClusters".into(),
        ("POST", ["clusters"]) => "CreateCluster".into(),
        ("GET", ["clusters", _]) => "DescribeCluster".into(),
        ("GET", ["clusters", _, "pod-identity-associations"]) => {
            "ListPodIdentityAssociations".into()
        }
        ("GET", ["clusters", _, "pod-identity-associations", _]) => {
            "DescribePodIdentityAssociation".into()
        }
        (m, _) => format!("{m} {path}"),
    }
}

impl FakeEks {
    /// Serve on `127.0.0.1:<random>`, forwarding what it does not serve to `upstream` (moto).
    pub fn start(upstream: &str) -> FakeEks {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fake-eks")
            .enable_all()
            .build()
            .expect("build fake EKS runtime");
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let _guard = runtime.enter();
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            state: Mutex::new(FakeState {
                page_size: 100,
                ..Default::default()
            }),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        drop(_guard);
        FakeEks {
            addr,
            shared,
            runtime: Some(runtime),
        }
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Add an association (created "now" unless `created_at` is set later); returns its id.
    pub fn associate(&self, cluster: &str, ns: &str, sa: &str, role_arn: &str) -> String {
        let mut st = self.state();
        let id = format!("a-{:017}", st.associations.len() + 1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        st.associations.push(FakeAssociation {
            cluster: cluster.into(),
            id: id.clone(),
            namespace: ns.into(),
            service_account: sa.into(),
            role_arn: role_arn.into(),
            disable_session_tags: false,
            created_at: now,
        });
        id
    }

    /// Change a stored association (its creation time, session tags...).
    pub fn edit(&self, id: &str, f: impl FnOnce(&mut FakeAssociation)) {
        let mut st = self.state();
        if let Some(a) = st.associations.iter_mut().find(|a| a.id == id) {
            f(a);
        }
    }

    /// Items per ListPodIdentityAssociations page (at most `maxResults`).
    pub fn page_size(&self, n: usize) {
        self.state().page_size = n.max(1);
    }

    /// A REST-JSON error for `operation` (`ListPodIdentityAssociations`...), `times` or for ever.
    pub fn fail(&self, operation: &str, status: u16, code: &str, times: Option<usize>) {
        self.state().faults.push(EksFault {
            operation: operation.into(),
            status,
            code: code.into(),
            remaining: times,
        });
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    pub fn calls(&self) -> Vec<EksCall> {
        self.state().calls.clone()
    }

    pub fn count(&self, operation: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.operation == operation)
            .count()
    }

    /// Panics unless every call was a GET of a Describe*/List*/Get* operation.
    pub fn assert_read_only(&self) {
        let writes: Vec<EksCall> = self
            .calls()
            .into_iter()
            .filter(|c| {
                c.method != "GET"
                    || !["Describe", "List", "Get"]
                        .iter()
                        .any(|p| c.operation.starts_with(p))
            })
            .collect();
        assert!(writes.is_empty(), "non-read EKS calls: {writes:?}");
    }
}

fn json_response(status: u16, body: Value, error_type: Option<&str>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if let Some(t) = error_type.and_then(|t| t.parse().ok()) {
        resp.headers_mut().insert("x-amzn-ErrorType", t);
    }
    resp
}

fn query(uri: &Uri, key: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// Serve a Pod Identity call, or `None` to forward the request.
fn serve(st: &FakeState, op: &str, uri: &Uri) -> Option<Response> {
    let parts: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let not_found = |what: String| {
        json_response(
            404,
            json!({"message": what}),
            Some("ResourceNotFoundException"),
        )
    };
    match op {
        "ListPodIdentityAssociations" => {
            let cluster = parts[1];
            let all: Vec<&FakeAssociation> = st
                .associations
                .iter()
                .filter(|a| a.cluster == cluster)
                .collect();
            let max = query(uri, "maxResults")
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(100)
                .clamp(1, 100)
                .min(st.page_size);
            let start = match query(uri, "nextToken") {
                None => 0,
                Some(t) => match t.strip_prefix("page-").and_then(|n| n.parse().ok()) {
                    Some(n) => n,
                    None => {
                        return Some(json_response(
                            400,
                            json!({"message": "invalid nextToken"}),
                            Some("InvalidParameterException"),
                        ))
                    }
                },
            };
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take(max)
                .map(|a| a.summary())
                .collect();
            let mut body = json!({ "associations": page });
            if start + max < all.len() {
                body["nextToken"] = json!(format!("page-{}", start + max));
            }
            Some(json_response(200, body, None))
        }
        "DescribePodIdentityAssociation" => {
            let (cluster, id) = (parts[1], parts[3]);
            Some(
                match st
                    .associations
                    .iter()
                    .find(|a| a.cluster == cluster && a.id == id)
                {
                    Some(a) => json_response(200, json!({ "association": a.full() }), None),
                    None => not_found(format!("No Pod Identity Association found for {id}")),
                },
            )
        }
        _ => None,
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let op = operation(&parts.method, parts.uri.path());
    let record = |status: u16| {
        shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .calls
            .push(EksCall {
                operation: op.clone(),
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                status,
            });
    };
    let answered = {
        let mut st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let fault = st
            .faults
            .iter_mut()
            .find(|f| f.operation == op && f.remaining != Some(0))
            .map(|f| {
                if let Some(n) = f.remaining.as_mut() {
                    *n -= 1;
                }
                f.clone()
            });
        match fault {
            Some(f) => Some((
                f.status,
                json_response(
                    f.status,
                    json!({"message": format!("{} (injected)", f.code)}),
                    Some(&f.code),
                ),
            )),
            None => serve(&st, &op, &parts.uri).map(|r| (r.status().as_u16(), r)),
        }
    };
    if let Some((status, resp)) = answered {
        record(status);
        return resp;
    }
    let bytes = match axum::body::to_bytes(body, 16 << 20).await {
        Ok(b) => b,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let path_q = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let uri: Uri = match format!("{}{path_q}", shared.upstream).parse() {
        Ok(u) => u,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let mut up = axum::http::Request::builder()
        .method(parts.method.clone())
        .uri(uri);
    for (k, v) in parts.headers.iter() {
        up = up.header(k, v);
    }
    match shared
        .client
        .request(up.body(Body::from(bytes)).expect("request"))
        .await
    {
        Ok(resp) => {
            record(resp.status().as_u16());
            let (p, b) = resp.into_parts();
            Response::from_parts(p, Body::new(b))
        }
        Err(e) => {
            record(502);
            (StatusCode::BAD_GATEWAY, format!("fake EKS: upstream: {e}")).into_response()
        }
    }
}
