//! Request plumbing shared by the chat and identity routes: reading the raw body, query
//! parameters and percent-encoded path segments, parsing JSON into typed errors, and building
//! responses. Handlers never use axum's extractors, whose rejections are plain text; every
//! failure here is an [`ApiError`] envelope naming the problem.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;

/// Upper bound on a body read here; the server shell enforces the real (smaller) limit first.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A request with its body read into memory.
pub(crate) struct Incoming {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Decoded query pairs in request order.
    pub query: Vec<(String, String)>,
}

impl Incoming {
    /// Reads the whole body; a body over the limit is a 413 envelope.
    pub(crate) async fn read(req: axum::extract::Request) -> Result<Incoming, ApiError> {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|e| {
                if is_length_limit(&e) {
                    ApiError::payload_too_large("The request body is too large.")
                } else {
                    ApiError::bad_request("The request body could not be read.")
                }
            })?;
        let query = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Ok(Incoming {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            query,
        })
    }

    /// The first value of query parameter `name`, if any.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The raw (still encoded) request target, as HMAC signatures cover it.
    pub(crate) fn path_and_query(&self) -> &str {
        self.uri
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/")
    }

    /// Percent-decodes path segment `index` (0 is the segment after the leading `/`).
    pub(crate) fn segment(&self, index: usize) -> Result<String, ApiError> {
        let raw = self
            .uri
            .path()
            .trim_start_matches('/')
            .split('/')
            .nth(index)
            .ok_or_else(|| ApiError::not_found("The requested resource does not exist."))?;
        decode_segment(raw)
    }

    /// `scheme://host` for `Location` headers and `nextLink`s, from the `Host` header (HTTP/1)
    /// or the request authority (HTTP/2).
    pub(crate) fn base_url(&self, scheme: &str) -> String {
        let host = self
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| self.uri.authority().map(|a| a.as_str().to_owned()))
            .unwrap_or_else(|| "localhost".to_owned());
        format!("{scheme}://{host}")
    }

    /// Rejects bodies whose declared media type is not JSON (an absent type is accepted).
    pub(crate) fn check_json_content_type(&self) -> Result<(), ApiError> {
        if self.body.is_empty() {
            return Ok(());
        }
        let Some(ct) = self.headers.get(header::CONTENT_TYPE) else {
            return Ok(());
        };
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        let media = ct.split(';').next().unwrap_or("").trim();
        if media.is_empty()
            || media == "application/json"
            || media == "application/merge-patch+json"
        {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                format!("The Content-Type '{media}' is not supported; send application/json."),
            ))
        }
    }

    /// Whether the body is empty or only whitespace.
    pub(crate) fn body_is_blank(&self) -> bool {
        self.body.iter().all(|b| b.is_ascii_whitespace())
    }
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Strictly percent-decodes one path segment: every `%` must start a two-hex-digit escape and
/// the result must be UTF-8 (400 otherwise).
pub(crate) fn decode_segment(raw: &str) -> Result<String, ApiError> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "The path segment '{raw}' has an invalid percent-encoding."
                )));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            ApiError::bad_request(format!(
                "The path segment '{raw}' does not decode to UTF-8 text."
            ))
        })
}

/// Characters left alone when quoting a path segment, as Python's `quote(v, safe="")` does.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes an id for use as one path segment (`19:x@thread.v2` -> `19%3Ax%40thread.v2`).
pub(crate) fn encode_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// Parses a JSON body into `T`; `what` names the expected body in the error message.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request(format!(
            "The request body is required: send a JSON {what}."
        )));
    }
    // serde reads a struct from a JSON array too (positionally); every request body is an
    // object, so anything else is refused before it can be misread.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request(format!(
            "The request body must be a JSON object ({what})."
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not a valid {what}: {e}.")))
}

/// A JSON response with the given status.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(_) => axum::response::IntoResponse::into_response(ApiError::service_unavailable(
            "The response could not be serialized.",
        )),
    }
}

/// A response whose body is already-serialized JSON.
pub(crate) fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// A response without a body (204, or the 200 of typing and read receipts).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status;
    resp
}

/// Adds a `Location` header (ignored if the text is not a valid header value).
pub(crate) fn with_location(mut resp: Response, location: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_decode_strictly() {
        assert_eq!(
            decode_segment("19%3Aabc%40thread.v2").unwrap(),
            "19:abc@thread.v2"
        );
        assert_eq!(
            decode_segment("19:abc@thread.v2").unwrap(),
            "19:abc@thread.v2"
        );
        assert_eq!(decode_segment("%zz").unwrap_err().status.as_u16(), 400);
        assert_eq!(decode_segment("abc%4").unwrap_err().status.as_u16(), 400);
        assert_eq!(decode_segment("%ff%fe").unwrap_err().status.as_u16(), 400);
        assert_eq!(encode_segment("19:ab@thread.v2"), "19%3Aab%40thread.v2");
    }

    #[test]
    fn json_errors_name_the_problem() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Req {
            topic: String,
        }
        let e = parse_json::<Req>(b"{}", "CreateChatThreadRequest").unwrap_err();
        assert!(e.error.message.contains("topic"), "{}", e.error.message);
        let e = parse_json::<Req>(b"", "CreateChatThreadRequest").unwrap_err();
        assert!(e.error.message.contains("required"));
        let e = parse_json::<Req>(b"{\"topic\":5}", "CreateChatThreadRequest").unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        let e = parse_json::<Req>(b" [\"t\"]", "CreateChatThreadRequest").unwrap_err();
        assert!(e.error.message.contains("JSON object"));
    }
}
