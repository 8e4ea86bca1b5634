//! Options structs (plain C structs filled by their `_init` function, then adjusted by the caller) and the
//! input structs for participants and metadata.
//!
//! Strings and arrays referenced from these structs are borrowed only for the duration of the call that
//! receives the struct; the library copies what it keeps.

use std::collections::HashMap;
use std::ffi::c_char;
use std::time::Duration;

use acs_chat::models::{ChatMessageType, ChatParticipant, ChatRetentionPolicy};
use acs_chat::operation_options::{
    CreateChatThreadOptions, ListMessagesOptions, ListParticipantsOptions, SendMessageOptions,
    UpdateChatThreadOptions, UpdateMessageOptions,
};
use acs_chat::{ClientOptions, CommunicationIdentifier, RetryOptions};
use chrono::{DateTime, Utc};

use crate::boundary::{accessor, opt_str_arg, slice_arg, str_arg, FfiResult};
use crate::error::acs_chat_error;

/// Settings of a chat or identity client. Fill with `acs_chat_client_options_init`, then change fields.
#[repr(C)]
pub struct acs_chat_client_options {
    /// REST api-version; NULL means the client's default (chat `2023-11-07`, identity `2023-10-01`).
    pub api_version: *const c_char,
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// First retry delay in milliseconds, doubled per retry (default 800).
    pub retry_base_delay_ms: u32,
    /// Longest retry delay in milliseconds (default 60000).
    pub retry_max_delay_ms: u32,
    /// Limit on one call including retries, in milliseconds; 0 means none (default 300000).
    pub overall_timeout_ms: u32,
    /// Time allowed to open a connection, in milliseconds, at least 1 (default 10000).
    pub connect_timeout_ms: u32,
    /// Time allowed for one attempt, in milliseconds, at least 1 (default 30000).
    pub per_try_timeout_ms: u32,
    /// An extra PEM root certificate to trust (for example the emulator's CA), or NULL.
    pub extra_root_certificate_pem: *const c_char,
    /// An application id put in front of the User-Agent, or NULL.
    pub application_id: *const c_char,
}

fn ms_u32(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// Fills `options` with the defaults. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_options_init(options: *mut acs_chat_client_options) {
    accessor((), || {
        if options.is_null() {
            return;
        }
        let d = ClientOptions::default();
        let value = acs_chat_client_options {
            api_version: std::ptr::null(),
            max_retries: d.retry.max_retries,
            retry_base_delay_ms: ms_u32(d.retry.base_delay),
            retry_max_delay_ms: ms_u32(d.retry.max_delay),
            overall_timeout_ms: d.retry.overall_timeout.map_or(0, ms_u32),
            connect_timeout_ms: ms_u32(d.connect_timeout),
            per_try_timeout_ms: ms_u32(d.per_try_timeout),
            extra_root_certificate_pem: std::ptr::null(),
            application_id: std::ptr::null(),
        };
        unsafe { options.write(value) };
    })
}

/// Converts C client options (NULL = defaults). `default_api_version` is used when none is given.
pub(crate) fn client_options(
    options: *const acs_chat_client_options,
    default_api_version: &str,
) -> FfiResult<ClientOptions> {
    let mut out = ClientOptions::default()
        .binding("c")
        .api_version(default_api_version);
    let Some(o) = (unsafe { options.as_ref() }) else {
        return Ok(out);
    };
    if o.connect_timeout_ms == 0 || o.per_try_timeout_ms == 0 {
        return Err(acs_chat_error::invalid(
            "options.connect_timeout_ms and options.per_try_timeout_ms must be at least 1",
        ));
    }
    if let Some(v) = opt_str_arg(o.api_version, "options.api_version")? {
        out = out.api_version(v);
    }
    out = out
        .retry(
            RetryOptions::default()
                .max_retries(o.max_retries)
                .base_delay(Duration::from_millis(o.retry_base_delay_ms.into()))
                .max_delay(Duration::from_millis(o.retry_max_delay_ms.into()))
                .overall_timeout(
                    (o.overall_timeout_ms != 0)
                        .then(|| Duration::from_millis(o.overall_timeout_ms.into())),
                ),
        )
        .connect_timeout(Duration::from_millis(o.connect_timeout_ms.into()))
        .per_try_timeout(Duration::from_millis(o.per_try_timeout_ms.into()));
    if let Some(pem) = opt_str_arg(
        o.extra_root_certificate_pem,
        "options.extra_root_certificate_pem",
    )? {
        out = out.extra_root_certificate_pem(pem.as_bytes().to_vec());
    }
    if let Some(id) = opt_str_arg(o.application_id, "options.application_id")? {
        out = out.application_id(id);
    }
    Ok(out)
}

/// One metadata pair. For `acs_chat_update_message_options`, a NULL `value` deletes the key.
#[repr(C)]
pub struct acs_chat_metadata_entry {
    /// The key (UTF-8, not NULL).
    pub key: *const c_char,
    /// The value (UTF-8); NULL only where a function says it deletes the key.
    pub value: *const c_char,
}

fn metadata(
    entries: *const acs_chat_metadata_entry,
    count: usize,
    what: &str,
) -> FfiResult<Option<HashMap<String, String>>> {
    let entries = slice_arg(entries, count, what)?;
    if entries.is_empty() {
        return Ok(None);
    }
    let mut map = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let key = str_arg(e.key, &format!("{what}[{i}].key"))?;
        let value = str_arg(e.value, &format!("{what}[{i}].value"))?;
        map.insert(key.to_string(), value.to_string());
    }
    Ok(Some(map))
}

/// A participant to add to a thread.
#[repr(C)]
pub struct acs_chat_participant_input {
    /// The participant's raw id (`8:acs:...`), not NULL.
    pub raw_id: *const c_char,
    /// Display name shown in the thread, or NULL.
    pub display_name: *const c_char,
    /// Whether `share_history_time_ms` is set.
    pub has_share_history_time: bool,
    /// From when the participant may see the history, in milliseconds since the Unix epoch.
    pub share_history_time_ms: i64,
}

fn time_arg(ms: i64, what: &str) -> FfiResult<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .ok_or_else(|| acs_chat_error::invalid(format!("{what} ({ms} ms) is out of range")))
}

pub(crate) fn participants(
    list: *const acs_chat_participant_input,
    count: usize,
    what: &str,
) -> FfiResult<Vec<ChatParticipant>> {
    slice_arg(list, count, what)?
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let raw = str_arg(p.raw_id, &format!("{what}[{i}].raw_id"))?;
            if raw.is_empty() {
                return Err(acs_chat_error::invalid(format!(
                    "{what}[{i}].raw_id is empty"
                )));
            }
            let mut participant = ChatParticipant::new(CommunicationIdentifier::from_raw_id(raw));
            if let Some(name) = opt_str_arg(p.display_name, &format!("{what}[{i}].display_name"))? {
                participant = participant.display_name(name);
            }
            if p.has_share_history_time {
                participant = participant.share_history_time(time_arg(
                    p.share_history_time_ms,
                    &format!("{what}[{i}].share_history_time_ms"),
                )?);
            }
            Ok(participant)
        })
        .collect()
}

/// Kind of a thread retention policy (api-version 2025-03-15 and later).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum acs_chat_retention_kind {
    /// Options: leave the policy as it is (or the service default). Results: the thread has no policy.
    ACS_CHAT_RETENTION_KIND_NOT_SET = 0,
    /// Keep the thread until it is deleted.
    ACS_CHAT_RETENTION_KIND_NONE = 1,
    /// Delete the thread `delete_thread_after_days` (30 to 90) days after its creation.
    ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE = 2,
    /// Results only: a policy kind this version does not know.
    ACS_CHAT_RETENTION_KIND_UNKNOWN = 3,
}

fn retention(kind: u32, days: i32) -> FfiResult<Option<ChatRetentionPolicy>> {
    match kind {
        0 => Ok(None),
        1 => Ok(Some(ChatRetentionPolicy::None)),
        2 => Ok(Some(ChatRetentionPolicy::ThreadCreationDate {
            delete_thread_after_days: days,
        })),
        other => Err(acs_chat_error::invalid(format!(
            "options.retention_kind {other} is not an acs_chat_retention_kind usable in options"
        ))),
    }
}

/// Optional parameters of `acs_chat_client_create_thread`. Fill with `acs_chat_create_thread_options_init`.
#[repr(C)]
pub struct acs_chat_create_thread_options {
    /// Participants to add besides the creator, or NULL when `participant_count` is 0.
    pub participants: *const acs_chat_participant_input,
    /// Number of entries in `participants`.
    pub participant_count: usize,
    /// Repeating a create with the same token returns the same thread; NULL means a fresh one per call.
    pub idempotency_token: *const c_char,
    /// Thread metadata (api-version 2025-03-15 and later), or NULL when `metadata_count` is 0.
    pub metadata: *const acs_chat_metadata_entry,
    /// Number of entries in `metadata`.
    pub metadata_count: usize,
    /// An `acs_chat_retention_kind` (api-version 2025-03-15 and later); NOT_SET for the service default.
    pub retention_kind: u32,
    /// Days for `ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE`.
    pub delete_thread_after_days: i32,
}

/// Fills `options` with the defaults (no participants, no token, no metadata, no retention policy). NULL is
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_create_thread_options_init(
    options: *mut acs_chat_create_thread_options,
) {
    accessor((), || {
        if !options.is_null() {
            unsafe {
                options.write(acs_chat_create_thread_options {
                    participants: std::ptr::null(),
                    participant_count: 0,
                    idempotency_token: std::ptr::null(),
                    metadata: std::ptr::null(),
                    metadata_count: 0,
                    retention_kind: 0,
                    delete_thread_after_days: 0,
                })
            };
        }
    })
}

pub(crate) fn create_thread_options(
    o: *const acs_chat_create_thread_options,
) -> FfiResult<CreateChatThreadOptions> {
    let mut out = CreateChatThreadOptions::default();
    let Some(o) = (unsafe { o.as_ref() }) else {
        return Ok(out);
    };
    out = out.participants(participants(
        o.participants,
        o.participant_count,
        "options.participants",
    )?);
    if let Some(t) = opt_str_arg(o.idempotency_token, "options.idempotency_token")? {
        out = out.idempotency_token(t);
    }
    if let Some(m) = metadata(o.metadata, o.metadata_count, "options.metadata")? {
        out = out.metadata(m);
    }
    if let Some(p) = retention(o.retention_kind, o.delete_thread_after_days)? {
        out = out.retention_policy(p);
    }
    Ok(out)
}

/// Paging and filtering of the list calls. Fill with `acs_chat_list_options_init`.
#[repr(C)]
pub struct acs_chat_list_options {
    /// Items per page, 1 to 200; 0 means the service default.
    pub page_size: u32,
    /// Threads and messages only: whether `start_time_ms` applies.
    pub has_start_time: bool,
    /// Threads and messages only: list items at or after this instant (milliseconds since the Unix epoch).
    pub start_time_ms: i64,
    /// Participants and read receipts only: items to skip from the start.
    pub skip: u32,
}

/// Fills `options` with the defaults (service page size, no start time, no skip). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_list_options_init(options: *mut acs_chat_list_options) {
    accessor((), || {
        if !options.is_null() {
            unsafe {
                options.write(acs_chat_list_options {
                    page_size: 0,
                    has_start_time: false,
                    start_time_ms: 0,
                    skip: 0,
                })
            };
        }
    })
}

pub(crate) fn time_list_options(o: *const acs_chat_list_options) -> FfiResult<ListMessagesOptions> {
    let mut out = ListMessagesOptions::default();
    if let Some(o) = unsafe { o.as_ref() } {
        if o.page_size != 0 {
            out = out.results_per_page(o.page_size);
        }
        if o.has_start_time {
            out = out.start_time(time_arg(o.start_time_ms, "options.start_time_ms")?);
        }
    }
    Ok(out)
}

pub(crate) fn offset_list_options(
    o: *const acs_chat_list_options,
) -> FfiResult<ListParticipantsOptions> {
    let mut out = ListParticipantsOptions::default();
    if let Some(o) = unsafe { o.as_ref() } {
        if o.page_size != 0 {
            out = out.results_per_page(o.page_size);
        }
        if o.skip != 0 {
            out = out.skip(o.skip);
        }
    }
    Ok(out)
}

/// Message type of `acs_chat_send_message_options`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum acs_chat_message_type {
    /// Plain text (default).
    ACS_CHAT_MESSAGE_TYPE_TEXT = 0,
    /// HTML.
    ACS_CHAT_MESSAGE_TYPE_HTML = 1,
}

/// Optional parameters of `acs_chat_thread_client_send_message`. Fill with
/// `acs_chat_send_message_options_init`.
#[repr(C)]
pub struct acs_chat_send_message_options {
    /// An `acs_chat_message_type` value (kept as an integer so an out-of-range value is caught, not UB).
    pub message_type: u32,
    /// The sender's display name, or NULL.
    pub sender_display_name: *const c_char,
    /// Message metadata, or NULL when `metadata_count` is 0.
    pub metadata: *const acs_chat_metadata_entry,
    /// Number of entries in `metadata`.
    pub metadata_count: usize,
}

/// Fills `options` with the defaults (text, no display name, no metadata). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_send_message_options_init(
    options: *mut acs_chat_send_message_options,
) {
    accessor((), || {
        if !options.is_null() {
            unsafe {
                options.write(acs_chat_send_message_options {
                    message_type: acs_chat_message_type::ACS_CHAT_MESSAGE_TYPE_TEXT as u32,
                    sender_display_name: std::ptr::null(),
                    metadata: std::ptr::null(),
                    metadata_count: 0,
                })
            };
        }
    })
}

pub(crate) fn send_message_options(
    o: *const acs_chat_send_message_options,
) -> FfiResult<SendMessageOptions> {
    let mut out = SendMessageOptions::default();
    let Some(o) = (unsafe { o.as_ref() }) else {
        return Ok(out);
    };
    out = out.message_type(match o.message_type {
        0 => ChatMessageType::Text,
        1 => ChatMessageType::Html,
        other => {
            return Err(acs_chat_error::invalid(format!(
                "options.message_type {other} is not an acs_chat_message_type"
            )))
        }
    });
    if let Some(n) = opt_str_arg(o.sender_display_name, "options.sender_display_name")? {
        out = out.sender_display_name(n);
    }
    if let Some(m) = metadata(o.metadata, o.metadata_count, "options.metadata")? {
        out = out.metadata(m);
    }
    Ok(out)
}

/// Changes for `acs_chat_thread_client_update_message`. Fill with `acs_chat_update_message_options_init`.
#[repr(C)]
pub struct acs_chat_update_message_options {
    /// New content, or NULL to keep it.
    pub content: *const c_char,
    /// Metadata changes, or NULL when `metadata_count` is 0; an entry with a NULL value deletes its key.
    pub metadata: *const acs_chat_metadata_entry,
    /// Number of entries in `metadata`.
    pub metadata_count: usize,
}

/// Fills `options` with "no change". NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_update_message_options_init(
    options: *mut acs_chat_update_message_options,
) {
    accessor((), || {
        if !options.is_null() {
            unsafe {
                options.write(acs_chat_update_message_options {
                    content: std::ptr::null(),
                    metadata: std::ptr::null(),
                    metadata_count: 0,
                })
            };
        }
    })
}

pub(crate) fn update_message_options(
    o: *const acs_chat_update_message_options,
) -> FfiResult<UpdateMessageOptions> {
    let o = crate::boundary::handle(o, "options")?;
    let mut out = UpdateMessageOptions::default();
    if let Some(c) = opt_str_arg(o.content, "options.content")? {
        out = out.content(c);
    }
    let entries = slice_arg(o.metadata, o.metadata_count, "options.metadata")?;
    if !entries.is_empty() {
        let mut map = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let key = str_arg(e.key, &format!("options.metadata[{i}].key"))?;
            let value = opt_str_arg(e.value, &format!("options.metadata[{i}].value"))?;
            map.insert(key.to_string(), value.map(str::to_string));
        }
        out = out.metadata(map);
    }
    Ok(out)
}

/// Changes for `acs_chat_thread_client_update_properties`. Fill with `acs_chat_update_thread_options_init`.
#[repr(C)]
pub struct acs_chat_update_thread_options {
    /// New topic, or NULL to keep it.
    pub topic: *const c_char,
    /// New thread metadata (api-version 2025-03-15 and later), or NULL when `metadata_count` is 0.
    pub metadata: *const acs_chat_metadata_entry,
    /// Number of entries in `metadata`.
    pub metadata_count: usize,
    /// New retention policy, an `acs_chat_retention_kind`; NOT_SET keeps it.
    pub retention_kind: u32,
    /// Days for `ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE`.
    pub delete_thread_after_days: i32,
}

/// Fills `options` with "no change". NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_update_thread_options_init(
    options: *mut acs_chat_update_thread_options,
) {
    accessor((), || {
        if !options.is_null() {
            unsafe {
                options.write(acs_chat_update_thread_options {
                    topic: std::ptr::null(),
                    metadata: std::ptr::null(),
                    metadata_count: 0,
                    retention_kind: 0,
                    delete_thread_after_days: 0,
                })
            };
        }
    })
}

pub(crate) fn update_thread_options(
    o: *const acs_chat_update_thread_options,
) -> FfiResult<UpdateChatThreadOptions> {
    let o = crate::boundary::handle(o, "options")?;
    let mut out = UpdateChatThreadOptions::default();
    if let Some(t) = opt_str_arg(o.topic, "options.topic")? {
        out = out.topic(t);
    }
    if let Some(m) = metadata(o.metadata, o.metadata_count, "options.metadata")? {
        out = out.metadata(m);
    }
    if let Some(p) = retention(o.retention_kind, o.delete_thread_after_days)? {
        out = out.retention_policy(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;

    fn defaults() -> acs_chat_client_options {
        let mut o = MaybeUninit::<acs_chat_client_options>::uninit();
        unsafe {
            acs_chat_client_options_init(o.as_mut_ptr());
            o.assume_init()
        }
    }

    #[test]
    fn init_mirrors_the_engine_defaults_and_converts_back() {
        let c = client_options(&defaults(), "2023-11-07").unwrap();
        let d = ClientOptions::default();
        assert_eq!(c.retry, d.retry);
        assert_eq!(c.connect_timeout, d.connect_timeout);
        assert_eq!(c.per_try_timeout, d.per_try_timeout);
        assert_eq!(c.binding, "c");
        assert_eq!(c.api_version, "2023-11-07");
    }

    #[test]
    fn zero_timeouts_and_overall_timeout_zero() {
        let mut o = defaults();
        o.overall_timeout_ms = 0;
        assert_eq!(client_options(&o, "v").unwrap().retry.overall_timeout, None);
        o.connect_timeout_ms = 0;
        assert!(client_options(&o, "v").is_err());
    }

    #[test]
    fn enumerations_from_c_are_range_checked() {
        assert!(retention(3, 0).is_err());
        assert_eq!(
            retention(2, 45).unwrap(),
            Some(ChatRetentionPolicy::ThreadCreationDate {
                delete_thread_after_days: 45
            })
        );
        let bad = acs_chat_send_message_options {
            message_type: 2,
            sender_display_name: std::ptr::null(),
            metadata: std::ptr::null(),
            metadata_count: 0,
        };
        assert!(send_message_options(&bad).is_err());
        assert!(time_arg(i64::MAX, "t").is_err());
    }
}
