//! Read receipts.

use crate::identifier::CommunicationIdentifier;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A participant's statement that they read messages up to and including `chat_message_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMessageReadReceipt {
    /// Who read the message (wire `senderCommunicationIdentifier`).
    #[serde(rename = "senderCommunicationIdentifier")]
    pub sender: CommunicationIdentifier,
    /// The id of the last message read.
    pub chat_message_id: String,
    /// When it was read.
    #[serde(with = "crate::time::required")]
    pub read_on: DateTime<Utc>,
}
