//! Messages, their content and attachments.

use super::participant::ChatParticipant;
use crate::identifier::CommunicationIdentifier;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

extensible_string_enum! {
    /// The type of a chat message (wire `type`). Users may send only [`Text`](Self::Text) and
    /// [`Html`](Self::Html); the others are system messages the service writes.
    ///
    /// ```
    /// use acs_chat::models::ChatMessageType;
    ///
    /// assert_eq!(ChatMessageType::from("html"), ChatMessageType::Html);
    /// // Types added by newer service versions are kept, not rejected.
    /// let future = ChatMessageType::from("pollCreated");
    /// assert_eq!(future, ChatMessageType::Other("pollCreated".into()));
    /// assert_eq!(future.as_str(), "pollCreated");
    /// ```
    ChatMessageType {
        /// Plain text (`text`).
        Text => "text",
        /// HTML content (`html`).
        Html => "html",
        /// The thread topic changed (`topicUpdated`); see [`ChatMessageContent::topic`].
        TopicUpdated => "topicUpdated",
        /// Participants joined (`participantAdded`); see [`ChatMessageContent::participants`].
        ParticipantAdded => "participantAdded",
        /// Participants left or were removed (`participantRemoved`).
        ParticipantRemoved => "participantRemoved",
    }
}

extensible_string_enum! {
    /// The type of a [`ChatAttachment`] (wire `attachmentType`).
    ChatAttachmentType {
        /// An inline image (`image`).
        Image => "image",
        /// A file (`file`, api-version 2024-03-07 and later).
        File => "file",
    }
}

/// A message in a chat thread, as returned by get/list messages.
///
/// ```
/// use acs_chat::models::{ChatMessage, ChatMessageType};
///
/// let message: ChatMessage = serde_json::from_str(r#"{
///     "id": "1685151486588", "type": "text", "sequenceId": "3", "version": "1685151486588",
///     "content": {"message": "hello world"}, "createdOn": "2023-05-27T01:38:06Z",
///     "senderCommunicationIdentifier": {"rawId": "8:acs:r_s", "communicationUser": {"id": "8:acs:r_s"}}
/// }"#).unwrap();
/// assert_eq!(message.message_type, ChatMessageType::Text);
/// assert_eq!(message.content.unwrap().message.as_deref(), Some("hello world"));
/// assert_eq!(message.sender.unwrap().raw_id(), "8:acs:r_s");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessage {
    /// The message id (a decimal string; epoch milliseconds on the real service).
    pub id: String,
    /// The message type (wire `type`); unknown types are kept in [`ChatMessageType::Other`].
    #[serde(rename = "type")]
    pub message_type: ChatMessageType,
    /// Position of the message in the thread (a decimal string, increasing).
    pub sequence_id: String,
    /// Version of the message; changes when it is edited.
    pub version: String,
    /// The content; `None` when the service sends none (e.g. for deleted messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ChatMessageContent>,
    /// The display name the sender chose when sending; absent on system messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_display_name: Option<String>,
    /// When the message was created.
    #[serde(with = "crate::time::required")]
    pub created_on: DateTime<Utc>,
    /// Who sent it (wire `senderCommunicationIdentifier`); absent on system messages.
    #[serde(
        rename = "senderCommunicationIdentifier",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sender: Option<CommunicationIdentifier>,
    /// When it was deleted, for deleted messages.
    #[serde(
        default,
        with = "crate::time::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted_on: Option<DateTime<Utc>>,
    /// When it was last edited, for edited messages.
    #[serde(
        default,
        with = "crate::time::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub edited_on: Option<DateTime<Utc>>,
    /// Free-form string metadata attached by the sender; `None` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<HashMap<String, String>>,
}

/// The content of a [`ChatMessage`]. Which fields are set depends on the message type:
/// `message` for text/html, `topic` for topic updates, `participants` and `initiator` for
/// participant changes, `attachments` for Teams-interop images.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessageContent {
    /// The text or HTML of a user message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The new topic, for `topicUpdated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Participants added or removed, for participant messages; empty when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<ChatParticipant>,
    /// Who caused a system message (wire `initiatorCommunicationIdentifier`).
    #[serde(
        rename = "initiatorCommunicationIdentifier",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub initiator: Option<CommunicationIdentifier>,
    /// Attachments (Teams-interop inline images); empty when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<ChatAttachment>,
}

/// An attachment of a received message (Teams interop). There is no API to send attachments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatAttachment {
    /// The attachment id.
    pub id: String,
    /// What kind of attachment this is (wire `attachmentType`).
    pub attachment_type: ChatAttachmentType,
    /// The file name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where to download the full attachment (requires the user's token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where to download a preview (wire `previewUrl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
}

/// The result of sending a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendChatMessageResult {
    /// The id the service gave the new message.
    pub id: String,
}
