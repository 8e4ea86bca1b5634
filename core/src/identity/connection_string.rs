//! Parsing `endpoint=https://...;accesskey=<base64>` connection strings.

use crate::error::{Error, Result};

/// The two parts of an ACS connection string. `Debug` hides the key.
#[derive(Clone)]
pub(crate) struct ConnectionString {
    pub endpoint: String,
    pub access_key: String,
}

impl std::fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint)
            .field("access_key", &"<redacted>")
            .finish()
    }
}

/// Parses a connection string. Keys are case-insensitive; each element splits on its first `=` so the key's
/// base64 padding survives. Errors never repeat the access key.
pub(crate) fn parse(connection_string: &str) -> Result<ConnectionString> {
    let mut endpoint = None;
    let mut access_key = None;
    for element in connection_string
        .split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((name, value)) = element.split_once('=') else {
            return Err(Error::invalid_input(
                "the connection string has an element without `=`; expected `endpoint=...;accesskey=...`",
            ));
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "endpoint" => endpoint = Some(value.trim().to_string()),
            "accesskey" => access_key = Some(value.trim().to_string()),
            // Unknown elements are ignored, as other ACS clients do.
            _ => {}
        }
    }
    let endpoint = endpoint
        .filter(|e| !e.is_empty())
        .ok_or_else(|| Error::invalid_input("the connection string has no `endpoint`"))?;
    let access_key = access_key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Error::invalid_input("the connection string has no `accesskey`"))?;
    Ok(ConnectionString {
        endpoint,
        access_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitive_keys_and_keeps_padding() {
        let cs = parse("Endpoint=https://r.communication.azure.com/;AccessKey=abc==").unwrap();
        assert_eq!(cs.endpoint, "https://r.communication.azure.com/");
        assert_eq!(cs.access_key, "abc==");
        assert!(!format!("{cs:?}").contains("abc=="));
    }

    #[test]
    fn reports_missing_parts_without_the_key() {
        let e = parse("accesskey=SECRETKEY").unwrap_err();
        assert!(e.to_string().contains("endpoint"));
        assert!(!e.to_string().contains("SECRETKEY"));
        assert!(parse("endpoint=https://h")
            .unwrap_err()
            .to_string()
            .contains("accesskey"));
        assert!(parse("garbage").is_err());
    }
}
