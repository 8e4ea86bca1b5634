//! Chat models: the values the service returns and the options users build.
//!
//! Every model mirrors a 1.2.0 Python SDK model with the REST wire names (camelCase) in its
//! serde attributes. Decoding is forward compatible: unknown JSON members are ignored, and
//! unknown enum strings (message types, attachment types, retention policy kinds, identifier
//! kinds) are kept as raw strings instead of failing.
//!
//! Timestamps are [`chrono::DateTime<chrono::Utc>`]: the service's offsets (`Z`, `+00:00`,
//! ...) are normalised to UTC on decoding, keeping the exact instant.
//!
//! Models are plain owned data (`Send + Sync`, no interior mutability, no secrets), so they can
//! be moved across threads and logged freely. They also implement `Serialize`, which writes
//! the same wire form they decode from (timestamps in the request spelling, UTC with `Z`).

/// Defines an extensible string enum: known values map to variants, anything else is kept in
/// `Other(String)` verbatim, so decoding never fails on a value a newer service introduces.
macro_rules! extensible_string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept exactly as received.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(raw) => raw,
                }
            }
        }

        impl From<&str> for $name {
            /// Exact (case-sensitive) match against the wire spellings; anything else is `Other`.
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::de::from_str_with(deserializer, "a string", |raw| Ok(Self::from(raw)))
            }
        }
    };
}

pub(crate) mod de;
mod error;
mod message;
mod participant;
mod receipt;
pub(crate) mod requests;
pub(crate) mod responses;
mod thread;

pub use error::ChatError;
pub use message::{
    ChatAttachment, ChatAttachmentType, ChatMessage, ChatMessageContent, ChatMessageType,
    SendChatMessageResult,
};
pub use participant::ChatParticipant;
pub use receipt::ChatMessageReadReceipt;
pub use thread::{
    ChatRetentionPolicy, ChatThreadItem, ChatThreadProperties, CreateChatThreadResult,
};

pub(crate) use thread::match_invalid_participants;
