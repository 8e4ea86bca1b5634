//! How an [`Emulator`](crate::Emulator) is configured, and the well-known default access key.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::api::Storage;
use crate::faults::FaultConfig;

/// The emulator's well-known default access key (base64), like Azurite's: it is published here on
/// purpose and is NOT a secret. It is the base64 of the ASCII phrase
/// `acs-chat-emulator-well-known-access-key-not-a-secret` (52 bytes).
pub const DEFAULT_ACCESS_KEY: &str =
    "YWNzLWNoYXQtZW11bGF0b3Itd2VsbC1rbm93bi1hY2Nlc3Mta2V5LW5vdC1hLXNlY3JldA==";

/// The address the binary listens on when `--listen` is not given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:10000";

/// The database file the binary uses when neither `--db` nor `--in-memory` is given.
pub const DEFAULT_DB_FILE: &str = "acs-chat-emulator.sqlite3";

/// Everything [`Emulator::start`](crate::Emulator::start) needs.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free port (read it back from
    /// [`Emulator::endpoint`](crate::Emulator::endpoint)).
    pub listen: SocketAddr,
    /// Serve HTTPS with a self-signed CA (generated on first start, kept beside the database).
    pub tls: bool,
    /// Where the data lives.
    pub storage: Storage,
    /// The decoded access key (raw bytes, not base64) that signs identity and admin requests.
    pub access_key: Vec<u8>,
    /// Fault injection applied to `/chat/...` requests from the start.
    pub faults: FaultConfig,
}

impl Default for EmulatorConfig {
    /// `127.0.0.1:0`, plain HTTP, in-memory storage, [`DEFAULT_ACCESS_KEY`], no faults.
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            tls: false,
            storage: Storage::InMemory,
            access_key: default_access_key(),
            faults: FaultConfig::default(),
        }
    }
}

// The access key is a secret in general (even though the default one is not), so it is never printed.
impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("storage", &self.storage)
            .field("access_key", &"<redacted>")
            .field("faults", &self.faults)
            .finish()
    }
}

/// The decoded bytes of [`DEFAULT_ACCESS_KEY`].
pub fn default_access_key() -> Vec<u8> {
    decode_access_key(DEFAULT_ACCESS_KEY).unwrap_or_else(|_| {
        // The constant is valid base64 (checked by a unit test); this branch is unreachable in practice,
        // and falling back to the phrase keeps the function total without a panic.
        b"acs-chat-emulator-well-known-access-key-not-a-secret".to_vec()
    })
}

/// Decodes a base64 access key as written in a connection string.
///
/// # Errors
/// A message naming the problem (never echoing the key) when the text is not standard base64 or is empty.
pub fn decode_access_key(base64_key: &str) -> Result<Vec<u8>, String> {
    let bytes = STANDARD
        .decode(base64_key.trim())
        .map_err(|e| format!("the access key is not valid standard base64 ({e})"))?;
    if bytes.is_empty() {
        return Err("the access key is empty".to_owned());
    }
    Ok(bytes)
}

/// `{scheme}://{ip}:{port}` for a bound address; an unspecified address (0.0.0.0 or ::) is reported as
/// the loopback address of the same family, since clients cannot connect to "any".
pub(crate) fn endpoint_for(scheme: &str, addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    // SocketAddr's Display brackets IPv6 addresses, which is what a URL authority needs.
    format!("{scheme}://{}", SocketAddr::new(ip, addr.port()))
}

/// `endpoint={endpoint}/;accesskey={base64 key}` as the ACS SDKs parse it.
pub(crate) fn connection_string_for(endpoint: &str, access_key: &[u8]) -> String {
    format!(
        "endpoint={endpoint}/;accesskey={}",
        STANDARD.encode(access_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_key_is_the_documented_phrase() {
        assert_eq!(
            decode_access_key(DEFAULT_ACCESS_KEY).unwrap(),
            b"acs-chat-emulator-well-known-access-key-not-a-secret"
        );
        assert_eq!(default_access_key().len(), 52);
    }

    #[test]
    fn bad_keys_are_rejected_without_echo() {
        let err = decode_access_key("not base64 !!").unwrap_err();
        assert!(err.contains("base64"), "{err}");
        assert!(!err.contains("not base64 !!"));
        assert!(decode_access_key("").unwrap_err().contains("empty"));
    }

    #[test]
    fn endpoints_and_connection_strings() {
        let v4: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        assert_eq!(endpoint_for("https", v4), "https://127.0.0.1:8443");
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(endpoint_for("http", v6), "http://[::1]:80");
        let any: SocketAddr = "0.0.0.0:9".parse().unwrap();
        assert_eq!(endpoint_for("http", any), "http://127.0.0.1:9");
        let any6: SocketAddr = "[::]:9".parse().unwrap();
        assert_eq!(endpoint_for("http", any6), "http://[::1]:9");
        assert_eq!(
            connection_string_for("http://127.0.0.1:1", b"key"),
            "endpoint=http://127.0.0.1:1/;accesskey=a2V5"
        );
    }

    #[test]
    fn debug_redacts_the_key() {
        let cfg = EmulatorConfig {
            access_key: b"super-secret-bytes".to_vec(),
            ..EmulatorConfig::default()
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("super"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
