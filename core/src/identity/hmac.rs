//! HMAC-SHA256 request signing with an ACS resource access key (the identity API's key-based auth).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, Result};

/// Signs requests with a resource access key. `Debug` hides the key.
#[derive(Clone)]
pub(crate) struct HmacSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for HmacSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacSigner { key: <redacted> }")
    }
}

/// The headers one signed request carries.
pub(crate) struct SignedHeaders {
    pub date: String,
    pub content_sha256: String,
    pub authorization: String,
}

impl HmacSigner {
    /// Builds a signer from the base64 access key of a connection string.
    pub(crate) fn from_base64_key(access_key: &str) -> Result<Self> {
        let key = STANDARD.decode(access_key.trim()).map_err(|_| {
            Error::invalid_input("the connection string's accesskey is not valid base64")
        })?;
        if key.is_empty() {
            return Err(Error::invalid_input(
                "the connection string's accesskey is empty",
            ));
        }
        Ok(HmacSigner { key })
    }

    /// Signs `method url` with `body` at instant `now`.
    ///
    /// The string to sign is `METHOD\n<path and query as sent>\n<RFC 1123 date>;<host[:port]>;<base64 SHA-256 of
    /// body>`, and the signature is base64 HMAC-SHA256 of it under the decoded key.
    pub(crate) fn sign(
        &self,
        method: &str,
        url: &Url,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> SignedHeaders {
        let date = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let content_sha256 = STANDARD.encode(Sha256::digest(body));
        let mut path_and_query = url.path().to_string();
        if let Some(q) = url.query() {
            path_and_query.push('?');
            path_and_query.push_str(q);
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let to_sign = format!(
            "{}\n{path_and_query}\n{date};{host};{content_sha256}",
            method.to_ascii_uppercase()
        );
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC-SHA256 accepts keys of any length");
        mac.update(to_sign.as_bytes());
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        SignedHeaders {
            date,
            content_sha256,
            authorization: format!(
                "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn matches_the_reference_vector() {
        let signer =
            HmacSigner::from_base64_key("ZW11bGF0b3Itc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWI=").unwrap();
        let url = Url::parse("https://localhost:8443/identities?api-version=2023-10-01").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap();
        let h = signer.sign("post", &url, b"{}", now);
        assert_eq!(h.date, "Fri, 27 Nov 2026 17:00:00 GMT");
        assert_eq!(
            h.content_sha256,
            "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
        );
        assert_eq!(
            h.authorization,
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=IN6PhLmNtARRrYJOSYqsBJMgAe9jjYA76kh9Xj3ii08="
        );
        assert!(!format!("{signer:?}").contains("ZW11"));
    }

    #[test]
    fn empty_body_hash_and_bad_keys() {
        let signer = HmacSigner::from_base64_key("a2V5").unwrap();
        let url = Url::parse("https://h/x").unwrap();
        let h = signer.sign("DELETE", &url, b"", Utc::now());
        assert_eq!(
            h.content_sha256,
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert!(HmacSigner::from_base64_key("not base64!").is_err());
        assert!(HmacSigner::from_base64_key("").is_err());
    }
}
