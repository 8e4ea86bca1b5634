//! Playback of real-service recordings: for each recorded chat call, the client (set to the recording's
//! api-version) must send the recorded method, path, query and body shape, and decode the recorded response.
//!
//! A tiny local server captures what the client sends and answers with the recorded status and body.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use acs_chat::models::{ChatMessageType, ChatParticipant};
use acs_chat::operation_options::{
    CreateChatThreadOptions, ListMessagesOptions, ListParticipantsOptions, SendMessageOptions,
    TypingNotificationOptions, UpdateMessageOptions,
};
use acs_chat::{ChatClient, ClientOptions, CommunicationIdentifier, CommunicationTokenCredential};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::Value;

/// One recorded chat call.
#[derive(Debug, Clone)]
struct Entry {
    source: String,
    method: String,
    uri: String,
    request_headers: BTreeMap<String, String>,
    request_body: Option<Value>,
    status: u16,
    response_body: Option<Value>,
}

/// What the client sent.
#[derive(Debug, Clone)]
struct Captured {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Shared {
    answer: Mutex<(u16, Vec<u8>)>,
    captured: Mutex<Vec<Captured>>,
}

async fn handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.captured.lock().unwrap().push(Captured {
        method,
        uri,
        headers,
        body,
    });
    let (status, body) = shared.answer.lock().unwrap().clone();
    let status = StatusCode::from_u16(status).unwrap();
    if body.is_empty() {
        status.into_response()
    } else {
        (
            status,
            [("content-type", "application/json; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

async fn start_server() -> (String, Arc<Shared>) {
    let shared = Arc::new(Shared::default());
    let app = axum::Router::new()
        .fallback(handler)
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}"), shared)
}

fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/recordings")
}

fn token() -> String {
    let payload = format!(
        r#"{{"skypeid":"acs:playback","exp":{}}}"#,
        chrono::Utc::now().timestamp() + 3600
    );
    format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
    )
}

fn load_test_proxy() -> Vec<Entry> {
    let mut files: Vec<_> = std::fs::read_dir(recordings_dir().join("test-proxy-2023"))
        .expect("recordings folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for e in doc["Entries"].as_array().unwrap() {
            let uri = e["RequestUri"].as_str().unwrap().to_string();
            if !uri.contains("/chat/") {
                continue;
            }
            let headers = e["RequestHeaders"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(Entry {
                source: file.file_name().unwrap().to_string_lossy().into_owned(),
                method: e["RequestMethod"].as_str().unwrap().to_string(),
                uri,
                request_headers: headers,
                request_body: Some(e["RequestBody"].clone()).filter(|v| !v.is_null()),
                status: e["StatusCode"].as_u64().unwrap() as u16,
                response_body: Some(e["ResponseBody"].clone()).filter(|v| !v.is_null()),
            });
        }
    }
    out
}

/// Reads a YAML scalar starting at `fragment` (the text after `key: `), following single-quoted strings over
/// line breaks (folded with one space, as YAML does). Returns the value and the index of the next line.
fn yaml_scalar(lines: &[&str], mut idx: usize, fragment: &str) -> (Option<String>, usize) {
    let fragment = fragment.trim();
    if fragment == "null" || fragment == "~" {
        return (None, idx + 1);
    }
    if !fragment.starts_with('\'') {
        return (Some(fragment.to_string()), idx + 1);
    }
    let mut text = fragment[1..].to_string();
    loop {
        // Find a closing quote that is not an escaped `''`.
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut value = String::new();
        let mut closed = false;
        while i < chars.len() {
            if chars[i] == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    value.push('\'');
                    i += 2;
                    continue;
                }
                closed = true;
                break;
            }
            value.push(chars[i]);
            i += 1;
        }
        if closed {
            return (Some(value), idx + 1);
        }
        idx += 1;
        let next = lines.get(idx).map(|l| l.trim()).unwrap_or("");
        text = format!("{text} {next}");
    }
}

fn load_vcr() -> Vec<Entry> {
    let mut files: Vec<_> = std::fs::read_dir(recordings_dir().join("vcr-2021"))
        .expect("recordings folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut entries: Vec<Entry> = Vec::new();
        let mut in_response = false;
        let mut idx = 0;
        while idx < lines.len() {
            let line = lines[idx];
            if line == "- request:" {
                entries.push(Entry {
                    source: file.file_name().unwrap().to_string_lossy().into_owned(),
                    method: String::new(),
                    uri: String::new(),
                    request_headers: BTreeMap::new(),
                    request_body: None,
                    status: 0,
                    response_body: None,
                });
                in_response = false;
            } else if line == "  response:" {
                in_response = true;
            } else if let Some(entry) = entries.last_mut() {
                if !in_response {
                    if let Some(rest) = line.strip_prefix("    body: ") {
                        let (v, next) = yaml_scalar(&lines, idx, rest);
                        entry.request_body = v.and_then(|s| serde_json::from_str(&s).ok());
                        idx = next;
                        continue;
                    }
                    if let Some(rest) = line.strip_prefix("    method: ") {
                        entry.method = rest.trim().to_string();
                    }
                    if let Some(rest) = line.strip_prefix("    uri: ") {
                        entry.uri = rest.trim().to_string();
                    }
                } else {
                    // Two vcrpy spellings: `body: '<json>'` and `body:` + `string: '<json>'`.
                    let inline = line
                        .strip_prefix("    body: ")
                        .or_else(|| line.strip_prefix("      string: "));
                    if let Some(rest) = inline {
                        let (v, next) = yaml_scalar(&lines, idx, rest);
                        entry.response_body = v
                            .filter(|s| !s.is_empty())
                            .and_then(|s| serde_json::from_str(&s).ok());
                        idx = next;
                        continue;
                    }
                    if let Some(rest) = line.strip_prefix("      code: ") {
                        entry.status = rest.trim().parse().unwrap();
                    }
                }
            }
            idx += 1;
        }
        out.extend(entries.into_iter().filter(|e| e.uri.contains("/chat/")));
    }
    out
}

/// True when the recorder replaced a whole array with the string "sanitized", so the call's body no longer
/// matches the service schema.
fn sanitized_away(body: &Option<Value>) -> bool {
    let Some(Value::Object(map)) = body else {
        return false;
    };
    ["value", "participants"]
        .iter()
        .any(|k| map.get(*k).is_some_and(|v| v.is_string()))
        // 2020-11-01-preview3 named the creator by a bare `createdBy` string (here "sanitized") instead of the
        // GA `createdByCommunicationIdentifier` object, so no GA model can hold it.
        || map.get("createdBy").is_some_and(|v| v == "sanitized")
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn split_uri(uri: &str) -> (String, Vec<(String, String)>) {
    let after_host = uri.splitn(4, '/').nth(3).unwrap_or("");
    let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    pairs.sort();
    (format!("/{}", decode(path)), pairs)
}

fn raw_path_and_query(uri: &str) -> String {
    format!("/{}", uri.splitn(4, '/').nth(3).unwrap_or(""))
}

/// Same keys, same array lengths and equal scalars; timestamps compare as instants.
fn same_shape(sent: &Value, recorded: &Value, at: &str) -> Result<(), String> {
    match (sent, recorded) {
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<_> = a.keys().collect();
            let kb: Vec<_> = b.keys().collect();
            if ka != kb {
                return Err(format!("{at}: keys {ka:?} != recorded {kb:?}"));
            }
            for (k, v) in a {
                same_shape(v, &b[k], &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{at}: {} items != recorded {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same_shape(x, y, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (Value::String(a), Value::String(b)) if a != b => {
            match (
                chrono::DateTime::parse_from_rfc3339(a),
                chrono::DateTime::parse_from_rfc3339(b),
            ) {
                (Ok(x), Ok(y)) if x == y => Ok(()),
                _ => Err(format!("{at}: {a:?} != recorded {b:?}")),
            }
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{at}: {a} != recorded {b}")),
    }
}

fn participants_from(body: &Value) -> Vec<ChatParticipant> {
    body["participants"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| serde_json::from_value::<ChatParticipant>(p.clone()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// Replays one entry; `Ok(false)` when it was skipped because its bodies were sanitized away.
async fn replay(entry: &Entry, base: &str, shared: &Shared) -> Result<bool, String> {
    if sanitized_away(&entry.request_body) || sanitized_away(&entry.response_body) {
        return Ok(false);
    }
    let (path, query) = split_uri(&entry.uri);
    let api_version = query
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.clone())
        .ok_or("no api-version in the recorded URI")?;
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let follows_next_link = query
        .iter()
        .any(|(k, _)| !["api-version", "maxPageSize", "skip", "startTime"].contains(&k.as_str()));

    *shared.answer.lock().unwrap() = (
        entry.status,
        entry
            .response_body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap())
            .unwrap_or_default(),
    );
    shared.captured.lock().unwrap().clear();

    let client = ChatClient::new(
        base,
        CommunicationTokenCredential::new(token()).unwrap(),
        ClientOptions::default().api_version(api_version),
    )
    .map_err(|e| e.to_string())?;
    let body = entry.request_body.clone().unwrap_or(Value::Null);
    let segments: Vec<&str> = path
        .trim_start_matches("/chat/threads")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    // The thread id may itself contain '/' only in theory; recorded ids do not.
    let thread_id = segments.first().copied().unwrap_or_default();
    let thread = || client.get_chat_thread_client(thread_id).unwrap();
    let resume_link = format!("{base}{}", raw_path_and_query(&entry.uri));
    let err = |e: acs_chat::Error| format!("client error: {e}");
    let method = entry.method.as_str();
    let rest: Vec<&str> = segments.iter().skip(1).copied().collect();

    match (method, segments.is_empty(), rest.as_slice()) {
        ("POST", true, _) => {
            let mut options =
                CreateChatThreadOptions::default().participants(participants_from(&body));
            if let Some(id) = entry.request_headers.get("repeatability-request-id") {
                options = options.idempotency_token(id.clone());
            }
            let result = client
                .create_chat_thread(body["topic"].as_str().unwrap(), options)
                .await
                .map_err(err)?;
            let recorded = &entry.response_body.as_ref().unwrap()["chatThread"];
            if result.chat_thread.topic != recorded["topic"].as_str().unwrap() {
                return Err("decoded topic differs".into());
            }
        }
        ("GET", true, _) => {
            let mut options = ListMessagesOptions::default();
            if let Some(n) = q("maxPageSize") {
                options = options.results_per_page(n.parse().unwrap());
            }
            let mut pager = client.list_chat_threads(options).map_err(err)?;
            if follows_next_link {
                pager = pager.resume_from(&resume_link).map_err(err)?;
            }
            let page = pager.next_page().await.map_err(err)?.unwrap();
            check_count(page.items.len(), entry)?;
        }
        ("DELETE", false, []) => client.delete_chat_thread(thread_id).await.map_err(err)?,
        ("GET", false, []) => {
            let props = thread().get_properties().await.map_err(err)?;
            if props.topic != entry.response_body.as_ref().unwrap()["topic"] {
                return Err("decoded topic differs".into());
            }
        }
        ("PATCH", false, []) => thread()
            .update_topic(body["topic"].as_str().unwrap())
            .await
            .map_err(err)?,
        ("POST", false, ["messages"]) => {
            let mut options = SendMessageOptions::default();
            if let Some(t) = body["type"].as_str() {
                options = options.message_type(ChatMessageType::from(t));
            }
            if let Some(n) = body["senderDisplayName"].as_str() {
                options = options.sender_display_name(n);
            }
            if let Some(m) = body.get("metadata") {
                options = options.metadata(serde_json::from_value(m.clone()).unwrap());
            }
            let sent = thread()
                .send_message(body["content"].as_str().unwrap(), options)
                .await
                .map_err(err)?;
            if sent.id != entry.response_body.as_ref().unwrap()["id"] {
                return Err("decoded id differs".into());
            }
        }
        ("GET", false, ["messages"]) => {
            let mut options = ListMessagesOptions::default();
            if let Some(n) = q("maxPageSize") {
                options = options.results_per_page(n.parse().unwrap());
            }
            let mut pager = thread().list_messages(options).map_err(err)?;
            if follows_next_link {
                pager = pager.resume_from(&resume_link).map_err(err)?;
            }
            let page = pager.next_page().await.map_err(err)?.unwrap();
            check_count(page.items.len(), entry)?;
        }
        ("GET", false, ["messages", id]) => {
            let m = thread().get_message(id).await.map_err(err)?;
            if m.id != entry.response_body.as_ref().unwrap()["id"] {
                return Err("decoded id differs".into());
            }
        }
        ("PATCH", false, ["messages", id]) => {
            let mut changes = UpdateMessageOptions::default();
            if let Some(c) = body["content"].as_str() {
                changes = changes.content(c);
            }
            if let Some(m) = body.get("metadata") {
                changes = changes.metadata(serde_json::from_value(m.clone()).unwrap());
            }
            thread().update_message(id, changes).await.map_err(err)?
        }
        ("DELETE", false, ["messages", id]) => thread().delete_message(id).await.map_err(err)?,
        ("GET", false, ["participants"]) | ("GET", false, ["readReceipts"]) => {
            let mut options = ListParticipantsOptions::default();
            if let Some(n) = q("maxPageSize") {
                options = options.results_per_page(n.parse().unwrap());
            }
            if let Some(s) = q("skip") {
                options = options.skip(s.parse().unwrap());
            }
            let n = if rest == ["participants"] {
                let mut p = thread().list_participants(options).map_err(err)?;
                if follows_next_link {
                    p = p.resume_from(&resume_link).map_err(err)?;
                }
                p.next_page().await.map_err(err)?.unwrap().items.len()
            } else {
                let mut p = thread().list_read_receipts(options).map_err(err)?;
                if follows_next_link {
                    p = p.resume_from(&resume_link).map_err(err)?;
                }
                p.next_page().await.map_err(err)?.unwrap().items.len()
            };
            check_count(n, entry)?;
        }
        ("POST", false, ["participants", ":add"]) => {
            let refused = thread()
                .add_participants(participants_from(&body))
                .await
                .map_err(err)?;
            if !refused.is_empty() {
                return Err(format!("unexpected refused participants {refused:?}"));
            }
        }
        ("POST", false, ["participants", ":remove"]) => {
            let who: CommunicationIdentifier = serde_json::from_value(body.clone()).unwrap();
            thread().remove_participant(&who).await.map_err(err)?
        }
        ("POST", false, ["readReceipts"]) => thread()
            .send_read_receipt(body["chatMessageId"].as_str().unwrap())
            .await
            .map_err(err)?,
        ("POST", false, ["typing"]) => {
            let mut options = TypingNotificationOptions::default();
            if let Some(n) = body["senderDisplayName"].as_str() {
                options = options.sender_display_name(n);
            }
            thread()
                .send_typing_notification(options)
                .await
                .map_err(err)?
        }
        other => return Err(format!("no client operation for {other:?}")),
    }

    let captured = shared.captured.lock().unwrap().clone();
    let [sent] = captured.as_slice() else {
        return Err(format!("expected one request, got {}", captured.len()));
    };
    if sent.method.as_str() != entry.method {
        return Err(format!(
            "method {} != recorded {}",
            sent.method, entry.method
        ));
    }
    let (sent_path, sent_query) = split_uri(&format!("http://h{}", sent.uri));
    if sent_path != path {
        return Err(format!("path {sent_path} != recorded {path}"));
    }
    if sent_query != query {
        return Err(format!("query {sent_query:?} != recorded {query:?}"));
    }
    match (&entry.request_body, sent.body.is_empty()) {
        (None, true) => {}
        (None, false) => return Err("sent a body where the recording has none".into()),
        (Some(_), true) => return Err("sent no body where the recording has one".into()),
        (Some(recorded), false) => {
            let sent_json: Value = serde_json::from_slice(&sent.body)
                .map_err(|e| format!("sent body is not JSON: {e}"))?;
            same_shape(&sent_json, recorded, "body")?;
        }
    }
    if let Some(ct) = entry.request_headers.get("content-type") {
        let sent_ct = sent
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if sent_ct != ct {
            return Err(format!("content-type {sent_ct} != recorded {ct}"));
        }
    }
    if let Some(id) = entry.request_headers.get("repeatability-request-id") {
        let sent_id = sent
            .headers
            .get("repeatability-request-id")
            .and_then(|v| v.to_str().ok());
        if sent_id != Some(id.as_str()) {
            return Err(format!(
                "repeatability-request-id {sent_id:?} != recorded {id}"
            ));
        }
    }
    let auth = sent
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !auth.starts_with("Bearer ") {
        return Err("no bearer Authorization header".into());
    }
    if sent.headers.get("x-ms-client-request-id").is_none() {
        return Err("no x-ms-client-request-id".into());
    }
    Ok(true)
}

fn check_count(decoded: usize, entry: &Entry) -> Result<(), String> {
    let recorded = entry.response_body.as_ref().unwrap()["value"]
        .as_array()
        .map_or(0, Vec::len);
    if decoded != recorded {
        return Err(format!("decoded {decoded} items, recorded {recorded}"));
    }
    Ok(())
}

async fn replay_all(entries: Vec<Entry>) -> (usize, usize, Vec<String>) {
    let (base, shared) = start_server().await;
    let mut replayed = 0;
    let mut skipped = 0;
    let mut failures = Vec::new();
    for entry in &entries {
        match replay(entry, &base, &shared).await {
            Ok(true) => replayed += 1,
            Ok(false) => skipped += 1,
            Err(e) => failures.push(format!(
                "{} {} {}: {e}",
                entry.source, entry.method, entry.uri
            )),
        }
    }
    (replayed, skipped, failures)
}

#[tokio::test]
async fn test_proxy_2023_recordings_replay() {
    let entries = load_test_proxy();
    assert!(
        entries.len() >= 90,
        "only {} chat entries found",
        entries.len()
    );
    let total = entries.len();
    let (replayed, skipped, failures) = replay_all(entries).await;
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(skipped, 0, "test-proxy bodies are intact");
    assert_eq!(replayed, total);
}

#[tokio::test]
async fn vcr_2021_recordings_replay_where_bodies_survive() {
    let entries = load_vcr();
    assert!(
        entries.len() >= 40,
        "only {} chat entries found",
        entries.len()
    );
    let total = entries.len();
    let (replayed, skipped, failures) = replay_all(entries).await;
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(replayed + skipped, total);
    assert!(replayed >= 19, "only {replayed} of {total} replayed");
}

#[test]
fn yaml_scalar_follows_folded_quoted_strings() {
    let lines = [
        "    body: '{\"a\": \"it''s",
        "      long\"}'",
        "    method: GET",
    ];
    let (v, next) = yaml_scalar(&lines, 0, &lines[0]["    body: ".len()..]);
    assert_eq!(v.as_deref(), Some("{\"a\": \"it's long\"}"));
    assert_eq!(next, 2);
    assert_eq!(yaml_scalar(&lines, 0, "null").0, None);
}
