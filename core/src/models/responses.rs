//! Response envelopes that wrap the public models (crate-internal).

use super::error::ChatError;
use super::thread::ChatThreadProperties;
use serde::Deserialize;

/// The 201 body of `POST /chat/threads`. `invalidParticipants` is absent on full success.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateChatThreadResponse {
    pub(crate) chat_thread: ChatThreadProperties,
    #[serde(default)]
    pub(crate) invalid_participants: Vec<ChatError>,
}

/// The 201 body of `POST .../participants/:add`: `{}` on full success.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddChatParticipantsResult {
    #[serde(default)]
    pub(crate) invalid_participants: Vec<ChatError>,
}

/// One page of any list operation: `{"value": [...], "nextLink": "..."}`. `nextLink` is
/// absent (or null) on the last page; an empty `value` with a `nextLink` is not the end.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Collection<T> {
    pub(crate) value: Vec<T>,
    #[serde(default)]
    pub(crate) next_link: Option<String>,
}

/// The body of a failed response: `{"error": {"code": ..., "message": ...}}`.
// The error module currently decodes its own copy of this envelope; kept for it to switch to.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CommunicationErrorResponse {
    pub(crate) error: ChatError,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ChatMessage;

    #[test]
    fn add_participants_empty_body() {
        let r: AddChatParticipantsResult = serde_json::from_str("{}").unwrap();
        assert!(r.invalid_participants.is_empty());
        let r: AddChatParticipantsResult = serde_json::from_str(
            r#"{"invalidParticipants":[{"code":"404","message":"Not found","target":"4:+1"}]}"#,
        )
        .unwrap();
        assert_eq!(r.invalid_participants[0].target.as_deref(), Some("4:+1"));
    }

    #[test]
    fn collection_with_and_without_next_link() {
        let page: Collection<ChatMessage> =
            serde_json::from_str(r#"{"value":[],"nextLink":"https://h/x?syncState=1"}"#).unwrap();
        assert!(page.value.is_empty());
        assert_eq!(page.next_link.as_deref(), Some("https://h/x?syncState=1"));
        let page: Collection<ChatMessage> = serde_json::from_str(r#"{"value":[]}"#).unwrap();
        assert_eq!(page.next_link, None);
        assert!(
            serde_json::from_str::<Collection<ChatMessage>>(r#"{"value":"sanitized"}"#).is_err()
        );
    }

    #[test]
    fn error_envelope_with_nested_errors() {
        let body = r#"{"error":{"code":"BadRequest","message":"bad","target":"topic",
            "details":[{"code":"Inner","message":"d"}],"innererror":{"code":"Deep","message":"i"},
            "futureField":1}}"#;
        let e: CommunicationErrorResponse = serde_json::from_str(body).unwrap();
        assert_eq!(e.error.code, "BadRequest");
        assert_eq!(e.error.details[0].code, "Inner");
        assert_eq!(e.error.inner_error.as_ref().unwrap().code, "Deep");
        assert_eq!(e.error.to_string(), "BadRequest: bad (target: topic)");
    }
}
