//! Paging query parameters and continuation cursors.
//!
//! A `nextLink` is absolute and self-contained (the SDK follows it verbatim, only replacing
//! `api-version`), and every value in it uses only `[A-Za-z0-9._~-]` so Python's
//! `parse_qs` -> `quote` round trip leaves it unchanged. Message and thread cursors travel in
//! `syncState`; participants and read receipts use the public `skip` parameter.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::http::Incoming;
use super::time;
use crate::error::ApiError;

/// Page size when `maxPageSize` is absent.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest accepted `maxPageSize` (the service limit for listing messages).
pub(crate) const MAX_PAGE_SIZE: usize = 200;

/// `maxPageSize`: an integer in 1..=200, default 100.
pub(crate) fn page_size(inc: &Incoming) -> Result<usize, ApiError> {
    match inc.param("maxPageSize") {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE_SIZE as i64).contains(&n) => Ok(n as usize),
            _ => Err(ApiError::bad_request(format!(
                "maxPageSize must be an integer between 1 and {MAX_PAGE_SIZE}; got '{v}'."
            ))
            .with_target("maxPageSize")),
        },
    }
}

/// `skip`: a non-negative integer, default 0.
pub(crate) fn skip(inc: &Incoming) -> Result<usize, ApiError> {
    match inc.param("skip") {
        None => Ok(0),
        Some(v) => v.trim().parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("skip must be a non-negative integer; got '{v}'."))
                .with_target("skip")
        }),
    }
}

/// `startTime`: an RFC 3339 date-time, if given.
pub(crate) fn start_time(inc: &Incoming) -> Result<Option<DateTime<Utc>>, ApiError> {
    match inc.param("startTime") {
        None => Ok(None),
        Some(v) => time::parse(v).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!(
                "startTime must be an RFC 3339 date-time such as 2024-01-01T00:00:00Z; got '{v}'."
            ))
            .with_target("startTime")
        }),
    }
}

fn bad_cursor() -> ApiError {
    ApiError::bad_request("The syncState continuation token is invalid.").with_target("syncState")
}

/// Where the next page of messages starts: sequence ids below `before_seq`, created at or
/// after `start_ms`. New messages get higher sequence ids, so the cursor is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MessageCursor {
    pub before_seq: u64,
    pub start_ms: Option<i64>,
}

impl MessageCursor {
    /// `"<seq>"` or `"<seq>.<start ms>"`.
    pub(crate) fn encode(&self) -> String {
        match self.start_ms {
            Some(s) => format!("{}.{s}", self.before_seq),
            None => self.before_seq.to_string(),
        }
    }

    /// Parses [`Self::encode`]'s output (400 otherwise).
    pub(crate) fn decode(text: &str) -> Result<MessageCursor, ApiError> {
        let mut parts = text.split('.');
        let before_seq = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad_cursor)?;
        let start_ms = match parts.next() {
            Some(s) => Some(s.parse().map_err(|_| bad_cursor())?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(bad_cursor());
        }
        Ok(MessageCursor {
            before_seq,
            start_ms,
        })
    }
}

/// Where the next page of threads starts: after `(activity_ms, id)` in the order
/// "latest activity first, then id ascending", restricted to activity at or after `start_ms`.
///
/// Activity is taken as of the snapshot instant `as_of_ms` fixed by the first page, so a
/// thread that gets a message while the caller pages keeps its place in the order and is
/// still listed exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ThreadCursor {
    pub as_of_ms: i64,
    pub activity_ms: i64,
    pub id: String,
    pub start_ms: Option<i64>,
}

impl ThreadCursor {
    /// `"<as of ms>.<activity ms>.<base64url id>[.<start ms>]"`.
    pub(crate) fn encode(&self) -> String {
        let id = URL_SAFE_NO_PAD.encode(self.id.as_bytes());
        let mut out = format!("{}.{}.{id}", self.as_of_ms, self.activity_ms);
        if let Some(s) = self.start_ms {
            out.push('.');
            out.push_str(&s.to_string());
        }
        out
    }

    /// Parses [`Self::encode`]'s output (400 otherwise).
    pub(crate) fn decode(text: &str) -> Result<ThreadCursor, ApiError> {
        let mut parts = text.split('.');
        let mut number = || -> Result<i64, ApiError> {
            parts
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(bad_cursor)
        };
        let as_of_ms = number()?;
        let activity_ms = number()?;
        let id = parts
            .next()
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad_cursor)?;
        let start_ms = match parts.next() {
            Some(s) => Some(s.parse().map_err(|_| bad_cursor())?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(bad_cursor());
        }
        Ok(ThreadCursor {
            as_of_ms,
            activity_ms,
            id,
            start_ms,
        })
    }
}

/// `{base}{path}?{params}&api-version={version}`; `path` must already be encoded and every
/// param value URL-safe.
pub(crate) fn next_link(
    base: &str,
    path: &str,
    params: &[(&str, String)],
    version: &str,
) -> String {
    let mut link = format!("{base}{path}?");
    for (k, v) in params {
        link.push_str(k);
        link.push('=');
        link.push_str(v);
        link.push('&');
    }
    link.push_str("api-version=");
    link.push_str(version);
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_safe(s: &str) -> bool {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-'))
    }

    #[test]
    fn message_cursor_round_trips_and_is_url_safe() {
        for c in [
            MessageCursor {
                before_seq: 201,
                start_ms: None,
            },
            MessageCursor {
                before_seq: 1,
                start_ms: Some(1_700_000_000_000),
            },
            MessageCursor {
                before_seq: 7,
                start_ms: Some(-5),
            },
        ] {
            let e = c.encode();
            assert!(url_safe(&e), "{e}");
            assert_eq!(MessageCursor::decode(&e).unwrap(), c);
        }
        for bad in ["", "x", "1.2.3", "1.y", "-1"] {
            assert_eq!(
                MessageCursor::decode(bad).unwrap_err().status.as_u16(),
                400,
                "{bad}"
            );
        }
    }

    #[test]
    fn thread_cursor_round_trips_and_is_url_safe() {
        let c = ThreadCursor {
            as_of_ms: 1_700_000_000_001,
            activity_ms: 1_700_000_000_000,
            id: "19:0123456789abcdef0123456789abcdef@thread.v2".into(),
            start_ms: Some(12),
        };
        let e = c.encode();
        assert!(url_safe(&e), "{e}");
        assert_eq!(ThreadCursor::decode(&e).unwrap(), c);
        let c2 = ThreadCursor {
            start_ms: None,
            ..c
        };
        assert_eq!(ThreadCursor::decode(&c2.encode()).unwrap(), c2);
        assert!(ThreadCursor::decode("1.12.!!").is_err());
        assert!(ThreadCursor::decode("1.12").is_err());
        assert!(ThreadCursor::decode("abc").is_err());
    }

    #[test]
    fn next_link_is_absolute() {
        let l = next_link(
            "https://localhost:8443",
            "/chat/threads",
            &[("syncState", "1.2".into()), ("maxPageSize", "5".into())],
            "2023-11-07",
        );
        assert_eq!(
            l,
            "https://localhost:8443/chat/threads?syncState=1.2&maxPageSize=5&api-version=2023-11-07"
        );
    }
}
