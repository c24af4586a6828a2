//! A logging, fault-injecting HTTP proxy in front of moto (IAM/STS Query
//! protocol). It records every call's `Action=` and parameters, so a test
//! can prove the code under test only read, and injects per-action faults:
//! throttling N times then pass-through, AccessDenied for one role, 500s,
//! delays. Injected errors use the Query protocol's XML error body and the
//! matching HTTP status.
//!
//! ```ignore
//! let moto = Moto::start();
//! let proxy = moto.proxy();
//! proxy.throttle("GetRole", 2);
//! proxy.deny_param("GetRole", "RoleName", "secret-role");
//! let iam = proxy.iam_client();          // or proxy.aws().apply(&mut cmd)
//! ...
//! proxy.assert_read_only();
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

use super::moto::AwsEnv;

/// One IAM/STS call as the proxy saw it.
#[derive(Clone, Debug)]
pub struct IamCall {
    pub action: String,
    /// Every form/query parameter except `Action` and `Version`.
    pub params: BTreeMap<String, String>,
    /// HTTP status returned to the client.
    pub status: u16,
    /// Whether the proxy answered itself (fault) instead of moto.
    pub injected: bool,
    /// When the request came in, and when its answer was ready.
    pub received: std::time::Instant,
    pub answered: std::time::Instant,
}

/// What an injected fault does.
#[derive(Clone, Debug)]
pub enum IamFaultKind {
    /// An IAM Query-protocol error response.
    Error {
        status: u16,
        code: String,
        message: String,
        sender: bool,
    },
    /// Sleep, then forward (or let a later Error fault answer).
    Delay(Duration),
}

#[derive(Clone, Debug)]
pub struct IamFault {
    /// `Action` to match, or `*` for all.
    pub action: String,
    /// Only when this parameter has this value (e.g. `RoleName`, `app`).
    pub when_param: Option<(String, String)>,
    /// Only when this parameter is present (e.g. `Marker`: a later page).
    pub when_present: Option<String>,
    pub kind: IamFaultKind,
    /// `None`: for ever; `Some(n)`: the next `n` matching calls.
    pub remaining: Option<usize>,
}

impl IamFault {
    pub fn error(action: &str, status: u16, code: &str, message: &str) -> IamFault {
        IamFault {
            action: action.into(),
            when_param: None,
            when_present: None,
            kind: IamFaultKind::Error {
                status,
                code: code.into(),
                message: message.into(),
                sender: status < 500,
            },
            remaining: None,
        }
    }
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        self
    }
    pub fn when(mut self, param: &str, value: &str) -> Self {
        self.when_param = Some((param.into(), value.into()));
        self
    }
    /// Only calls that carry `param` (any value), e.g. `Marker` for later pages.
    pub fn when_present(mut self, param: &str) -> Self {
        self.when_present = Some(param.into());
        self
    }
}

#[derive(Default)]
struct ProxyState {
    calls: Vec<IamCall>,
    faults: Vec<IamFault>,
}

struct Shared {
    upstream: String,
    client: Client<HttpConnector, Body>,
    state: Mutex<ProxyState>,
}

/// A running proxy; stops when dropped.
pub struct IamProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    aws: AwsEnv,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for IamProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The IAM Query protocol error body.
pub fn error_xml(code: &str, message: &str, sender: bool) -> String {
    let ty = if sender { "Sender" } else { "Receiver" };
    format!(
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>{ty}</Type>\
         <Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
}

fn parse_form(s: &str) -> BTreeMap<String, String> {
    let dec = |v: &str| {
        let v = v.replace('+', " ");
        percent_encoding::percent_decode_str(&v)
            .decode_utf8_lossy()
            .into_owned()
    };
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (dec(k), dec(v)),
            None => (dec(kv), String::new()),
        })
        .collect()
}

impl IamProxy {
    /// Proxy `127.0.0.1:<random>` → `upstream` (e.g. moto's URL).
    pub fn start(upstream: &str) -> IamProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("iam-proxy")
            .enable_all()
            .build()
            .expect("build proxy runtime");
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let _guard = runtime.enter();
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            state: Mutex::new(ProxyState::default()),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        drop(_guard);
        let aws = AwsEnv::new(&format!("http://{addr}"));
        IamProxy {
            addr,
            shared,
            aws,
            runtime: Some(runtime),
        }
    }

    fn state(&self) -> MutexGuard<'_, ProxyState> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Endpoint settings pointing at the proxy.
    pub fn aws(&self) -> &AwsEnv {
        &self.aws
    }
    /// A real IAM client that goes through the proxy.
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        self.aws.iam_client()
    }
    /// Env vars for a spawned binary that goes through the proxy.
    pub fn env(&self) -> Vec<(String, String)> {
        self.aws.vars()
    }

    pub fn calls(&self) -> Vec<IamCall> {
        self.state().calls.clone()
    }
    /// The `Action` of every call, in order.
    pub fn actions(&self) -> Vec<String> {
        self.state()
            .calls
            .iter()
            .map(|c| c.action.clone())
            .collect()
    }
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }
    /// Panics unless every call was a read (Get*, List*, Simulate*, GetCallerIdentity).
    pub fn assert_read_only(&self) {
        let writes: Vec<String> = self
            .actions()
            .into_iter()
            .filter(|a| !["Get", "List", "Simulate"].iter().any(|p| a.starts_with(p)))
            .collect();
        assert!(
            writes.is_empty(),
            "non-read IAM actions were sent: {writes:?}"
        );
    }

    pub fn inject(&self, fault: IamFault) {
        self.state().faults.push(fault);
    }
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }
    /// `Throttling` (HTTP 400) for the next `times` calls of `action`, then pass through.
    pub fn throttle(&self, action: &str, times: usize) {
        self.inject(IamFault::error(action, 400, "Throttling", "Rate exceeded").times(times));
    }
    /// `AccessDenied` (HTTP 403) for every call of `action`.
    pub fn deny(&self, action: &str) {
        self.inject(IamFault::error(
            action,
            403,
            "AccessDenied",
            &denied_message(action),
        ));
    }
    /// `AccessDenied` for calls of `action` whose `param` equals `value`,
    /// e.g. `deny_param("GetRole", "RoleName", "app")`.
    pub fn deny_param(&self, action: &str, param: &str, value: &str) {
        self.inject(
            IamFault::error(action, 403, "AccessDenied", &denied_message(action))
                .when(param, value),
        );
    }
    /// `ServiceFailure` (HTTP 500) for `action`, for ever or `times` times.
    pub fn fail_500(&self, action: &str, times: Option<usize>) {
        let mut f = IamFault::error(action, 500, "ServiceFailure", "Internal failure (injected)");
        f.remaining = times;
        self.inject(f);
    }
    /// Fail every later page of a paged `action` (calls with `Marker`) with
    /// `status` (`ServiceFailure` for 5xx, else `AccessDenied`): the list ends early.
    pub fn fail_later_pages(&self, action: &str, status: u16) {
        let f = if status >= 500 {
            IamFault::error(
                action,
                status,
                "ServiceFailure",
                "Internal failure (injected)",
            )
        } else {
            IamFault::error(action, status, "AccessDenied", &denied_message(action))
        };
        self.inject(f.when_present("Marker"));
    }
    /// Delay every call of `action` (e.g. past the client's timeout).
    pub fn delay(&self, action: &str, delay: Duration) {
        self.inject(IamFault {
            action: action.into(),
            when_param: None,
            when_present: None,
            kind: IamFaultKind::Delay(delay),
            remaining: None,
        });
    }
}

fn denied_message(action: &str) -> String {
    format!(
        "User: arn:aws:iam::123456789012:user/test is not authorized to perform: iam:{action} \
         because no identity-based policy allows the iam:{action} action"
    )
}

fn bad_gateway(msg: String) -> Response {
    (StatusCode::BAD_GATEWAY, msg).into_response()
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let received = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, 16 << 20).await {
        Ok(b) => b,
        Err(e) => return bad_gateway(format!("proxy: reading request body: {e}")),
    };
    let mut params = parse_form(parts.uri.query().unwrap_or(""));
    params.extend(parse_form(&String::from_utf8_lossy(&bytes)));
    let action = params.remove("Action").unwrap_or_default();
    params.remove("Version");

    // Pick faults under the lock; sleep without it.
    let (delay, error) = {
        let mut st = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut delay = Duration::ZERO;
        let mut error = None;
        for f in st.faults.iter_mut() {
            let matches = (f.action == "*" || f.action == action)
                && f.when_param
                    .as_ref()
                    .is_none_or(|(k, v)| params.get(k) == Some(v))
                && f.when_present
                    .as_ref()
                    .is_none_or(|k| params.contains_key(k))
                && f.remaining != Some(0);
            if !matches || error.is_some() {
                continue;
            }
            if let Some(n) = f.remaining.as_mut() {
                *n -= 1;
            }
            match &f.kind {
                IamFaultKind::Delay(d) => delay += *d,
                IamFaultKind::Error {
                    status,
                    code,
                    message,
                    sender,
                } => error = Some((*status, error_xml(code, message, *sender))),
            }
        }
        (delay, error)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let record = |status: u16, injected: bool| {
        let call = IamCall {
            action: action.clone(),
            params: params.clone(),
            status,
            injected,
            received,
            answered: std::time::Instant::now(),
        };
        shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .calls
            .push(call);
    };
    if let Some((status, xml)) = error {
        record(status, true);
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (code, [(header::CONTENT_TYPE, "text/xml")], xml).into_response();
    }

    let path_q = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let uri: Uri = match format!("{}{path_q}", shared.upstream).parse() {
        Ok(u) => u,
        Err(e) => return bad_gateway(format!("proxy: bad upstream uri: {e}")),
    };
    let mut up = axum::http::Request::builder().method(parts.method).uri(uri);
    for (k, v) in parts.headers.iter() {
        up = up.header(k, v);
    }
    let up = up.body(Body::from(bytes)).expect("upstream request");
    match shared.client.request(up).await {
        Ok(resp) => {
            record(resp.status().as_u16(), false);
            let (p, b) = resp.into_parts();
            Response::from_parts(p, Body::new(b))
        }
        Err(e) => {
            record(502, true);
            bad_gateway(format!("proxy: upstream {}: {e}", shared.upstream))
        }
    }
}
