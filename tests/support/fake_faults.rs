//! Faults for the fake API server: what a fault does, which requests it hits (all, or only the
//! later pages of a list), and the answers it produces (a Status, or a dropped connection).

use std::time::Duration;

use axum::http::header;
use axum::response::Response;

/// What an injected fault does.
#[derive(Clone, Debug)]
pub enum FaultAction {
    /// Answer with this HTTP status and a matching `metav1.Status` body.
    Status(u16),
    /// Sleep this long, then handle the request normally (or let a later
    /// Status fault answer).
    Delay(Duration),
    /// Start a 200 response, send part of the body, then drop the connection.
    Reset,
}

/// A fault for every request whose path starts with `path_prefix`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub path_prefix: String,
    pub action: FaultAction,
    /// `None`: for ever; `Some(n)`: the next `n` matching requests only.
    pub remaining: Option<usize>,
    /// Only requests that carry a `continue` token: a later page of a list.
    pub later_pages_only: bool,
}

impl Fault {
    pub fn new(path_prefix: &str, action: FaultAction) -> Fault {
        Fault {
            path_prefix: path_prefix.into(),
            action,
            remaining: None,
            later_pages_only: false,
        }
    }
    /// The next `n` matching requests only.
    pub fn times(mut self, n: usize) -> Fault {
        self.remaining = Some(n);
        self
    }
    /// Only pages after the first (requests with `continue`).
    pub fn later_pages(mut self) -> Fault {
        self.later_pages_only = true;
        self
    }
}

pub(crate) enum Injected {
    Status(u16),
    Reset,
}

/// What Kubernetes says when a `continue` token has expired (410 Gone, reason Expired).
pub(crate) const EXPIRED_CONTINUE: &str =
    "The provided continue parameter is too old to display a consistent \
    list result. You can start a new list without the continue parameter, or use the continue \
    token in this response to retrieve the remainder of the results. (injected)";

/// A 200 whose chunked body stops after the first bytes with an error: hyper
/// then closes the connection without the final chunk, so the client has the
/// headers and part of the body when the connection drops.
pub(crate) fn reset_response() -> Response {
    let stream = futures::stream::unfold(0u8, |step| async move {
        match step {
            0 => Some((
                Ok("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[{"),
                1,
            )),
            1 => {
                // Let the headers and first chunk reach the client first.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let e = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset");
                Some((Err(e), 2))
            }
            _ => None,
        }
    });
    let mut resp = Response::new(axum::body::Body::from_stream(stream));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    resp
}
