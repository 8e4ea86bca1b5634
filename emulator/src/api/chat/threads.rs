//! Threads: create (with repeatability), list (cursor paging), get, update, delete.

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::super::http;
use super::super::model::{
    MessageRecord, Metadata, ParticipantRecord, RepeatRecord, RetentionPolicy, ThreadRecord,
};
use super::super::paging::{self, ThreadCursor};
use super::super::state::ThreadState;
use super::super::store::Write;
use super::super::time;
use super::super::App;
use super::participants::{admit, membership_message, ParticipantIn};
use super::wire::{Page, ThreadItemOut, ThreadOut};
use super::{check_metadata, merge_metadata, readable, writable, Access, Ctx};
use crate::error::{ApiError, CommunicationError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateIn {
    topic: String,
    #[serde(default)]
    participants: Option<Vec<ParticipantIn>>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    retention_policy: Option<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOut<'a> {
    chat_thread: ThreadOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invalid_participants: Vec<CommunicationError>,
}

/// Reads a `ChatRetentionPolicy` (`null` means "not set").
fn parse_retention(v: &serde_json::Value) -> Result<Option<RetentionPolicy>, ApiError> {
    let bad = |m: &str| Err(ApiError::bad_request(m.to_owned()).with_target("retentionPolicy"));
    if v.is_null() {
        return Ok(None);
    }
    let Some(obj) = v.as_object() else {
        return bad("retentionPolicy must be an object with a 'kind'.");
    };
    match obj.get("kind").and_then(|k| k.as_str()) {
        Some("none") => Ok(Some(RetentionPolicy::None)),
        Some("threadCreationDate") => match obj
            .get("deleteThreadAfterDays")
            .and_then(|d| d.as_i64())
        {
            Some(days @ 30..=90) => Ok(Some(RetentionPolicy::ThreadCreationDate {
                delete_after_days: days as i32,
            })),
            _ => bad("retentionPolicy.deleteThreadAfterDays must be an integer between 30 and 90."),
        },
        _ => bad("retentionPolicy.kind must be 'threadCreationDate' or 'none'."),
    }
}

fn thread_location(base: &str, id: &str) -> String {
    format!("{base}/chat/threads/{}", http::encode_segment(id))
}

fn topic_message(
    slot: (u64, u64, chrono::DateTime<chrono::Utc>),
    initiator: &str,
    topic: &str,
) -> MessageRecord {
    let mut m = membership_message("topicUpdated", slot, initiator, Vec::new());
    m.topic = Some(topic.to_owned());
    m
}

/// POST /chat/threads.
pub(super) fn create(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    ctx.require(Access::Full, "creating chat threads")?;
    let body: CreateIn = http::parse_json(&ctx.inc.body, "CreateChatThreadRequest")?;
    let repeat_id = ctx
        .inc
        .headers
        .get("repeatability-request-id")
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                ApiError::bad_request("The repeatability-request-id header is not valid ASCII.")
            })
        })
        .transpose()?
        .filter(|v| !v.is_empty());
    let (metadata, retention) = if ctx.version.has_thread_metadata() {
        if let Some(m) = &body.metadata {
            check_metadata(m, "thread")?;
        }
        let retention = match &body.retention_policy {
            Some(v) => parse_retention(v)?,
            None => None,
        };
        (body.metadata, retention)
    } else {
        (None, None)
    };

    let mut guard = app.inner.state.write();
    let st = &mut *guard;
    if let Some(rid) = &repeat_id {
        if let Some(prev) = st.repeats.get(&(ctx.caller.clone(), rid.clone())) {
            let resp = http::json_bytes(StatusCode::CREATED, prev.body.clone().into_bytes());
            return Ok(http::with_location(
                resp,
                &thread_location(&ctx.base, &prev.thread_id),
            ));
        }
    }
    let listed = body.participants.unwrap_or_default();
    let quiet_creation = listed.is_empty();
    let admission = admit(st, listed, ctx.version)?;
    let now = time::now_ms();
    let rec = ThreadRecord {
        id: format!("19:{}@thread.v2", uuid::Uuid::new_v4().simple()),
        topic: body.topic,
        created_on: now,
        created_by: ctx.caller.clone(),
        deleted_on: None,
        metadata,
        retention,
        quiet_creation,
    };
    let mut t = ThreadState::new(rec.clone());
    // The creator always joins; if listed, their listed display name etc. are kept.
    let mut members: Vec<ParticipantRecord> = Vec::new();
    let creator = admission
        .accepted
        .iter()
        .find(|p| p.raw_id == ctx.caller)
        .cloned()
        .unwrap_or(ParticipantRecord {
            raw_id: ctx.caller.clone(),
            display_name: None,
            share_history_time: None,
            metadata: None,
            order: 0,
        });
    members.push(creator);
    members.extend(
        admission
            .accepted
            .into_iter()
            .filter(|p| p.raw_id != ctx.caller),
    );
    for (i, p) in members.iter_mut().enumerate() {
        p.order = i as u64 + 1;
    }
    t.next_order = members.len() as u64 + 1;
    t.participants = members;
    let added = membership_message(
        "participantAdded",
        t.next_message_slot(now),
        &ctx.caller,
        t.participants.clone(),
    );
    t.push_message(added);
    let topic = topic_message(t.next_message_slot(now), &ctx.caller, &rec.topic);
    t.push_message(topic);

    let body = serde_json::to_string(&CreateOut {
        chat_thread: ThreadOut::new(&rec, ctx.version),
        invalid_participants: admission.invalid,
    })
    .map_err(|_| ApiError::service_unavailable("The response could not be serialized."))?;
    let repeat = repeat_id.as_ref().map(|_| RepeatRecord {
        thread_id: rec.id.clone(),
        body: body.clone(),
    });
    let mut writes = vec![Write::Thread(&rec)];
    writes.extend(
        t.participants
            .iter()
            .map(|p| Write::Participant(&rec.id, p)),
    );
    writes.extend(t.messages.iter().map(|m| Write::Message(&rec.id, m)));
    if let (Some(rid), Some(r)) = (&repeat_id, &repeat) {
        writes.push(Write::Repeat(&ctx.caller, rid, r));
    }
    app.inner.db.lock().apply(&writes)?;
    drop(writes);

    for p in &t.participants {
        st.index_join(&p.raw_id, &rec.id);
    }
    if let (Some(rid), Some(r)) = (repeat_id, repeat) {
        st.repeats.insert((ctx.caller.clone(), rid), r);
    }
    st.threads.insert(rec.id.clone(), t);
    let resp = http::json_bytes(StatusCode::CREATED, body.into_bytes());
    Ok(http::with_location(
        resp,
        &thread_location(&ctx.base, &rec.id),
    ))
}

/// GET /chat/threads: the caller's threads (deleted ones included, with `deletedOn`), latest
/// activity first (activity as of the first page's snapshot, see [`ThreadCursor`]).
pub(super) fn list(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let size = paging::page_size(&ctx.inc)?;
    let cursor = ctx
        .inc
        .param("syncState")
        .map(ThreadCursor::decode)
        .transpose()?;
    let start_ms = match &cursor {
        Some(c) => c.start_ms,
        None => paging::start_time(&ctx.inc)?.map(|t| t.timestamp_millis()),
    };
    // The first page fixes the snapshot: a message written after it is created at or after
    // now, i.e. after `as_of`, so it cannot move its thread across the cursor.
    let as_of_ms = match &cursor {
        Some(c) => c.as_of_ms,
        None => time::now_ms().timestamp_millis() - 1,
    };
    let st = app.inner.state.read();
    let mut items: Vec<(i64, &ThreadState)> = st
        .user_threads
        .get(&ctx.caller)
        .into_iter()
        .flatten()
        .filter_map(|id| st.threads.get(id))
        .map(|t| (t.activity_as_of(as_of_ms), t))
        .filter(|(ms, _)| match start_ms {
            Some(s) => *ms >= s,
            None => true,
        })
        .filter(|(ms, t)| match &cursor {
            None => true,
            Some(c) => *ms < c.activity_ms || (*ms == c.activity_ms && t.rec.id > c.id),
        })
        .collect();
    items.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.rec.id.cmp(&b.1.rec.id)));
    let more = items.len() > size;
    items.truncate(size);
    let next_link = if more {
        items.last().map(|(ms, t)| {
            let c = ThreadCursor {
                as_of_ms,
                activity_ms: *ms,
                id: t.rec.id.clone(),
                start_ms,
            };
            paging::next_link(
                &ctx.base,
                "/chat/threads",
                &[("syncState", c.encode()), ("maxPageSize", size.to_string())],
                ctx.version.as_str(),
            )
        })
    } else {
        None
    };
    let value: Vec<ThreadItemOut<'_>> = items
        .iter()
        .map(|(_, t)| ThreadItemOut {
            id: &t.rec.id,
            topic: &t.rec.topic,
            deleted_on: t.rec.deleted_on,
            last_message_received_on: t.last_message_received_on(),
        })
        .collect();
    Ok(http::json(StatusCode::OK, &Page { value, next_link }))
}

/// GET /chat/threads/{id}.
pub(super) fn get(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let st = app.inner.state.read();
    let t = readable(&st, &tid, &ctx.caller)?;
    Ok(http::json(
        StatusCode::OK,
        &ThreadOut::new(&t.rec, ctx.version),
    ))
}

/// PATCH /chat/threads/{id} (merge patch of topic, and in 2025-03-15 metadata and retention).
pub(super) fn update(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    ctx.require(Access::Full, "updating chat threads")?;
    let tid = ctx.thread_id()?;
    let patch: serde_json::Value = http::parse_json(&ctx.inc.body, "UpdateChatThreadRequest")?;
    let Some(patch) = patch.as_object() else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object (UpdateChatThreadRequest).",
        ));
    };
    let topic = match patch.get("topic") {
        None => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request("'topic' must be a string.").with_target("topic"))
        }
    };
    let mut guard = app.inner.state.write();
    let t = writable(&mut guard, &tid, &ctx.caller)?;
    let mut rec = t.rec.clone();
    if ctx.version.has_thread_metadata() {
        if let Some(m) = patch.get("metadata") {
            rec.metadata = merge_metadata(rec.metadata.as_ref(), m)?;
            if let Some(m) = &rec.metadata {
                check_metadata(m, "thread")?;
            }
        }
        if let Some(r) = patch.get("retentionPolicy") {
            rec.retention = parse_retention(r)?;
        }
    }
    let message = match topic {
        Some(topic) if topic != rec.topic => {
            let m = topic_message(t.next_message_slot(time::now_ms()), &ctx.caller, &topic);
            rec.topic = topic;
            Some(m)
        }
        _ => None,
    };
    let mut writes = vec![Write::Thread(&rec)];
    if let Some(m) = &message {
        writes.push(Write::Message(&tid, m));
    }
    app.inner.db.lock().apply(&writes)?;
    drop(writes);
    t.rec = rec;
    if let Some(m) = message {
        t.push_message(m);
    }
    Ok(http::empty(StatusCode::NO_CONTENT))
}

/// DELETE /chat/threads/{id}: marks the thread deleted (it stays listed with `deletedOn`).
/// Deleting an already deleted thread again is a 204, as the service answers.
pub(super) fn delete(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    ctx.require(Access::Full, "deleting chat threads")?;
    let tid = ctx.thread_id()?;
    let mut guard = app.inner.state.write();
    if let Some(t) = guard.threads.get(&tid) {
        if t.rec.deleted_on.is_some() && t.participant(&ctx.caller).is_some() {
            return Ok(http::empty(StatusCode::NO_CONTENT));
        }
    }
    let t = writable(&mut guard, &tid, &ctx.caller)?;
    let mut rec = t.rec.clone();
    rec.deleted_on = Some(time::now_ms());
    app.inner.db.lock().apply(&[Write::Thread(&rec)])?;
    t.rec = rec;
    Ok(http::empty(StatusCode::NO_CONTENT))
}
