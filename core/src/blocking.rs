//! A blocking facade over the async clients, for programs without an async runtime.
//!
//! Every call runs the async operation to completion on one process-wide tokio runtime (created lazily on
//! first use, two worker threads) and blocks the calling thread meanwhile. Clients are `Send + Sync`, so
//! several threads may call them at once. Calling from inside an async runtime is refused with
//! [`ErrorKind::InvalidInput`] (it would stall that runtime); use the async clients there.
//!
//! ```no_run
//! use acs_chat::blocking::ChatClient;
//! use acs_chat::{ClientOptions, CommunicationTokenCredential};
//! # fn demo(token: String) -> acs_chat::Result<()> {
//! let client = ChatClient::new(
//!     "https://my-resource.communication.azure.com",
//!     CommunicationTokenCredential::new(token)?,
//!     ClientOptions::default(),
//! )?;
//! let created = client.create_chat_thread("Lunch", Default::default())?;
//! let thread = client.get_chat_thread_client(&created.chat_thread.id)?;
//! thread.send_message("hello", Default::default())?;
//! for message in thread.list_messages(Default::default())? {
//!     println!("{:?}", message?.content);
//! }
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::credential::{AccessToken, CommunicationTokenCredential};
use crate::error::{Error, ErrorKind, Result};
use crate::identifier::CommunicationIdentifier;
use crate::identity::TokenScope;
use crate::models::{
    ChatError, ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem,
    ChatThreadProperties, CreateChatThreadResult, SendChatMessageResult,
};
use crate::operation_options::{
    CreateChatThreadOptions, ListChatThreadsOptions, ListMessagesOptions, ListParticipantsOptions,
    ListReadReceiptsOptions, SendMessageOptions, TypingNotificationOptions,
    UpdateChatThreadOptions, UpdateMessageOptions,
};
use crate::options::ClientOptions;
use crate::paging::Page;

static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();

/// The process-wide tokio runtime behind this facade (two worker threads named `acs-chat-blocking`, started
/// on first use and never shut down). Language bindings spawn their async calls on it, so a process that
/// uses the engine through several front ends still runs one runtime. The runtime lives for the rest of the
/// process; tasks spawned on it must not block its worker threads for long.
///
/// # Errors
/// [`ErrorKind::Transport`] if the runtime could not be started (the same error every later call gets).
pub fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("acs-chat-blocking")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    runtime.as_ref().map_err(|e| {
        Error::new(
            ErrorKind::Transport,
            format!("the blocking runtime could not be started: {e}"),
        )
    })
}

/// Runs `fut` to completion on the shared runtime.
fn block_on<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::invalid_input(
            "the blocking API was called from inside an async runtime; use the async clients there",
        ));
    }
    runtime()?.block_on(fut)
}

/// Blocking [`crate::ChatClient`].
#[derive(Clone, Debug)]
pub struct ChatClient {
    inner: crate::ChatClient,
}

impl ChatClient {
    /// See [`crate::ChatClient::new`].
    ///
    /// # Errors
    /// As [`crate::ChatClient::new`].
    pub fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        options: ClientOptions,
    ) -> Result<Self> {
        Ok(ChatClient {
            inner: crate::ChatClient::new(endpoint, credential, options)?,
        })
    }

    /// The async client behind this one (shares pool, credential and settings).
    pub fn as_async(&self) -> &crate::ChatClient {
        &self.inner
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// See [`crate::ChatClient::get_chat_thread_client`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] if `thread_id` is empty.
    pub fn get_chat_thread_client(&self, thread_id: impl Into<String>) -> Result<ChatThreadClient> {
        Ok(ChatThreadClient {
            inner: self.inner.get_chat_thread_client(thread_id)?,
        })
    }

    /// See [`crate::ChatClient::create_chat_thread`].
    ///
    /// # Errors
    /// As [`crate::ChatClient::create_chat_thread`].
    pub fn create_chat_thread(
        &self,
        topic: &str,
        options: CreateChatThreadOptions,
    ) -> Result<CreateChatThreadResult> {
        block_on(self.inner.create_chat_thread(topic, options))
    }

    /// See [`crate::ChatClient::list_chat_threads`].
    ///
    /// # Errors
    /// As [`crate::ChatClient::list_chat_threads`].
    pub fn list_chat_threads(
        &self,
        options: ListChatThreadsOptions,
    ) -> Result<Pager<ChatThreadItem>> {
        Ok(Pager::new(self.inner.list_chat_threads(options)?))
    }

    /// See [`crate::ChatClient::delete_chat_thread`].
    ///
    /// # Errors
    /// As [`crate::ChatClient::delete_chat_thread`].
    pub fn delete_chat_thread(&self, thread_id: &str) -> Result<()> {
        block_on(self.inner.delete_chat_thread(thread_id))
    }
}

/// Blocking [`crate::ChatThreadClient`].
#[derive(Clone, Debug)]
pub struct ChatThreadClient {
    inner: crate::ChatThreadClient,
}

impl ChatThreadClient {
    /// See [`crate::ChatThreadClient::new`].
    ///
    /// # Errors
    /// As [`crate::ChatThreadClient::new`].
    pub fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        thread_id: impl Into<String>,
        options: ClientOptions,
    ) -> Result<Self> {
        Ok(ChatThreadClient {
            inner: crate::ChatThreadClient::new(endpoint, credential, thread_id, options)?,
        })
    }

    /// The async client behind this one.
    pub fn as_async(&self) -> &crate::ChatThreadClient {
        &self.inner
    }

    /// The thread's id.
    pub fn thread_id(&self) -> &str {
        self.inner.thread_id()
    }

    /// See [`crate::ChatThreadClient::get_properties`].
    ///
    /// # Errors
    /// As the async method.
    pub fn get_properties(&self) -> Result<ChatThreadProperties> {
        block_on(self.inner.get_properties())
    }

    /// See [`crate::ChatThreadClient::update_topic`].
    ///
    /// # Errors
    /// As the async method.
    pub fn update_topic(&self, topic: impl Into<String>) -> Result<()> {
        block_on(self.inner.update_topic(topic))
    }

    /// See [`crate::ChatThreadClient::update_properties`].
    ///
    /// # Errors
    /// As the async method.
    pub fn update_properties(&self, changes: UpdateChatThreadOptions) -> Result<()> {
        block_on(self.inner.update_properties(changes))
    }

    /// See [`crate::ChatThreadClient::send_message`].
    ///
    /// # Errors
    /// As the async method, including [`ErrorKind::AmbiguousWrite`].
    pub fn send_message(
        &self,
        content: &str,
        options: SendMessageOptions,
    ) -> Result<SendChatMessageResult> {
        block_on(self.inner.send_message(content, options))
    }

    /// See [`crate::ChatThreadClient::get_message`].
    ///
    /// # Errors
    /// As the async method.
    pub fn get_message(&self, message_id: &str) -> Result<ChatMessage> {
        block_on(self.inner.get_message(message_id))
    }

    /// See [`crate::ChatThreadClient::list_messages`].
    ///
    /// # Errors
    /// As the async method.
    pub fn list_messages(&self, options: ListMessagesOptions) -> Result<Pager<ChatMessage>> {
        Ok(Pager::new(self.inner.list_messages(options)?))
    }

    /// See [`crate::ChatThreadClient::update_message`].
    ///
    /// # Errors
    /// As the async method, including [`ErrorKind::AmbiguousWrite`].
    pub fn update_message(&self, message_id: &str, changes: UpdateMessageOptions) -> Result<()> {
        block_on(self.inner.update_message(message_id, changes))
    }

    /// See [`crate::ChatThreadClient::delete_message`].
    ///
    /// # Errors
    /// As the async method.
    pub fn delete_message(&self, message_id: &str) -> Result<()> {
        block_on(self.inner.delete_message(message_id))
    }

    /// See [`crate::ChatThreadClient::list_participants`].
    ///
    /// # Errors
    /// As the async method.
    pub fn list_participants(
        &self,
        options: ListParticipantsOptions,
    ) -> Result<Pager<ChatParticipant>> {
        Ok(Pager::new(self.inner.list_participants(options)?))
    }

    /// See [`crate::ChatThreadClient::add_participants`].
    ///
    /// # Errors
    /// As the async method.
    pub fn add_participants(
        &self,
        participants: Vec<ChatParticipant>,
    ) -> Result<Vec<(Option<ChatParticipant>, ChatError)>> {
        block_on(self.inner.add_participants(participants))
    }

    /// See [`crate::ChatThreadClient::remove_participant`].
    ///
    /// # Errors
    /// As the async method.
    pub fn remove_participant(&self, identifier: &CommunicationIdentifier) -> Result<()> {
        block_on(self.inner.remove_participant(identifier))
    }

    /// See [`crate::ChatThreadClient::send_read_receipt`].
    ///
    /// # Errors
    /// As the async method.
    pub fn send_read_receipt(&self, message_id: &str) -> Result<()> {
        block_on(self.inner.send_read_receipt(message_id))
    }

    /// See [`crate::ChatThreadClient::list_read_receipts`].
    ///
    /// # Errors
    /// As the async method.
    pub fn list_read_receipts(
        &self,
        options: ListReadReceiptsOptions,
    ) -> Result<Pager<ChatMessageReadReceipt>> {
        Ok(Pager::new(self.inner.list_read_receipts(options)?))
    }

    /// See [`crate::ChatThreadClient::send_typing_notification`].
    ///
    /// # Errors
    /// As the async method.
    pub fn send_typing_notification(&self, options: TypingNotificationOptions) -> Result<()> {
        block_on(self.inner.send_typing_notification(options))
    }
}

/// Blocking [`crate::Pager`]: iterate items (fetching pages as needed) or call
/// [`next_page`](Pager::next_page). Iteration ends after the last item or after yielding the first error.
pub struct Pager<T> {
    inner: crate::Pager<T>,
    buffer: VecDeque<T>,
    finished: bool,
}

impl<T> std::fmt::Debug for Pager<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("inner", &self.inner)
            .field("buffered", &self.buffer.len())
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> Pager<T> {
    fn new(inner: crate::Pager<T>) -> Self {
        Pager {
            inner,
            buffer: VecDeque::new(),
            finished: false,
        }
    }

    /// See [`crate::Pager::resume_from`]. Items already buffered by iteration are dropped.
    ///
    /// # Errors
    /// As the async method.
    pub fn resume_from(self, continuation_token: &str) -> Result<Self> {
        Ok(Pager::new(self.inner.resume_from(continuation_token)?))
    }

    /// Fetches the next page; `Ok(None)` after the last one. Do not mix with item iteration on the same pager.
    ///
    /// # Errors
    /// Any request error; calling again retries the same page.
    pub fn next_page(&mut self) -> Result<Option<Page<T>>> {
        block_on(self.inner.next_page())
    }
}

impl<T: DeserializeOwned + Send + 'static> Iterator for Pager<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            match block_on(self.inner.next_page()) {
                Ok(Some(page)) => self.buffer.extend(page.items),
                Ok(None) => {
                    self.finished = true;
                    return None;
                }
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Blocking [`crate::CommunicationIdentityClient`].
#[derive(Clone, Debug)]
pub struct CommunicationIdentityClient {
    inner: crate::CommunicationIdentityClient,
}

impl CommunicationIdentityClient {
    /// See [`crate::CommunicationIdentityClient::from_connection_string`].
    ///
    /// # Errors
    /// As the async constructor.
    pub fn from_connection_string(connection_string: &str, options: ClientOptions) -> Result<Self> {
        Ok(CommunicationIdentityClient {
            inner: crate::CommunicationIdentityClient::from_connection_string(
                connection_string,
                options,
            )?,
        })
    }

    /// The async client behind this one.
    pub fn as_async(&self) -> &crate::CommunicationIdentityClient {
        &self.inner
    }

    /// See [`crate::CommunicationIdentityClient::create_user`].
    ///
    /// # Errors
    /// As the async method.
    pub fn create_user(&self) -> Result<CommunicationIdentifier> {
        block_on(self.inner.create_user())
    }

    /// See [`crate::CommunicationIdentityClient::create_user_and_token`].
    ///
    /// # Errors
    /// As the async method.
    pub fn create_user_and_token(
        &self,
        scopes: &[TokenScope],
        expires_in: Option<Duration>,
    ) -> Result<(CommunicationIdentifier, AccessToken)> {
        block_on(self.inner.create_user_and_token(scopes, expires_in))
    }

    /// See [`crate::CommunicationIdentityClient::get_token`].
    ///
    /// # Errors
    /// As the async method.
    pub fn get_token(
        &self,
        user: &CommunicationIdentifier,
        scopes: &[TokenScope],
        expires_in: Option<Duration>,
    ) -> Result<AccessToken> {
        block_on(self.inner.get_token(user, scopes, expires_in))
    }

    /// See [`crate::CommunicationIdentityClient::revoke_tokens`].
    ///
    /// # Errors
    /// As the async method.
    pub fn revoke_tokens(&self, user: &CommunicationIdentifier) -> Result<()> {
        block_on(self.inner.revoke_tokens(user))
    }

    /// See [`crate::CommunicationIdentityClient::delete_user`].
    ///
    /// # Errors
    /// As the async method.
    pub fn delete_user(&self, user: &CommunicationIdentifier) -> Result<()> {
        block_on(self.inner.delete_user(user))
    }
}

/// Blocking token lookup, for code that holds a credential outside a runtime.
///
/// # Errors
/// As [`CommunicationTokenCredential::get_token`].
pub fn get_token(credential: &CommunicationTokenCredential) -> Result<AccessToken> {
    block_on(credential.get_token())
}
