//! Shared helpers for the emulator's HTTP-level tests: a tiny client that speaks the wire contract the
//! official SDKs speak (bearer tokens for chat, HMAC-SHA256 signing for identity, nextLink following the
//! way azure-core's generated pagers do it), plus readable assertions on responses.
//!
//! Failure messages print the request line and the response, with every `token` field redacted, so a
//! failing test never leaks an access token into the test output.

// Every test binary includes this module but uses a different subset of it.
#![allow(dead_code)]

use std::fmt;
use std::time::Duration;

use acs_chat_emulator::api::auth::hmac;
use acs_chat_emulator::{Emulator, EmulatorConfig, UserWithToken};
use chrono::{DateTime, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method};
use serde_json::{json, Value};

/// The chat api-version the official Python SDK 1.2.0 sends.
pub const CHAT_API: &str = "2023-11-07";
/// The identity api-version the official Python identity SDK 1.5.0 sends.
pub const IDENTITY_API: &str = "2023-10-01";
/// Every stable chat api-version the emulator must accept.
pub const CHAT_VERSIONS: [&str; 5] = [
    "2021-03-07",
    "2021-09-07",
    "2023-11-07",
    "2024-03-07",
    "2025-03-15",
];

/// Python's `quote(v, safe="")`: everything but `A-Za-z0-9_.-~` is percent-encoded.
pub const QUOTE_ALL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Python's `quote(v)` (default `safe="/"`), used by the SDK when it re-sends nextLink query values.
pub const QUOTE_QUERY: &AsciiSet = &QUOTE_ALL.remove(b'/');

/// Percent-encodes a path id the way the SDK does (`19:x@thread.v2` -> `19%3Ax%40thread.v2`).
pub fn quote(id: &str) -> String {
    utf8_percent_encode(id, QUOTE_ALL).to_string()
}

/// Starts an in-memory emulator on 127.0.0.1:0 over plain http.
pub async fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default())
        .await
        .expect("the in-process emulator starts")
}

/// Mints an identity with a 24-hour token for `scopes` through the in-process API.
pub fn user(emu: &Emulator, scopes: &[&str]) -> UserWithToken {
    emu.create_user(scopes)
        .unwrap_or_else(|e| panic!("create_user({scopes:?}) failed: {e}"))
}

/// Mints an identity with a 24-hour `chat` token.
pub fn chat_user(emu: &Emulator) -> UserWithToken {
    emu.create_chat_user()
        .unwrap_or_else(|e| panic!("create_chat_user failed: {e}"))
}

/// A communication identifier as the SDK 1.2.0 serializes an ACS user in requests (no `kind`).
pub fn ident(raw_id: &str) -> Value {
    json!({"rawId": raw_id, "communicationUser": {"id": raw_id}})
}

/// A `ChatParticipant` request object for an ACS user.
pub fn participant(raw_id: &str) -> Value {
    json!({"communicationIdentifier": ident(raw_id)})
}

/// Parses an RFC 3339 timestamp from a response, naming the field when it is not one.
pub fn ts(v: &Value, what: &str) -> DateTime<Utc> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"));
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{what} = {s:?} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// The raw id inside a response identifier, checking the shape the SDK depends on
/// (`rawId` equal to `communicationUser.id`).
pub fn raw_id_of(identifier: &Value) -> String {
    let raw = identifier["rawId"]
        .as_str()
        .unwrap_or_else(|| panic!("identifier without rawId: {identifier}"));
    assert_eq!(
        identifier["communicationUser"]["id"].as_str(),
        Some(raw),
        "rawId must equal communicationUser.id: {identifier}"
    );
    raw.to_string()
}

/// One HTTP exchange, kept whole so a failed assertion can show what was sent and received.
pub struct Resp {
    pub method: Method,
    pub url: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Replaces the value of every `token` key with a placeholder.
fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k.eq_ignore_ascii_case("token") || k.eq_ignore_ascii_case("accessKey") {
                    *val = Value::String("<redacted>".into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

impl fmt::Display for Resp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match serde_json::from_slice::<Value>(&self.body) {
            Ok(mut v) => {
                redact(&mut v);
                v.to_string()
            }
            Err(_) => String::from_utf8_lossy(&self.body).into_owned(),
        };
        let body: String = body.chars().take(1500).collect();
        write!(
            f,
            "{} {} -> {} headers={:?} body={}",
            self.method,
            self.url,
            self.status,
            self.headers
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
                .collect::<Vec<_>>(),
            body
        )
    }
}

impl fmt::Debug for Resp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Resp {
    /// Asserts the status, showing the whole exchange when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status: {self}");
        self
    }

    /// The body as JSON; fails (showing the exchange) when it is not JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {self}"))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("header is ASCII").to_string())
    }

    /// Asserts a status and the ACS error envelope `{"error":{"code","message"}}` with non-empty strings;
    /// returns `(code, message)`.
    #[track_caller]
    pub fn expect_error(&self, status: u16) -> (String, String) {
        self.expect(status);
        self.envelope()
    }

    /// Asserts a 4xx status (any) and the error envelope; returns `(status, code, message)`.
    #[track_caller]
    pub fn expect_4xx(&self) -> (u16, String, String) {
        assert!(
            (400..500).contains(&self.status),
            "expected a 4xx status: {self}"
        );
        let (code, message) = self.envelope();
        (self.status, code, message)
    }

    #[track_caller]
    fn envelope(&self) -> (String, String) {
        let v = self.json();
        let code = v["error"]["code"].as_str();
        let message = v["error"]["message"].as_str();
        // The spec declares this header on every error answer; the SDKs use it to tell service
        // errors from proxies' and gateways'.
        assert_eq!(
            self.header("x-ms-error-response").as_deref(),
            Some("true"),
            "error answers carry x-ms-error-response: true: {self}"
        );
        match (code, message) {
            (Some(c), Some(m)) if !c.is_empty() && !m.is_empty() => (c.to_string(), m.to_string()),
            _ => panic!("not an ACS error envelope with code and message: {self}"),
        }
    }

    /// Asserts an empty body (typing, read receipt, 204s).
    #[track_caller]
    pub fn expect_empty(&self) -> &Self {
        assert!(self.body.is_empty(), "expected an empty body: {self}");
        self
    }

    /// Asserts the `api-supported-versions` header lists every stable chat version.
    #[track_caller]
    pub fn expect_chat_versions_header(&self) -> &Self {
        let h = self
            .header("api-supported-versions")
            .unwrap_or_else(|| panic!("no api-supported-versions header: {self}"));
        for v in CHAT_VERSIONS {
            assert!(h.contains(v), "api-supported-versions lacks {v}: {self}");
        }
        self
    }
}

/// Everything a test needs to talk to one emulator over HTTP.
#[derive(Clone)]
pub struct Api {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub endpoint: String,
    /// `127.0.0.1:PORT`: what reqwest sends as `Host`, and so what the HMAC signature covers.
    pub host: String,
    key: Vec<u8>,
    pub http: Client,
}

/// A page collection as followed by the SDK: every item in order plus what each page looked like.
pub struct Paged {
    pub items: Vec<Value>,
    pub page_sizes: Vec<usize>,
    pub next_links: Vec<String>,
}

impl Api {
    pub fn new(emu: &Emulator) -> Api {
        Api::for_endpoint(emu.endpoint(), emu.access_key().to_vec())
    }

    /// For an emulator running as a subprocess: its endpoint and decoded access key.
    pub fn for_endpoint(endpoint: &str, key: Vec<u8>) -> Api {
        // no_proxy: a proxy from the environment must not sit between a test and its loopback emulator.
        let http = Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("reqwest client");
        Api::with_client(endpoint, key, http)
    }

    /// With a client of the test's own making (e.g. one that trusts the emulator's CA).
    pub fn with_client(endpoint: &str, key: Vec<u8>, http: Client) -> Api {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let host = endpoint
            .split_once("://")
            .map(|(_, h)| h.to_string())
            .expect("endpoint has a scheme");
        Api {
            endpoint,
            host,
            key,
            http,
        }
    }

    /// Sends one request to `path_and_query` (already encoded) exactly as given.
    pub async fn raw(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let url = format!("{}{}", self.endpoint, path_and_query);
        self.raw_url(method, &url, headers, body).await
    }

    /// Sends one request to an absolute URL.
    pub async fn raw_url(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let mut req = self.http.request(method.clone(), url);
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: transport error: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: reading the body failed: {e}"))
            .to_vec();
        Resp {
            method,
            url: url.to_string(),
            status,
            headers,
            body,
        }
    }

    /// A chat call with a bearer token at the SDK's api-version; `path` has no query or one without
    /// api-version. Bodies go as `application/json`, PATCH bodies as `application/merge-patch+json`.
    pub async fn chat(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.chat_v(CHAT_API, token, method, path, body).await
    }

    /// Like [`Api::chat`] at a given api-version.
    pub async fn chat_v(
        &self,
        version: &str,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let sep = if path.contains('?') { '&' } else { '?' };
        let pq = format!("{path}{sep}api-version={version}");
        let mut headers = vec![("authorization", format!("Bearer {token}"))];
        let body = body.map(|b| {
            let ct = if method == Method::PATCH {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            headers.push(("content-type", ct.to_string()));
            serde_json::to_vec(&b).expect("serializable body")
        });
        self.raw(method, &pq, &headers, body).await
    }

    /// The signed headers for an identity/admin request sent now.
    pub fn signed_headers(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Vec<(&'static str, String)> {
        let s = hmac::sign(method, path_and_query, &self.host, body, &self.key, now);
        vec![
            ("x-ms-date", s.date),
            ("x-ms-content-sha256", s.content_sha256),
            ("authorization", s.authorization),
        ]
    }

    /// An HMAC-signed identity call at the identity SDK's api-version; an absent body is signed as "".
    pub async fn identity(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let pq = format!("{path}?api-version={IDENTITY_API}");
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("serializable body"));
        let mut headers = self.signed_headers(
            method.as_str(),
            &pq,
            bytes.as_deref().unwrap_or_default(),
            Utc::now(),
        );
        if bytes.is_some() {
            headers.push(("content-type", "application/json".to_string()));
        }
        self.raw(method, &pq, &headers, bytes).await
    }

    /// Creates an identity over HTTP, with a token when `scopes` is not empty; returns the 201 response.
    pub async fn create_identity(&self, scopes: &[&str], minutes: Option<u32>) -> Resp {
        let body = if scopes.is_empty() && minutes.is_none() {
            None
        } else {
            let mut b = json!({"createTokenWithScopes": scopes});
            if let Some(m) = minutes {
                b["expiresInMinutes"] = json!(m);
            }
            Some(b)
        };
        self.identity(Method::POST, "/identities", body).await
    }

    /// Creates a thread (no repeatability id) and returns the response.
    pub async fn create_thread(&self, token: &str, topic: &str, members: &[&str]) -> Resp {
        let parts: Vec<Value> = members.iter().map(|m| participant(m)).collect();
        self.chat(
            token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": topic, "participants": parts})),
        )
        .await
    }

    /// Creates a thread and returns its id, asserting 201.
    pub async fn thread(&self, token: &str, topic: &str, members: &[&str]) -> String {
        let r = self.create_thread(token, topic, members).await;
        r.expect(201);
        r.json()["chatThread"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no chatThread.id: {r}"))
            .to_string()
    }

    /// Sends a text message and returns the response.
    pub async fn send(&self, token: &str, thread: &str, content: &str) -> Resp {
        self.chat(
            token,
            Method::POST,
            &format!("/chat/threads/{}/messages", quote(thread)),
            Some(json!({"content": content, "senderDisplayName": "tester", "type": "text"})),
        )
        .await
    }

    /// Sends a text message and returns its id, asserting 201.
    pub async fn message(&self, token: &str, thread: &str, content: &str) -> String {
        let r = self.send(token, thread, content).await;
        r.expect(201);
        r.json()["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id: {r}"))
            .to_string()
    }

    /// Adds participants (SDK request shape) and returns the response.
    pub async fn add(&self, token: &str, thread: &str, members: &[&str]) -> Resp {
        let parts: Vec<Value> = members.iter().map(|m| participant(m)).collect();
        self.chat(
            token,
            Method::POST,
            &format!("/chat/threads/{}/participants/:add", quote(thread)),
            Some(json!({"participants": parts})),
        )
        .await
    }

    /// Adds participants in batches of 200 (the service's batch limit), asserting 201 and no invalid ones.
    pub async fn add_all(&self, token: &str, thread: &str, members: &[String]) {
        for chunk in members.chunks(200) {
            let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let r = self.add(token, thread, &ids).await;
            r.expect(201);
            let invalid = r.json()["invalidParticipants"].clone();
            assert!(
                invalid.is_null() || invalid.as_array().is_some_and(|a| a.is_empty()),
                "unexpected invalidParticipants: {r}"
            );
        }
    }

    /// Lists every item of a pageable collection, starting at `first` (a path with optional query, no
    /// api-version) and following each `nextLink` the way SDK 1.2.0 does.
    ///
    /// Checks on every page: 200, `value` is an array, `nextLink` (when present) is absolute on this
    /// emulator. Gives up with a panic after 10,000 pages rather than looping forever.
    pub async fn list_all(&self, token: &str, first: &str) -> Paged {
        let mut items = Vec::new();
        let mut page_sizes = Vec::new();
        let mut next_links = Vec::new();
        let mut resp = self.chat(token, Method::GET, first, None).await;
        loop {
            resp.expect(200);
            let page = resp.json();
            let value = page["value"]
                .as_array()
                .unwrap_or_else(|| panic!("page without a value array: {resp}"));
            page_sizes.push(value.len());
            items.extend(value.iter().cloned());
            let next = match &page["nextLink"] {
                Value::Null => break,
                Value::String(s) if s.is_empty() => break,
                Value::String(s) => s.clone(),
                other => panic!("nextLink is not a string: {other}"),
            };
            assert!(
                next.starts_with(&format!("{}/", self.endpoint)),
                "nextLink {next:?} is not absolute on {}",
                self.endpoint
            );
            assert!(page_sizes.len() < 10_000, "paging did not terminate");
            let url = sdk_next_url(&next, CHAT_API);
            next_links.push(next);
            resp = self
                .raw_url(
                    Method::GET,
                    &url,
                    &[("authorization", format!("Bearer {token}"))],
                    None,
                )
                .await;
        }
        Paged {
            items,
            page_sizes,
            next_links,
        }
    }
}

/// The URL SDK 1.2.0 requests for a nextLink: `parse_qs` (blank values dropped, `+` read as a space), every
/// value re-quoted with Python's `quote` (safe `/`), `api-version` overwritten with the client's, sent to the
/// nextLink's own scheme, host and path.
pub fn sdk_next_url(next_link: &str, api_version: &str) -> String {
    let url = reqwest::Url::parse(next_link)
        .unwrap_or_else(|e| panic!("nextLink {next_link:?} is not a URL: {e}"));
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in url.query_pairs() {
        if v.is_empty() {
            continue;
        }
        match params.iter_mut().find(|(key, _)| *key == k) {
            Some((_, vals)) => vals.push(v.into_owned()),
            None => params.push((k.into_owned(), vec![v.into_owned()])),
        }
    }
    match params
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
    {
        Some((_, vals)) => *vals = vec![api_version.to_string()],
        None => params.push(("api-version".into(), vec![api_version.to_string()])),
    }
    let query: Vec<String> = params
        .iter()
        .flat_map(|(k, vals)| {
            vals.iter()
                .map(move |v| format!("{k}={}", utf8_percent_encode(v, QUOTE_QUERY)))
        })
        .collect();
    let authority = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    format!(
        "{}://{}{}?{}",
        url.scheme(),
        authority,
        url.path(),
        query.join("&")
    )
}

/// Formats a time the way the SDK sends `startTime` (UTC, milliseconds, `Z`), URL-quoted.
pub fn start_time_param(t: DateTime<Utc>) -> String {
    quote(&t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// The `Location` header of a 201, checked to be absolute on this emulator, returned as a
/// percent-decoded path (the service may or may not encode `@`; both decode to the same path).
#[track_caller]
pub fn location_path(api: &Api, r: &Resp) -> String {
    let loc = r
        .header("location")
        .unwrap_or_else(|| panic!("no Location header: {r}"));
    let rest = loc
        .strip_prefix(&api.endpoint)
        .unwrap_or_else(|| panic!("Location {loc:?} is not absolute on {}", api.endpoint));
    percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .unwrap_or_else(|e| panic!("Location {loc:?} is not valid percent-encoded UTF-8: {e}"))
        .into_owned()
}

/// Every message of a thread as `token` sees it, newest first, through the pager.
pub async fn all_messages(api: &Api, token: &str, thread: &str) -> Vec<Value> {
    api.list_all(token, &format!("/chat/threads/{}/messages", quote(thread)))
        .await
        .items
}

/// The raw ids of a thread's participants as `token` sees them.
pub async fn participant_ids(api: &Api, token: &str, thread: &str) -> Vec<String> {
    api.list_all(
        token,
        &format!("/chat/threads/{}/participants", quote(thread)),
    )
    .await
    .items
    .iter()
    .map(|p| raw_id_of(&p["communicationIdentifier"]))
    .collect()
}

/// A well-formed thread id that no emulator has issued.
pub const UNKNOWN_THREAD: &str = "19:0123456789abcdef0123456789abcdef@thread.v2";
