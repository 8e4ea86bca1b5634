//! The crate's single error type.
//!
//! Every fallible operation returns [`Error`]. Branch on [`Error::kind`]; the service's own error body (code,
//! message, target, details) is kept in [`ChatError`] when the service sent one. No token or access key ever
//! reaches an error: messages are built from status codes, service bodies and our own descriptions only.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::models::ChatError;

/// Boxed error source, as kept inside [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Shorthand for `Result<T, acs_chat::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarse enough to branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service rejected the credential (HTTP 401).
    Authentication,
    /// The thread, message or identity does not exist (HTTP 404).
    NotFound,
    /// The request conflicts with the resource's state (HTTP 409).
    Conflict,
    /// The service throttled the request (HTTP 429) and retries were exhausted. `retry_after` is the
    /// service's requested wait, when it sent one.
    Throttled {
        /// The wait the service asked for (`Retry-After` / `retry-after-ms`).
        retry_after: Option<Duration>,
    },
    /// Any other non-success HTTP status. Code and message come from the service's error body when present.
    Service {
        /// HTTP status code.
        status: u16,
        /// The service's error code (for example `Forbidden`), or the status reason when no body was sent.
        code: String,
        /// The service's error message.
        message: String,
        /// The service's `target`, if any.
        target: Option<String>,
        /// Nested errors from the service body.
        details: Vec<ChatError>,
    },
    /// The connection could not be made or broke before a response arrived.
    Transport,
    /// A connect, per-try or overall timeout elapsed.
    Timeout,
    /// An argument was rejected before any request was sent.
    InvalidInput,
    /// A response (or token) could not be decoded.
    Decode,
    /// A non-idempotent write (send or update message) failed in a way that does not tell whether the
    /// service applied it. Check (for example by listing messages) before sending again.
    AmbiguousWrite,
    /// The token credential could not provide a valid token (expired static token, refresher failure,
    /// closed credential).
    Credential,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ChatError,
}

/// The error returned by every operation of this crate.
///
/// `Display` names the failure and, for service errors, shows the service's code and message. It never contains
/// tokens or keys. `Error` is `Send + Sync + 'static`.
///
/// ```no_run
/// # async fn demo(thread: acs_chat::ChatThreadClient) {
/// use acs_chat::ErrorKind;
/// match thread.send_message("hi", Default::default()).await {
///     Ok(sent) => println!("sent {}", sent.id),
///     Err(e) if *e.kind() == ErrorKind::AmbiguousWrite => {
///         // The service may have stored it: list messages before sending again.
///         eprintln!("unknown outcome: {e}");
///     }
///     Err(e) => match e.kind() {
///         ErrorKind::Throttled { retry_after } => eprintln!("throttled, retry after {retry_after:?}"),
///         ErrorKind::NotFound => eprintln!("no such thread"),
///         _ => eprintln!("failed: {e} (request id {:?})", e.request_id()),
///     },
/// }
/// # }
/// ```
pub struct Error {
    // Boxed so `Result<T, Error>` stays one pointer wide on the error side.
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    service: Option<ChatError>,
    request_id: Option<String>,
    source: Option<BoxError>,
}

impl Error {
    /// Creates an error of `kind` with a description.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                kind,
                message: message.into(),
                status: None,
                service: None,
                request_id: None,
                source: None,
            }),
        }
    }

    /// Creates an error of `kind` with a description and an underlying cause.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        let mut e = Error::new(kind, message);
        e.inner.source = Some(source.into());
        e
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn credential(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Credential, message)
    }

    pub(crate) fn decode(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::with_source(ErrorKind::Decode, message, source)
    }

    /// Builds the error for a non-success HTTP response. `retry_after` is the parsed server hint.
    pub(crate) fn from_response(
        operation: &str,
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        let service = serde_json::from_slice::<ErrorEnvelope>(body)
            .ok()
            .map(|e| e.error);
        let kind = match status {
            401 => ErrorKind::Authentication,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled { retry_after },
            _ => {
                let reason = http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("unexpected status");
                let (code, message, target, details) = match &service {
                    Some(s) => (
                        s.code.clone(),
                        s.message.clone(),
                        s.target.clone(),
                        s.details.clone(),
                    ),
                    None => (reason.to_string(), String::new(), None, Vec::new()),
                };
                ErrorKind::Service {
                    status,
                    code,
                    message,
                    target,
                    details,
                }
            }
        };
        let mut e = Error::new(kind, format!("{operation} failed with HTTP {status}"));
        e.inner.status = Some(status);
        e.inner.service = service;
        e
    }

    pub(crate) fn set_request_id(mut self, id: &str) -> Self {
        if self.inner.request_id.is_none() {
            self.inner.request_id = Some(id.to_string());
        }
        self
    }

    /// Turns a failure of a non-idempotent write into [`ErrorKind::AmbiguousWrite`], keeping status, service
    /// body and cause.
    pub(crate) fn into_ambiguous(self, operation: &str) -> Self {
        let what = self.to_string();
        let mut e = self;
        e.inner.kind = ErrorKind::AmbiguousWrite;
        e.inner.message = format!(
            "{operation} may or may not have been applied by the service (not retried to avoid a duplicate): {what}"
        );
        e
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The service's error body, when it sent one.
    pub fn service_error(&self) -> Option<&ChatError> {
        self.inner.service.as_ref()
    }

    /// The `x-ms-client-request-id` of the failed request (the same on every retry), for support cases.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The wait the service asked for, for throttling errors.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.inner.kind {
            ErrorKind::Throttled { retry_after } => retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let Some(s) = &self.inner.service {
            write!(f, ": ({}) {}", s.code, s.message)?;
            if let Some(t) = &s.target {
                write!(f, " [target: {t}]")?;
            }
        } else if let Some(src) = &self.inner.source {
            write!(f, ": {src}")?;
        }
        if let Some(id) = &self.inner.request_id {
            write!(f, " (client request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("status", &self.inner.status)
            .field("service", &self.inner.service)
            .field("request_id", &self.inner.request_id)
            .field("source", &self.inner.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_status_to_kind_and_shows_service_code() {
        let body = br#"{"error":{"code":"NotFound","message":"Thread not found","target":"chatThreadId"}}"#;
        let e = Error::from_response("get_properties", 404, body, None).set_request_id("rid-1");
        assert_eq!(e.kind(), &ErrorKind::NotFound);
        let text = e.to_string();
        assert!(text.contains("(NotFound) Thread not found"), "{text}");
        assert!(text.contains("rid-1"), "{text}");
        assert_eq!(
            e.service_error().unwrap().target.as_deref(),
            Some("chatThreadId")
        );
    }

    #[test]
    fn service_kind_carries_body_fields_and_falls_back_to_reason() {
        let body = br#"{"error":{"code":"Forbidden","message":"nope","details":[{"code":"D","message":"d"}]}}"#;
        match Error::from_response("op", 403, body, None).kind() {
            ErrorKind::Service {
                status,
                code,
                details,
                ..
            } => {
                assert_eq!(*status, 403);
                assert_eq!(code, "Forbidden");
                assert_eq!(details.len(), 1);
            }
            other => panic!("unexpected kind {other:?}"),
        }
        match Error::from_response("op", 502, b"<html>", None).kind() {
            ErrorKind::Service { code, .. } => assert_eq!(code, "Bad Gateway"),
            other => panic!("unexpected kind {other:?}"),
        }
    }

    #[test]
    fn throttled_keeps_retry_after_and_ambiguous_keeps_status() {
        let e = Error::from_response("send_message", 429, b"", Some(Duration::from_secs(3)));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        let e = Error::from_response("send_message", 500, b"", None).into_ambiguous("send_message");
        assert_eq!(e.kind(), &ErrorKind::AmbiguousWrite);
        assert_eq!(e.status(), Some(500));
        assert!(e.to_string().contains("may or may not"));
    }
}
