//! Request bodies as the service expects them (crate-internal; the clients build them).
//!
//! Optional members are omitted when `None`, except where noted, matching what 1.2.0 sends.

use super::message::ChatMessageType;
use super::participant::ChatParticipant;
use super::thread::ChatRetentionPolicy;
use serde::Serialize;
use std::collections::HashMap;

/// `POST /chat/threads`. `participants` is always sent (`[]` when there are none).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateChatThreadRequest {
    pub(crate) topic: String,
    pub(crate) participants: Vec<ChatParticipant>,
    /// Thread metadata (api-version 2025-03-15 and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<HashMap<String, String>>,
    /// Retention policy (api-version 2025-03-15 and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retention_policy: Option<ChatRetentionPolicy>,
}

/// `POST /chat/threads/{id}/messages`. `type` is always sent.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendChatMessageRequest {
    pub(crate) content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sender_display_name: Option<String>,
    #[serde(rename = "type")]
    pub(crate) message_type: ChatMessageType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<HashMap<String, String>>,
}

/// `PATCH /chat/threads/{id}/messages/{messageId}` (merge-patch). `{}` when nothing is set.
/// A metadata value of `None` is sent as JSON `null`, which deletes that key.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateChatMessageRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<HashMap<String, Option<String>>>,
}

/// `PATCH /chat/threads/{id}` (merge-patch). `{}` when nothing is set.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateChatThreadRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) topic: Option<String>,
    /// Thread metadata (api-version 2025-03-15 and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<HashMap<String, String>>,
    /// Retention policy (api-version 2025-03-15 and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retention_policy: Option<ChatRetentionPolicy>,
}

/// `POST /chat/threads/{id}/participants/:add`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AddChatParticipantsRequest {
    pub(crate) participants: Vec<ChatParticipant>,
}

/// `POST /chat/threads/{id}/readReceipts`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendReadReceiptRequest {
    pub(crate) chat_message_id: String,
}

/// `POST /chat/threads/{id}/typing`. Always sent as a body, `{}` without a display name.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendTypingNotificationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sender_display_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::CommunicationIdentifier;
    use chrono::TimeZone;
    use serde_json::json;

    fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
        serde_json::to_value(value).unwrap()
    }

    #[test]
    fn create_thread_always_sends_participants() {
        let body = CreateChatThreadRequest {
            topic: "t".into(),
            participants: vec![],
            metadata: None,
            retention_policy: None,
        };
        assert_eq!(to_json(&body), json!({"topic": "t", "participants": []}));
    }

    #[test]
    fn create_thread_with_participant_matches_the_recorded_shape() {
        let share = chrono::Utc
            .with_ymd_and_hms(2023, 5, 27, 1, 38, 20)
            .unwrap()
            + chrono::Duration::microseconds(467_997);
        let body = CreateChatThreadRequest {
            topic: "test topic".into(),
            participants: vec![
                ChatParticipant::new(CommunicationIdentifier::user("8:acs:x"))
                    .display_name("name")
                    .share_history_time(share),
            ],
            metadata: Some(HashMap::from([("k".to_owned(), "v".to_owned())])),
            retention_policy: Some(ChatRetentionPolicy::None),
        };
        assert_eq!(
            to_json(&body),
            json!({"topic": "test topic", "participants": [{
                "communicationIdentifier": {"rawId": "8:acs:x", "communicationUser": {"id": "8:acs:x"}},
                "displayName": "name", "shareHistoryTime": "2023-05-27T01:38:20.467997Z"}],
                "metadata": {"k": "v"}, "retentionPolicy": {"kind": "none"}})
        );
    }

    #[test]
    fn send_message_always_sends_type_and_omits_unset_fields() {
        let body = SendChatMessageRequest {
            content: "hello".into(),
            sender_display_name: None,
            message_type: ChatMessageType::Text,
            metadata: None,
        };
        assert_eq!(to_json(&body), json!({"content": "hello", "type": "text"}));
        let body = SendChatMessageRequest {
            content: "<b>hi</b>".into(),
            sender_display_name: Some("me".into()),
            message_type: ChatMessageType::Html,
            metadata: Some(HashMap::from([("k".to_owned(), "v".to_owned())])),
        };
        assert_eq!(
            to_json(&body),
            json!({"content": "<b>hi</b>", "senderDisplayName": "me", "type": "html", "metadata": {"k": "v"}})
        );
    }

    #[test]
    fn update_message_sends_null_to_delete_metadata_keys() {
        assert_eq!(to_json(&UpdateChatMessageRequest::default()), json!({}));
        let body = UpdateChatMessageRequest {
            content: Some("new".into()),
            metadata: Some(HashMap::from([("a".to_owned(), None)])),
        };
        assert_eq!(
            to_json(&body),
            json!({"content": "new", "metadata": {"a": null}})
        );
    }

    #[test]
    fn small_bodies() {
        assert_eq!(to_json(&UpdateChatThreadRequest::default()), json!({}));
        let topic = UpdateChatThreadRequest {
            topic: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(to_json(&topic), json!({"topic": "x"}));
        assert_eq!(
            to_json(&SendTypingNotificationRequest::default()),
            json!({})
        );
        let typing = SendTypingNotificationRequest {
            sender_display_name: Some("Bob".into()),
        };
        assert_eq!(to_json(&typing), json!({"senderDisplayName": "Bob"}));
        let receipt = SendReadReceiptRequest {
            chat_message_id: "1617".into(),
        };
        assert_eq!(to_json(&receipt), json!({"chatMessageId": "1617"}));
        let add = AddChatParticipantsRequest {
            participants: vec![ChatParticipant::new(CommunicationIdentifier::phone("+1"))],
        };
        assert_eq!(
            to_json(&add),
            json!({"participants": [{"communicationIdentifier": {"rawId": "4:+1", "phoneNumber": {"value": "+1"}}}]})
        );
    }
}
