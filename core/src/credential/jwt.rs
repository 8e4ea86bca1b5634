//! Reading the `exp` claim of an ACS access token (a JWT) without validating its signature.
//!
//! The client never verifies the signature (it has no key); it only needs the expiry to decide when to refresh.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};

use crate::error::{Error, Result};

const PAD_INDIFFERENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, PAD_INDIFFERENT);
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, PAD_INDIFFERENT);

/// Returns the token's `exp` claim as a UTC instant.
///
/// The payload segment may use the standard or the URL-safe base64 alphabet, with or without padding (real
/// tokens use base64url; test fakes use standard base64 with `=`). Errors never include the token itself.
pub(crate) fn expires_on(token: &str) -> Result<DateTime<Utc>> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::credential(
            "the access token is not a JWT (expected three '.'-separated segments)",
        ));
    };
    let bytes = decode_segment(payload).ok_or_else(|| {
        Error::credential("the access token's payload segment is not valid base64")
    })?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::with_source(
            crate::error::ErrorKind::Credential,
            "the access token's payload is not a JSON object",
            e,
        )
    })?;
    let exp = claims
        .get("exp")
        .ok_or_else(|| Error::credential("the access token has no `exp` claim"))?;
    let secs = exp
        .as_i64()
        .or_else(|| exp.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
        .ok_or_else(|| Error::credential("the access token's `exp` claim is not a number"))?;
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| Error::credential("the access token's `exp` claim is out of range"))
}

fn decode_segment(segment: &str) -> Option<Vec<u8>> {
    let trimmed = segment.trim_end_matches('=');
    // A segment can contain characters of only one alphabet; try the one its characters point to first.
    if trimmed.contains(['-', '_']) {
        URL_SAFE_ANY_PAD.decode(trimmed).ok()
    } else {
        STANDARD_ANY_PAD
            .decode(trimmed)
            .ok()
            .or_else(|| URL_SAFE_ANY_PAD.decode(trimmed).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn token_with(payload: &[u8], engine: &impl Engine) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", engine.encode(payload))
    }

    #[test]
    fn reads_exp_from_standard_and_url_safe_payloads() {
        // This payload's encodings contain '+'/'/' in standard and '-'/'_' in URL-safe form.
        let payload = br#"{"skypeid":"acs:x>>>???","exp":1700000000}"#;
        let std_enc = STANDARD.encode(payload);
        let url_enc = URL_SAFE_NO_PAD.encode(payload);
        assert!(std_enc.contains(['+', '/']) && url_enc.contains(['-', '_']));
        for t in [
            token_with(payload, &STANDARD),
            token_with(payload, &URL_SAFE_NO_PAD),
        ] {
            assert_eq!(expires_on(&t).unwrap().timestamp(), 1_700_000_000);
        }
    }

    #[test]
    fn accepts_extra_padding_and_float_exp() {
        let t = format!(
            "h.{}==.s",
            STANDARD
                .encode(br#"{"exp":1700000000.9}"#)
                .trim_end_matches('=')
        );
        assert_eq!(expires_on(&t).unwrap().timestamp(), 1_700_000_000);
    }

    #[test]
    fn rejects_malformed_tokens_without_echoing_them() {
        let secret = "not-a-jwt-secret-value";
        let e = expires_on(secret).unwrap_err();
        assert!(!e.to_string().contains(secret));
        assert!(expires_on("a.!!!.c").is_err());
        assert!(expires_on(&token_with(br#"{"nbf":1}"#, &STANDARD))
            .unwrap_err()
            .to_string()
            .contains("exp"));
        assert!(expires_on(&token_with(br#"{"exp":"soon"}"#, &STANDARD)).is_err());
        assert!(expires_on(&token_with(b"[1,2", &STANDARD)).is_err());
    }
}
