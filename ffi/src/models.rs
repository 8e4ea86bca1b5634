//! Result objects readable from C: identifiers, tokens, threads, messages, participants, receipts.
//!
//! Each object is an opaque, immutable handle owned by the caller and freed with its `_free` function
//! (NULL accepted). Strings returned by accessors are NUL-terminated UTF-8 borrowed from the object: valid
//! until the object is freed, never to be freed by the caller. Timestamps are milliseconds since the Unix
//! epoch (UTC). Objects are immutable, so several threads may read one at once.

use std::collections::HashMap;
use std::ffi::{c_char, CString};
use std::ptr;

use acs_chat::identifier::CommunicationIdentifierKind;
use acs_chat::models::{
    ChatError, ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatRetentionPolicy,
    ChatThreadItem, ChatThreadProperties,
};
use acs_chat::{AccessToken, CommunicationIdentifier};
use chrono::{DateTime, Utc};

use crate::boundary::{accessor, free_boxed, guard, out_ptr, str_arg, write_boxed};
use crate::result::acs_chat_result;
use crate::strings::to_cstring;

fn millis(t: &DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn opt_cstr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

/// Writes an optional timestamp; returns whether it is present.
fn opt_time(value: Option<i64>, out: *mut i64) -> bool {
    match value {
        Some(v) => {
            if !out.is_null() {
                unsafe { *out = v };
            }
            true
        }
        None => false,
    }
}

/// String metadata as sorted key/value pairs, ready for C.
#[derive(Default)]
pub(crate) struct Metadata(Vec<(CString, CString)>);

impl Metadata {
    fn from_map(map: &Option<HashMap<String, String>>) -> Self {
        let mut pairs: Vec<(CString, CString)> = map
            .iter()
            .flatten()
            .map(|(k, v)| (to_cstring(k), to_cstring(v)))
            .collect();
        // Sorted so C callers see a stable order.
        pairs.sort();
        Metadata(pairs)
    }

    fn count(&self) -> usize {
        self.0.len()
    }

    fn key(&self, i: usize) -> *const c_char {
        self.0.get(i).map_or(ptr::null(), |(k, _)| k.as_ptr())
    }

    fn value(&self, i: usize) -> *const c_char {
        self.0.get(i).map_or(ptr::null(), |(_, v)| v.as_ptr())
    }
}

// ---------------------------------------------------------------------------------------------------------
// Identifiers

/// The kind of a communication identifier.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum acs_chat_identifier_kind {
    /// A kind this version does not model (bots, Teams apps, future kinds); use the raw id.
    ACS_CHAT_IDENTIFIER_KIND_UNKNOWN = 0,
    /// An ACS user (`8:acs:...`).
    ACS_CHAT_IDENTIFIER_KIND_COMMUNICATION_USER = 1,
    /// A phone number (`4:+1...`).
    ACS_CHAT_IDENTIFIER_KIND_PHONE_NUMBER = 2,
    /// A Microsoft Teams user (`8:orgid:...` and similar).
    ACS_CHAT_IDENTIFIER_KIND_MICROSOFT_TEAMS_USER = 3,
}

/// A user, phone number or other participant identity: a kind and a raw id.
pub struct acs_chat_identifier {
    pub(crate) inner: CommunicationIdentifier,
    raw_id: CString,
}

impl acs_chat_identifier {
    pub(crate) fn new(inner: CommunicationIdentifier) -> Self {
        let raw_id = to_cstring(&inner.raw_id());
        acs_chat_identifier { inner, raw_id }
    }
}

/// Makes an identifier from its raw id (`8:acs:...`, `4:+1425...`, `8:orgid:...`); the kind is derived from
/// the prefix, unknown prefixes giving `ACS_CHAT_IDENTIFIER_KIND_UNKNOWN`. Free with
/// `acs_chat_identifier_free`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identifier_from_raw_id(
    raw_id: *const c_char,
    identifier_out: *mut *mut acs_chat_identifier,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(identifier_out, "identifier_out")?;
        let raw = str_arg(raw_id, "raw_id")?;
        if raw.is_empty() {
            return Err(crate::error::acs_chat_error::invalid("raw_id is empty"));
        }
        write_boxed(
            out,
            acs_chat_identifier::new(CommunicationIdentifier::from_raw_id(raw)),
        );
        Ok(())
    })
}

/// Frees an identifier. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identifier_free(identifier: *mut acs_chat_identifier) {
    free_boxed(identifier)
}

/// The identifier's kind (`ACS_CHAT_IDENTIFIER_KIND_UNKNOWN` for NULL).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identifier_get_kind(
    identifier: *const acs_chat_identifier,
) -> acs_chat_identifier_kind {
    use acs_chat_identifier_kind::*;
    accessor(ACS_CHAT_IDENTIFIER_KIND_UNKNOWN, || {
        match unsafe { identifier.as_ref() }.map(|i| i.inner.kind()) {
            Some(CommunicationIdentifierKind::CommunicationUser) => {
                ACS_CHAT_IDENTIFIER_KIND_COMMUNICATION_USER
            }
            Some(CommunicationIdentifierKind::PhoneNumber) => ACS_CHAT_IDENTIFIER_KIND_PHONE_NUMBER,
            Some(CommunicationIdentifierKind::MicrosoftTeamsUser) => {
                ACS_CHAT_IDENTIFIER_KIND_MICROSOFT_TEAMS_USER
            }
            _ => ACS_CHAT_IDENTIFIER_KIND_UNKNOWN,
        }
    })
}

/// The identifier's raw id, borrowed from it (NULL for NULL).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identifier_raw_id(
    identifier: *const acs_chat_identifier,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { identifier.as_ref() }.map_or(ptr::null(), |i| i.raw_id.as_ptr())
    })
}

fn ident_ptr(i: &Option<acs_chat_identifier>) -> *const acs_chat_identifier {
    i.as_ref().map_or(ptr::null(), |i| i as *const _)
}

// ---------------------------------------------------------------------------------------------------------
// Access tokens

/// A user access token and its expiry. The token is a secret: do not log it.
pub struct acs_chat_access_token {
    token: CString,
    expires_on: i64,
}

impl acs_chat_access_token {
    pub(crate) fn new(token: &AccessToken) -> Self {
        acs_chat_access_token {
            token: to_cstring(&token.token),
            expires_on: millis(&token.expires_on),
        }
    }
}

/// Frees a token (its memory is not scrubbed). NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_access_token_free(token: *mut acs_chat_access_token) {
    free_boxed(token)
}

/// The token text (a JWT), borrowed from the object; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_access_token_token(
    token: *const acs_chat_access_token,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { token.as_ref() }.map_or(ptr::null(), |t| t.token.as_ptr())
    })
}

/// When the token expires, in milliseconds since the Unix epoch; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_access_token_expires_on_ms(
    token: *const acs_chat_access_token,
) -> i64 {
    accessor(0, || unsafe { token.as_ref() }.map_or(0, |t| t.expires_on))
}

// ---------------------------------------------------------------------------------------------------------
// Threads

/// A thread's properties (from create or get properties).
pub struct acs_chat_thread {
    id: CString,
    topic: CString,
    created_on: i64,
    created_by: acs_chat_identifier,
    deleted_on: Option<i64>,
    metadata: Metadata,
    retention: Option<ChatRetentionPolicy>,
}

impl acs_chat_thread {
    pub(crate) fn new(t: &ChatThreadProperties) -> Self {
        acs_chat_thread {
            id: to_cstring(&t.id),
            topic: to_cstring(&t.topic),
            created_on: millis(&t.created_on),
            created_by: acs_chat_identifier::new(t.created_by.clone()),
            deleted_on: t.deleted_on.as_ref().map(millis),
            metadata: Metadata::from_map(&t.metadata),
            retention: t.retention_policy.clone(),
        }
    }
}

/// The thread's retention policy as an `acs_chat_retention_kind` (NOT_SET when it has none or `thread` is
/// NULL). For THREAD_CREATION_DATE, writes the days to `days_out` when it is not NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_retention_kind(
    thread: *const acs_chat_thread,
    days_out: *mut i32,
) -> crate::options::acs_chat_retention_kind {
    use crate::options::acs_chat_retention_kind::*;
    accessor(ACS_CHAT_RETENTION_KIND_NOT_SET, || {
        match unsafe { thread.as_ref() }.and_then(|t| t.retention.as_ref()) {
            None => ACS_CHAT_RETENTION_KIND_NOT_SET,
            Some(ChatRetentionPolicy::None) => ACS_CHAT_RETENTION_KIND_NONE,
            Some(ChatRetentionPolicy::ThreadCreationDate {
                delete_thread_after_days,
            }) => {
                if !days_out.is_null() {
                    unsafe { *days_out = *delete_thread_after_days };
                }
                ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE
            }
            Some(_) => ACS_CHAT_RETENTION_KIND_UNKNOWN,
        }
    })
}

/// Frees a thread. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_free(thread: *mut acs_chat_thread) {
    free_boxed(thread)
}

/// The thread id, borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_id(thread: *const acs_chat_thread) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { thread.as_ref() }.map_or(ptr::null(), |t| t.id.as_ptr())
    })
}

/// The topic, borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_topic(thread: *const acs_chat_thread) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { thread.as_ref() }.map_or(ptr::null(), |t| t.topic.as_ptr())
    })
}

/// Creation time in milliseconds since the Unix epoch; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_created_on_ms(thread: *const acs_chat_thread) -> i64 {
    accessor(0, || unsafe { thread.as_ref() }.map_or(0, |t| t.created_on))
}

/// The creator, borrowed from the thread (valid until the thread is freed); NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_created_by(
    thread: *const acs_chat_thread,
) -> *const acs_chat_identifier {
    accessor(ptr::null(), || {
        unsafe { thread.as_ref() }.map_or(ptr::null(), |t| &t.created_by as *const _)
    })
}

/// Whether the thread was deleted; if so and `ms_out` is not NULL, writes the deletion time there.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_deleted_on_ms(
    thread: *const acs_chat_thread,
    ms_out: *mut i64,
) -> bool {
    accessor(false, || {
        opt_time(
            unsafe { thread.as_ref() }.and_then(|t| t.deleted_on),
            ms_out,
        )
    })
}

/// Number of metadata pairs (sorted by key); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_metadata_count(thread: *const acs_chat_thread) -> usize {
    accessor(0, || {
        unsafe { thread.as_ref() }.map_or(0, |t| t.metadata.count())
    })
}

/// Key of metadata pair `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_metadata_key(
    thread: *const acs_chat_thread,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { thread.as_ref() }.map_or(ptr::null(), |t| t.metadata.key(index))
    })
}

/// Value of metadata pair `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_metadata_value(
    thread: *const acs_chat_thread,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { thread.as_ref() }.map_or(ptr::null(), |t| t.metadata.value(index))
    })
}

/// A thread as listed by `acs_chat_client_list_threads`.
pub struct acs_chat_thread_item {
    id: CString,
    topic: CString,
    deleted_on: Option<i64>,
    last_message_received_on: Option<i64>,
}

impl acs_chat_thread_item {
    pub(crate) fn new(t: &ChatThreadItem) -> Self {
        acs_chat_thread_item {
            id: to_cstring(&t.id),
            topic: to_cstring(&t.topic),
            deleted_on: t.deleted_on.as_ref().map(millis),
            last_message_received_on: t.last_message_received_on.as_ref().map(millis),
        }
    }
}

/// Frees a thread item. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_item_free(item: *mut acs_chat_thread_item) {
    free_boxed(item)
}

/// The thread id, borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_item_id(
    item: *const acs_chat_thread_item,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { item.as_ref() }.map_or(ptr::null(), |t| t.id.as_ptr())
    })
}

/// The topic, borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_item_topic(
    item: *const acs_chat_thread_item,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { item.as_ref() }.map_or(ptr::null(), |t| t.topic.as_ptr())
    })
}

/// Whether the thread was deleted; if so and `ms_out` is not NULL, writes the deletion time there.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_item_deleted_on_ms(
    item: *const acs_chat_thread_item,
    ms_out: *mut i64,
) -> bool {
    accessor(false, || {
        opt_time(unsafe { item.as_ref() }.and_then(|t| t.deleted_on), ms_out)
    })
}

/// Whether the thread has received a message; if so and `ms_out` is not NULL, writes the time of the last
/// one there.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_item_last_message_received_on_ms(
    item: *const acs_chat_thread_item,
    ms_out: *mut i64,
) -> bool {
    accessor(false, || {
        opt_time(
            unsafe { item.as_ref() }.and_then(|t| t.last_message_received_on),
            ms_out,
        )
    })
}

// ---------------------------------------------------------------------------------------------------------
// Messages

/// A chat message.
pub struct acs_chat_message {
    id: CString,
    message_type: CString,
    sequence_id: CString,
    version: CString,
    content: Option<CString>,
    topic: Option<CString>,
    sender_display_name: Option<CString>,
    created_on: i64,
    sender: Option<acs_chat_identifier>,
    initiator: Option<acs_chat_identifier>,
    deleted_on: Option<i64>,
    edited_on: Option<i64>,
    metadata: Metadata,
    participants: Vec<acs_chat_participant>,
}

impl acs_chat_message {
    pub(crate) fn new(m: &ChatMessage) -> Self {
        let content = m.content.as_ref();
        acs_chat_message {
            id: to_cstring(&m.id),
            message_type: to_cstring(m.message_type.as_str()),
            sequence_id: to_cstring(&m.sequence_id),
            version: to_cstring(&m.version),
            content: content.and_then(|c| c.message.as_deref()).map(to_cstring),
            topic: content.and_then(|c| c.topic.as_deref()).map(to_cstring),
            sender_display_name: m.sender_display_name.as_deref().map(to_cstring),
            created_on: millis(&m.created_on),
            sender: m.sender.clone().map(acs_chat_identifier::new),
            initiator: content
                .and_then(|c| c.initiator.clone())
                .map(acs_chat_identifier::new),
            deleted_on: m.deleted_on.as_ref().map(millis),
            edited_on: m.edited_on.as_ref().map(millis),
            metadata: Metadata::from_map(&m.metadata),
            participants: content
                .map(|c| {
                    c.participants
                        .iter()
                        .map(acs_chat_participant::new)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Frees a message. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_free(message: *mut acs_chat_message) {
    free_boxed(message)
}

/// The message id, borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_id(message: *const acs_chat_message) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| m.id.as_ptr())
    })
}

/// The message type as its wire string (`"text"`, `"html"`, `"topicUpdated"`, `"participantAdded"`,
/// `"participantRemoved"`, or a newer type verbatim), borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_get_type(
    message: *const acs_chat_message,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| m.message_type.as_ptr())
    })
}

/// The sequence id (a decimal string), borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_sequence_id(
    message: *const acs_chat_message,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| m.sequence_id.as_ptr())
    })
}

/// The version (changes on each edit), borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_version(
    message: *const acs_chat_message,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| m.version.as_ptr())
    })
}

/// The text of a text or html message, borrowed; NULL when the message has none (system messages, deleted
/// messages).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_content(
    message: *const acs_chat_message,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| opt_cstr(&m.content))
    })
}

/// The new topic of a `topicUpdated` message, borrowed; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_topic(message: *const acs_chat_message) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| opt_cstr(&m.topic))
    })
}

/// The sender's display name, borrowed; NULL when none was given.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_sender_display_name(
    message: *const acs_chat_message,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| opt_cstr(&m.sender_display_name))
    })
}

/// Creation time in milliseconds since the Unix epoch; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_created_on_ms(message: *const acs_chat_message) -> i64 {
    accessor(0, || {
        unsafe { message.as_ref() }.map_or(0, |m| m.created_on)
    })
}

/// The sender, borrowed from the message; NULL for system messages.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_sender(
    message: *const acs_chat_message,
) -> *const acs_chat_identifier {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| ident_ptr(&m.sender))
    })
}

/// Who triggered a system message (topic change, participants added or removed), borrowed; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_initiator(
    message: *const acs_chat_message,
) -> *const acs_chat_identifier {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| ident_ptr(&m.initiator))
    })
}

/// Whether the message was deleted; if so and `ms_out` is not NULL, writes the deletion time there.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_deleted_on_ms(
    message: *const acs_chat_message,
    ms_out: *mut i64,
) -> bool {
    accessor(false, || {
        opt_time(
            unsafe { message.as_ref() }.and_then(|m| m.deleted_on),
            ms_out,
        )
    })
}

/// Whether the message was edited; if so and `ms_out` is not NULL, writes the last edit time there.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_edited_on_ms(
    message: *const acs_chat_message,
    ms_out: *mut i64,
) -> bool {
    accessor(false, || {
        opt_time(
            unsafe { message.as_ref() }.and_then(|m| m.edited_on),
            ms_out,
        )
    })
}

/// Number of metadata pairs (sorted by key); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_metadata_count(
    message: *const acs_chat_message,
) -> usize {
    accessor(0, || {
        unsafe { message.as_ref() }.map_or(0, |m| m.metadata.count())
    })
}

/// Key of metadata pair `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_metadata_key(
    message: *const acs_chat_message,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| m.metadata.key(index))
    })
}

/// Value of metadata pair `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_metadata_value(
    message: *const acs_chat_message,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }.map_or(ptr::null(), |m| m.metadata.value(index))
    })
}

/// Number of participants a `participantAdded` or `participantRemoved` message names; 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_participant_count(
    message: *const acs_chat_message,
) -> usize {
    accessor(0, || {
        unsafe { message.as_ref() }.map_or(0, |m| m.participants.len())
    })
}

/// Participant `index` of a `participantAdded` or `participantRemoved` message, borrowed from the message
/// (valid until it is freed); NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_participant(
    message: *const acs_chat_message,
    index: usize,
) -> *const acs_chat_participant {
    accessor(ptr::null(), || {
        unsafe { message.as_ref() }
            .and_then(|m| m.participants.get(index))
            .map_or(ptr::null(), |p| p as *const _)
    })
}

// ---------------------------------------------------------------------------------------------------------
// Participants

/// A thread participant.
pub struct acs_chat_participant {
    identifier: acs_chat_identifier,
    display_name: Option<CString>,
    share_history_time: Option<i64>,
    metadata: Metadata,
}

impl acs_chat_participant {
    pub(crate) fn new(p: &ChatParticipant) -> Self {
        acs_chat_participant {
            identifier: acs_chat_identifier::new(p.identifier.clone()),
            display_name: p.display_name.as_deref().map(to_cstring),
            share_history_time: p.share_history_time.as_ref().map(millis),
            metadata: Metadata::from_map(&p.metadata),
        }
    }
}

/// Frees a participant. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_free(participant: *mut acs_chat_participant) {
    free_boxed(participant)
}

/// The participant's identifier, borrowed from it; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_identifier(
    participant: *const acs_chat_participant,
) -> *const acs_chat_identifier {
    accessor(ptr::null(), || {
        unsafe { participant.as_ref() }.map_or(ptr::null(), |p| &p.identifier as *const _)
    })
}

/// The display name, borrowed; NULL when none was set.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_display_name(
    participant: *const acs_chat_participant,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { participant.as_ref() }.map_or(ptr::null(), |p| opt_cstr(&p.display_name))
    })
}

/// Whether a share-history time is set; if so and `ms_out` is not NULL, writes it there.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_share_history_time_ms(
    participant: *const acs_chat_participant,
    ms_out: *mut i64,
) -> bool {
    accessor(false, || {
        opt_time(
            unsafe { participant.as_ref() }.and_then(|p| p.share_history_time),
            ms_out,
        )
    })
}

/// Number of metadata pairs (sorted by key); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_metadata_count(
    participant: *const acs_chat_participant,
) -> usize {
    accessor(0, || {
        unsafe { participant.as_ref() }.map_or(0, |p| p.metadata.count())
    })
}

/// Key of metadata pair `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_metadata_key(
    participant: *const acs_chat_participant,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { participant.as_ref() }.map_or(ptr::null(), |p| p.metadata.key(index))
    })
}

/// Value of metadata pair `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_metadata_value(
    participant: *const acs_chat_participant,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { participant.as_ref() }.map_or(ptr::null(), |p| p.metadata.value(index))
    })
}

// ---------------------------------------------------------------------------------------------------------
// Read receipts

/// A read receipt.
pub struct acs_chat_read_receipt {
    sender: acs_chat_identifier,
    message_id: CString,
    read_on: i64,
}

impl acs_chat_read_receipt {
    pub(crate) fn new(r: &ChatMessageReadReceipt) -> Self {
        acs_chat_read_receipt {
            sender: acs_chat_identifier::new(r.sender.clone()),
            message_id: to_cstring(&r.chat_message_id),
            read_on: millis(&r.read_on),
        }
    }
}

/// Frees a read receipt. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_free(receipt: *mut acs_chat_read_receipt) {
    free_boxed(receipt)
}

/// Who read the message, borrowed from the receipt; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_sender(
    receipt: *const acs_chat_read_receipt,
) -> *const acs_chat_identifier {
    accessor(ptr::null(), || {
        unsafe { receipt.as_ref() }.map_or(ptr::null(), |r| &r.sender as *const _)
    })
}

/// The id of the message read, borrowed; NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_message_id(
    receipt: *const acs_chat_read_receipt,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { receipt.as_ref() }.map_or(ptr::null(), |r| r.message_id.as_ptr())
    })
}

/// When the message was read, in milliseconds since the Unix epoch; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_read_on_ms(
    receipt: *const acs_chat_read_receipt,
) -> i64 {
    accessor(0, || unsafe { receipt.as_ref() }.map_or(0, |r| r.read_on))
}

// ---------------------------------------------------------------------------------------------------------
// Refused participants

/// The participants a create-thread or add-participants call could not add (the call itself succeeded).
pub struct acs_chat_participant_failures {
    entries: Vec<Failure>,
}

struct Failure {
    raw_id: Option<CString>,
    code: CString,
    message: CString,
}

impl acs_chat_participant_failures {
    pub(crate) fn new(errors: &[(Option<ChatParticipant>, ChatError)]) -> Self {
        acs_chat_participant_failures {
            entries: errors
                .iter()
                .map(|(p, e)| Failure {
                    raw_id: p
                        .as_ref()
                        .map(|p| to_cstring(&p.identifier.raw_id()))
                        .or_else(|| e.target.as_deref().map(to_cstring)),
                    code: to_cstring(&e.code),
                    message: to_cstring(&e.message),
                })
                .collect(),
        }
    }
}

/// Frees a failure list. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_failures_free(
    failures: *mut acs_chat_participant_failures,
) {
    free_boxed(failures)
}

/// Number of refused participants; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_failures_count(
    failures: *const acs_chat_participant_failures,
) -> usize {
    accessor(0, || {
        unsafe { failures.as_ref() }.map_or(0, |f| f.entries.len())
    })
}

/// Raw id of refused participant `index`, borrowed; NULL when unknown or out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_failures_raw_id(
    failures: *const acs_chat_participant_failures,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { failures.as_ref() }
            .and_then(|f| f.entries.get(index))
            .map_or(ptr::null(), |e| opt_cstr(&e.raw_id))
    })
}

/// The service's error code for refused participant `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_failures_code(
    failures: *const acs_chat_participant_failures,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { failures.as_ref() }
            .and_then(|f| f.entries.get(index))
            .map_or(ptr::null(), |e| e.code.as_ptr())
    })
}

/// The service's error message for refused participant `index`, borrowed; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_failures_message(
    failures: *const acs_chat_participant_failures,
    index: usize,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { failures.as_ref() }
            .and_then(|f| f.entries.get(index))
            .map_or(ptr::null(), |e| e.message.as_ptr())
    })
}
