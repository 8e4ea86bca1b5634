//! HMAC-SHA256 request signing as the official Azure Communication SDKs do it.
//!
//! string-to-sign = `VERB\npath?query\nx-ms-date;host;content-hash`, signed with the base64-decoded access key.

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Largest accepted difference between `x-ms-date` and the emulator's clock.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(15);

/// The headers a signed request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub date: String,
    pub content_sha256: String,
    pub authorization: String,
}

/// Base64 of SHA-256 of the body, as sent in `x-ms-content-sha256`.
pub fn content_hash(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

/// RFC 1123 date as the SDK writes it in `x-ms-date`.
pub fn format_date(now: DateTime<Utc>) -> String {
    now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn signature(access_key: &[u8], string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(access_key).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs a request: `path_and_query` is the encoded request target as sent, `host` the `Host` header value.
pub fn sign(
    method: &str,
    path_and_query: &str,
    host: &str,
    body: &[u8],
    access_key: &[u8],
    now: DateTime<Utc>,
) -> SignedHeaders {
    let date = format_date(now);
    let hash = content_hash(body);
    let to_sign = format!(
        "{}\n{}\n{};{};{}",
        method.to_ascii_uppercase(),
        path_and_query,
        date,
        host,
        hash
    );
    let sig = signature(access_key, &to_sign);
    SignedHeaders {
        date,
        content_sha256: hash,
        authorization: format!(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}"
        ),
    }
}

/// Checks a signed request; every failure is a 401 whose message names the problem (never the key).
pub fn verify(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    access_key: &[u8],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let header = |name: &str| -> Result<&str, ApiError> {
        headers
            .get(name)
            .ok_or_else(|| ApiError::unauthorized(format!("The '{name}' header is missing.")))?
            .to_str()
            .map_err(|_| ApiError::unauthorized(format!("The '{name}' header is not valid ASCII.")))
    };
    let auth = header("authorization")?;
    let rest = auth.strip_prefix("HMAC-SHA256 ").ok_or_else(|| {
        ApiError::unauthorized("The Authorization header must use the HMAC-SHA256 scheme.")
    })?;
    let mut signed_headers = None;
    let mut given_sig = None;
    for part in rest.split('&') {
        if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            given_sig = Some(v);
        }
    }
    let (Some(signed_headers), Some(given_sig)) = (signed_headers, given_sig) else {
        return Err(ApiError::unauthorized(
            "The Authorization header must carry SignedHeaders and Signature.",
        ));
    };
    if !signed_headers.eq_ignore_ascii_case("x-ms-date;host;x-ms-content-sha256") {
        return Err(ApiError::unauthorized(
            "SignedHeaders must be 'x-ms-date;host;x-ms-content-sha256'.",
        ));
    }
    let date = header("x-ms-date")?;
    let when = DateTime::parse_from_rfc2822(date)
        .map_err(|_| ApiError::unauthorized("The 'x-ms-date' header is not an RFC 1123 date."))?
        .with_timezone(&Utc);
    if (now - when).abs() > MAX_CLOCK_SKEW {
        return Err(ApiError::unauthorized(
            "The 'x-ms-date' header is more than 15 minutes away from the server's time.",
        ));
    }
    let hash = header("x-ms-content-sha256")?;
    if hash != content_hash(body) {
        return Err(ApiError::unauthorized(
            "The 'x-ms-content-sha256' header does not match the SHA-256 of the body.",
        ));
    }
    let host = header("host")?;
    let to_sign = format!(
        "{}\n{}\n{};{};{}",
        method.to_ascii_uppercase(),
        path_and_query,
        date,
        host,
        hash
    );
    if given_sig != signature(access_key, &to_sign) {
        return Err(ApiError::unauthorized(
            "The request signature does not match; check the access key.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const KEY_B64: &str = "ZW11bGF0b3Itc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWI=";

    fn vector_time() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap()
    }

    #[test]
    fn matches_the_reference_test_vector() {
        let key = STANDARD.decode(KEY_B64).unwrap();
        let signed = sign(
            "POST",
            "/identities?api-version=2023-10-01",
            "localhost:8443",
            b"{}",
            &key,
            vector_time(),
        );
        assert_eq!(signed.date, "Fri, 27 Nov 2026 17:00:00 GMT");
        assert_eq!(
            signed.content_sha256,
            "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
        );
        assert!(signed
            .authorization
            .ends_with("&Signature=IN6PhLmNtARRrYJOSYqsBJMgAe9jjYA76kh9Xj3ii08="));
        assert_eq!(
            content_hash(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    fn headers_for(signed: &SignedHeaders, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("authorization", signed.authorization.parse().unwrap());
        h.insert("x-ms-date", signed.date.parse().unwrap());
        h.insert(
            "x-ms-content-sha256",
            signed.content_sha256.parse().unwrap(),
        );
        h.insert("host", host.parse().unwrap());
        h
    }

    #[test]
    fn verify_accepts_good_and_rejects_tampering() {
        let key = STANDARD.decode(KEY_B64).unwrap();
        let pq = "/identities?api-version=2023-10-01";
        let signed = sign("POST", pq, "localhost:8443", b"{}", &key, vector_time());
        let h = headers_for(&signed, "localhost:8443");
        verify("POST", pq, &h, b"{}", &key, vector_time()).unwrap();
        let err = verify("POST", pq, &h, b"{ }", &key, vector_time()).unwrap_err();
        assert!(err.error.message.contains("x-ms-content-sha256"));
        let err = verify("POST", pq, &h, b"{}", b"other", vector_time()).unwrap_err();
        assert!(err.error.message.contains("signature"));
        let late = vector_time() + chrono::Duration::minutes(16);
        let err = verify("POST", pq, &h, b"{}", &key, late).unwrap_err();
        assert!(err.error.message.contains("15 minutes"));
        let err = verify("DELETE", pq, &h, b"{}", &key, vector_time()).unwrap_err();
        assert_eq!(err.status.as_u16(), 401);
    }
}
