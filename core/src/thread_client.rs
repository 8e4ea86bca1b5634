//! `ChatThreadClient`: everything that happens inside one thread.

use std::sync::Arc;

use http::Method;

use crate::credential::CommunicationTokenCredential;
use crate::error::{Error, Result};
use crate::identifier::CommunicationIdentifier;
use crate::models::requests::{
    AddChatParticipantsRequest, SendChatMessageRequest, SendReadReceiptRequest,
    SendTypingNotificationRequest, UpdateChatMessageRequest, UpdateChatThreadRequest,
};
use crate::models::responses::AddChatParticipantsResult;
use crate::models::{
    match_invalid_participants, ChatError, ChatMessage, ChatMessageReadReceipt, ChatMessageType,
    ChatParticipant, ChatThreadProperties, SendChatMessageResult,
};
use crate::operation_options::{
    ListMessagesOptions, ListParticipantsOptions, ListReadReceiptsOptions, SendMessageOptions,
    TypingNotificationOptions, UpdateChatThreadOptions, UpdateMessageOptions,
};
use crate::options::ClientOptions;
use crate::paging::{check_page_size, Pager};
use crate::pipeline::retry::RetryClass;
use crate::pipeline::{url, Auth, Pipeline, Request};

/// Operations on one chat thread: properties, messages, participants, read receipts and typing.
///
/// Get one from [`ChatClient::get_chat_thread_client`](crate::ChatClient::get_chat_thread_client) (shares that
/// client's pool, credential and settings) or build one directly with [`ChatThreadClient::new`]. Cheap to
/// clone, `Send + Sync`.
///
/// ```no_run
/// # async fn demo(thread: acs_chat::ChatThreadClient) -> acs_chat::Result<()> {
/// use acs_chat::operation_options::{ListMessagesOptions, SendMessageOptions};
/// let sent = thread
///     .send_message("hi", SendMessageOptions::default().sender_display_name("Ann"))
///     .await?;
/// let mut pager = thread.list_messages(ListMessagesOptions::default().results_per_page(50))?;
/// while let Some(page) = pager.next_page().await? {
///     for message in page.items {
///         println!("{} {:?}", message.id, message.content);
///     }
/// }
/// # let _ = sent; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ChatThreadClient {
    pipeline: Arc<Pipeline>,
    thread_id: Arc<str>,
    /// `chat/threads/<encoded id>`, computed once.
    thread_path: Arc<str>,
}

fn require(value: &str, what: &str, operation: &str) -> Result<()> {
    if value.is_empty() {
        Err(Error::invalid_input(format!(
            "{operation}: {what} must not be empty"
        )))
    } else {
        Ok(())
    }
}

impl ChatThreadClient {
    /// Creates a thread client with its own connection pool. Prefer
    /// [`ChatClient::get_chat_thread_client`](crate::ChatClient::get_chat_thread_client) to share one.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty thread id or a bad endpoint.
    pub fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        thread_id: impl Into<String>,
        options: ClientOptions,
    ) -> Result<Self> {
        let thread_id = thread_id.into();
        require(&thread_id, "thread_id", "ChatThreadClient::new")?;
        let pipeline = Pipeline::new(endpoint, Auth::Bearer(credential), options)?;
        Self::from_pipeline(pipeline, thread_id)
    }

    pub(crate) fn from_pipeline(pipeline: Arc<Pipeline>, thread_id: String) -> Result<Self> {
        require(&thread_id, "thread_id", "get_chat_thread_client")?;
        let thread_path = format!("chat/threads/{}", url::encode(&thread_id));
        Ok(ChatThreadClient {
            pipeline,
            thread_id: thread_id.into(),
            thread_path: thread_path.into(),
        })
    }

    #[cfg(test)]
    pub(crate) fn pipeline(&self) -> &Arc<Pipeline> {
        &self.pipeline
    }

    /// The thread's id.
    pub fn thread_id(&self) -> &str {
        &self.thread_id
    }

    fn url(&self, sub: &str, query: Vec<(&'static str, String)>) -> ::url::Url {
        let path = if sub.is_empty() {
            self.thread_path.to_string()
        } else {
            format!("{}/{sub}", self.thread_path)
        };
        self.pipeline.url(&path, query)
    }

    /// Gets the thread's properties.
    ///
    /// # Errors
    /// Any service or transport error ([`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for an unknown thread).
    pub async fn get_properties(&self) -> Result<ChatThreadProperties> {
        const OP: &str = "get_properties";
        let resp = self
            .pipeline
            .send(Request::new(OP, Method::GET, self.url("", vec![]), &[200]))
            .await?;
        resp.json(OP)
    }

    /// Changes the thread's topic.
    ///
    /// # Errors
    /// Any service or transport error.
    pub async fn update_topic(&self, topic: impl Into<String>) -> Result<()> {
        self.update_properties(UpdateChatThreadOptions::default().topic(topic))
            .await
    }

    /// Changes the thread's properties (merge patch: unset fields are unchanged; no change sends `{}`).
    ///
    /// # Errors
    /// Any service or transport error.
    pub async fn update_properties(&self, changes: UpdateChatThreadOptions) -> Result<()> {
        let body = UpdateChatThreadRequest {
            topic: changes.topic,
            metadata: changes.metadata,
            retention_policy: changes.retention_policy,
        };
        let req = Request::new("update_topic", Method::PATCH, self.url("", vec![]), &[204])
            .json(&body)?
            .merge_patch();
        self.pipeline.send(req).await?;
        Ok(())
    }

    /// Sends a message and returns its id.
    ///
    /// Only retried when the service certainly did not apply it (429, 503, connection refused). After any
    /// other failure that may have reached the service (timeout, dropped connection, 500) this returns
    /// [`ErrorKind::AmbiguousWrite`](crate::ErrorKind::AmbiguousWrite) instead of risking a duplicate message.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for empty content or a type other than text
    /// or html; otherwise any service or transport error.
    pub async fn send_message(
        &self,
        content: &str,
        options: SendMessageOptions,
    ) -> Result<SendChatMessageResult> {
        const OP: &str = "send_message";
        require(content, "content", OP)?;
        if !matches!(
            options.message_type,
            ChatMessageType::Text | ChatMessageType::Html
        ) {
            return Err(Error::invalid_input(format!(
                "send_message: message type `{}` cannot be sent; use text or html",
                options.message_type
            )));
        }
        let body = SendChatMessageRequest {
            content: content.to_string(),
            sender_display_name: options.sender_display_name,
            message_type: options.message_type,
            metadata: options.metadata,
        };
        let req = Request::new(OP, Method::POST, self.url("messages", vec![]), &[201])
            .json(&body)?
            .retry(RetryClass::UnsafeWrite);
        self.pipeline.send(req).await?.json(OP)
    }

    /// Gets one message.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty id; otherwise any service or
    /// transport error.
    pub async fn get_message(&self, message_id: &str) -> Result<ChatMessage> {
        const OP: &str = "get_message";
        require(message_id, "message_id", OP)?;
        let url = self.url(&format!("messages/{}", url::encode(message_id)), vec![]);
        self.pipeline
            .send(Request::new(OP, Method::GET, url, &[200]))
            .await?
            .json(OP)
    }

    /// Lists messages, newest first, including system messages (topic changes, participant changes).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `results_per_page` is outside 1..=200
    /// (checked before any request).
    pub fn list_messages(&self, options: ListMessagesOptions) -> Result<Pager<ChatMessage>> {
        check_page_size(options.results_per_page)?;
        let mut query = Vec::new();
        if let Some(n) = options.results_per_page {
            query.push(("maxPageSize", n.to_string()));
        }
        if let Some(t) = options.start_time {
            query.push(("startTime", crate::time::format_query_time(&t)));
        }
        Ok(Pager::new(
            self.pipeline.clone(),
            "list_messages",
            self.url("messages", query),
        ))
    }

    /// Updates a message's content and/or metadata (merge patch).
    ///
    /// Retried only when the service certainly did not apply it; see [`send_message`](Self::send_message).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty id;
    /// [`ErrorKind::AmbiguousWrite`](crate::ErrorKind::AmbiguousWrite) when the outcome is unknown; otherwise
    /// any service or transport error.
    pub async fn update_message(
        &self,
        message_id: &str,
        changes: UpdateMessageOptions,
    ) -> Result<()> {
        const OP: &str = "update_message";
        require(message_id, "message_id", OP)?;
        let body = UpdateChatMessageRequest {
            content: changes.content,
            metadata: changes.metadata,
        };
        let url = self.url(&format!("messages/{}", url::encode(message_id)), vec![]);
        let req = Request::new(OP, Method::PATCH, url, &[204])
            .json(&body)?
            .merge_patch()
            .retry(RetryClass::UnsafeWrite);
        self.pipeline.send(req).await?;
        Ok(())
    }

    /// Deletes a message.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty id; otherwise any service or
    /// transport error.
    pub async fn delete_message(&self, message_id: &str) -> Result<()> {
        const OP: &str = "delete_message";
        require(message_id, "message_id", OP)?;
        let url = self.url(&format!("messages/{}", url::encode(message_id)), vec![]);
        self.pipeline
            .send(Request::new(OP, Method::DELETE, url, &[204]))
            .await?;
        Ok(())
    }

    /// Lists the thread's participants.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `results_per_page` is outside 1..=200.
    pub fn list_participants(
        &self,
        options: ListParticipantsOptions,
    ) -> Result<Pager<ChatParticipant>> {
        check_page_size(options.results_per_page)?;
        Ok(Pager::new(
            self.pipeline.clone(),
            "list_participants",
            self.url("participants", offset_query(&options)),
        ))
    }

    /// Adds participants. Returns the refused ones, each paired with the requested participant it names
    /// (`None` if the service's target matches none); empty on full success. An empty input sends nothing.
    ///
    /// # Errors
    /// Any service or transport error.
    pub async fn add_participants(
        &self,
        participants: Vec<ChatParticipant>,
    ) -> Result<Vec<(Option<ChatParticipant>, ChatError)>> {
        const OP: &str = "add_participants";
        if participants.is_empty() {
            return Ok(Vec::new());
        }
        let body = AddChatParticipantsRequest { participants };
        // Adding an existing participant changes nothing, so retrying is safe.
        let req = Request::new(
            OP,
            Method::POST,
            self.url("participants/:add", vec![]),
            &[201],
        )
        .json(&body)?;
        let resp = self.pipeline.send(req).await?;
        let result: AddChatParticipantsResult = if resp.body.is_empty() {
            AddChatParticipantsResult::default()
        } else {
            resp.json(OP)?
        };
        Ok(match_invalid_participants(
            &body.participants,
            result.invalid_participants,
        ))
    }

    /// Removes a participant.
    ///
    /// # Errors
    /// Any service or transport error.
    pub async fn remove_participant(&self, identifier: &CommunicationIdentifier) -> Result<()> {
        const OP: &str = "remove_participant";
        let req = Request::new(
            OP,
            Method::POST,
            self.url("participants/:remove", vec![]),
            &[204],
        )
        .json(identifier)?;
        self.pipeline.send(req).await?;
        Ok(())
    }

    /// Marks a message (and everything before it) as read by the caller.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty id; otherwise any service or
    /// transport error.
    pub async fn send_read_receipt(&self, message_id: &str) -> Result<()> {
        const OP: &str = "send_read_receipt";
        require(message_id, "message_id", OP)?;
        let body = SendReadReceiptRequest {
            chat_message_id: message_id.to_string(),
        };
        let req =
            Request::new(OP, Method::POST, self.url("readReceipts", vec![]), &[200]).json(&body)?;
        self.pipeline.send(req).await?;
        Ok(())
    }

    /// Lists read receipts.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `results_per_page` is outside 1..=200.
    pub fn list_read_receipts(
        &self,
        options: ListReadReceiptsOptions,
    ) -> Result<Pager<ChatMessageReadReceipt>> {
        check_page_size(options.results_per_page)?;
        Ok(Pager::new(
            self.pipeline.clone(),
            "list_read_receipts",
            self.url("readReceipts", offset_query(&options)),
        ))
    }

    /// Tells the other participants that the caller is typing.
    ///
    /// # Errors
    /// Any service or transport error.
    pub async fn send_typing_notification(&self, options: TypingNotificationOptions) -> Result<()> {
        let body = SendTypingNotificationRequest {
            sender_display_name: options.sender_display_name,
        };
        let req = Request::new(
            "send_typing_notification",
            Method::POST,
            self.url("typing", vec![]),
            &[200],
        )
        .json(&body)?;
        self.pipeline.send(req).await?;
        Ok(())
    }
}

fn offset_query(options: &ListParticipantsOptions) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(n) = options.results_per_page {
        query.push(("maxPageSize", n.to_string()));
    }
    if let Some(s) = options.skip {
        query.push(("skip", s.to_string()));
    }
    query
}
