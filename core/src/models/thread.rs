//! Threads: properties, list items, retention policies, and the create-thread result.

use super::error::ChatError;
use super::participant::ChatParticipant;
use super::responses::CreateChatThreadResponse;
use crate::identifier::CommunicationIdentifier;
use chrono::{DateTime, Utc};
use serde::de::Deserializer;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A thread's properties, as returned by get-properties and create-thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatThreadProperties {
    /// The thread id, e.g. `19:<opaque>@thread.v2`.
    pub id: String,
    /// The thread topic.
    pub topic: String,
    /// When the thread was created.
    #[serde(with = "crate::time::required")]
    pub created_on: DateTime<Utc>,
    /// Who created the thread (wire `createdByCommunicationIdentifier`).
    #[serde(rename = "createdByCommunicationIdentifier")]
    pub created_by: CommunicationIdentifier,
    /// When the thread was deleted, for deleted threads. (1.2.0 drops this field; we keep it.)
    #[serde(
        default,
        with = "crate::time::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted_on: Option<DateTime<Utc>>,
    /// Thread metadata (api-version 2025-03-15 and later); `None` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<HashMap<String, String>>,
    /// The retention policy (api-version 2025-03-15 and later); `None` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<ChatRetentionPolicy>,
}

/// A thread as listed by list-threads (a summary, not the full properties).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatThreadItem {
    /// The thread id.
    pub id: String,
    /// The thread topic.
    pub topic: String,
    /// When the thread was deleted, for deleted threads.
    #[serde(
        default,
        with = "crate::time::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted_on: Option<DateTime<Utc>>,
    /// When the last message arrived; absent for threads without user messages.
    #[serde(
        default,
        with = "crate::time::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_message_received_on: Option<DateTime<Utc>>,
}

/// When the service deletes a thread automatically (api-version 2025-03-15 and later).
///
/// Wire form: `{"kind": "threadCreationDate", "deleteThreadAfterDays": 30}` or
/// `{"kind": "none"}`. Unknown kinds decode to [`Other`](Self::Other).
///
/// ```
/// use acs_chat::models::ChatRetentionPolicy;
///
/// let policy = ChatRetentionPolicy::ThreadCreationDate { delete_thread_after_days: 30 };
/// assert_eq!(
///     serde_json::to_string(&policy).unwrap(),
///     r#"{"kind":"threadCreationDate","deleteThreadAfterDays":30}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChatRetentionPolicy {
    /// Delete the thread a number of days after it was created (the service allows 30 to 90).
    ThreadCreationDate {
        /// Days after creation at which the thread is deleted.
        delete_thread_after_days: i32,
    },
    /// Keep the thread until it is deleted explicitly.
    None,
    /// A policy kind this version does not know, kept by its `kind` string. Its other members
    /// are not kept, so re-sending it sends only the kind.
    Other(String),
}

impl Serialize for ChatRetentionPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Self::ThreadCreationDate {
                delete_thread_after_days,
            } => {
                map.serialize_entry("kind", "threadCreationDate")?;
                map.serialize_entry("deleteThreadAfterDays", delete_thread_after_days)?;
            }
            Self::None => map.serialize_entry("kind", "none")?,
            Self::Other(kind) => map.serialize_entry("kind", kind)?,
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ChatRetentionPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            kind: String,
            #[serde(default)]
            delete_thread_after_days: Option<i32>,
        }
        let wire = Wire::deserialize(deserializer)?;
        match wire.kind.as_str() {
            "threadCreationDate" => match wire.delete_thread_after_days {
                Some(days) => Ok(Self::ThreadCreationDate {
                    delete_thread_after_days: days,
                }),
                None => Err(serde::de::Error::custom(
                    "retentionPolicy of kind threadCreationDate lacks deleteThreadAfterDays",
                )),
            },
            "none" => Ok(Self::None),
            _ => Ok(Self::Other(wire.kind)),
        }
    }
}

/// The result of creating a thread: the thread, and the participants the service refused.
///
/// A non-empty `errors` does not mean the call failed: the thread exists, only the listed
/// participants were not added.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreateChatThreadResult {
    /// The new (or, on an idempotent retry, the existing) thread.
    pub chat_thread: ChatThreadProperties,
    /// One entry per refused participant: the requested participant whose raw id matches the
    /// error's `target` (`None` if no requested participant matches), and the error. Empty on
    /// full success.
    pub errors: Vec<(Option<ChatParticipant>, ChatError)>,
}

impl CreateChatThreadResult {
    /// Builds the result from the wire response and the participants the request sent.
    pub(crate) fn from_response(
        response: CreateChatThreadResponse,
        requested: &[ChatParticipant],
    ) -> Self {
        Self {
            chat_thread: response.chat_thread,
            errors: match_invalid_participants(requested, response.invalid_participants),
        }
    }
}

/// Pairs each service error with the requested participant it is about.
///
/// The 1.2.0 SDK indexes participants by `identifier.properties['id']`, which raises
/// `KeyError` for phone, Teams and unknown identifiers after the server already applied the
/// request. Here every identifier kind matches: first by exact raw id (what the service puts in
/// `target`), then by the kind's bare id (ACS user id, phone value, Teams user id) for services
/// that name participants that way. An error whose target matches nobody gets `None`.
pub(crate) fn match_invalid_participants(
    requested: &[ChatParticipant],
    errors: Vec<ChatError>,
) -> Vec<(Option<ChatParticipant>, ChatError)> {
    errors
        .into_iter()
        .map(|error| {
            let participant = error.target.as_deref().and_then(|target| {
                requested
                    .iter()
                    .find(|p| p.identifier.raw_id() == target)
                    .or_else(|| requested.iter().find(|p| p.identifier.bare_id() == target))
                    .cloned()
            });
            (participant, error)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::{CommunicationCloudEnvironment, CommunicationIdentifier};

    fn participants() -> Vec<ChatParticipant> {
        vec![
            ChatParticipant::new(CommunicationIdentifier::user("8:acs:r_1")),
            ChatParticipant::new(CommunicationIdentifier::phone("+14255550123")),
            ChatParticipant::new(CommunicationIdentifier::teams_user(
                "t1",
                false,
                CommunicationCloudEnvironment::Gcch,
            )),
            ChatParticipant::new(CommunicationIdentifier::unknown("28:orgid:bot")),
        ]
    }

    #[test]
    fn every_identifier_kind_matches_its_error_by_raw_id() {
        let requested = participants();
        let errors = vec![
            ChatError::new("403", "no").with_target("8:acs:r_1"),
            ChatError::new("404", "no").with_target("4:+14255550123"),
            ChatError::new("404", "no").with_target("8:gcch:t1"),
            ChatError::new("404", "no").with_target("28:orgid:bot"),
        ];
        let matched = match_invalid_participants(&requested, errors);
        assert_eq!(matched.len(), 4);
        for (i, (participant, _)) in matched.iter().enumerate() {
            assert_eq!(participant.as_ref(), Some(&requested[i]), "entry {i}");
        }
    }

    #[test]
    fn bare_ids_match_and_strangers_and_missing_targets_give_none() {
        let requested = participants();
        let errors = vec![
            ChatError::new("404", "no").with_target("+14255550123"),
            ChatError::new("404", "no").with_target("t1"),
            ChatError::new("404", "no").with_target("8:acs:someone_else"),
            ChatError::new("500", "no target"),
        ];
        let matched = match_invalid_participants(&requested, errors);
        assert_eq!(matched[0].0.as_ref(), Some(&requested[1]));
        assert_eq!(matched[1].0.as_ref(), Some(&requested[2]));
        assert_eq!(matched[2].0, None);
        assert_eq!(matched[3].0, None);
        assert_eq!(matched[3].1.code, "500");
    }

    #[test]
    fn create_result_from_the_spec_example_with_partial_failure() {
        let body = r#"{"chatThread": {"id": "19:a@thread.v2", "topic": "Lunch",
            "createdOn": "2020-06-06T05:55:41.6460000Z",
            "createdByCommunicationIdentifier": {"rawId": "8:acs:r_a", "communicationUser": {"id": "8:acs:r_a"}}},
           "invalidParticipants": [{"target": "8:acs:r_1", "code": "403", "message": "Permissions check failed"},
                                   {"target": "8:acs:r_x", "code": "404", "message": "Not found"}]}"#;
        let response: CreateChatThreadResponse = serde_json::from_str(body).unwrap();
        let requested = participants();
        let result = CreateChatThreadResult::from_response(response, &requested);
        assert_eq!(result.chat_thread.topic, "Lunch");
        assert_eq!(
            result.chat_thread.created_by,
            CommunicationIdentifier::user("8:acs:r_a")
        );
        assert_eq!(result.errors.len(), 2);
        assert_eq!(result.errors[0].0.as_ref(), Some(&requested[0]));
        assert_eq!(result.errors[0].1.message, "Permissions check failed");
        assert_eq!(result.errors[1].0, None);
    }

    #[test]
    fn full_success_gives_empty_errors() {
        let body = r#"{"chatThread": {"id": "t", "topic": "x", "createdOn": "2023-05-26T21:37:42Z",
            "createdByCommunicationIdentifier": {"rawId": "8:acs:q", "communicationUser": {"id": "8:acs:q"}}}}"#;
        let response: CreateChatThreadResponse = serde_json::from_str(body).unwrap();
        let result = CreateChatThreadResult::from_response(response, &participants());
        assert!(result.errors.is_empty());
    }

    #[test]
    fn retention_policy_wire_forms() {
        let p: ChatRetentionPolicy =
            serde_json::from_str(r#"{"kind":"threadCreationDate","deleteThreadAfterDays":40}"#)
                .unwrap();
        assert_eq!(
            p,
            ChatRetentionPolicy::ThreadCreationDate {
                delete_thread_after_days: 40
            }
        );
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"kind":"threadCreationDate","deleteThreadAfterDays":40})
        );
        let none: ChatRetentionPolicy = serde_json::from_str(r#"{"kind":"none"}"#).unwrap();
        assert_eq!(none, ChatRetentionPolicy::None);
        assert_eq!(
            serde_json::to_value(&none).unwrap(),
            serde_json::json!({"kind":"none"})
        );
        let other: ChatRetentionPolicy =
            serde_json::from_str(r#"{"kind":"messageAge","days":3}"#).unwrap();
        assert_eq!(other, ChatRetentionPolicy::Other("messageAge".into()));
        let err = serde_json::from_str::<ChatRetentionPolicy>(r#"{"kind":"threadCreationDate"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("deleteThreadAfterDays"), "{err}");
    }
}
