//! acs-chat: an Azure Communication Services Chat client.

pub mod identifier;
pub mod models;
mod time;
