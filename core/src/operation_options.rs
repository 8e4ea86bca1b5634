//! Optional parameters of the chat operations.
//!
//! Every options type implements `Default` and has chainable setters, so only what differs needs writing:
//! `SendMessageOptions::default().sender_display_name("Ann")`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::models::{ChatMessageType, ChatParticipant, ChatRetentionPolicy};

/// Options of [`ChatClient::create_chat_thread`](crate::ChatClient::create_chat_thread).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateChatThreadOptions {
    /// Participants to add besides the creator (who is always added).
    pub participants: Vec<ChatParticipant>,
    /// The `repeatability-request-id`: repeating a create with the same token returns the same thread. A new
    /// UUIDv4 is used when `None`; either way it stays the same across this call's retries.
    pub idempotency_token: Option<String>,
    /// Thread metadata (api-version 2025-03-15 and later).
    pub metadata: Option<HashMap<String, String>>,
    /// Retention policy (api-version 2025-03-15 and later).
    pub retention_policy: Option<ChatRetentionPolicy>,
}

impl CreateChatThreadOptions {
    /// Sets [`participants`](Self::participants).
    pub fn participants(mut self, participants: Vec<ChatParticipant>) -> Self {
        self.participants = participants;
        self
    }

    /// Sets [`idempotency_token`](Self::idempotency_token).
    pub fn idempotency_token(mut self, token: impl Into<String>) -> Self {
        self.idempotency_token = Some(token.into());
        self
    }

    /// Sets [`metadata`](Self::metadata).
    pub fn metadata(mut self, metadata: HashMap<String, String>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Sets [`retention_policy`](Self::retention_policy).
    pub fn retention_policy(mut self, policy: ChatRetentionPolicy) -> Self {
        self.retention_policy = Some(policy);
        self
    }
}

/// Options of the time-filtered lists ([`list_chat_threads`](crate::ChatClient::list_chat_threads),
/// [`list_messages`](crate::ChatThreadClient::list_messages)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListMessagesOptions {
    /// Page size, 1 to 200; the service default when `None`.
    pub results_per_page: Option<u32>,
    /// Only items at or after this instant.
    pub start_time: Option<DateTime<Utc>>,
}

/// Options of [`list_chat_threads`](crate::ChatClient::list_chat_threads) (same fields as
/// [`ListMessagesOptions`]).
pub type ListChatThreadsOptions = ListMessagesOptions;

impl ListMessagesOptions {
    /// Sets [`results_per_page`](Self::results_per_page).
    pub fn results_per_page(mut self, n: u32) -> Self {
        self.results_per_page = Some(n);
        self
    }

    /// Sets [`start_time`](Self::start_time).
    pub fn start_time(mut self, t: DateTime<Utc>) -> Self {
        self.start_time = Some(t);
        self
    }
}

/// Options of the offset lists ([`list_participants`](crate::ChatThreadClient::list_participants),
/// [`list_read_receipts`](crate::ChatThreadClient::list_read_receipts)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListParticipantsOptions {
    /// Page size, 1 to 200; the service default when `None`.
    pub results_per_page: Option<u32>,
    /// Items to skip from the start.
    pub skip: Option<u32>,
}

/// Options of [`list_read_receipts`](crate::ChatThreadClient::list_read_receipts) (same fields as
/// [`ListParticipantsOptions`]).
pub type ListReadReceiptsOptions = ListParticipantsOptions;

impl ListParticipantsOptions {
    /// Sets [`results_per_page`](Self::results_per_page).
    pub fn results_per_page(mut self, n: u32) -> Self {
        self.results_per_page = Some(n);
        self
    }

    /// Sets [`skip`](Self::skip).
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = Some(n);
        self
    }
}

/// Options of [`send_message`](crate::ChatThreadClient::send_message).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendMessageOptions {
    /// [`ChatMessageType::Text`] (default) or [`ChatMessageType::Html`]; other types are rejected.
    pub message_type: ChatMessageType,
    /// The sender's display name shown with the message.
    pub sender_display_name: Option<String>,
    /// String metadata attached to the message.
    pub metadata: Option<HashMap<String, String>>,
}

impl Default for SendMessageOptions {
    fn default() -> Self {
        SendMessageOptions {
            message_type: ChatMessageType::Text,
            sender_display_name: None,
            metadata: None,
        }
    }
}

impl SendMessageOptions {
    /// Sets [`message_type`](Self::message_type).
    pub fn message_type(mut self, t: ChatMessageType) -> Self {
        self.message_type = t;
        self
    }

    /// Sets [`sender_display_name`](Self::sender_display_name).
    pub fn sender_display_name(mut self, name: impl Into<String>) -> Self {
        self.sender_display_name = Some(name.into());
        self
    }

    /// Sets [`metadata`](Self::metadata).
    pub fn metadata(mut self, metadata: HashMap<String, String>) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Changes for [`update_message`](crate::ChatThreadClient::update_message). Unset fields stay unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateMessageOptions {
    /// New content.
    pub content: Option<String>,
    /// Metadata changes (merge patch): `Some(v)` sets a key, `None` deletes it.
    pub metadata: Option<HashMap<String, Option<String>>>,
}

impl UpdateMessageOptions {
    /// Sets [`content`](Self::content).
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// Sets [`metadata`](Self::metadata).
    pub fn metadata(mut self, metadata: HashMap<String, Option<String>>) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Changes for [`update_properties`](crate::ChatThreadClient::update_properties). Unset fields stay unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct UpdateChatThreadOptions {
    /// New topic.
    pub topic: Option<String>,
    /// New thread metadata (api-version 2025-03-15 and later).
    pub metadata: Option<HashMap<String, String>>,
    /// New retention policy (api-version 2025-03-15 and later).
    pub retention_policy: Option<ChatRetentionPolicy>,
}

impl UpdateChatThreadOptions {
    /// Sets [`topic`](Self::topic).
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }

    /// Sets [`metadata`](Self::metadata).
    pub fn metadata(mut self, metadata: HashMap<String, String>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Sets [`retention_policy`](Self::retention_policy).
    pub fn retention_policy(mut self, policy: ChatRetentionPolicy) -> Self {
        self.retention_policy = Some(policy);
        self
    }
}

/// Options of [`send_typing_notification`](crate::ChatThreadClient::send_typing_notification).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TypingNotificationOptions {
    /// The sender's display name shown with the notification.
    pub sender_display_name: Option<String>,
}

impl TypingNotificationOptions {
    /// Sets [`sender_display_name`](Self::sender_display_name).
    pub fn sender_display_name(mut self, name: impl Into<String>) -> Self {
        self.sender_display_name = Some(name.into());
        self
    }
}
