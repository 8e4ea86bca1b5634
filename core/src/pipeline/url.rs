//! Endpoint validation and request URL construction.

use std::net::IpAddr;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

use crate::error::{Error, Result};

/// Everything except RFC 3986 unreserved characters is escaped, like Python's `quote(value, safe="")`, so an id
/// such as `19:abc@thread.v2` becomes one path segment `19%3Aabc%40thread.v2`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment or query value.
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

/// Parses and checks a service endpoint.
///
/// A missing scheme means `https://`. `http` is allowed only for loopback hosts (`localhost`, `127.0.0.0/8`,
/// `::1`), because bearer tokens and HMAC signatures must not cross the network in clear text. A path prefix is
/// kept; a query or fragment is rejected.
pub(crate) fn parse_endpoint(endpoint: &str) -> Result<Url> {
    let trimmed = endpoint.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_input("the endpoint is empty"));
    }
    let lower = trimmed.to_ascii_lowercase();
    let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
        trimmed.to_string()
    } else if lower.contains("://") {
        return Err(Error::invalid_input(format!(
            "the endpoint `{trimmed}` must use https (or http on a loopback host)"
        )));
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| {
        Error::with_source(
            crate::error::ErrorKind::InvalidInput,
            format!("the endpoint `{trimmed}` is not a valid URL"),
            e,
        )
    })?;
    if url.host_str().map_or(true, str::is_empty) {
        return Err(Error::invalid_input(format!(
            "the endpoint `{trimmed}` has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(format!(
            "the endpoint `{trimmed}` must not contain a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "the endpoint must not contain user information",
        ));
    }
    check_scheme(&url)?;
    Ok(url)
}

/// Rejects plain `http` except for loopback hosts.
pub(crate) fn check_scheme(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::invalid_input(format!(
            "`http` is only allowed for loopback hosts; use https for `{}`",
            url.host_str().unwrap_or_default()
        ))),
        other => Err(Error::invalid_input(format!(
            "unsupported URL scheme `{other}`; use https"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Joins `path` (already encoded, no leading `/`) onto the endpoint's path prefix and sets the query.
///
/// Query values are percent-encoded here; names are fixed ASCII.
pub(crate) fn build(endpoint: &Url, path: &str, query: &[(&str, String)]) -> Url {
    let mut url = endpoint.clone();
    let prefix = endpoint.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}/{path}"));
    url.set_query(Some(&encode_query(query)));
    url
}

fn encode_query(query: &[(&str, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Resolves a service `nextLink` for the next page request.
///
/// The link is used as the service wrote it (its path and query bytes are not re-encoded), except that
/// `api-version` is replaced by the client's. A relative link is resolved against the endpoint. The link must
/// pass the same scheme rule as the endpoint, because the bearer token is sent to it.
pub(crate) fn next_link(endpoint: &Url, link: &str, api_version: &str) -> Result<Url> {
    let mut url = match Url::parse(link) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => endpoint.join(link).map_err(|e| {
            Error::with_source(
                crate::error::ErrorKind::InvalidInput,
                "the continuation token is not a valid URL",
                e,
            )
        })?,
        Err(e) => {
            return Err(Error::with_source(
                crate::error::ErrorKind::InvalidInput,
                "the continuation token is not a valid URL",
                e,
            ))
        }
    };
    check_scheme(&url)?;
    let mut parts: Vec<String> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default();
            !key.eq_ignore_ascii_case("api-version")
        })
        .map(str::to_string)
        .collect();
    parts.push(format!("api-version={}", encode(api_version)));
    url.set_query(Some(&parts.join("&")));
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_rules() {
        assert_eq!(
            parse_endpoint("acs.communication.azure.com")
                .unwrap()
                .as_str(),
            "https://acs.communication.azure.com/"
        );
        assert!(parse_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(parse_endpoint("http://localhost:1/x/").is_ok());
        assert!(parse_endpoint("http://[::1]:9").is_ok());
        let e = parse_endpoint("http://acs.communication.azure.com").unwrap_err();
        assert!(e.to_string().contains("loopback"));
        assert!(parse_endpoint("ftp://x").is_err());
        assert!(parse_endpoint("").is_err());
        assert!(parse_endpoint("https://h/?a=b").is_err());
    }

    #[test]
    fn builds_paths_with_prefix_and_encoded_ids() {
        let ep = parse_endpoint("https://h.example/prefix/").unwrap();
        let url = build(
            &ep,
            &format!(
                "chat/threads/{}/participants/:add",
                encode("19:a b/c@thread.v2")
            ),
            &[("api-version", "2023-11-07".into())],
        );
        assert_eq!(
            url.as_str(),
            "https://h.example/prefix/chat/threads/19%3Aa%20b%2Fc%40thread.v2/participants/:add?api-version=2023-11-07"
        );
        let url = build(
            &ep,
            "chat/threads",
            &[("startTime", "2021-01-01T00:00:00Z".into())],
        );
        assert_eq!(url.query(), Some("startTime=2021-01-01T00%3A00%3A00Z"));
    }

    #[test]
    fn next_link_keeps_raw_query_and_replaces_api_version() {
        let ep = parse_endpoint("https://h.example").unwrap();
        let link = "https://h.example/chat/threads/19:x@thread.v2/messages?syncState=a%2Fb&startTime=1%2F1%2F1970%2012%3A00%3A00%20AM%20%2B00%3A00&maxPageSize=1&api-version=2021-03-07";
        let url = next_link(&ep, link, "2023-11-07").unwrap();
        assert_eq!(
            url.query(),
            Some("syncState=a%2Fb&startTime=1%2F1%2F1970%2012%3A00%3A00%20AM%20%2B00%3A00&maxPageSize=1&api-version=2023-11-07")
        );
        assert_eq!(url.path(), "/chat/threads/19:x@thread.v2/messages");
        let rel = next_link(&ep, "/chat/threads?skip=2", "v").unwrap();
        assert_eq!(
            rel.as_str(),
            "https://h.example/chat/threads?skip=2&api-version=v"
        );
        assert!(next_link(&ep, "http://evil.example/chat", "v").is_err());
    }
}
