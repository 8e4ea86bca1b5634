//! The `api-version` query parameter: which versions each API accepts, and the
//! `api-supported-versions` response header.

use crate::error::ApiError;

/// Chat API versions accepted, oldest first (the header value lists them in this order).
pub(crate) const CHAT_VERSIONS: [&str; 5] = [
    "2021-03-07",
    "2021-09-07",
    "2023-11-07",
    "2024-03-07",
    "2025-03-15",
];

/// Identity API versions accepted, oldest first.
pub(crate) const IDENTITY_VERSIONS: [&str; 8] = [
    "2021-03-07",
    "2022-06-01",
    "2022-10-01",
    "2023-08-01",
    "2023-10-01",
    "2025-06-30",
    "2026-07-22",
    "2026-09-23",
];

/// A chat API version, ordered by release (index into [`CHAT_VERSIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ChatVersion(usize);

impl ChatVersion {
    /// 2021-09-07 added message `metadata`.
    pub(crate) const V2021_09_07: ChatVersion = ChatVersion(1);
    /// 2023-11-07 moved to the identifier model with `kind`.
    pub(crate) const V2023_11_07: ChatVersion = ChatVersion(2);
    /// 2025-03-15 added thread `metadata`/`retentionPolicy` and participant `metadata`.
    pub(crate) const V2025_03_15: ChatVersion = ChatVersion(4);

    /// The version's spelling, e.g. `2023-11-07`.
    pub(crate) fn as_str(self) -> &'static str {
        CHAT_VERSIONS[self.0]
    }

    /// Whether messages carry `metadata` in this version.
    pub(crate) fn has_message_metadata(self) -> bool {
        self >= Self::V2021_09_07
    }

    /// Which response shape messages have in this version (index into a message's JSON
    /// cache): versions that render messages identically share a shape.
    pub(crate) fn message_shape(self) -> usize {
        // 2021-03-07 | 2021-09-07 (+metadata) | 2023-11-07, 2024-03-07 (+kind) | 2025-03-15
        // (+participant metadata in system messages)
        [0, 1, 2, 2, 3][self.0]
    }

    /// Whether response identifiers carry `kind` (common 2022-07-13 and later).
    pub(crate) fn has_identifier_kind(self) -> bool {
        self >= Self::V2023_11_07
    }

    /// Whether threads and participants carry `metadata` (and threads `retentionPolicy`).
    pub(crate) fn has_thread_metadata(self) -> bool {
        self >= Self::V2025_03_15
    }
}

fn missing_or_unknown(value: Option<&str>, supported: &[&str]) -> ApiError {
    let list = supported.join(", ");
    match value {
        None => ApiError::bad_request(format!(
            "The 'api-version' query parameter is required. Supported versions: {list}."
        )),
        Some(v) => ApiError::bad_request(format!(
            "The api-version '{v}' is not supported. Supported versions: {list}."
        )),
    }
    .with_target("api-version")
}

/// Checks a chat request's `api-version` (400 naming the supported versions otherwise).
pub(crate) fn chat(value: Option<&str>) -> Result<ChatVersion, ApiError> {
    value
        .and_then(|v| CHAT_VERSIONS.iter().position(|s| *s == v))
        .map(ChatVersion)
        .ok_or_else(|| missing_or_unknown(value, &CHAT_VERSIONS))
}

/// Checks an identity request's `api-version` (400 naming the supported versions otherwise).
pub(crate) fn identity(value: Option<&str>) -> Result<&'static str, ApiError> {
    value
        .and_then(|v| IDENTITY_VERSIONS.iter().find(|s| **s == v).copied())
        .ok_or_else(|| missing_or_unknown(value, &IDENTITY_VERSIONS))
}

/// Whether a request path belongs to the identity API (for choosing the header's version list).
pub(crate) fn is_identity_path(path: &str) -> bool {
    path.starts_with("/identities") || path.starts_with("/teamsUser")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_and_names_supported_on_error() {
        assert_eq!(chat(Some("2023-11-07")).unwrap().as_str(), "2023-11-07");
        assert!(chat(Some("2025-03-15")).unwrap().has_thread_metadata());
        assert!(!chat(Some("2021-03-07")).unwrap().has_message_metadata());
        let e = chat(Some("2020-01-01")).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert!(e.error.message.contains("2021-03-07, 2021-09-07"));
        assert!(chat(None).unwrap_err().error.message.contains("required"));
        assert_eq!(identity(Some("2023-10-01")).unwrap(), "2023-10-01");
        assert!(identity(Some("2023-11-07")).is_err());
    }
}
