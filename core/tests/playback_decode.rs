//! Decodes every recorded real-service 2xx response body (`recordings/test-proxy-2023`, and the
//! chat calls of `recordings/vcr-2021`) and every success and error body of the REST spec
//! examples (`spec/examples-chat-2023-11-07`) into the public models, chosen by the request's
//! method and path (recordings) or the example's operation name (spec examples).
//!
//! A body is skipped only when it fails to decode *and* the recording's sanitizer replaced an
//! object or array member with the string `"sanitized"`. That happens in the vcr recordings
//! (8 `{"value": "sanitized"}` list pages of messages and read receipts); the
//! test-proxy recordings and the spec examples have no such body, and the tests assert so.
//! vcr calls made with the pre-GA api-versions `2020-11-01-preview3` and `2021-01-27-preview4`
//! are skipped too: their thread schema (`createdBy` as a plain string) is not the 1.2.0 one.
//!
//! The shared reference directory is `../../shared` relative to this crate, or `$ACS_SHARED_DIR`.

use acs_chat::identifier::CommunicationIdentifier;
use acs_chat::models::{
    ChatError, ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem,
    ChatThreadProperties, SendChatMessageResult,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

fn shared_dir() -> PathBuf {
    std::env::var_os("ACS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (set ACS_SHARED_DIR)", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no JSON files in {}", dir.display());
    files
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The page envelope every list operation returns (the crate's own is internal).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    value: Vec<T>,
    #[serde(default)]
    next_link: Option<String>,
}

/// The create-thread 201 body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    chat_thread: ChatThreadProperties,
    #[serde(default)]
    invalid_participants: Vec<ChatError>,
}

/// The add-participants 201 body (`{}` on full success).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Added {
    #[serde(default)]
    invalid_participants: Vec<ChatError>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ChatError,
}

/// What a successful response body decodes into.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    ThreadCreated,
    ThreadProperties,
    ThreadPage,
    MessageSent,
    Message,
    MessagePage,
    ParticipantPage,
    ParticipantsAdded,
    ReceiptPage,
    /// 204, or a 200 whose body is empty (typing, send read receipt).
    NoBody,
}

/// Maps a recorded request to the model of its response, by method and path.
fn route(method: &str, uri: &str) -> Option<Target> {
    let path = uri.split('?').next()?;
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let path = &path[path.find('/')?..];
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    use Target::*;
    Some(match (method, segments.as_slice()) {
        ("POST", ["chat", "threads"]) => ThreadCreated,
        ("GET", ["chat", "threads"]) => ThreadPage,
        ("GET", ["chat", "threads", _]) => ThreadProperties,
        ("PATCH" | "DELETE", ["chat", "threads", _]) => NoBody,
        ("POST", ["chat", "threads", _, "messages"]) => MessageSent,
        ("GET", ["chat", "threads", _, "messages"]) => MessagePage,
        ("GET", ["chat", "threads", _, "messages", _]) => Message,
        ("PATCH" | "DELETE", ["chat", "threads", _, "messages", _]) => NoBody,
        ("GET", ["chat", "threads", _, "participants"]) => ParticipantPage,
        ("POST", ["chat", "threads", _, "participants", ":add"]) => ParticipantsAdded,
        ("POST", ["chat", "threads", _, "participants", ":remove"]) => NoBody,
        ("GET", ["chat", "threads", _, "readReceipts"]) => ReceiptPage,
        ("POST", ["chat", "threads", _, "readReceipts"]) => NoBody,
        ("POST", ["chat", "threads", _, "typing"]) => NoBody,
        _ => return None,
    })
}

/// Maps a spec example file name to the model of its success response.
fn example_target(file_name: &str) -> Option<Target> {
    use Target::*;
    let operation = file_name.strip_suffix(".json")?;
    Some(match operation {
        "Conversations_ListChatReadReceiptsWithPageSize" => ReceiptPage,
        "Conversations_SendChatReadReceipt" => NoBody,
        "Messages_DeleteChatMessage" => NoBody,
        "Messages_GetChatMessage" => Message,
        "Messages_ListChatMessagesWithPageSize" => MessagePage,
        "Messages_SendChatMessage" => MessageSent,
        "Messages_SendTypingNotification" => NoBody,
        "Messages_UpdateChatMessage" => NoBody,
        "Participants_AddChatParticipants" => ParticipantsAdded,
        "Participants_ListChatParticipantsWithPageSize" => ParticipantPage,
        "Participants_RemoveChatParticipant" => NoBody,
        "Threads_CreateChatThread" | "Threads_CreateChatThreadWithIdempotencyToken" => {
            ThreadCreated
        }
        "Threads_DeleteChatThread" => NoBody,
        "Threads_GetChatThread" => ThreadProperties,
        "Threads_ListChatThreadsWithPageSize" => ThreadPage,
        "Threads_UpdateChatThreadTopic" => NoBody,
        _ => return None,
    })
}

/// Decodes `body` as `T`, then checks that the model re-encodes to something that decodes to
/// the same model (so no field is silently lost or mangled between the two directions).
fn decode<T>(body: &Value) -> Result<T, String>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let model: T = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
    let again: T = serde_json::from_value(serde_json::to_value(&model).expect("encodes"))
        .map_err(|e| format!("re-encoded model does not decode: {e}"))?;
    assert_eq!(again, model, "re-encoding changed the model");
    Ok(model)
}

fn decode_page<T>(body: &Value) -> Result<usize, String>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let page: Page<Value> = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
    if let Some(link) = &page.next_link {
        assert!(
            link.starts_with("http"),
            "nextLink is an absolute URL: {link}"
        );
    }
    for item in &page.value {
        decode::<T>(item)?;
    }
    Ok(page.value.len())
}

/// Decodes a success body; returns how many models were decoded.
fn decode_success(target: Target, body: &Value) -> Result<usize, String> {
    match target {
        Target::ThreadCreated => {
            let created: Created =
                serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
            assert_eq!(
                Some(created.chat_thread.id.as_str()),
                body["chatThread"]["id"].as_str()
            );
            decode::<ChatThreadProperties>(&body["chatThread"])?;
            for error in &created.invalid_participants {
                assert!(
                    !error.code.is_empty() && error.target.is_some(),
                    "{error:?}"
                );
            }
            Ok(1 + created.invalid_participants.len())
        }
        Target::ThreadProperties => decode::<ChatThreadProperties>(body).map(|_| 1),
        Target::ThreadPage => decode_page::<ChatThreadItem>(body),
        Target::MessageSent => {
            let sent = decode::<SendChatMessageResult>(body)?;
            assert_eq!(Some(sent.id.as_str()), body["id"].as_str());
            Ok(1)
        }
        Target::Message => {
            let message = decode::<ChatMessage>(body)?;
            assert_eq!(Some(message.message_type.as_str()), body["type"].as_str());
            Ok(1)
        }
        Target::MessagePage => decode_page::<ChatMessage>(body),
        Target::ParticipantPage => decode_page::<ChatParticipant>(body),
        Target::ParticipantsAdded => {
            let added: Added = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
            Ok(1 + added.invalid_participants.len())
        }
        Target::ReceiptPage => decode_page::<ChatMessageReadReceipt>(body),
        Target::NoBody => match body {
            Value::Null => Ok(0),
            Value::Object(map) if map.is_empty() => Ok(0),
            other => Err(format!("expected no body, got {other}")),
        },
    }
}

/// Object or array members the sanitizer replaced with the string "sanitized".
fn sanitized_structures(value: &Value, path: &str, found: &mut Vec<String>) {
    const STRUCTURAL: [&str; 10] = [
        "value",
        "participants",
        "chatThread",
        "content",
        "createdByCommunicationIdentifier",
        "senderCommunicationIdentifier",
        "initiatorCommunicationIdentifier",
        "communicationIdentifier",
        "invalidParticipants",
        "createdBy",
    ];
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let here = format!("{path}.{key}");
                if member.as_str() == Some("sanitized") && STRUCTURAL.contains(&key.as_str()) {
                    found.push(here);
                } else {
                    sanitized_structures(member, &here, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                sanitized_structures(item, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

#[derive(Default)]
struct Tally {
    bodies: usize,
    models: usize,
    skipped: Vec<String>,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, origin: String, target: Target, body: &Value) {
        self.bodies += 1;
        match decode_success(target, body) {
            Ok(n) => self.models += n,
            Err(error) => {
                let mut sanitized = Vec::new();
                sanitized_structures(body, "$", &mut sanitized);
                if sanitized.is_empty() {
                    self.failures
                        .push(format!("{origin} ({target:?}): {error}"));
                } else {
                    self.skipped
                        .push(format!("{origin}: sanitized {}", sanitized.join(", ")));
                }
            }
        }
    }

    fn finish(self, what: &str) {
        for skip in &self.skipped {
            eprintln!("skipped {skip}");
        }
        assert!(
            self.failures.is_empty(),
            "{} {what} bodies failed to decode:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(self.models > 0, "no {what} models decoded");
        eprintln!(
            "{what}: {} bodies, {} models decoded, {} skipped",
            self.bodies,
            self.models,
            self.skipped.len()
        );
    }
}

#[test]
fn every_test_proxy_recording_decodes() {
    let dir = shared_dir().join("recordings/test-proxy-2023");
    let mut tally = Tally::default();
    let mut entries = 0;
    for file in json_files(&dir) {
        let recording = read_json(&file);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let list = recording["Entries"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no Entries array"));
        for (i, entry) in list.iter().enumerate() {
            entries += 1;
            let status = entry["StatusCode"].as_u64().expect("StatusCode");
            let method = entry["RequestMethod"].as_str().expect("RequestMethod");
            let uri = entry["RequestUri"].as_str().expect("RequestUri");
            let origin = format!("{name}#{i} {method} {uri}");
            let body = &entry["ResponseBody"];
            if !(200..300).contains(&status) {
                // Non-2xx bodies are error envelopes.
                serde_json::from_value::<ErrorEnvelope>(body.clone())
                    .unwrap_or_else(|e| panic!("{origin}: error body: {e}"));
                continue;
            }
            let target =
                route(method, uri).unwrap_or_else(|| panic!("{origin}: unknown operation"));
            tally.check(origin, target, body);
        }
    }
    assert!(entries >= 100, "only {entries} recorded calls found");
    assert!(
        tally.skipped.is_empty(),
        "test-proxy bodies are not sanitized away"
    );
    tally.finish("test-proxy recording");
}

#[test]
fn every_spec_example_decodes() {
    let dir = shared_dir().join("spec/examples-chat-2023-11-07");
    let mut tally = Tally::default();
    let mut errors = 0;
    for file in json_files(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let target = example_target(&name).unwrap_or_else(|| panic!("{name}: unknown example"));
        let example = read_json(&file);
        let responses = example["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: no responses"));
        for (status, response) in responses {
            let origin = format!("{name} {status}");
            let body = response.get("body").unwrap_or(&Value::Null);
            if status.starts_with('2') {
                tally.check(origin, target, body);
            } else {
                let envelope: ErrorEnvelope = serde_json::from_value(body.clone())
                    .unwrap_or_else(|e| panic!("{origin}: error body: {e}"));
                assert!(!envelope.error.code.is_empty(), "{origin}: empty code");
                assert!(
                    !envelope.error.message.is_empty(),
                    "{origin}: empty message"
                );
                errors += 1;
            }
        }
        // Identifiers in request parameters encode back to the example's shape (minus `kind`,
        // which we never send).
        if let Some(identifier) = example["parameters"].get("participantCommunicationIdentifier") {
            let decoded: CommunicationIdentifier =
                serde_json::from_value(identifier.clone()).expect("identifier decodes");
            let mut expected = identifier.clone();
            expected.as_object_mut().unwrap().remove("kind");
            assert_eq!(serde_json::to_value(&decoded).unwrap(), expected, "{name}");
        }
    }
    assert!(
        errors >= 4,
        "spec examples carry error bodies, found {errors}"
    );
    tally.finish("spec example");
}

#[test]
fn spec_example_partial_failures_pair_up_with_error_targets() {
    let file = shared_dir().join("spec/examples-chat-2023-11-07/Threads_CreateChatThread.json");
    let example = read_json(&file);
    let created: Created = serde_json::from_value(example["responses"]["201"]["body"].clone())
        .expect("create body decodes");
    let requested: Vec<ChatParticipant> = serde_json::from_value(
        example["parameters"]["createChatThreadRequest"]["participants"].clone(),
    )
    .expect("request participants decode");
    // Every refused participant in the example is one of the requested ones, by raw id.
    for error in &created.invalid_participants {
        let target = error.target.as_deref().expect("target");
        assert!(
            requested.iter().any(|p| p.identifier.raw_id() == target),
            "{target} not among the requested participants"
        );
    }
}

#[test]
fn routes_cover_the_operations() {
    let base = "https://h.communication.azure.com/chat/threads";
    assert_eq!(
        route("POST", &format!("{base}?api-version=1")),
        Some(Target::ThreadCreated)
    );
    assert_eq!(
        route("GET", &format!("{base}/19%3Aa/messages/1?x=1")),
        Some(Target::Message)
    );
    assert_eq!(
        route("POST", &format!("{base}/t/participants/:add")),
        Some(Target::ParticipantsAdded)
    );
    assert_eq!(route("GET", "https://h/identities"), None);
    assert_eq!(route("PUT", base), None);
}

/// One recorded call of a vcr YAML cassette, reduced to what decoding needs.
#[derive(Default)]
struct VcrCall {
    method: String,
    uri: String,
    status: u64,
    response_body: Option<String>,
}

/// Reads the scalar after `body: ` on `lines[0]`: `null`, a plain scalar, or a single-quoted
/// string that YAML may have folded over several lines. Returns the text and the number of
/// lines consumed. This covers exactly what the vcrpy cassettes contain, not YAML in general.
fn vcr_scalar(lines: &[&str], first: &str) -> (Option<String>, usize) {
    if first == "null" {
        return (None, 1);
    }
    let Some(mut rest) = first.strip_prefix('\'') else {
        assert!(
            !first.starts_with('{'),
            "unsupported vcr body form: {first}"
        );
        return (Some(first.to_owned()), 1);
    };
    let mut text = String::new();
    let mut used = 1;
    loop {
        let mut chars = rest.char_indices().peekable();
        let mut closed = false;
        while let Some((_, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|&(_, next)| next) == Some('\'') {
                    chars.next();
                    text.push('\'');
                } else {
                    closed = true;
                    break;
                }
            } else {
                text.push(c);
            }
        }
        if closed {
            return (Some(text), used);
        }
        // A folded line break is one space; the continuation's indentation is not content.
        let next = lines.get(used).expect("unterminated quoted scalar");
        used += 1;
        text.truncate(text.trim_end().len());
        text.push(' ');
        rest = next.trim_start();
    }
}

fn vcr_calls(text: &str) -> Vec<VcrCall> {
    let lines: Vec<&str> = text.lines().collect();
    let mut calls = Vec::new();
    let mut in_response = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("- request:") {
            calls.push(VcrCall::default());
            in_response = false;
        } else if line == "  response:" {
            in_response = true;
        } else if let Some(first) = line.strip_prefix("    body: ") {
            let (body, used) = vcr_scalar(&lines[i..], first);
            if in_response {
                calls.last_mut().expect("body inside a call").response_body = body;
            }
            i += used;
            continue;
        } else if let Some(method) = line.strip_prefix("    method: ") {
            calls.last_mut().expect("method inside a call").method = method.to_owned();
        } else if let Some(uri) = line.strip_prefix("    uri: ") {
            calls.last_mut().expect("uri inside a call").uri = uri.to_owned();
        } else if let Some(code) = line.strip_prefix("      code: ") {
            calls.last_mut().expect("status inside a call").status =
                code.parse().expect("numeric status code");
        }
        i += 1;
    }
    calls
}

#[test]
fn vcr_chat_calls_decode_unless_sanitized_away_or_pre_ga() {
    let dir = shared_dir().join("recordings/vcr-2021");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (set ACS_SHARED_DIR)", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vcr cassettes in {}", dir.display());

    let mut tally = Tally::default();
    let mut pre_ga = 0;
    let mut chat_calls = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).expect("readable cassette");
        let calls = vcr_calls(&text);
        assert!(!calls.is_empty(), "{name}: no interactions parsed");
        for (i, call) in calls.iter().enumerate() {
            if !call.uri.contains("/chat/") {
                continue; // identity setup and teardown
            }
            chat_calls += 1;
            let origin = format!("{name}#{i} {} {}", call.method, call.uri);
            assert!(call.status != 0, "{origin}: no status parsed");
            if !(200..300).contains(&call.status) {
                continue;
            }
            let api_version = call.uri.split("api-version=").nth(1).unwrap_or("");
            if api_version.starts_with("2020-11-01-preview3")
                || api_version.starts_with("2021-01-27-preview4")
            {
                pre_ga += 1;
                continue;
            }
            let target = route(&call.method, &call.uri)
                .unwrap_or_else(|| panic!("{origin}: unknown operation"));
            let body = match call.response_body.as_deref() {
                None | Some("") => Value::Null,
                Some(text) => serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{origin}: body is not JSON: {e}\n{text}")),
            };
            tally.check(origin, target, &body);
        }
    }
    assert!(chat_calls >= 40, "only {chat_calls} vcr chat calls parsed");
    assert!(
        pre_ga > 0,
        "the pre-GA calls were expected to be recognised"
    );
    eprintln!("vcr: skipped {pre_ga} pre-GA calls");
    // The sanitized list pages are known; a change in this count means the data changed.
    assert_eq!(
        tally.skipped.len(),
        8,
        "sanitized vcr bodies: {:#?}",
        tally.skipped
    );
    tally.finish("vcr recording");
}

#[test]
fn vcr_scalar_unfolds_and_unescapes() {
    let lines = [
        "    body: '{\"a\": \"it''s\", \"b\":",
        "      1}'",
        "    headers:",
    ];
    let (text, used) = vcr_scalar(&lines, lines[0].strip_prefix("    body: ").unwrap());
    assert_eq!(text.as_deref(), Some("{\"a\": \"it's\", \"b\": 1}"));
    assert_eq!(used, 2);
    assert_eq!(vcr_scalar(&["null"], "null"), (None, 1));
}
