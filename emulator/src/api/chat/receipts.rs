//! Read receipts (send, list with skip paging) and typing notifications. Both are refused
//! (403) on threads with more than 20 participants, as the service documents.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::http;
use super::super::model::ReceiptRecord;
use super::super::paging;
use super::super::state::ThreadState;
use super::super::store::Write;
use super::super::time;
use super::super::App;
use super::wire::{Page, ReceiptOut};
use super::{readable, writable, Ctx, MAX_PARTICIPANTS_FOR_RECEIPTS};
use crate::error::ApiError;

fn check_size(t: &ThreadState, what: &str) -> Result<(), ApiError> {
    if t.participants.len() > MAX_PARTICIPANTS_FOR_RECEIPTS {
        return Err(ApiError::forbidden(format!(
            "{what} are not supported on threads with more than {MAX_PARTICIPANTS_FOR_RECEIPTS} participants; this thread has {}.",
            t.participants.len()
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendIn {
    chat_message_id: String,
}

/// POST readReceipts: one receipt per sender; the latest replaces the previous one.
pub(super) fn send(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let body: SendIn = http::parse_json(&ctx.inc.body, "SendReadReceiptRequest")?;
    let mut guard = app.inner.state.write();
    let t = writable(&mut guard, &tid, &ctx.caller)?;
    check_size(t, "Read receipts")?;
    let exists = body
        .chat_message_id
        .parse::<u64>()
        .ok()
        .and_then(|id| t.message_index(id))
        .is_some();
    if !exists {
        return Err(ApiError::not_found(format!(
            "The chat message '{}' does not exist in this thread.",
            body.chat_message_id
        ))
        .with_target("chatMessageId"));
    }
    let pos = t.receipts.iter().position(|r| r.sender == ctx.caller);
    let order = match pos {
        Some(p) => t.receipts[p].order,
        None => t.next_receipt_order,
    };
    let rec = ReceiptRecord {
        sender: ctx.caller.clone(),
        message_id: body.chat_message_id,
        read_on: time::now_ms(),
        order,
    };
    app.inner.db.lock().apply(&[Write::Receipt(&tid, &rec)])?;
    match pos {
        Some(p) => t.receipts[p] = rec,
        None => {
            t.receipts.push(rec);
            t.next_receipt_order += 1;
        }
    }
    Ok(http::empty(StatusCode::OK))
}

/// GET readReceipts.
pub(super) fn list(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let size = paging::page_size(&ctx.inc)?;
    let skip = paging::skip(&ctx.inc)?;
    let st = app.inner.state.read();
    let t = readable(&st, &tid, &ctx.caller)?;
    check_size(t, "Read receipts")?;
    let value: Vec<ReceiptOut<'_>> = t
        .receipts
        .iter()
        .skip(skip)
        .take(size)
        .map(|r| ReceiptOut::new(r, ctx.version))
        .collect();
    let next_link = (skip.saturating_add(size) < t.receipts.len()).then(|| {
        paging::next_link(
            &ctx.base,
            &format!("/chat/threads/{}/readReceipts", http::encode_segment(&tid)),
            &[
                ("skip", (skip + size).to_string()),
                ("maxPageSize", size.to_string()),
            ],
            ctx.version.as_str(),
        )
    });
    Ok(http::json(StatusCode::OK, &Page { value, next_link }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypingIn {
    #[serde(default)]
    #[allow(dead_code)] // validated for type only; nothing is delivered to other users
    sender_display_name: Option<String>,
}

/// POST typing: validated and acknowledged (the emulator has no real-time notifications).
pub(super) fn typing(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    if !ctx.inc.body_is_blank() {
        let _: TypingIn = http::parse_json(&ctx.inc.body, "SendTypingNotificationRequest")?;
    }
    let st = app.inner.state.read();
    let t = readable(&st, &tid, &ctx.caller)?;
    check_size(t, "Typing notifications")?;
    Ok(http::empty(StatusCode::OK))
}
