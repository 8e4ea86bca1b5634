//! acs-chat-emulator: the Azure Communication Services Chat and Identity REST APIs on loopback.

pub mod api;
pub mod error;
