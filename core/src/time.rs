//! Timestamp parsing and formatting.
//!
//! The service and its documentation use several RFC 3339 spellings: whole seconds
//! (`2023-05-26T21:37:42Z`), 7 fractional digits (`2020-06-25T17:44:37.6830000Z`) and explicit
//! offsets (`2023-10-10T21:39:39.3244584+00:00`). All of them decode to [`DateTime<Utc>`]; the
//! instant is kept exactly (to the nanosecond), the original offset is not, because every
//! timestamp the service returns denotes an instant and callers compare them across responses.
//!
//! Requests always carry UTC with a `Z` suffix and 3 to 6 fractional digits, the spelling the
//! 1.2.0 Python SDK sends (`2021-01-01T00:00:00.000Z`, `...24.123456Z`).

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use std::fmt::Write as _;

/// Why a timestamp string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {value:?}: expected RFC 3339 date-time such as 2023-05-26T21:37:42Z")]
pub(crate) struct TimestampError {
    /// The rejected input, kept for the message (timestamps are never secret).
    value: String,
}

/// Parses an RFC 3339 / ISO 8601 date-time with 0 to 9 fractional digits and any offset
/// (`Z`, `z`, `+00:00`, `-07:00`).
///
/// A value without an offset is taken as UTC, as the Python SDK does with naive datetimes;
/// the service itself always sends an offset.
pub(crate) fn parse_timestamp(value: &str) -> Result<DateTime<Utc>, TimestampError> {
    let trimmed = value.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(dt.with_timezone(&Utc));
    }
    // `parse_from_rfc3339` requires an offset; accept the naive form too (see above).
    NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|naive| naive.and_utc())
        .map_err(|_| TimestampError {
            value: value.to_owned(),
        })
}

/// Formats an instant the way requests carry it: `YYYY-MM-DDTHH:MM:SS.fff[fff]Z`.
///
/// Microseconds are written with trailing zeros removed but at least 3 digits, so whole
/// milliseconds give `.120Z` and sub-millisecond precision gives up to 6 digits. Nanoseconds
/// beyond the microsecond are dropped (the service stores at most seconds anyway).
pub(crate) fn format_timestamp(value: &DateTime<Utc>) -> String {
    let mut out = value.format("%Y-%m-%dT%H:%M:%S").to_string();
    // A leap second is represented by chrono as nanosecond >= 1e9; clamp into the fraction.
    let micros = (value.nanosecond() % 1_000_000_000) / 1_000;
    let mut digits = format!("{micros:06}");
    while digits.len() > 3 && digits.ends_with('0') {
        digits.pop();
    }
    let _ = write!(out, ".{digits}Z");
    out
}

/// Formats the `startTime` query parameter value (not yet percent-encoded; the URL builder
/// encodes `:` as `%3A`, as the SDK does).
pub(crate) fn format_query_time(value: &DateTime<Utc>) -> String {
    format_timestamp(value)
}

/// Deserializes one timestamp string without an intermediate `String`.
fn deserialize_timestamp<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    crate::models::de::from_str_with(deserializer, "an RFC 3339 timestamp string", |raw| {
        parse_timestamp(raw).map_err(|e| e.to_string())
    })
}

/// Serde adapter for a required timestamp field: `#[serde(with = "crate::time::required")]`.
pub(crate) mod required {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    /// Writes the request spelling (UTC, `Z`).
    pub(crate) fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_timestamp(value))
    }

    /// Reads any accepted spelling; a bad value is a serde error naming the input.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        super::deserialize_timestamp(deserializer)
    }
}

/// Serde adapter for an optional timestamp field (absent or `null` gives `None`):
/// `#[serde(default, with = "crate::time::optional", skip_serializing_if = "Option::is_none")]`.
pub(crate) mod optional {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the request spelling (UTC, `Z`), or `null` for `None`.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(dt) => serializer.serialize_str(&super::format_timestamp(dt)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads any accepted spelling or `null`; a bad value is a serde error naming the input.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        /// Lets `Option`'s own null handling wrap the borrowing timestamp decoder.
        struct Timestamp(DateTime<Utc>);
        impl<'de> Deserialize<'de> for Timestamp {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                super::deserialize_timestamp(deserializer).map(Timestamp)
            }
        }
        Ok(Option::<Timestamp>::deserialize(deserializer)?.map(|t| t.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_every_documented_spelling() {
        let cases = [
            ("2020-06-25T17:44:37.6830000Z", (17, 44, 37, 683_000_000)),
            ("2023-05-26T21:37:42Z", (21, 37, 42, 0)),
            (
                "2023-10-10T21:39:39.3244584+00:00",
                (21, 39, 39, 324_458_400),
            ),
            ("2023-10-10T14:39:39.5-07:00", (21, 39, 39, 500_000_000)),
            ("2023-10-10T21:39:39.123456789z", (21, 39, 39, 123_456_789)),
            ("2023-10-10T21:39:39", (21, 39, 39, 0)),
        ];
        for (input, (h, m, s, ns)) in cases {
            let dt = parse_timestamp(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (dt.hour(), dt.minute(), dt.second(), dt.nanosecond()),
                (h, m, s, ns),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_garbage_with_a_message_naming_the_value() {
        for bad in ["", "sanitized", "2023-13-01T00:00:00Z", "2023-05-26 21:37"] {
            let err = parse_timestamp(bad).expect_err(bad);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn formats_like_the_python_sdk() {
        let base = Utc.with_ymd_and_hms(2021, 3, 29, 19, 49, 24).unwrap();
        assert_eq!(format_timestamp(&base), "2021-03-29T19:49:24.000Z");
        let ms = base + chrono::Duration::milliseconds(120);
        assert_eq!(format_timestamp(&ms), "2021-03-29T19:49:24.120Z");
        let us = base + chrono::Duration::microseconds(123_456);
        assert_eq!(format_timestamp(&us), "2021-03-29T19:49:24.123456Z");
        let us2 = base + chrono::Duration::microseconds(123_450);
        assert_eq!(format_timestamp(&us2), "2021-03-29T19:49:24.12345Z");
        let ns = base + chrono::Duration::nanoseconds(999);
        assert_eq!(format_query_time(&ns), "2021-03-29T19:49:24.000Z");
    }

    #[test]
    fn format_then_parse_round_trips_to_the_microsecond() {
        let dt = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap()
            + chrono::Duration::microseconds(654_321);
        assert_eq!(parse_timestamp(&format_timestamp(&dt)).unwrap(), dt);
    }

    #[test]
    fn serde_adapters_report_the_bad_value() {
        #[derive(serde::Deserialize, Debug)]
        struct Probe {
            #[serde(rename = "createdOn", with = "required")]
            created_on: DateTime<Utc>,
            #[serde(rename = "deletedOn", default, with = "optional")]
            deleted_on: Option<DateTime<Utc>>,
        }
        let ok: Probe =
            serde_json::from_str(r#"{"createdOn":"2023-05-26T21:37:42Z","deletedOn":null}"#)
                .unwrap();
        assert_eq!(ok.deleted_on, None);
        assert_eq!(
            ok.created_on,
            Utc.with_ymd_and_hms(2023, 5, 26, 21, 37, 42).unwrap()
        );
        let missing: Probe =
            serde_json::from_str(r#"{"createdOn":"2023-05-26T21:37:42Z"}"#).unwrap();
        assert_eq!(missing.deleted_on, None);
        let err = serde_json::from_str::<Probe>(r#"{"createdOn":"yesterday"}"#).unwrap_err();
        assert!(err.to_string().contains("yesterday"), "{err}");
    }
}
