//! The stored entities. Each is kept in memory and persisted as one JSON blob per row, so the
//! serde shape here is the on-disk format (field names are short and stable on purpose).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// String-to-string metadata as the API carries it.
pub(crate) type Metadata = BTreeMap<String, String>;

/// An ACS identity of this resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IdentityRecord {
    /// The `8:acs:<resource>_<suffix>` raw id.
    pub id: String,
    pub created_on: DateTime<Utc>,
    /// Tokens whose serial is below this were revoked (0: never revoked).
    #[serde(default)]
    pub revoked_below: u64,
}

/// A thread's retention policy (2025-03-15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RetentionPolicy {
    ThreadCreationDate { delete_after_days: i32 },
    None,
}

/// A chat thread's own properties.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ThreadRecord {
    pub id: String,
    pub topic: String,
    pub created_on: DateTime<Utc>,
    pub created_by: String,
    #[serde(default)]
    pub deleted_on: Option<DateTime<Utc>>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub retention: Option<RetentionPolicy>,
    /// Created without listing any participant: its creation messages do not set
    /// `lastMessageReceivedOn` (the recorded service answers omit it for such a thread).
    #[serde(default)]
    pub quiet_creation: bool,
}

/// A thread participant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ParticipantRecord {
    pub raw_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub share_history_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Join order within the thread (listing order).
    pub order: u64,
}

/// A chat message, user-sent or system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MessageRecord {
    /// Epoch milliseconds, strictly increasing per thread.
    pub id: u64,
    /// 1, 2, ... per thread; also the index + 1 into the thread's message list.
    pub seq: u64,
    /// `text`, `html`, `topicUpdated`, `participantAdded`, `participantRemoved`.
    pub kind: String,
    pub created_on: DateTime<Utc>,
    /// Epoch-ms version: equals `id` until edited.
    pub version: u64,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub sender_display_name: Option<String>,
    #[serde(default)]
    pub edited_on: Option<DateTime<Utc>>,
    #[serde(default)]
    pub deleted_on: Option<DateTime<Utc>>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// System messages: who caused the event.
    #[serde(default)]
    pub initiator: Option<String>,
    /// `topicUpdated`: the new topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// `participantAdded` / `participantRemoved`: who.
    #[serde(default)]
    pub participants: Vec<ParticipantRecord>,
    /// The response JSON of this message, per response shape (not persisted).
    #[serde(skip)]
    pub json: JsonCache,
}

/// Number of distinct response shapes of a message across API versions (see
/// `ChatVersion::message_shape`).
pub(crate) const MESSAGE_SHAPES: usize = 4;

/// Lazily rendered response JSON, one slot per response shape, so listing pages copies bytes
/// instead of serializing every message again. Cloning yields an empty cache: a clone is made
/// to be changed (edit, delete), and must never carry the old rendering.
#[derive(Default)]
pub(crate) struct JsonCache([std::sync::OnceLock<Box<str>>; MESSAGE_SHAPES]);

impl JsonCache {
    /// The JSON for `shape`, rendering it with `render` the first time.
    pub(crate) fn get_or_render(&self, shape: usize, render: impl FnOnce() -> String) -> &str {
        match self.0.get(shape) {
            Some(slot) => slot.get_or_init(|| render().into_boxed_str()),
            None => {
                debug_assert!(false, "message shape {shape} out of range");
                ""
            }
        }
    }
}

impl Clone for JsonCache {
    fn clone(&self) -> Self {
        JsonCache::default()
    }
}

impl std::fmt::Debug for JsonCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonCache")
    }
}

/// The latest read receipt of one sender in one thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReceiptRecord {
    pub sender: String,
    pub message_id: String,
    pub read_on: DateTime<Utc>,
    /// First-receipt order within the thread (listing order).
    pub order: u64,
}

/// The answer remembered for a `repeatability-request-id` on create-thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RepeatRecord {
    pub thread_id: String,
    /// The exact JSON body of the original 201.
    pub body: String,
}
