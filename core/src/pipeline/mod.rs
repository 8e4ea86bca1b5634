//! The HTTP pipeline shared by a client and its thread clients: one connection pool, authentication, standard
//! headers, retries and tracing.

pub(crate) mod retry;
pub(crate) mod url;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::credential::{AccessToken, CommunicationTokenCredential};
use crate::error::{Error, ErrorKind, Result};
use crate::identity::hmac::HmacSigner;
use crate::options::ClientOptions;
use retry::{RetryClass, Verdict};

/// How requests are authenticated.
#[derive(Clone, Debug)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <user access token>` (chat).
    Bearer(CommunicationTokenCredential),
    /// HMAC-SHA256 with the resource access key (identity).
    Hmac(HmacSigner),
}

/// One request to send. Built by the operations; the pipeline adds auth and standard headers.
pub(crate) struct Request {
    /// Operation name for errors and tracing, e.g. `send_message`.
    pub operation: &'static str,
    pub method: Method,
    pub url: ::url::Url,
    pub body: Option<Bytes>,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    /// Statuses that mean success; anything else is an error.
    pub expected: &'static [u16],
    pub retry: RetryClass,
}

impl Request {
    /// A request without body, retried as [`RetryClass::Safe`].
    pub(crate) fn new(
        operation: &'static str,
        method: Method,
        url: ::url::Url,
        expected: &'static [u16],
    ) -> Self {
        Request {
            operation,
            method,
            url,
            body: None,
            content_type: "application/json",
            headers: Vec::new(),
            expected,
            retry: RetryClass::Safe,
        }
    }

    /// Sets a JSON body.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidInput,
                format!(
                    "{}: the request body could not be serialized",
                    self.operation
                ),
                e,
            )
        })?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Marks the body as a JSON merge patch (PATCH operations).
    pub(crate) fn merge_patch(mut self) -> Self {
        self.content_type = "application/merge-patch+json";
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    pub(crate) fn retry(mut self, class: RetryClass) -> Self {
        self.retry = class;
        self
    }
}

/// A successful response with its body fully read.
#[derive(Debug)]
pub(crate) struct Response {
    pub body: Bytes,
}

impl Response {
    /// Decodes the body as JSON.
    pub(crate) fn json<T: DeserializeOwned>(&self, operation: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::decode(
                format!("{operation}: the service response could not be decoded"),
                e,
            )
        })
    }
}

/// The shared state behind a client: connection pool, auth and settings. Cheap to share through `Arc`.
#[derive(Debug)]
pub(crate) struct Pipeline {
    http: reqwest::Client,
    pub(crate) endpoint: ::url::Url,
    auth: Auth,
    pub(crate) options: ClientOptions,
    user_agent: HeaderValue,
}

impl Pipeline {
    /// Validates the endpoint and builds the connection pool.
    pub(crate) fn new(endpoint: &str, auth: Auth, options: ClientOptions) -> Result<Arc<Self>> {
        let endpoint = url::parse_endpoint(endpoint)?;
        if options.api_version.trim().is_empty() {
            return Err(Error::invalid_input("api_version must not be empty"));
        }
        let user_agent = HeaderValue::from_str(&options.user_agent()).map_err(|_| {
            Error::invalid_input("application_id and binding must be printable ASCII")
        })?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(options.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            // Redirects would carry the bearer token elsewhere; the service does not use them.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &options.extra_root_certificate_pem {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidInput,
                    "extra_root_certificate_pem is not a PEM certificate",
                    e,
                )
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| {
            Error::with_source(
                ErrorKind::Transport,
                "the HTTP client could not be built",
                e,
            )
        })?;
        Ok(Arc::new(Pipeline {
            http,
            endpoint,
            auth,
            options,
            user_agent,
        }))
    }

    /// Builds a URL under the endpoint with `api-version` appended to `query`.
    pub(crate) fn url(&self, path: &str, mut query: Vec<(&'static str, String)>) -> ::url::Url {
        query.push(("api-version", self.options.api_version.clone()));
        url::build(&self.endpoint, path, &query)
    }

    /// Sends `req` with retries. Returns the response of the first attempt whose status is expected.
    pub(crate) async fn send(&self, req: Request) -> Result<Response> {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let span = tracing::info_span!(
            "acs_chat.operation",
            operation = req.operation,
            request_id = %client_request_id,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .send_with_retries(&req, &client_request_id)
            .instrument(span.clone())
            .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        result.map_err(|e| e.set_request_id(&client_request_id))
    }

    async fn send_with_retries(&self, req: &Request, client_request_id: &str) -> Result<Response> {
        let retry = &self.options.retry;
        let deadline = retry.overall_timeout.map(|t| Instant::now() + t);
        let mut attempt: u32 = 0;
        // Set once an attempt may have reached the service without us seeing its answer.
        let mut maybe_applied = false;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempt", attempt);
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if remaining == Some(Duration::ZERO) {
                return Err(timeout_error(req.operation, "the overall timeout elapsed"));
            }
            let try_budget = remaining.map_or(self.options.per_try_timeout, |r| {
                r.min(self.options.per_try_timeout)
            });
            // The token is fetched outside the per-try timeout: a slow refresher sends nothing, so it must not
            // turn into a (possibly ambiguous) request timeout. It is bounded by the overall timeout only.
            let token = match &self.auth {
                Auth::Bearer(cred) => {
                    let fetch = cred.get_token();
                    let token = match remaining {
                        Some(r) => tokio::time::timeout(r, fetch).await.map_err(|_| {
                            timeout_error(
                                req.operation,
                                "the overall timeout elapsed while waiting for an access token",
                            )
                        })?,
                        None => fetch.await,
                    };
                    Some(token?)
                }
                Auth::Hmac(_) => None,
            };
            let outcome = tokio::time::timeout(
                try_budget,
                self.attempt(req, client_request_id, token.as_ref()),
            )
            .await;
            let (err, verdict, server_wait) = match outcome {
                Ok(Ok(Attempt::Done(resp))) => return Ok(resp),
                Ok(Ok(Attempt::Status {
                    status,
                    body,
                    retry_after,
                })) => {
                    tracing::Span::current().record("status", status);
                    if status == 404 && req.method == Method::DELETE && maybe_applied {
                        // An earlier attempt of this delete probably succeeded and only its answer was lost.
                        return Ok(Response { body: Bytes::new() });
                    }
                    maybe_applied |= matches!(status, 408 | 500 | 502 | 504);
                    let err = Error::from_response(req.operation, status, &body, retry_after);
                    (err, retry::for_status(req.retry, status), retry_after)
                }
                Ok(Err(TransportFailure { error, stage })) => {
                    let verdict = match stage {
                        Stage::Fatal => Verdict::Fail,
                        Stage::Connect => retry::for_transport(req.retry, true),
                        Stage::Exchange => {
                            maybe_applied = true;
                            retry::for_transport(req.retry, false)
                        }
                    };
                    (error, verdict, None)
                }
                Err(_elapsed) => {
                    maybe_applied = true;
                    let err = timeout_error(req.operation, "the per-try timeout elapsed");
                    (err, retry::for_transport(req.retry, false), None)
                }
            };
            let verdict = if verdict == Verdict::Retry && attempt > retry.max_retries {
                Verdict::Fail
            } else {
                verdict
            };
            match verdict {
                Verdict::Fail => return Err(err),
                Verdict::Ambiguous => return Err(err.into_ambiguous(req.operation)),
                Verdict::Retry => {}
            }
            let wait = server_wait.unwrap_or_else(|| retry::backoff(retry, attempt - 1));
            if let Some(d) = deadline {
                if Instant::now() + wait >= d {
                    // Waiting would overrun the overall timeout: report the last failure as it is.
                    return Err(err);
                }
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        req: &Request,
        client_request_id: &str,
        token: Option<&AccessToken>,
    ) -> std::result::Result<Attempt, TransportFailure> {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::USER_AGENT, self.user_agent.clone());
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        insert(&mut headers, "x-ms-client-request-id", client_request_id);
        for (name, value) in &req.headers {
            let v = HeaderValue::from_str(value).map_err(|_| TransportFailure {
                error: Error::invalid_input(format!(
                    "{}: the `{name}` value is not a valid HTTP header value",
                    req.operation
                )),
                stage: Stage::Fatal,
            })?;
            headers.insert(*name, v);
        }
        let body = req.body.clone().unwrap_or_default();
        if req.body.is_some() {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(req.content_type),
            );
        }
        match &self.auth {
            Auth::Bearer(_) => {
                let token = token.ok_or_else(|| TransportFailure {
                    error: Error::credential("no access token was obtained for the request"),
                    stage: Stage::Fatal,
                })?;
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {}", token.token)).map_err(|_| {
                        TransportFailure {
                            error: Error::credential(
                                "the access token contains characters not allowed in a header",
                            ),
                            stage: Stage::Fatal,
                        }
                    })?;
                value.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, value);
            }
            Auth::Hmac(signer) => {
                let signed = signer.sign(req.method.as_str(), &req.url, &body, chrono::Utc::now());
                insert(&mut headers, "x-ms-date", &signed.date);
                insert(&mut headers, "x-ms-content-sha256", &signed.content_sha256);
                insert(&mut headers, "x-ms-return-client-request-id", "true");
                let mut value =
                    HeaderValue::from_str(&signed.authorization).map_err(|_| TransportFailure {
                        error: Error::credential("the HMAC signature is not a valid header value"),
                        stage: Stage::Fatal,
                    })?;
                value.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, value);
            }
        }
        let mut builder = self
            .http
            .request(req.method.clone(), req.url.clone())
            .headers(headers);
        if req.body.is_some() {
            builder = builder.body(body);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport(req.operation, e))?;
        let status = response.status().as_u16();
        let retry_after = retry::retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| transport(req.operation, e))?;
        tracing::Span::current().record("status", status);
        if req.expected.contains(&status) {
            Ok(Attempt::Done(Response { body }))
        } else {
            Ok(Attempt::Status {
                status,
                body,
                retry_after,
            })
        }
    }
}

/// The outcome of one attempt that reached the service.
enum Attempt {
    Done(Response),
    Status {
        status: u16,
        body: Bytes,
        retry_after: Option<Duration>,
    },
}

/// An attempt that failed before a complete response arrived.
struct TransportFailure {
    error: Error,
    stage: Stage,
}

/// Where an attempt failed, which decides whether the service may have seen it.
enum Stage {
    /// Before sending, for a reason retrying cannot fix (credential, invalid header).
    Fatal,
    /// No connection was made, so the service never saw the request.
    Connect,
    /// After the request may have been sent.
    Exchange,
}

fn transport(operation: &str, e: reqwest::Error) -> TransportFailure {
    let connect = e.is_connect();
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let what = if connect {
        "could not connect to the service"
    } else {
        "the connection failed before a complete response arrived"
    };
    // reqwest errors name the URL, which holds no secret (tokens travel in headers only).
    TransportFailure {
        error: Error::with_source(kind, format!("{operation}: {what}"), e),
        stage: if connect {
            Stage::Connect
        } else {
            Stage::Exchange
        },
    }
}

fn timeout_error(operation: &str, what: &str) -> Error {
    Error::new(ErrorKind::Timeout, format!("{operation}: {what}"))
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    // Values come from our own code (ids, dates, UUIDs); a value that is not a valid header is skipped
    // rather than panicking, and the service then rejects the request with a clear status.
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}
