//! Response bodies, borrowing from the stored records. Fields added by later API versions are
//! left out for older versions.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::super::identifier::Wire;
use super::super::model::{
    MessageRecord, Metadata, ParticipantRecord, ReceiptRecord, RetentionPolicy, ThreadRecord,
};
use super::super::time;
use super::super::versions::ChatVersion;
use crate::error::CommunicationError;

/// A response identifier in the shape of API version `v`.
fn wire_id(raw: &str, v: ChatVersion) -> Wire<'_> {
    Wire {
        raw,
        with_kind: v.has_identifier_kind(),
    }
}

/// `ChatParticipant`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParticipantOut<'a> {
    communication_identifier: Wire<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(with = "time::wire::option", skip_serializing_if = "Option::is_none")]
    share_history_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
}

impl<'a> ParticipantOut<'a> {
    pub(crate) fn new(p: &'a ParticipantRecord, v: ChatVersion) -> Self {
        ParticipantOut {
            communication_identifier: wire_id(&p.raw_id, v),
            display_name: p.display_name.as_deref(),
            share_history_time: p.share_history_time,
            metadata: p.metadata.as_ref().filter(|_| v.has_thread_metadata()),
        }
    }
}

/// `ChatMessageContent`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContentOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    participants: Vec<ParticipantOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    initiator_communication_identifier: Option<Wire<'a>>,
}

/// `ChatMessage`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'a str,
    sequence_id: String,
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<ContentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_display_name: Option<&'a str>,
    #[serde(with = "time::wire")]
    created_on: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_communication_identifier: Option<Wire<'a>>,
    #[serde(with = "time::wire::option", skip_serializing_if = "Option::is_none")]
    deleted_on: Option<DateTime<Utc>>,
    #[serde(with = "time::wire::option", skip_serializing_if = "Option::is_none")]
    edited_on: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
}

impl<'a> MessageOut<'a> {
    pub(crate) fn new(m: &'a MessageRecord, v: ChatVersion) -> Self {
        let has_content = m.content.is_some()
            || m.topic.is_some()
            || !m.participants.is_empty()
            || m.initiator.is_some();
        MessageOut {
            id: m.id.to_string(),
            kind: &m.kind,
            sequence_id: m.seq.to_string(),
            version: m.version.to_string(),
            content: has_content.then(|| ContentOut {
                message: m.content.as_deref(),
                topic: m.topic.as_deref(),
                participants: m
                    .participants
                    .iter()
                    .map(|p| ParticipantOut::new(p, v))
                    .collect(),
                initiator_communication_identifier: m.initiator.as_deref().map(|r| wire_id(r, v)),
            }),
            sender_display_name: m.sender_display_name.as_deref(),
            created_on: m.created_on,
            sender_communication_identifier: m.sender.as_deref().map(|r| wire_id(r, v)),
            deleted_on: m.deleted_on,
            edited_on: m.edited_on,
            metadata: m.metadata.as_ref().filter(|_| v.has_message_metadata()),
        }
    }
}

/// `ChatRetentionPolicy` (2025-03-15).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RetentionOut {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_thread_after_days: Option<i32>,
}

/// `ChatThreadProperties`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreadOut<'a> {
    id: &'a str,
    topic: &'a str,
    #[serde(with = "time::wire")]
    created_on: DateTime<Utc>,
    created_by_communication_identifier: Wire<'a>,
    #[serde(with = "time::wire::option", skip_serializing_if = "Option::is_none")]
    deleted_on: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retention_policy: Option<RetentionOut>,
}

impl<'a> ThreadOut<'a> {
    pub(crate) fn new(t: &'a ThreadRecord, v: ChatVersion) -> Self {
        let new_fields = v.has_thread_metadata();
        ThreadOut {
            id: &t.id,
            topic: &t.topic,
            created_on: t.created_on,
            created_by_communication_identifier: wire_id(&t.created_by, v),
            deleted_on: t.deleted_on,
            metadata: t.metadata.as_ref().filter(|_| new_fields),
            retention_policy: t
                .retention
                .as_ref()
                .filter(|_| new_fields)
                .map(|r| match r {
                    RetentionPolicy::ThreadCreationDate { delete_after_days } => RetentionOut {
                        kind: "threadCreationDate",
                        delete_thread_after_days: Some(*delete_after_days),
                    },
                    RetentionPolicy::None => RetentionOut {
                        kind: "none",
                        delete_thread_after_days: None,
                    },
                }),
        }
    }
}

/// `ChatThreadItem`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreadItemOut<'a> {
    pub id: &'a str,
    pub topic: &'a str,
    #[serde(with = "time::wire::option", skip_serializing_if = "Option::is_none")]
    pub deleted_on: Option<DateTime<Utc>>,
    #[serde(with = "time::wire::option", skip_serializing_if = "Option::is_none")]
    pub last_message_received_on: Option<DateTime<Utc>>,
}

/// `ChatMessageReadReceipt`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiptOut<'a> {
    sender_communication_identifier: Wire<'a>,
    chat_message_id: &'a str,
    #[serde(with = "time::wire")]
    read_on: DateTime<Utc>,
}

impl<'a> ReceiptOut<'a> {
    pub(crate) fn new(r: &'a ReceiptRecord, v: ChatVersion) -> Self {
        ReceiptOut {
            sender_communication_identifier: wire_id(&r.sender, v),
            chat_message_id: &r.message_id,
            read_on: r.read_on,
        }
    }
}

/// A page: `{"value": [...], "nextLink"?: "..."}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Page<T: Serialize> {
    pub value: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// One entry of `invalidParticipants`.
pub(crate) fn invalid_participant(raw_id: &str, code: &str, message: &str) -> CommunicationError {
    CommunicationError::new(code, message).with_target(raw_id)
}
