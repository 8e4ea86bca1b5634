//! Clock and timestamp spelling shared by every route.
//!
//! All instants the emulator stores are truncated to whole milliseconds, so that the epoch-ms
//! numbers used in message ids and paging cursors compare exactly with the stored instants.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

/// The current instant, truncated to the millisecond.
pub(crate) fn now_ms() -> DateTime<Utc> {
    from_millis(Utc::now().timestamp_millis())
}

/// The instant `ms` milliseconds after the Unix epoch (clamped to the epoch if out of range).
pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Displays an instant in the service's response spelling (see [`format`]) without allocating.
pub(crate) struct Wire7<'a>(pub &'a DateTime<Utc>);

impl std::fmt::Display for Wire7<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        // A leap second is represented by chrono as nanosecond >= 1e9; keep it in range.
        let ticks = (v.nanosecond() % 1_000_000_000) / 100;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{ticks:07}Z",
            v.year(),
            v.month(),
            v.day(),
            v.hour(),
            v.minute(),
            v.second()
        )
    }
}

/// The service's response spelling: UTC, 7 fractional digits, `Z` (`2020-06-25T17:44:37.6830000Z`).
#[cfg(test)]
pub(crate) fn format(value: &DateTime<Utc>) -> String {
    Wire7(value).to_string()
}

/// Serde adapter writing a timestamp in the service's spelling.
pub(crate) mod wire {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    /// Serializes with [`super::format`].
    pub(crate) fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&super::Wire7(v))
    }

    /// The same for optional fields (used with `skip_serializing_if = "Option::is_none"`).
    pub(crate) mod option {
        use chrono::{DateTime, Utc};
        use serde::Serializer;

        pub(crate) fn serialize<S: Serializer>(
            v: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.collect_str(&super::super::Wire7(v)),
                None => s.serialize_none(),
            }
        }
    }
}

/// Parses a client-supplied RFC 3339 instant (`startTime`, `shareHistoryTime`).
///
/// A `+` offset that arrived unencoded in a query string has been turned into a space by form
/// decoding; it is restored before parsing. Returns `None` when the text is not a date-time.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let parsed = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc3339(&text.replace(' ', "+")))
        .ok()
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })?;
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_seven_digits_and_parses_back() {
        let t = from_millis(1_593_107_077_683);
        assert_eq!(format(&t), "2020-06-25T17:44:37.6830000Z");
        assert_eq!(parse(&format(&t)), Some(t));
        assert_eq!(parse("2020-06-25T17:44:37.683+00:00"), Some(t));
        assert_eq!(parse("2020-06-25T17:44:37.683 00:00"), Some(t));
        assert_eq!(parse("2020-06-25T17:44:37.683"), Some(t));
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn now_is_whole_milliseconds() {
        assert_eq!(now_ms().nanosecond() % 1_000_000, 0);
    }
}
