//! Messages: send, list (cursor paging, newest first), get, update, delete.
//!
//! Visibility: a participant with a `shareHistoryTime` does not see messages created before
//! it (they are not listed, and getting one is a 404). A participant without one sees the
//! whole history. Deleting a message is soft: it stays listed with `deletedOn` and without
//! content; updating a deleted message is a 404. Only the sender may update or delete a
//! message, and system messages cannot be changed (403).

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::super::http;
use super::super::model::{MessageRecord, Metadata};
use super::super::paging::{self, MessageCursor};
use super::super::state::{is_user_message, ThreadState};
use super::super::store::Write;
use super::super::time;
use super::super::versions::ChatVersion;
use super::super::App;
use super::wire::MessageOut;
use super::{check_metadata, merge_metadata, readable, writable, Ctx, MAX_CONTENT_BYTES};
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendIn {
    content: String,
    #[serde(default)]
    sender_display_name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Serialize)]
struct SendOut {
    id: String,
}

fn check_content(content: &str) -> Result<(), ApiError> {
    if content.is_empty() {
        return Err(ApiError::bad_request("'content' must not be empty.").with_target("content"));
    }
    if content.len() > MAX_CONTENT_BYTES {
        return Err(ApiError::bad_request(format!(
            "The message content is {} bytes; the limit is {MAX_CONTENT_BYTES} bytes (28 KB).",
            content.len()
        ))
        .with_target("content"));
    }
    Ok(())
}

fn message_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "The chat message '{id}' does not exist in this thread."
    ))
}

/// The earliest `created_on` the caller may see, from their `shareHistoryTime`.
fn visible_from(t: &ThreadState, caller: &str) -> Option<DateTime<Utc>> {
    t.participant(caller).and_then(|p| p.share_history_time)
}

/// The response JSON of `m` in version `v` (whose shape is `shape`), rendered once per shape.
fn rendered(m: &MessageRecord, v: ChatVersion, shape: usize) -> &str {
    m.json.get_or_render(shape, || {
        // Serializing borrowed strings and numbers into a Vec cannot fail.
        serde_json::to_string(&MessageOut::new(m, v)).unwrap_or_default()
    })
}

/// Index of message `id` (a decimal epoch-ms string) if the caller may see it.
fn find_visible(t: &ThreadState, id: &str, caller: &str) -> Result<usize, ApiError> {
    let idx = id
        .parse::<u64>()
        .ok()
        .and_then(|n| t.message_index(n))
        .ok_or_else(|| message_not_found(id))?;
    if visible_from(t, caller).is_some_and(|from| t.messages[idx].created_on < from) {
        return Err(message_not_found(id));
    }
    Ok(idx)
}

/// POST messages.
pub(super) fn send(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let body: SendIn = http::parse_json(&ctx.inc.body, "SendChatMessageRequest")?;
    check_content(&body.content)?;
    let kind = match body.kind.as_deref().map(str::to_ascii_lowercase) {
        None => "text".to_owned(),
        Some(k) if is_user_message(&k) => k,
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "The message type '{}' cannot be sent; use 'text' or 'html'.",
                body.kind.unwrap_or_default()
            ))
            .with_target("type"))
        }
    };
    let metadata = if ctx.version.has_message_metadata() {
        if let Some(m) = &body.metadata {
            check_metadata(m, "message")?;
        }
        body.metadata
    } else {
        None
    };
    let mut guard = app.inner.state.write();
    let t = writable(&mut guard, &tid, &ctx.caller)?;
    let (id, seq, created_on) = t.next_message_slot(time::now_ms());
    let m = MessageRecord {
        id,
        seq,
        kind,
        created_on,
        version: id,
        content: Some(body.content),
        sender: Some(ctx.caller.clone()),
        sender_display_name: body.sender_display_name,
        edited_on: None,
        deleted_on: None,
        metadata,
        initiator: None,
        topic: None,
        participants: Vec::new(),
        json: Default::default(),
    };
    app.inner.db.lock().apply(&[Write::Message(&tid, &m)])?;
    t.push_message(m);
    drop(guard);
    let resp = http::json(StatusCode::CREATED, &SendOut { id: id.to_string() });
    Ok(http::with_location(
        resp,
        &format!(
            "{}/chat/threads/{}/messages/{id}",
            ctx.base,
            http::encode_segment(&tid)
        ),
    ))
}

/// GET messages: newest first; the cursor is a sequence id, so it stays valid while new
/// messages arrive.
pub(super) fn list(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let size = paging::page_size(&ctx.inc)?;
    let cursor = ctx
        .inc
        .param("syncState")
        .map(MessageCursor::decode)
        .transpose()?;
    let start_ms = match &cursor {
        Some(c) => c.start_ms,
        None => paging::start_time(&ctx.inc)?.map(|t| t.timestamp_millis()),
    };
    let st = app.inner.state.read();
    let t = readable(&st, &tid, &ctx.caller)?;
    let from_ms = [
        start_ms,
        visible_from(t, &ctx.caller).map(|d| d.timestamp_millis()),
    ]
    .into_iter()
    .flatten()
    .max();
    let end = cursor
        .map(|c| (c.before_seq.saturating_sub(1) as usize).min(t.messages.len()))
        .unwrap_or(t.messages.len());
    // created_on never decreases along the list, so the visible messages are a suffix of
    // messages[..end].
    let visible = |m: &MessageRecord| match from_ms {
        Some(f) => m.created_on.timestamp_millis() >= f,
        None => true,
    };
    let page: Vec<&MessageRecord> = t.messages[..end]
        .iter()
        .rev()
        .take_while(|m| visible(m))
        .take(size + 1)
        .collect();
    let more = page.len() > size;
    let page = &page[..page.len().min(size)];
    let next_link = if more {
        page.last().map(|last| {
            let c = MessageCursor {
                before_seq: last.seq,
                start_ms,
            };
            paging::next_link(
                &ctx.base,
                &format!("/chat/threads/{}/messages", http::encode_segment(&tid)),
                &[("syncState", c.encode()), ("maxPageSize", size.to_string())],
                ctx.version.as_str(),
            )
        })
    } else {
        None
    };
    // Assembled from each message's cached rendering: listing is the hot path.
    let shape = ctx.version.message_shape();
    let mut out = Vec::with_capacity(64 + page.len() * 512);
    out.extend_from_slice(b"{\"value\":[");
    for (i, m) in page.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(rendered(m, ctx.version, shape).as_bytes());
    }
    out.push(b']');
    if let Some(link) = next_link {
        out.extend_from_slice(b",\"nextLink\":");
        serde_json::to_writer(&mut out, &link)
            .map_err(|_| ApiError::service_unavailable("The response could not be serialized."))?;
    }
    out.push(b'}');
    Ok(http::json_bytes(StatusCode::OK, out))
}

/// GET messages/{id}.
pub(super) fn get(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let mid = ctx.sub_id()?;
    let st = app.inner.state.read();
    let t = readable(&st, &tid, &ctx.caller)?;
    let idx = find_visible(t, &mid, &ctx.caller)?;
    let m = &t.messages[idx];
    let json = rendered(m, ctx.version, ctx.version.message_shape());
    Ok(http::json_bytes(StatusCode::OK, json.as_bytes().to_vec()))
}

/// 403 unless the caller sent message `m` (system messages have no sender).
fn require_sender(m: &MessageRecord, caller: &str, what: &str) -> Result<(), ApiError> {
    if m.sender.as_deref() == Some(caller) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "Only the sender of a message can {what} it (system messages cannot be changed)."
        )))
    }
}

/// PATCH messages/{id} (merge patch of content and metadata).
pub(super) fn update(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let mid = ctx.sub_id()?;
    let patch: serde_json::Value = http::parse_json(&ctx.inc.body, "UpdateChatMessageRequest")?;
    let Some(patch) = patch.as_object() else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object (UpdateChatMessageRequest).",
        ));
    };
    let content = match patch.get("content") {
        None => None,
        Some(serde_json::Value::String(s)) => {
            check_content(s)?;
            Some(s.clone())
        }
        Some(_) => {
            return Err(ApiError::bad_request("'content' must be a string.").with_target("content"))
        }
    };
    let mut guard = app.inner.state.write();
    let t = writable(&mut guard, &tid, &ctx.caller)?;
    let idx = find_visible(t, &mid, &ctx.caller)?;
    let current = &t.messages[idx];
    require_sender(current, &ctx.caller, "edit")?;
    if current.deleted_on.is_some() {
        return Err(ApiError::not_found(format!(
            "The chat message '{mid}' was deleted."
        )));
    }
    let mut m = current.clone();
    let mut changed = false;
    if let Some(c) = content {
        m.content = Some(c);
        changed = true;
    }
    if ctx.version.has_message_metadata() {
        if let Some(p) = patch.get("metadata") {
            m.metadata = merge_metadata(m.metadata.as_ref(), p)?;
            if let Some(md) = &m.metadata {
                check_metadata(md, "message")?;
            }
            changed = true;
        }
    }
    if !changed {
        return Ok(http::empty(StatusCode::NO_CONTENT));
    }
    let now = time::now_ms();
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    m.version = now_ms.max(m.version + 1);
    m.edited_on = Some(now);
    app.inner.db.lock().apply(&[Write::Message(&tid, &m)])?;
    t.messages[idx] = m;
    Ok(http::empty(StatusCode::NO_CONTENT))
}

/// DELETE messages/{id}: soft delete (idempotent for an already deleted message).
pub(super) fn delete(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let mid = ctx.sub_id()?;
    let mut guard = app.inner.state.write();
    let t = writable(&mut guard, &tid, &ctx.caller)?;
    let idx = find_visible(t, &mid, &ctx.caller)?;
    let current = &t.messages[idx];
    require_sender(current, &ctx.caller, "delete")?;
    if current.deleted_on.is_some() {
        return Ok(http::empty(StatusCode::NO_CONTENT));
    }
    let mut m = current.clone();
    m.deleted_on = Some(time::now_ms());
    m.content = None;
    m.metadata = None;
    app.inner.db.lock().apply(&[Write::Message(&tid, &m)])?;
    t.messages[idx] = m;
    Ok(http::empty(StatusCode::NO_CONTENT))
}
