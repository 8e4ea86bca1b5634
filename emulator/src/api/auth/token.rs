//! ACS user access tokens: HS256 JWTs signed with the emulator's persisted secret.
//!
//! The payload segment is base64url without padding, and is guaranteed to contain no `-` or
//! `_`, so the Python SDK's `base64.b64decode(seg + "==")` (standard alphabet, non-validating)
//! reads the same JSON. For ASCII JSON only the characters `>`, `?` and `~` at a byte offset
//! of 2 mod 3 can produce sextets 62/63; the claims never contain them, and minting re-checks
//! and shifts the alignment with leading whitespace if they ever did.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::ApiError;

/// Every scope the identity API accepts.
pub(crate) const SCOPES: [&str; 5] = [
    "chat",
    "voip",
    "chat.join",
    "chat.join.limited",
    "voip.join",
];

/// `scp` as seen in real tokens with chat scopes.
pub(crate) const SCP: u32 = 1792;

const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The JWT claims. Field order is the serialization order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    /// `acs:<resourceId>_<suffix>`; the user id is `8:` + this.
    pub skypeid: String,
    pub scp: u32,
    /// Issue time, epoch seconds, as a string (as the service writes it).
    pub csi: String,
    pub iat: i64,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// Comma-joined scopes.
    #[serde(rename = "acsScope")]
    pub acs_scope: String,
    #[serde(rename = "resourceId")]
    pub resource_id: String,
    /// Emulator-private issue serial (microsecond clock, strictly increasing): revocation
    /// compares it, so a token minted right after a revoke in the same second stays valid.
    pub tsn: u64,
}

impl Claims {
    /// The chat user id (`8:acs:...`).
    pub(crate) fn user_id(&self) -> String {
        format!("8:{}", self.skypeid)
    }

    /// Whether the token carries `scope`.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.acs_scope.split(',').any(|s| s.trim() == scope)
    }
}

/// Hands out strictly increasing token serials based on the microsecond clock, so serials keep
/// increasing across restarts without being persisted.
#[derive(Debug, Default)]
pub(crate) struct SerialClock {
    last: Mutex<u64>,
}

impl SerialClock {
    /// The next serial (> every serial handed out before by this clock).
    pub(crate) fn next(&self) -> u64 {
        let now = u64::try_from(Utc::now().timestamp_micros()).unwrap_or(0);
        let mut last = self.last.lock();
        *last = now.max(*last + 1);
        *last
    }
}

/// Checks requested scopes: non-empty names from [`SCOPES`] (400 naming the bad one).
pub(crate) fn validate_scopes(scopes: &[String]) -> Result<(), ApiError> {
    for s in scopes {
        if !SCOPES.contains(&s.as_str()) {
            return Err(ApiError::bad_request(format!(
                "The scope '{s}' is not valid. Valid scopes: {}.",
                SCOPES.join(", ")
            ))
            .with_target("scopes"));
        }
    }
    Ok(())
}

/// Checks `expiresInMinutes` (60..=1440; default 1440).
pub(crate) fn validate_minutes(minutes: Option<i64>) -> Result<u32, ApiError> {
    match minutes {
        None => Ok(1440),
        Some(m @ 60..=1440) => Ok(m as u32),
        Some(m) => Err(ApiError::bad_request(format!(
            "expiresInMinutes must be between 60 and 1440; got {m}."
        ))
        .with_target("expiresInMinutes")),
    }
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

/// Encodes and signs `claims`.
pub(crate) fn mint(secret: &[u8], claims: &Claims) -> Result<String, ApiError> {
    let json = serde_json::to_string(claims)
        .map_err(|_| ApiError::service_unavailable("The access token could not be encoded."))?;
    let header = URL_SAFE_NO_PAD.encode(HEADER_JSON);
    let payload = (0..3)
        .map(|pad| URL_SAFE_NO_PAD.encode(format!("{}{json}", " ".repeat(pad))))
        .find(|seg| !seg.contains(['-', '_']))
        .ok_or_else(|| {
            ApiError::service_unavailable(
                "The access token could not be encoded in a base64-compatible form.",
            )
        })?;
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    Ok(format!("{signing_input}.{sig}"))
}

/// Checks a token's structure, signature and expiry; returns its claims.
///
/// Every failure is a 401 whose message names the problem (never the token).
pub(crate) fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<Claims, ApiError> {
    let malformed = || ApiError::unauthorized("The access token is malformed: expected a JWT.");
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| malformed())?;
    let mut m = mac(secret);
    m.update(h.as_bytes());
    m.update(b".");
    m.update(p.as_bytes());
    m.verify_slice(&sig).map_err(|_| {
        ApiError::unauthorized(
            "The access token signature is invalid: it was not issued by this emulator.",
        )
    })?;
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| malformed())?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| malformed())?;
    if claims.exp <= now.timestamp() {
        return Err(ApiError::unauthorized("The access token expired."));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn claims(suffix: &str, scope: &str, now: i64) -> Claims {
        Claims {
            skypeid: format!("acs:{}_{suffix}", uuid::Uuid::new_v4()),
            scp: SCP,
            csi: now.to_string(),
            iat: now,
            exp: now + 3600,
            acs_scope: scope.into(),
            resource_id: uuid::Uuid::new_v4().to_string(),
            tsn: 1_700_000_000_123_456,
        }
    }

    /// What Python's `base64.b64decode(seg + "==")` yields: non-alphabet characters dropped.
    fn python_b64decode(seg: &str) -> Vec<u8> {
        let kept: String = seg
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
            .collect();
        let padded = format!("{kept}{}", "=".repeat((4 - kept.len() % 4) % 4));
        STANDARD.decode(padded).unwrap()
    }

    #[test]
    fn payload_is_readable_by_a_standard_non_validating_decoder() {
        let now = Utc::now().timestamp();
        for i in 0..2000 {
            let c = claims(&uuid::Uuid::new_v4().to_string(), "chat,voip", now + i);
            let token = mint(b"secret", &c).unwrap();
            let payload = token.split('.').nth(1).unwrap();
            assert!(!payload.contains(['-', '_', '+', '/']), "{payload}");
            let decoded: Claims = serde_json::from_slice(&python_b64decode(payload)).unwrap();
            assert_eq!(decoded, c);
        }
    }

    #[test]
    fn verify_round_trips_and_rejects_tampering_and_expiry() {
        let now = Utc::now();
        let c = claims("x", "chat", now.timestamp());
        let token = mint(b"secret", &c).unwrap();
        assert_eq!(verify(b"secret", &token, now).unwrap(), c);
        let e = verify(b"other", &token, now).unwrap_err();
        assert!(e.error.message.contains("signature"));
        assert!(!e.error.message.contains(&token));
        let later = now + chrono::Duration::seconds(3601);
        assert!(verify(b"secret", &token, later)
            .unwrap_err()
            .error
            .message
            .contains("expired"));
        assert!(verify(b"secret", "garbage", now).is_err());
        assert!(verify(b"secret", "a.b.c.d", now).is_err());
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("y", "chat", 0)).unwrap());
        parts[1] = &forged;
        assert_eq!(
            verify(b"secret", &parts.join("."), now)
                .unwrap_err()
                .status
                .as_u16(),
            401
        );
    }

    #[test]
    fn scopes_and_minutes_are_validated() {
        validate_scopes(&["chat".into(), "voip.join".into()]).unwrap();
        let e = validate_scopes(&["chat".into(), "admin".into()]).unwrap_err();
        assert!(e.error.message.contains("'admin'"));
        assert_eq!(validate_minutes(None).unwrap(), 1440);
        assert_eq!(validate_minutes(Some(60)).unwrap(), 60);
        assert!(validate_minutes(Some(59)).is_err());
        assert!(validate_minutes(Some(1441)).is_err());
    }

    #[test]
    fn serials_strictly_increase() {
        let clock = SerialClock::default();
        let a = clock.next();
        let b = clock.next();
        assert!(b > a);
    }

    #[test]
    fn scope_lookup() {
        let c = claims("x", "chat.join,voip", 0);
        assert!(c.has_scope("chat.join"));
        assert!(!c.has_scope("chat"));
        assert!(c.user_id().starts_with("8:acs:"));
    }
}
