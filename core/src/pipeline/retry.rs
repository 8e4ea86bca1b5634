//! When to retry, and how long to wait.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use rand::Rng;

use crate::options::RetryOptions;

/// How an operation may be repeated after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Reads, deletes and writes the service deduplicates (create-thread with its repeatability id, add
    /// participants, typing, read receipts): retried on 408/429/500/502/503/504 and any transport failure.
    Safe,
    /// Writes that would duplicate if repeated after being applied (send and update message): retried only when
    /// the service certainly did not apply them (429, 503, connect failure); other failures are ambiguous.
    UnsafeWrite,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again.
    Retry,
    /// Give up and report the failure as it is.
    Fail,
    /// Give up and report that the write may have been applied.
    Ambiguous,
}

/// Classifies an HTTP error status.
pub(crate) fn for_status(class: RetryClass, status: u16) -> Verdict {
    match (class, status) {
        (RetryClass::Safe, 408 | 429 | 500 | 502 | 503 | 504) => Verdict::Retry,
        (RetryClass::UnsafeWrite, 429 | 503) => Verdict::Retry,
        // The request reached the server and failed inside it or on the way back: it may have been applied.
        (RetryClass::UnsafeWrite, 408 | 500 | 502 | 504) => Verdict::Ambiguous,
        _ => Verdict::Fail,
    }
}

/// Classifies a transport failure. `connect` is true when no connection was established, so nothing was sent.
pub(crate) fn for_transport(class: RetryClass, connect: bool) -> Verdict {
    match (class, connect) {
        (_, true) | (RetryClass::Safe, false) => Verdict::Retry,
        (RetryClass::UnsafeWrite, false) => Verdict::Ambiguous,
    }
}

/// Backoff before retry number `retry` (0 = first retry): `base * 2^retry` capped at `max`, then jittered into
/// `[delay/2, delay]` so many clients do not retry in lockstep.
pub(crate) fn backoff(options: &RetryOptions, retry: u32) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(30));
    let delay = options
        .base_delay
        .saturating_mul(factor)
        .min(options.max_delay);
    let half = delay / 2;
    let jitter_nanos =
        rand::thread_rng().gen_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
    half + Duration::from_nanos(jitter_nanos)
}

/// The wait the service asked for: `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After` (seconds or an
/// HTTP date).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = text(name).and_then(|v| v.parse::<f64>().ok()) {
            if ms.is_finite() && ms >= 0.0 {
                return Some(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_matches_the_retry_table() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert_eq!(for_status(RetryClass::Safe, s), Verdict::Retry, "{s}");
        }
        for s in [400, 401, 403, 404, 409, 501] {
            assert_eq!(for_status(RetryClass::Safe, s), Verdict::Fail, "{s}");
            assert_eq!(for_status(RetryClass::UnsafeWrite, s), Verdict::Fail, "{s}");
        }
        assert_eq!(for_status(RetryClass::UnsafeWrite, 429), Verdict::Retry);
        assert_eq!(for_status(RetryClass::UnsafeWrite, 503), Verdict::Retry);
        assert_eq!(for_status(RetryClass::UnsafeWrite, 500), Verdict::Ambiguous);
        assert_eq!(for_transport(RetryClass::UnsafeWrite, true), Verdict::Retry);
        assert_eq!(
            for_transport(RetryClass::UnsafeWrite, false),
            Verdict::Ambiguous
        );
        assert_eq!(for_transport(RetryClass::Safe, false), Verdict::Retry);
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_within_bounds() {
        let o = RetryOptions::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for retry in 0..40 {
            let full = Duration::from_millis(100)
                .saturating_mul(2u32.saturating_pow(retry.min(30)))
                .min(Duration::from_millis(350));
            let d = backoff(&o, retry);
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?}");
        }
    }

    #[test]
    fn parses_retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            "Fri, 27 Nov 2020 17:00:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
