//! The service's error model (`CommunicationError`, called `ChatError` in the SDK).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An error reported by the service, either as the body of a failed response
/// (`{"error": {...}}`) or per participant in `invalidParticipants`.
///
/// `code` and `message` are required by the contract; when a non-conforming body omits them
/// they decode as empty strings rather than failing, so the HTTP status is never hidden behind a
/// decode error. Error bodies carry no secrets, so `Debug` and `Display` are safe to log.
///
/// ```
/// use acs_chat::models::ChatError;
///
/// let error: ChatError = serde_json::from_str(
///     r#"{"code": "403", "message": "Permissions check failed", "target": "8:acs:r_x"}"#,
/// ).unwrap();
/// assert_eq!(error.to_string(), "403: Permissions check failed (target: 8:acs:r_x)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatError {
    /// Service error code, e.g. `"Forbidden"`, `"403"`, `"TooManyRequests"`.
    #[serde(default)]
    pub code: String,
    /// Human-readable message from the service.
    #[serde(default)]
    pub message: String,
    /// What the error is about; for `invalidParticipants` the participant's raw id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Further errors that led to this one (empty when absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ChatError>,
    /// A more specific error (wire name `innererror`, lower case).
    #[serde(
        rename = "innererror",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<Box<ChatError>>,
}

impl ChatError {
    /// An error with the given code and message and nothing else.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            ..Self::default()
        }
    }

    /// Sets [`target`](Self::target).
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
}

impl fmt::Display for ChatError {
    /// `code: message`, plus ` (target: ...)` when a target is present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(target) = &self.target {
            write!(f, " (target: {target})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ChatError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner_error
            .as_deref()
            .map(|inner| inner as &(dyn std::error::Error + 'static))
    }
}
