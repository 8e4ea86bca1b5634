//! The accept loop and per-request pipeline: TLS, HTTP/1.1 + HTTP/2 (hyper-util `auto`), fault
//! injection, the body limit, the admin API, D's router, and one log line per request.
//!
//! This is a hand-written loop rather than `axum::serve` because fault injection must be able to
//! close a TCP connection without answering, which only the owner of the connection task can do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{HeaderName, HeaderValue, HOST};
use http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::admin;
use crate::error::ApiError;
use crate::faults::{Fault, FaultState};
use crate::limit::{read_limited, BodyError};

/// How long a graceful shutdown waits for in-flight requests before closing what is left.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every connection shares; cheap to clone through its `Arc`.
pub(crate) struct Shared {
    pub router: axum::Router,
    pub faults: Arc<FaultState>,
    pub access_key: Vec<u8>,
}

/// Why a request got no response: the service returns this as its error, and the connection task
/// closes the TCP connection.
#[derive(Debug)]
pub(crate) enum NoResponse {
    /// Fault injection dropped the connection on purpose.
    InjectedDrop,
    /// The request body could not be read (the client went away or sent a malformed body).
    BodyFailed(String),
}

impl std::fmt::Display for NoResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoResponse::InjectedDrop => f.write_str("connection dropped by fault injection"),
            NoResponse::BodyFailed(why) => write!(f, "reading the request body failed: {why}"),
        }
    }
}

impl std::error::Error for NoResponse {}

/// Accepts connections until `shutdown` flips (or its sender goes away), then lets in-flight
/// requests finish (at most [`SHUTDOWN_GRACE`]) and returns. Dropping this future aborts every
/// connection, because the connection tasks live in its `JoinSet`.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(
                        stream,
                        tls.clone(),
                        shared.clone(),
                        shutdown.clone(),
                    ));
                }
                Err(e) => {
                    // Usually EMFILE or a connection reset before accept: back off briefly instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "closing connections still busy after the shutdown grace period"
        );
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => drive(stream, shared, shutdown).await,
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(tls_stream) => drive(tls_stream, shared, shutdown).await,
            Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
        },
    }
}

/// Serves one connection (HTTP/1.1 or HTTP/2, detected from the preface) until it ends, a fault
/// kills it, or a shutdown asks it to finish gracefully.
async fn drive<I>(io: I, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let service = {
        let kill = kill.clone();
        hyper::service::service_fn(move |req| handle(shared.clone(), kill.clone(), req))
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            // Returning drops the connection, closing the socket without writing anything more
            // (for HTTP/2 this also ends the other streams of the connection, as a real drop would).
            _ = kill.notified() => return,
            _ = shutdown.changed(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// One request, end to end, with its log line.
async fn handle(
    shared: Arc<Shared>,
    kill: Arc<Notify>,
    req: Request<Incoming>,
) -> Result<Response, NoResponse> {
    let started = Instant::now();
    let method = req.method().clone();
    // Only the path is logged: the query may carry continuation tokens and the headers carry secrets.
    let path = req.uri().path().to_owned();
    let result = pipeline(&shared, req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(resp) => tracing::info!(
            method = %method,
            path = %path,
            status = resp.status().as_u16(),
            latency_ms = format_args!("{latency_ms:.1}"),
            "request"
        ),
        Err(why) => {
            tracing::info!(
                method = %method,
                path = %path,
                status = "dropped",
                latency_ms = format_args!("{latency_ms:.1}"),
                reason = %why,
                "request"
            );
            kill.notify_one();
        }
    }
    result
}

async fn pipeline(shared: &Shared, req: Request<Incoming>) -> Result<Response, NoResponse> {
    let (mut parts, body) = req.into_parts();
    add_host_from_authority(&mut parts);

    let mut drop_after = false;
    if is_chat(parts.uri.path()) {
        let decision = shared.faults.decide();
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        match decision.fault {
            None => {}
            Some(Fault::DropBefore) => return Err(NoResponse::InjectedDrop),
            Some(Fault::DropAfter) => drop_after = true,
            Some(Fault::TooManyRequests { retry_after_secs }) => {
                let mut resp = throttled(
                    ApiError::too_many_requests(retry_after_secs),
                    retry_after_secs,
                );
                copy_api_headers(shared, parts.uri.path(), &mut resp).await;
                return Ok(resp);
            }
            Some(Fault::ServiceUnavailable { retry_after_secs }) => {
                let mut err = ApiError::service_unavailable(
                    "The server is currently unable to handle the request.",
                );
                err.retry_after = Some(retry_after_secs);
                let mut resp = throttled(err, retry_after_secs);
                copy_api_headers(shared, parts.uri.path(), &mut resp).await;
                return Ok(resp);
            }
        }
    }

    let response = match read_limited(&parts.headers, body).await {
        Ok(bytes) => dispatch(shared, parts, bytes).await,
        Err(BodyError::TooLarge) => {
            let mut resp = BodyError::too_large_response().into_response();
            copy_api_headers(shared, parts.uri.path(), &mut resp).await;
            resp
        }
        Err(BodyError::Transport(why)) => return Err(NoResponse::BodyFailed(why)),
    };
    if drop_after {
        // The handler has run, so its write is committed; the client never learns the outcome.
        drop(response);
        return Err(NoResponse::InjectedDrop);
    }
    Ok(response)
}

/// Sends a fully read request to the admin API or to the chat and identity routes.
async fn dispatch(shared: &Shared, parts: http::request::Parts, bytes: bytes::Bytes) -> Response {
    if parts.uri.path().starts_with(admin::PREFIX) {
        return admin::handle(&parts, &bytes, &shared.faults, &shared.access_key);
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    // A task of its own: a handler that panics costs a 500 instead of the connection, and a client
    // that disconnects mid-request cannot cancel a handler halfway through its write.
    match tokio::spawn(shared.router.clone().oneshot(req)).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(never)) => match never {},
        Err(join_error) => {
            tracing::error!(panicked = join_error.is_panic(), "a request handler failed");
            ApiError::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "The emulator failed while handling this request; its log has details.",
            )
            .into_response()
        }
    }
}

/// The API's own response headers (today `api-supported-versions`) that every answer on `path` carries.
const API_HEADERS: [&str; 1] = ["api-supported-versions"];

/// Gives an answer the shell made itself (413, 429, 503) the headers the API routes would have added.
///
/// The API router owns the rules (which version list goes with which path), so rather than repeat them
/// it is asked: an `OPTIONS` request for the same path runs no handler (no route takes `OPTIONS`) and
/// comes back through the same header middleware. These answers are rare, so the extra call is cheap.
async fn copy_api_headers(shared: &Shared, path: &str, resp: &mut Response) {
    if path.starts_with(admin::PREFIX) {
        return;
    }
    let Ok(probe) = Request::builder()
        .method(http::Method::OPTIONS)
        .uri(path)
        .body(Body::empty())
    else {
        return;
    };
    let answer = match shared.router.clone().oneshot(probe).await {
        Ok(answer) => answer,
        Err(never) => match never {},
    };
    for name in API_HEADERS {
        if let Some(value) = answer.headers().get(name) {
            resp.headers_mut().insert(name, value.clone());
        }
    }
}

fn is_chat(path: &str) -> bool {
    path == "/chat" || path.starts_with("/chat/")
}

/// A 429/503 with `Retry-After` (set by [`ApiError`]) plus the millisecond variants azure-core reads.
fn throttled(err: ApiError, retry_after_secs: u32) -> Response {
    let mut resp = err.into_response();
    let ms = HeaderValue::from(u64::from(retry_after_secs) * 1000);
    resp.headers_mut()
        .insert(HeaderName::from_static("retry-after-ms"), ms.clone());
    resp.headers_mut()
        .insert(HeaderName::from_static("x-ms-retry-after-ms"), ms);
    resp
}

/// HTTP/2 requests carry the host in `:authority`, not `Host`; the HMAC check and the
/// `Location`/`nextLink` builders read `Host`, so fill it in.
fn add_host_from_authority(parts: &mut http::request::Parts) {
    if parts.headers.contains_key(HOST) {
        return;
    }
    if let Some(authority) = parts.uri.authority() {
        if let Ok(value) = HeaderValue::from_str(authority.as_str()) {
            parts.headers.insert(HOST, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for any handler bug.
    async fn boom() -> &'static str {
        panic!("handler bug")
    }

    #[tokio::test]
    async fn a_panicking_handler_gets_a_500_envelope() {
        let router = axum::Router::new().route("/boom", axum::routing::get(boom));
        let shared = Shared {
            router,
            faults: Arc::new(FaultState::new(crate::FaultConfig::default())),
            access_key: b"k".to_vec(),
        };
        let (parts, ()) = Request::get("/boom").body(()).unwrap().into_parts();
        let resp = dispatch(&shared, parts, bytes::Bytes::new()).await;
        assert_eq!(resp.status().as_u16(), 500);
        assert_eq!(resp.headers()["x-ms-error-response"], "true");
    }

    #[test]
    fn chat_paths_are_recognised() {
        assert!(is_chat("/chat/threads"));
        assert!(is_chat("/chat"));
        assert!(!is_chat("/chatter"));
        assert!(!is_chat("/identities"));
        assert!(!is_chat("/admin/faults"));
    }

    #[test]
    fn host_is_filled_from_the_authority_only_when_missing() {
        let (mut parts, ()) = Request::get("https://localhost:8443/identities")
            .body(())
            .unwrap()
            .into_parts();
        add_host_from_authority(&mut parts);
        assert_eq!(parts.headers[HOST], "localhost:8443");

        let (mut parts, ()) = Request::get("https://localhost:8443/x")
            .header(HOST, "127.0.0.1:1")
            .body(())
            .unwrap()
            .into_parts();
        add_host_from_authority(&mut parts);
        assert_eq!(parts.headers[HOST], "127.0.0.1:1");
    }

    #[test]
    fn throttled_answers_carry_all_retry_headers() {
        let resp = throttled(ApiError::too_many_requests(2), 2);
        assert_eq!(resp.status().as_u16(), 429);
        assert_eq!(resp.headers()["retry-after"], "2");
        assert_eq!(resp.headers()["retry-after-ms"], "2000");
        assert_eq!(resp.headers()["x-ms-retry-after-ms"], "2000");
    }
}
