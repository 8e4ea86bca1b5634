//! Thread participants.

use crate::identifier::CommunicationIdentifier;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A member of a chat thread: who they are, how they are shown, and how much history they see.
///
/// Build one with [`ChatParticipant::new`] and the builder methods:
///
/// ```
/// use acs_chat::identifier::CommunicationIdentifier;
/// use acs_chat::models::ChatParticipant;
///
/// let alice = ChatParticipant::new(CommunicationIdentifier::user("8:acs:resource_alice"))
///     .display_name("Alice");
/// assert_eq!(alice.display_name.as_deref(), Some("Alice"));
/// ```
///
/// On the wire, `displayName`, `shareHistoryTime` and `metadata` are omitted when `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatParticipant {
    /// Who the participant is (wire `communicationIdentifier`).
    #[serde(rename = "communicationIdentifier")]
    pub identifier: CommunicationIdentifier,
    /// The name shown for the participant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Messages created from this instant on are visible to the participant. The service
    /// stores whole seconds.
    #[serde(
        default,
        with = "crate::time::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub share_history_time: Option<DateTime<Utc>>,
    /// Free-form string metadata (api-version 2025-03-15 and later; at most 1 KB in total).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<HashMap<String, String>>,
}

impl ChatParticipant {
    /// A participant with only an identifier.
    pub fn new(identifier: CommunicationIdentifier) -> Self {
        Self {
            identifier,
            display_name: None,
            share_history_time: None,
            metadata: None,
        }
    }

    /// Sets the display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Sets the instant from which thread history is shared with the participant.
    pub fn share_history_time(mut self, time: DateTime<Utc>) -> Self {
        self.share_history_time = Some(time);
        self
    }

    /// Sets the participant metadata (api-version 2025-03-15 and later).
    pub fn metadata(mut self, metadata: HashMap<String, String>) -> Self {
        self.metadata = Some(metadata);
        self
    }
}
