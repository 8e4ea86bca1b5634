//! acs-chat: an Azure Communication Services Chat client.
//!
//! The crate covers the chat REST API of azure-communication-chat 1.2.0 (api-version `2023-11-07` by default):
//! threads, messages, participants, read receipts and typing notifications, plus a small identity client that
//! creates users and tokens from a connection string.
//!
//! - [`ChatClient`] / [`ChatThreadClient`]: async clients, cheap to clone, `Send + Sync`.
//! - [`CommunicationTokenCredential`]: the user access token, static or refreshed.
//! - [`CommunicationIdentityClient`]: users and tokens (HMAC-signed with the resource access key).
//! - [`blocking`] (feature `blocking`, on by default): the same API for code without an async runtime.
//! - [`Error`]: one error type; branch on [`Error::kind`].
//!
//! ```no_run
//! use acs_chat::identity::{CommunicationIdentityClient, TokenScope};
//! use acs_chat::operation_options::ListMessagesOptions;
//! use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential};
//! use futures_util::StreamExt;
//!
//! # async fn demo(connection_string: &str) -> acs_chat::Result<()> {
//! let identity = CommunicationIdentityClient::from_connection_string(connection_string, Default::default())?;
//! let (_user, token) = identity.create_user_and_token(&[TokenScope::Chat], None).await?;
//! let chat = ChatClient::new(
//!     identity.endpoint(),
//!     CommunicationTokenCredential::new(token.token)?,
//!     ClientOptions::default(),
//! )?;
//! let thread_id = chat.create_chat_thread("Hello", Default::default()).await?.chat_thread.id;
//! let thread = chat.get_chat_thread_client(thread_id)?;
//! thread.send_message("hi", Default::default()).await?;
//! let mut messages = thread.list_messages(ListMessagesOptions::default())?.into_stream();
//! while let Some(message) = messages.next().await {
//!     println!("{:?}", message?.content);
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod chat_client;
pub mod credential;
pub mod error;
pub mod identifier;
pub mod identity;
pub mod models;
pub mod operation_options;
pub mod options;
pub mod paging;
mod pipeline;
mod thread_client;
mod time;

pub use chat_client::ChatClient;
pub use credential::{AccessToken, CommunicationTokenCredential, RefreshOptions};
pub use error::{Error, ErrorKind, Result};
pub use identifier::CommunicationIdentifier;
pub use identity::{CommunicationIdentityClient, TokenScope};
pub use options::{ClientOptions, RetryOptions};
pub use paging::{ItemStream, Page, Pager};
pub use thread_client::ChatThreadClient;
