//! Participants: list (skip paging), `:add`, `:remove`, and the admission rules shared with
//! create-thread.
//!
//! Admission: ACS users that exist in this emulator are accepted; ACS ids it does not know
//! (deleted, or of another resource) are reported in `invalidParticipants` with code "404";
//! phone numbers, Teams users and other kinds are reported with code "403" "Permissions check
//! failed", because the emulator has no PSTN or Teams interop. Neither fails the call.

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::super::http;
use super::super::identifier::{classify, IdentifierModel, Kind};
use super::super::model::{MessageRecord, Metadata, ParticipantRecord};
use super::super::paging;
use super::super::state::State;
use super::super::store::Write;
use super::super::time;
use super::super::versions::ChatVersion;
use super::super::App;
use super::wire::{invalid_participant, Page, ParticipantOut};
use super::{check_metadata, readable, writable, Access, Ctx, MAX_BATCH, MAX_PARTICIPANTS};
use crate::error::{ApiError, CommunicationError};

/// `ChatParticipant` as sent in requests.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParticipantIn {
    communication_identifier: IdentifierModel,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    share_history_time: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
}

/// The outcome of admitting a batch: accepted participants (their `order` still 0) and the
/// per-participant rejections.
pub(crate) struct Admission {
    pub accepted: Vec<ParticipantRecord>,
    pub invalid: Vec<CommunicationError>,
}

/// Validates a batch (400 for malformed entries or a batch over the limit) and sorts it into
/// accepted and rejected participants. Duplicates within the batch keep the first entry.
pub(crate) fn admit(
    st: &State,
    batch: Vec<ParticipantIn>,
    version: ChatVersion,
) -> Result<Admission, ApiError> {
    if batch.len() > MAX_BATCH {
        return Err(ApiError::bad_request(format!(
            "At most {MAX_BATCH} participants can be added in one call; got {}.",
            batch.len()
        ))
        .with_target("participants"));
    }
    let mut out = Admission {
        accepted: Vec::new(),
        invalid: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for p in batch {
        let raw = p.communication_identifier.raw_id()?;
        let share_history_time = match &p.share_history_time {
            None => None,
            Some(text) => Some(time::parse(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "shareHistoryTime '{text}' is not an RFC 3339 date-time."
                ))
                .with_target("shareHistoryTime")
            })?),
        }
        // The service keeps whole seconds.
        .map(|t| time::from_millis(t.timestamp() * 1000));
        let metadata = if version.has_thread_metadata() {
            if let Some(m) = &p.metadata {
                check_metadata(m, "participant")?;
            }
            p.metadata
        } else {
            None
        };
        if !seen.insert(raw.clone()) {
            continue;
        }
        match classify(&raw) {
            Kind::CommunicationUser if st.identities.contains_key(&raw) => {
                out.accepted.push(ParticipantRecord {
                    raw_id: raw,
                    display_name: p.display_name,
                    share_history_time,
                    metadata,
                    order: 0,
                })
            }
            Kind::CommunicationUser => {
                out.invalid
                    .push(invalid_participant(&raw, "404", "Not found"))
            }
            _ => out
                .invalid
                .push(invalid_participant(&raw, "403", "Permissions check failed")),
        }
    }
    Ok(out)
}

/// A system message about participants joining or leaving.
pub(crate) fn membership_message(
    kind: &str,
    slot: (u64, u64, chrono::DateTime<chrono::Utc>),
    initiator: &str,
    participants: Vec<ParticipantRecord>,
) -> MessageRecord {
    let (id, seq, created_on) = slot;
    MessageRecord {
        id,
        seq,
        kind: kind.to_owned(),
        created_on,
        version: id,
        content: None,
        sender: None,
        sender_display_name: None,
        edited_on: None,
        deleted_on: None,
        metadata: None,
        initiator: Some(initiator.to_owned()),
        topic: None,
        participants,
        json: Default::default(),
    }
}

/// GET participants.
pub(super) fn list(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    let tid = ctx.thread_id()?;
    let size = paging::page_size(&ctx.inc)?;
    let skip = paging::skip(&ctx.inc)?;
    let st = app.inner.state.read();
    let t = readable(&st, &tid, &ctx.caller)?;
    let value: Vec<ParticipantOut<'_>> = t
        .participants
        .iter()
        .skip(skip)
        .take(size)
        .map(|p| ParticipantOut::new(p, ctx.version))
        .collect();
    let next_link = (skip.saturating_add(size) < t.participants.len()).then(|| {
        paging::next_link(
            &ctx.base,
            &format!("/chat/threads/{}/participants", http::encode_segment(&tid)),
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
struct AddIn {
    participants: Vec<ParticipantIn>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invalid_participants: Vec<CommunicationError>,
}

/// POST participants/:add or participants/:remove.
pub(super) fn action(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    match ctx.sub_id()?.as_str() {
        ":add" => add(app, ctx),
        ":remove" => remove(app, ctx),
        other => Err(ApiError::not_found(format!(
            "The participants action '{other}' does not exist; use :add or :remove."
        ))),
    }
}

fn add(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    ctx.require(Access::Join, "adding participants")?;
    let tid = ctx.thread_id()?;
    let body: AddIn = http::parse_json(&ctx.inc.body, "AddChatParticipantsRequest")?;
    let mut guard = app.inner.state.write();
    let st = &mut *guard;
    writable(st, &tid, &ctx.caller)?;
    let admission = admit(st, body.participants, ctx.version)?;
    let t = writable(st, &tid, &ctx.caller)?;
    let mut new: Vec<ParticipantRecord> = admission
        .accepted
        .into_iter()
        .filter(|p| t.participant(&p.raw_id).is_none())
        .collect();
    if t.participants.len() + new.len() > MAX_PARTICIPANTS {
        return Err(ApiError::forbidden(format!(
            "A chat thread can have at most {MAX_PARTICIPANTS} participants; it has {} and {} would be added.",
            t.participants.len(),
            new.len()
        )));
    }
    for (i, p) in new.iter_mut().enumerate() {
        p.order = t.next_order + i as u64;
    }
    let message = (!new.is_empty()).then(|| {
        membership_message(
            "participantAdded",
            t.next_message_slot(time::now_ms()),
            &ctx.caller,
            new.clone(),
        )
    });
    let mut writes: Vec<Write<'_>> = new.iter().map(|p| Write::Participant(&tid, p)).collect();
    if let Some(m) = &message {
        writes.push(Write::Message(&tid, m));
    }
    app.inner.db.lock().apply(&writes)?;
    drop(writes);
    t.next_order += new.len() as u64;
    if let Some(m) = message {
        t.push_message(m);
    }
    let joined: Vec<String> = new.iter().map(|p| p.raw_id.clone()).collect();
    t.participants.extend(new);
    for raw in joined {
        st.index_join(&raw, &tid);
    }
    Ok(http::json(
        StatusCode::CREATED,
        &AddOut {
            invalid_participants: admission.invalid,
        },
    ))
}

fn remove(app: &App, ctx: &Ctx) -> Result<Response, ApiError> {
    ctx.require(Access::Join, "removing participants")?;
    let tid = ctx.thread_id()?;
    let target: IdentifierModel = http::parse_json(&ctx.inc.body, "CommunicationIdentifierModel")?;
    let raw = target.raw_id()?;
    let mut guard = app.inner.state.write();
    let st = &mut *guard;
    let t = writable(st, &tid, &ctx.caller)?;
    // Removing someone who is not (or no longer) in the thread changes nothing and succeeds: the official
    // 1.2.0 sample `chat_thread_client_sample.py` removes a never-added user first and expects no error.
    let Some(pos) = t.participants.iter().position(|p| p.raw_id == raw) else {
        return Ok(http::empty(StatusCode::NO_CONTENT));
    };
    let removed = t.participants[pos].clone();
    let message = membership_message(
        "participantRemoved",
        t.next_message_slot(time::now_ms()),
        &ctx.caller,
        vec![removed],
    );
    app.inner.db.lock().apply(&[
        Write::DeleteParticipant(&tid, &raw),
        Write::Message(&tid, &message),
    ])?;
    t.participants.remove(pos);
    t.push_message(message);
    st.index_leave(&raw, &tid);
    Ok(http::empty(StatusCode::NO_CONTENT))
}
